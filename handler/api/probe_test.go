package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// timerInvocation is the host's invocation of a timer-triggered function.
const timerInvocation = `{"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":false}},` +
	`"Metadata":{"sys":{"MethodName":"relay","UtcNow":"2026-11-27T05:00:00Z","RandGuid":"0f8fad5b-d9cb-469f-a165-70867728950e"}}}`

func TestRelayFunction(t *testing.T) {
	var calls int
	var fail error
	s := NewServer(Deps{Relay: func(context.Context) error { calls++; return fail }}, Config{TrustHost: true}, slog.New(slog.DiscardHandler))
	h := s.Handler()
	post := func(body string) (int, invocationResult) {
		t.Helper()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/relay", strings.NewReader(body)))
		var res invocationResult
		json.Unmarshal(rec.Body.Bytes(), &res)
		return rec.Code, res
	}
	if code, res := post(timerInvocation); code != 200 || calls != 1 || len(res.Logs) == 0 || res.Outputs == nil {
		t.Errorf("timer invocation: got %d %+v after %d relay calls, want 200 with Outputs and Logs after 1", code, res, calls)
	}
	fail = errors.New("broker down")
	if code, res := post(timerInvocation); code != 500 || calls != 2 || !strings.Contains(strings.Join(res.Logs, " "), "broker down") {
		t.Errorf("failing relay: got %d %+v, want 500 with the error in Logs (the host logs it)", code, res)
	}
	if code, _ := post(`{"not":"an invocation"}`); code != 400 || calls != 2 {
		t.Errorf("not an invocation: got %d after %d relay calls, want 400 and no call", code, calls)
	}
}

func TestProbeRoutes(t *testing.T) {
	var down error
	started := false
	s := NewServer(Deps{
		Ready:   func(context.Context) error { return down },
		Started: func() bool { return started },
	}, Config{AdminKey: "K7Skbqyg6MCVEamaUnz5fldiXe4nTZ7q_zrDF5e0HTI"}, slog.New(slog.DiscardHandler))
	for _, tt := range []struct {
		name    string
		h       http.Handler
		api     int // GET /api/products without stores: anything but 404 means it is served
		started bool
		down    error
		want    map[string]int
	}{
		{"Starting", s.ProbeHandler(), 404, false, nil, map[string]int{LivePath: 200, ReadyPath: 200, StartupPath: 503}},
		{"Started", s.ProbeHandler(), 404, true, nil, map[string]int{LivePath: 200, ReadyPath: 200, StartupPath: 200}},
		{"DependencyDown", s.ProbeHandler(), 404, true, errors.New("sql down"), map[string]int{LivePath: 200, ReadyPath: 503, StartupPath: 200}},
		{"FullHandler", s.Handler(), 0, true, errors.New("sql down"), map[string]int{LivePath: 200, ReadyPath: 503, StartupPath: 200, "/": 200}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			started, down = tt.started, tt.down
			for path, want := range tt.want {
				rec := httptest.NewRecorder()
				tt.h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
				if rec.Code != want {
					body, _ := io.ReadAll(rec.Body)
					t.Errorf("GET %s: got %d %s, want %d", path, rec.Code, body, want)
				}
			}
			if tt.api == 404 {
				rec := httptest.NewRecorder()
				tt.h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/products", nil))
				if rec.Code != 404 {
					t.Errorf("GET /api/products on the probe handler: got %d, want 404", rec.Code)
				}
			}
		})
	}
}
