package sqlite

import (
	"context"
	"database/sql/driver"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// WriterHold adds up how long each caller holds the SQLite writer, by
// operation: the store method that began the transaction or ran the
// statement ("sqlite.(*CartStore).ReplaceCart"), or the name a group commit
// gave its members. It is a profiling aid for benchmarks: Open wraps the
// writer's driver connection only when Options.Hold is set, so it costs
// nothing otherwise.
type WriterHold struct {
	mu    sync.Mutex
	start time.Time
	ops   map[string]*HoldStat
}

// HoldStat is one operation's share of the writer.
type HoldStat struct {
	Op    string
	Calls int64
	Total time.Duration
	Max   time.Duration
}

// NewWriterHold returns an empty WriterHold whose window starts now.
func NewWriterHold() *WriterHold {
	return &WriterHold{start: time.Now(), ops: map[string]*HoldStat{}}
}

// Add counts one hold of the writer by op for d.
func (h *WriterHold) Add(op string, d time.Duration) {
	h.mu.Lock()
	s := h.ops[op]
	if s == nil {
		s = &HoldStat{Op: op}
		h.ops[op] = s
	}
	s.Calls++
	s.Total += d
	s.Max = max(s.Max, d)
	h.mu.Unlock()
}

// Reset forgets what was counted and starts the window again.
func (h *WriterHold) Reset() {
	h.mu.Lock()
	h.start = time.Now()
	clear(h.ops)
	h.mu.Unlock()
}

// Stats returns the operations counted, the longest total first, and the
// wall-clock time since the window started.
func (h *WriterHold) Stats() ([]HoldStat, time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []HoldStat
	for _, s := range h.ops {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b HoldStat) int { return int(b.Total - a.Total) })
	return out, time.Since(h.start)
}

// Print writes a table of the operations counted: calls, total and mean
// hold, and the total as a share of the window's wall-clock time (how busy
// the writer was with it).
func (h *WriterHold) Print(w io.Writer) {
	stats, window := h.Stats()
	var sum time.Duration
	fmt.Fprintf(w, "%-56s %9s %12s %10s %10s %7s\n", "writer held by", "calls", "total", "mean", "max", "busy")
	for _, s := range stats {
		sum += s.Total
		fmt.Fprintf(w, "%-56s %9d %12s %10s %10s %6.1f%%\n", s.Op, s.Calls, s.Total.Round(time.Microsecond),
			(s.Total / time.Duration(s.Calls)).Round(time.Microsecond), s.Max.Round(time.Microsecond),
			100*float64(s.Total)/float64(window))
	}
	fmt.Fprintf(w, "%-56s %9s %12s %10s %10s %6.1f%%  (window %s)\n", "all", "", sum.Round(time.Microsecond), "", "",
		100*float64(sum)/float64(window), window.Round(time.Millisecond))
}

// caller names the store method that called into the writer: the first
// frame outside database/sql, the driver, this file and the generic
// transaction helpers.
func caller() string {
	var pcs [32]uintptr
	n := runtime.Callers(3, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if !skipFrame(f.Function) {
			return strings.TrimPrefix(f.Function, "shopfn/handler/")
		}
		if !more {
			return "unknown"
		}
	}
}

// skipFrame reports whether fn is plumbing between a store method and the
// driver.
func skipFrame(fn string) bool {
	for _, p := range []string{"database/sql.", "modernc.org/", "shopfn/handler/sqlite.(*hold",
		"shopfn/handler/sqlite.(*Writer).", "shopfn/handler/sqlite.(*Batch).", "shopfn/handler/sqlstore.(*DB).",
		"shopfn/handler/sqlstore.Retry.", "shopfn/handler/sqlstore.retryRow."} {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}

// holdConnector opens writer connections that report to h.
type holdConnector struct {
	driver.Connector
	h *WriterHold
}

// Connect opens a connection and wraps it.
func (c holdConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &holdConn{Conn: conn, h: c.h}, nil
}

// sqliteConn is what modernc.org/sqlite's connection implements.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.SessionResetter
	driver.Validator
	driver.Pinger
}

// holdConn times a writer connection: a transaction from begin to commit or
// rollback, and a statement outside one from its start to its end.
type holdConn struct {
	driver.Conn
	h    *WriterHold
	inTx bool   // a transaction is open
	txOp string // the operation it is counted as, "" for a group commit's (counted by member)
	txAt time.Time
}

func (c *holdConn) sc() sqliteConn { return c.Conn.(sqliteConn) }

func (c *holdConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	op, at := "", time.Now()
	if ctx.Value(groupTx{}) == nil {
		op = caller()
	}
	tx, err := c.sc().BeginTx(ctx, opts)
	if err != nil {
		if op != "" {
			c.h.Add(op, time.Since(at))
		}
		return nil, err
	}
	c.inTx, c.txOp, c.txAt = true, op, at
	return &holdTx{Tx: tx, c: c}, nil
}

func (c *holdConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.sc().PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return &holdStmt{Stmt: st, c: c}, nil
}

func (c *holdConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if c.inTx {
		return c.sc().ExecContext(ctx, query, args)
	}
	op, at := caller(), time.Now()
	res, err := c.sc().ExecContext(ctx, query, args)
	c.h.Add(op, time.Since(at))
	return res, err
}

func (c *holdConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if c.inTx {
		return c.sc().QueryContext(ctx, query, args)
	}
	op, at := caller(), time.Now()
	rows, err := c.sc().QueryContext(ctx, query, args)
	if err != nil {
		c.h.Add(op, time.Since(at))
		return nil, err
	}
	return &holdRows{Rows: rows, h: c.h, op: op, at: at}, nil
}

func (c *holdConn) ResetSession(ctx context.Context) error { return c.sc().ResetSession(ctx) }
func (c *holdConn) IsValid() bool                          { return c.sc().IsValid() }
func (c *holdConn) Ping(ctx context.Context) error         { return c.sc().Ping(ctx) }

// holdTx reports its transaction's hold when it ends.
type holdTx struct {
	driver.Tx
	c *holdConn
}

func (t *holdTx) end(err error) error {
	if t.c.txOp != "" {
		t.c.h.Add(t.c.txOp, time.Since(t.c.txAt))
	}
	t.c.inTx, t.c.txOp = false, ""
	return err
}

func (t *holdTx) Commit() error   { return t.end(t.Tx.Commit()) }
func (t *holdTx) Rollback() error { return t.end(t.Tx.Rollback()) }

// holdStmt is a prepared statement on a timed connection.
type holdStmt struct {
	driver.Stmt
	c *holdConn
}

func (s *holdStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	st := s.Stmt.(driver.StmtExecContext)
	if s.c.inTx {
		return st.ExecContext(ctx, args)
	}
	op, at := caller(), time.Now()
	res, err := st.ExecContext(ctx, args)
	s.c.h.Add(op, time.Since(at))
	return res, err
}

func (s *holdStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	st := s.Stmt.(driver.StmtQueryContext)
	if s.c.inTx {
		return st.QueryContext(ctx, args)
	}
	op, at := caller(), time.Now()
	rows, err := st.QueryContext(ctx, args)
	if err != nil {
		s.c.h.Add(op, time.Since(at))
		return nil, err
	}
	return &holdRows{Rows: rows, h: s.c.h, op: op, at: at}, nil
}

// holdRows reports a query's hold when its rows are closed.
type holdRows struct {
	driver.Rows
	h  *WriterHold
	op string
	at time.Time
}

func (r *holdRows) Close() error {
	err := r.Rows.Close()
	r.h.Add(r.op, time.Since(r.at))
	return err
}
