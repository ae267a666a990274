package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// ErrInvalidURL is wrapped by every error Validate returns and by the dial
// error of a connection to a refused address: the API answers it with 422
// "invalid_url".
var ErrInvalidURL = errors.New("invalid webhook URL")

// Resolver looks up a host's addresses; *net.Resolver is one. Tests inject
// their own.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// blockedPrefixes are the ranges a webhook may not reach, beyond what the
// netip predicates name: the cloud metadata addresses (169.254.169.254 is
// link-local already), carrier-grade NAT, and the IPv4 "this network",
// benchmarking and reserved ranges.
var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("fd00:ec2::254/128"),
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
}

// The IPv6 ranges that embed an IPv4 address, which is checked in turn.
var (
	nat64  = netip.MustParsePrefix("64:ff9b::/96") // the last 32 bits
	sixTo4 = netip.MustParsePrefix("2002::/16")    // bits 16 to 48
)

// Blocked reports why ip may not be reached by a webhook, or "" when it
// may: loopback, private (RFC 1918, fc00::/7), link-local (169.254/16 with
// the metadata address, fe80::/10), unspecified, multicast, carrier-grade
// NAT (100.64/10), the metadata addresses, and any of those as an
// IPv4-mapped, NAT64 or 6to4 IPv6 address.
func Blocked(ip netip.Addr) string {
	ip = ip.Unmap().WithZone("")
	switch {
	case !ip.IsValid():
		return "no address"
	case ip.IsLoopback():
		return "loopback"
	case ip.IsPrivate():
		return "private"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return "link-local"
	case ip.IsUnspecified():
		return "unspecified"
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return "multicast"
	case ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "broadcast"
	}
	for _, p := range blockedPrefixes {
		if p.Contains(ip) {
			return "reserved (" + p.String() + ")"
		}
	}
	b := ip.As16()
	switch {
	case nat64.Contains(ip):
		return Blocked(netip.AddrFrom4([4]byte(b[12:16])))
	case sixTo4.Contains(ip):
		return Blocked(netip.AddrFrom4([4]byte(b[2:6])))
	}
	return ""
}

// Policy decides which URLs and addresses a webhook may reach.
type Policy struct {
	// AllowPrivate lifts every address check and allows plain http: for
	// local development and tests only (SHOPFN_WEBHOOKS_ALLOW_PRIVATE).
	AllowPrivate bool
	// Resolver looks hosts up; nil means net.DefaultResolver.
	Resolver Resolver
}

func (p Policy) resolver() Resolver {
	if p.Resolver == nil {
		return net.DefaultResolver
	}
	return p.Resolver
}

// CheckURL checks rawURL's form alone, without resolving it: an absolute
// https URL (or http with AllowPrivate) with a host, no user info and at
// most 2000 bytes. It returns the parsed URL.
func (p Policy) CheckURL(rawURL string) (*url.URL, error) {
	if len(rawURL) > 2000 {
		return nil, fmt.Errorf("%w: longer than 2000 bytes", ErrInvalidURL)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidURL, err)
	}
	switch {
	case u.Scheme != "https" && !(p.AllowPrivate && u.Scheme == "http"):
		return nil, fmt.Errorf("%w: the scheme must be https", ErrInvalidURL)
	case u.Hostname() == "":
		return nil, fmt.Errorf("%w: no host", ErrInvalidURL)
	case u.User != nil:
		return nil, fmt.Errorf("%w: credentials in a URL are not allowed (they would be stored and shown)", ErrInvalidURL)
	}
	return u, nil
}

// Validate checks rawURL as CheckURL does, then resolves its host and
// refuses it when any of its addresses is Blocked (unless AllowPrivate) or
// it has none. Connections are checked again at each dial (see Client), so
// a host whose DNS answer changes later is still refused.
func (p Policy) Validate(ctx context.Context, rawURL string) error {
	u, err := p.CheckURL(rawURL)
	if err != nil || p.AllowPrivate {
		return err
	}
	host := u.Hostname()
	if strings.HasSuffix(strings.ToLower(host), ".localhost") || strings.EqualFold(host, "localhost") {
		return fmt.Errorf("%w: %s is loopback", ErrInvalidURL, host)
	}
	addrs, err := p.lookup(ctx, host)
	if err != nil {
		return err
	}
	for _, a := range addrs {
		if why := Blocked(a); why != "" {
			return fmt.Errorf("%w: %s resolves to a %s address", ErrInvalidURL, host, why)
		}
	}
	return nil
}

// lookup returns host's addresses: host itself when it is an IP literal.
func (p Policy) lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip}, nil
	}
	addrs, err := p.resolver().LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, fmt.Errorf("%w: cannot resolve %s: %v", ErrInvalidURL, host, err)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("%w: %s has no address", ErrInvalidURL, host)
	}
	return addrs, nil
}
