// Package events defines the events shopfn tells the outside world about:
// their types, the data each carries, and their envelope, a CloudEvents 1.0
// JSON object (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/formats/json-format.md):
//
//	{"specversion":"1.0","id":"evt_…","type":"order.placed","source":"/shopfn",
//	 "subject":"orders/o…","time":"2025-01-02T03:04:05.678Z",
//	 "datacontenttype":"application/json","data":{…},"sequence":"0000000000000000007"}
//
// It imports only the standard library and commerce; stores write events
// through the outbox, webhook delivers them.
package events

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"time"
)

// SpecVersion is the CloudEvents version of every event.
const SpecVersion = "1.0"

// ContentType is the datacontenttype of every event: data is a JSON object.
const ContentType = "application/json"

// DefaultSource is the source of events when no public URL is configured.
const DefaultSource = "/shopfn"

// Event is one event in its CloudEvents envelope. Its JSON form, as Marshal
// returns it, is what webhooks carry as their body and the feed lists.
type Event struct {
	SpecVersion string `json:"specversion"`
	// ID is unique per event, and is also its webhook-id: receivers drop a
	// second delivery of the same ID.
	ID   string `json:"id"`
	Type Type   `json:"type"`
	// Source names the shop, a URI reference (DefaultSource, or its URL).
	Source string `json:"source"`
	// Subject names what the event is about, such as "orders/o123": see
	// Subject.
	Subject         string          `json:"subject"`
	Time            time.Time       `json:"time"`
	DataContentType string          `json:"datacontenttype"`
	Data            json.RawMessage `json:"data"`
	// Sequence orders the events of one subject: each is higher than the
	// last one of that subject, so a receiver drops an event whose Sequence
	// is at or below the last it applied for that subject. Stores assign it
	// in the transaction that writes the event.
	Sequence Sequence `json:"sequence"`
}

// ErrInvalid is wrapped by every error of New, Validate and Parse.
var ErrInvalid = errors.New("invalid event")

// New returns an event of type t about the thing whose ID is id, carrying
// data, with a new ID and Sequence zero (unassigned: the store sets it).
// data must be of t's data type (see Type.DataType), so that an event can
// carry no field its type does not declare.
func New(t Type, source, id string, now time.Time, data any) (Event, error) {
	if !t.Valid() {
		return Event{}, fmt.Errorf("%w: unknown type %q", ErrInvalid, t)
	}
	if got := reflect.TypeOf(data); got != t.DataType() {
		return Event{}, fmt.Errorf("%w: %s carries %v, not %v", ErrInvalid, t, t.DataType(), got)
	}
	b, err := json.Marshal(data)
	if err != nil {
		return Event{}, fmt.Errorf("%w: %s data: %v", ErrInvalid, t, err)
	}
	e := Event{
		SpecVersion: SpecVersion, ID: NewID(now), Type: t, Source: source, Subject: Subject(t, id),
		Time: now.UTC(), DataContentType: ContentType, Data: b,
	}
	if err := e.validate(false); err != nil {
		return Event{}, err
	}
	return e, nil
}

// Validate reports whether e is a complete, well-formed event: every
// attribute present and of its form, a known type, a subject with the
// type's prefix, a Sequence of at least 1, and data that decodes into the
// type's data type with no unknown field.
func (e Event) Validate() error { return e.validate(true) }

func (e Event) validate(sequenced bool) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
	}
	switch {
	case e.SpecVersion != SpecVersion:
		return bad("specversion %q is not %q", e.SpecVersion, SpecVersion)
	case e.ID == "" || len(e.ID) > 100:
		return bad("id must have 1 to 100 characters")
	case !e.Type.Valid():
		return bad("unknown type %q", e.Type)
	case e.DataContentType != ContentType:
		return bad("datacontenttype %q is not %q", e.DataContentType, ContentType)
	case e.Time.IsZero():
		return bad("time is missing")
	case sequenced && e.Sequence < 1:
		return bad("sequence must be at least 1")
	}
	if _, err := url.Parse(e.Source); e.Source == "" || err != nil || strings.ContainsAny(e.Source, " \t\r\n") {
		return bad("source %q is not a URI reference", e.Source)
	}
	if _, ok := subjectID(e.Type, e.Subject); !ok {
		return bad("subject %q is not %s<id>", e.Subject, e.Type.SubjectPrefix())
	}
	if len(e.Data) == 0 || e.Data[0] != '{' {
		return bad("data must be a JSON object")
	}
	d := json.NewDecoder(bytes.NewReader(e.Data))
	d.DisallowUnknownFields()
	if err := d.Decode(reflect.New(e.Type.DataType()).Interface()); err != nil {
		return bad("%s data: %v", e.Type, err)
	}
	if d.More() {
		return bad("data has more than one JSON value")
	}
	return nil
}

// Decode decodes e's data into v, which must point to e.Type's data type.
func (e Event) Decode(v any) error {
	if t := reflect.TypeOf(v); t == nil || t.Kind() != reflect.Pointer || t.Elem() != e.Type.DataType() {
		return fmt.Errorf("%w: %s data decodes into *%v, not %T", ErrInvalid, e.Type, e.Type.DataType(), v)
	}
	d := json.NewDecoder(bytes.NewReader(e.Data))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("%w: %s data: %v", ErrInvalid, e.Type, err)
	}
	return nil
}

// Marshal returns e's JSON form after validating it.
func (e Event) Marshal() ([]byte, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	return json.Marshal(e)
}

// Parse decodes and validates one event's JSON form. Unknown attributes
// are refused, so a stored event reads back exactly as it was written.
func Parse(b []byte) (Event, error) {
	var e Event
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&e); err != nil {
		return Event{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if d.More() {
		return Event{}, fmt.Errorf("%w: more than one JSON value", ErrInvalid)
	}
	return e, e.Validate()
}

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewID returns a new event ID: "evt_" and 26 characters, the first ten of
// which follow now in milliseconds (so IDs sort by creation) and the rest
// 80 random bits. It fits Standard Webhooks' webhook-id.
func NewID(now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16)
	rand.Read(b[6:])
	return "evt_" + idEncoding.EncodeToString(b[:])
}
