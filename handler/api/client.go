package api

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientKey returns the key that identifies r's client for rate limits and
// per-client bounds: its remote address, or, when the request came through
// proxies listed in Config.TrustedProxies, the address the nearest untrusted
// hop of X-Forwarded-For names. IPv6 clients are keyed by their /64, the
// block one subscriber usually holds, or by the shorter prefix
// Config.IPv6Prefix names (56 or 48: what some providers hand out), so that
// rotating addresses within it does not make a new client.
func (s *Server) ClientKey(r *http.Request) string {
	addr, ok := parseAddr(r.RemoteAddr)
	if !ok {
		return r.RemoteAddr
	}
	if len(s.cfg.TrustedProxies) > 0 && s.trusted(addr) {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			hop, ok := parseAddr(strings.TrimSpace(hops[i]))
			if !ok {
				break // a malformed hop: trust nothing before it
			}
			addr = hop
			if !s.trusted(hop) {
				break
			}
		}
	}
	if addr.Is6() {
		bits := s.cfg.IPv6Prefix
		if bits == 0 {
			bits = 64
		}
		p, _ := addr.Prefix(bits)
		return p.String()
	}
	return addr.String()
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseAddr parses "ip", "ip:port" or "[ip]:port".
func parseAddr(s string) (netip.Addr, bool) {
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}
