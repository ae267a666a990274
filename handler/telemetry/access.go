package telemetry

import (
	"context"
	"encoding/hex"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/trace"
)

// AccessLog writes the per-request access line: the same fields, names and
// format as a *slog.Logger from NewLogger would write for
//
//	log.LogAttrs(ctx, slog.LevelInfo, "request", method, route, status, bytes, took_ms)
//
// where took_ms is how long the request took in milliseconds, to the
// microsecond (TookMS), a float with its unit in its name.
// plus trace_id and span_id, but formatted by hand into a pooled buffer and
// handed to w in one Write, without allocating. At 15k requests/s slog's
// generic formatting cost more than the cached request it logged; give it
// a Writer so that no write(2) happens on the request's path either.
type AccessLog struct {
	w     io.Writer
	json  bool
	off   bool // the level setting is above info
	stamp atomic.Pointer[stamp]
}

// stamp is the time field of the lines of one second, formatted once: all
// of it but the milliseconds, which are the only part that changes within
// the second. Formatting the whole time took a quarter of each line.
type stamp struct {
	sec    int64
	loc    *time.Location
	prefix []byte // "2006-01-02T15:04:05."
	zone   []byte // "Z07:00"
}

// appendTime appends now as "2006-01-02T15:04:05.000Z07:00".
func (l *AccessLog) appendTime(b []byte, now time.Time) []byte {
	st := l.stamp.Load()
	if st == nil || st.sec != now.Unix() || st.loc != now.Location() {
		st = &stamp{sec: now.Unix(), loc: now.Location(), prefix: now.AppendFormat(nil, "2006-01-02T15:04:05."), zone: now.AppendFormat(nil, "Z07:00")}
		l.stamp.Store(st)
	}
	ms := now.Nanosecond() / 1e6
	b = append(b, st.prefix...)
	b = append(b, byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	return append(b, st.zone...)
}

// NewAccessLog returns the access log writing to w in the format and at the
// level of cfg; with a level above info it writes nothing.
func NewAccessLog(w io.Writer, cfg LogConfig) (*AccessLog, error) {
	level, err := ParseLevel(cfg.Level)
	if err != nil {
		return nil, err
	}
	return &AccessLog{w: w, json: cfg.JSON, off: level > slog.LevelInfo}, nil
}

var lineBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// Request logs one request, stamped with the trace and span ids of ctx.
// route is the route's pattern ("/api/orders/{orderId}"), never the path
// requested: paths hold cart, order, checkout and payment IDs, which would
// let whoever reads the log act on them. It does nothing on a nil
// *AccessLog.
func (l *AccessLog) Request(ctx context.Context, method, route string, status int, size int64, took time.Duration) {
	if l == nil || l.off {
		return
	}
	bp := lineBufs.Get().(*[]byte)
	b := (*bp)[:0]
	now := time.Now()
	sc := trace.SpanContextFromContext(ctx)
	if l.json {
		b = append(b, `{"time":"`...)
		b = l.appendTime(b, now)
		b = append(b, `","level":"INFO","msg":"request","method":`...)
		b = appendJSONString(b, method)
		b = append(b, `,"route":`...)
		b = appendJSONString(b, route)
		b = append(b, `,"status":`...)
		b = strconv.AppendInt(b, int64(status), 10)
		b = append(b, `,"bytes":`...)
		b = strconv.AppendInt(b, size, 10)
		b = append(b, `,"took_ms":`...)
		b = strconv.AppendFloat(b, TookMS(took), 'f', -1, 64)
		if sc.IsValid() {
			b = append(b, `,"trace_id":"`...)
			b = appendID(b, sc)
		}
		b = append(b, "}\n"...)
	} else {
		b = append(b, "time="...)
		b = l.appendTime(b, now)
		b = append(b, " level=INFO msg=request method="...)
		b = appendTextString(b, method)
		b = append(b, " route="...)
		b = appendTextString(b, route)
		b = append(b, " status="...)
		b = strconv.AppendInt(b, int64(status), 10)
		b = append(b, " bytes="...)
		b = strconv.AppendInt(b, size, 10)
		b = append(b, " took_ms="...)
		b = strconv.AppendFloat(b, TookMS(took), 'g', -1, 64)
		if sc.IsValid() {
			tid, sid := sc.TraceID(), sc.SpanID()
			b = append(b, " trace_id="...)
			b = hex.AppendEncode(b, tid[:])
			b = append(b, " span_id="...)
			b = hex.AppendEncode(b, sid[:])
		}
		b = append(b, '\n')
	}
	l.w.Write(b)
	if cap(b) <= 4<<10 { // keep the pool from holding huge lines
		*bp = b
		lineBufs.Put(bp)
	}
}

// TookMS returns d in milliseconds, to the microsecond: the took_ms of log
// lines.
func TookMS(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// appendID appends the JSON trace id, closed, and the span id field.
func appendID(b []byte, sc trace.SpanContext) []byte {
	tid, sid := sc.TraceID(), sc.SpanID()
	b = hex.AppendEncode(b, tid[:])
	b = append(b, `","span_id":"`...)
	b = hex.AppendEncode(b, sid[:])
	return append(b, '"')
}

// appendJSONString appends s as a JSON string, invalid UTF-8 replaced by
// U+FFFD as encoding/json does.
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, s[start:i]...)
				b = append(b, `\ufffd`...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		if c >= 0x20 && c != '"' && c != '\\' {
			i++
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendTextString appends s as slog's text handler does: bare when it is
// printable and has no space, '=' or '"', quoted otherwise.
func appendTextString(b []byte, s string) []byte {
	if s == "" {
		return append(b, `""`...)
	}
	for _, r := range s {
		if r == ' ' || r == '=' || r == '"' || r == utf8.RuneError || !strconv.IsPrint(r) {
			return strconv.AppendQuote(b, s)
		}
	}
	return append(b, s...)
}
