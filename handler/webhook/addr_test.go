package webhook

import (
	"context"
	"errors"
	"net/netip"
	"sync"
	"testing"
)

// fakeResolver answers from a table; a host's answers are given in turn,
// the last one repeating, so a test can change an answer between lookups
// (DNS rebinding).
type fakeResolver struct {
	mu      sync.Mutex
	answers map[string][][]string
	asked   map[string]int
}

func newResolver(answers map[string][][]string) *fakeResolver {
	return &fakeResolver{answers: answers, asked: map[string]int{}}
}

func (r *fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	as, ok := r.answers[host]
	if !ok {
		return nil, errors.New("no such host")
	}
	i := min(r.asked[host], len(as)-1)
	r.asked[host]++
	var ips []netip.Addr
	for _, s := range as[i] {
		ips = append(ips, netip.MustParseAddr(s))
	}
	return ips, nil
}

func TestBlocked(t *testing.T) {
	tests := []struct {
		ip      string
		blocked bool
	}{
		{"127.0.0.1", true},
		{"127.255.255.254", true},
		{"::1", true},
		{"10.0.0.1", true},
		{"10.255.255.255", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"172.32.0.1", false},
		{"192.168.1.1", true},
		{"169.254.169.254", true},
		{"169.254.0.1", true},
		{"fd00:ec2::254", true},
		{"fc00::1", true},
		{"fd12:3456::1", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"0.0.0.0", true},
		{"::", true},
		{"224.0.0.1", true},
		{"ff02::1", true},
		{"255.255.255.255", true},
		{"100.64.0.1", true},
		{"100.127.255.255", true},
		{"100.128.0.1", false},
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.0.0.1", true},
		{"::ffff:169.254.169.254", true},
		{"::ffff:100.64.0.1", true},
		{"64:ff9b::7f00:1", true},   // NAT64 of 127.0.0.1
		{"64:ff9b::808:808", false}, // NAT64 of 8.8.8.8
		{"2002:7f00:1::1", true},    // 6to4 of 127.0.0.1
		{"2002:808:808::1", false},  // 6to4 of 8.8.8.8
		{"8.8.8.8", false},
		{"1.1.1.1", false},
		{"::ffff:8.8.8.8", false},
		{"2606:4700:4700::1111", false},
	}
	for _, tt := range tests {
		got := Blocked(netip.MustParseAddr(tt.ip))
		if (got != "") != tt.blocked {
			t.Errorf("Blocked(%s): got %q, want blocked %v", tt.ip, got, tt.blocked)
		}
	}
}

func TestValidate(t *testing.T) {
	r := newResolver(map[string][][]string{
		"hooks.example.com": {{"8.8.8.8", "2606:4700:4700::1111"}},
		"loopback.example":  {{"127.0.0.1"}},
		"mixed.example":     {{"8.8.8.8", "10.0.0.5"}},
		"metadata.example":  {{"169.254.169.254"}},
		"mapped.example":    {{"::ffff:127.0.0.1"}},
		"nothing.example":   {{}},
	})
	strict := Policy{Resolver: r}
	lax := Policy{Resolver: r, AllowPrivate: true}
	tests := []struct {
		url      string
		strictOK bool
		laxOK    bool
	}{
		{"https://hooks.example.com/shopfn", true, true},
		{"https://hooks.example.com:8443/x?token=abc", true, true},
		{"http://hooks.example.com/shopfn", false, true},
		{"ftp://hooks.example.com/", false, false},
		{"https://127.0.0.1/", false, true},
		{"https://[::1]/", false, true},
		{"https://10.1.2.3/", false, true},
		{"https://172.16.0.1/", false, true},
		{"https://192.168.0.1/", false, true},
		{"https://169.254.169.254/latest/meta-data/", false, true},
		{"https://[fd00:ec2::254]/", false, true},
		{"https://[::ffff:127.0.0.1]/", false, true},
		{"https://100.64.0.1/", false, true},
		{"https://loopback.example/", false, true},
		{"https://mixed.example/", false, true},
		{"https://metadata.example/", false, true},
		{"https://mapped.example/", false, true},
		{"https://nothing.example/", false, true},
		{"https://unknown.example/", false, true},
		{"https://localhost/", false, true},
		{"https://api.localhost/", false, true},
		{"https://user:pass@hooks.example.com/", false, false},
		{"https:///path", false, false},
		{"hooks.example.com/path", false, false},
		{"https://hooks.example.com/%zz", false, false},
	}
	for _, tt := range tests {
		for _, c := range []struct {
			p  Policy
			ok bool
		}{{strict, tt.strictOK}, {lax, tt.laxOK}} {
			err := c.p.Validate(context.Background(), tt.url)
			if c.ok && err != nil {
				t.Errorf("Validate(%q) allowPrivate=%v: %v", tt.url, c.p.AllowPrivate, err)
			}
			if !c.ok && !errors.Is(err, ErrInvalidURL) {
				t.Errorf("Validate(%q) allowPrivate=%v: got %v, want ErrInvalidURL", tt.url, c.p.AllowPrivate, err)
			}
		}
	}
}
