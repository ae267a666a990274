package api

import (
	"encoding/json"
	"net/http"

	"shopfn/handler/commerce"
)

// The Kubernetes probe routes (infra/k8s). They are not under /api, so the
// Functions host never forwards them; every role serves them.
const (
	// LivePath answers 200 while the process serves requests; it never
	// looks at a dependency, so an outage does not restart the pods.
	LivePath = "/healthz/live"
	// ReadyPath answers 200 while the stores and the queue this process
	// uses are reachable, 503 "unavailable" otherwise.
	ReadyPath = "/healthz/ready"
	// StartupPath answers 200 once the process has started: its stores
	// open, its schema up to date, its background work running.
	StartupPath = "/healthz/startup"
)

func (s *Server) probeRoutes() []route {
	return []route{
		{Route{"GET", LivePath, false}, s.live},
		{Route{"GET", ReadyPath, false}, s.ready},
		{Route{"GET", StartupPath, false}, s.startup},
	}
}

func (s *Server) live(w http.ResponseWriter, r *http.Request) error {
	writeBody(w, http.StatusOK, []byte(`{"status":"ok"}`))
	return nil
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	if s.Ready != nil {
		if err := s.Ready(r.Context()); err != nil {
			s.log.WarnContext(r.Context(), "not ready", "err", err)
			return commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "a store or queue this process needs is unreachable; retry later")
		}
	}
	writeBody(w, http.StatusOK, []byte(`{"status":"ok"}`))
	return nil
}

func (s *Server) startup(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	if s.Started != nil && !s.Started() {
		return commerce.Errorf(commerce.KindUnavailable, commerce.CodeUnavailable, "starting")
	}
	writeBody(w, http.StatusOK, []byte(`{"status":"ok"}`))
	return nil
}

// ProbeHandler serves only the probe routes (and "/"), for a process that
// serves no API (SHOPFN_ROLE=worker). Every other path is a 404 problem.
func (s *Server) ProbeHandler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.probeRoutes() {
		mux.Handle(rt.Method+" "+rt.Pattern, s.wrap(rt))
	}
	mux.Handle("/", s.wrap(route{Route: Route{Method: "*", Pattern: "/"}, handle: s.root}))
	return SecurityHeaders(s.guard(mux))
}

// runRelay serves the timer-triggered relay function: the Functions host
// posts its invocation to POST /relay every 30 seconds, and the relay
// publishes what the outbox still holds. A failure answers 500, which the
// host logs; the next tick tries again.
func (s *Server) runRelay(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var inv invocation
	if err := json.Unmarshal(body, &inv); err != nil || inv.Data == nil {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "not a Functions invocation: want {\"Data\":{...},\"Metadata\":{...}}")
	}
	res := invocationResult{Outputs: map[string]any{}, Logs: []string{}}
	status := http.StatusOK
	if s.Relay == nil {
		res.Logs = append(res.Logs, "no relay in this process")
	} else if err := s.Relay(r.Context()); err != nil {
		s.log.Warn("relay function failed", "err", err)
		status = http.StatusInternalServerError
		res.Logs = append(res.Logs, "failed: "+err.Error())
	} else {
		res.Logs = append(res.Logs, "outbox published")
	}
	out, _ := json.Marshal(res)
	writeBody(w, status, out)
	return nil
}
