package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"shopfn/handler/commerce"
	"shopfn/handler/events"
)

// maxEventPage is the most events one feed page returns.
const maxEventPage = 1000

// eventPage is a page of the event feed: the events after the cursor,
// oldest first, and the cursor to ask after next (the last event's
// position, or the cursor given when there was none).
type eventPage struct {
	Items []events.Event `json:"items"`
	Next  string         `json:"next"`
}

// parseEventQuery reads GET /api/admin/events's after, type and limit.
func parseEventQuery(v url.Values) (events.Filter, error) {
	f := events.Filter{Limit: 100}
	if s := v.Get("after"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return f, commerce.Invalidf(commerce.CodeInvalidRequest, "after must be a cursor this feed returned (a whole number)")
		}
		f.After = n
	}
	for _, list := range v["type"] {
		for _, t := range strings.Split(list, ",") {
			if typ := events.Type(strings.TrimSpace(t)); typ.Subscribable() {
				f.Types = append(f.Types, typ)
			} else {
				return f, commerce.Invalidf(commerce.CodeInvalidRequest, "type %q is not an event type", t)
			}
		}
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxEventPage {
			return f, commerce.Invalidf(commerce.CodeInvalidRequest, "limit must be an integer from 1 to %d", maxEventPage)
		}
		f.Limit = n
	}
	return f, nil
}

// listEvents is GET /api/admin/events: the reconciliation feed.
func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) error {
	if s.Events == nil {
		return commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "the event log is not available")
	}
	f, err := parseEventQuery(r.URL.Query())
	if err != nil {
		return err
	}
	recs, err := s.Events.Events(r.Context(), f)
	if err != nil {
		return err
	}
	// Checked after the read: a purge that ran before it shows here, so
	// no page skips a purged event silently. A feed read from the start
	// (no cursor, or 0) begins at the oldest kept and never expires.
	if f.After > 0 {
		oldest, err := s.Events.Oldest(r.Context())
		if err != nil {
			return err
		}
		if f.After < oldest-1 {
			return commerce.Errorf(commerce.KindConflict, commerce.CodeCursorExpired,
				"events after cursor %d were purged (the oldest kept is %d); resync, then read the feed from its start", f.After, oldest)
		}
	}
	page := eventPage{Items: make([]events.Event, len(recs)), Next: strconv.FormatInt(f.After, 10)}
	for i, rec := range recs {
		page.Items[i] = rec.Event
		page.Next = strconv.FormatInt(rec.Position, 10)
	}
	w.Header().Set("Cache-Control", "no-store")
	s.writeJSON(w, r, http.StatusOK, page)
	return nil
}
