package webhook

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"syscall"
	"time"
)

// DefaultTimeout bounds one delivery attempt: connecting, sending and
// reading the response.
const DefaultTimeout = 10 * time.Second

// The bounds on what a delivery reads of a response body: it keeps up to
// snippetBytes for the delivery record and reads at most maxResponseBytes
// (so that the connection can be reused) before closing it.
const (
	snippetBytes     = 1024
	maxResponseBytes = 64 << 10
)

// Options configure a Client.
type Options struct {
	// Policy says which addresses may be reached; it is checked at every
	// connection.
	Policy Policy
	// Timeout bounds each attempt; zero means DefaultTimeout.
	Timeout time.Duration
	// TLSConfig, when set, replaces the default TLS settings (tests use it
	// to trust their server's certificate).
	TLSConfig *tls.Config
	// UserAgent is sent with each request; empty means "shopfn-webhooks".
	UserAgent string
	// Now is the clock that timestamps signatures; nil means time.Now.
	Now func() time.Time
}

// Client sends webhooks. It connects only to addresses its Policy allows,
// checked on the address each connection is made to (after resolving, so a
// DNS answer that changes between validation and delivery is still
// refused), never follows a redirect, uses no proxy, and bounds each attempt
// by its timeout and what it reads of the response. It is safe for
// concurrent use.
type Client struct {
	http   *http.Client
	policy Policy
	ua     string
	now    func() time.Time
}

// NewClient returns a Client.
func NewClient(o Options) *Client {
	c := &Client{policy: o.Policy, ua: o.UserAgent, now: o.Now}
	if c.ua == "" {
		c.ua = "shopfn-webhooks"
	}
	if c.now == nil {
		c.now = time.Now
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	t := &http.Transport{
		Proxy:                 nil, // a proxy would resolve and connect beyond the policy's reach
		DialContext:           c.dial,
		TLSClientConfig:       o.TLSConfig,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
	}
	c.http = &http.Client{
		Transport: t,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // a 3xx is the answer: see Classify
		},
	}
	return c
}

// dial resolves addr's host with the policy's resolver and connects to its
// addresses in turn, each through a dialer whose Control refuses a blocked
// address: the check is on the very address the socket connects to.
func (c *Client) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("webhook: port %q: %w", portStr, err)
	}
	ips, err := c.policy.lookup(ctx, host)
	if err != nil {
		return nil, err
	}
	d := &net.Dialer{Control: c.control}
	var errs []error
	for _, ip := range ips {
		conn, err := d.DialContext(ctx, network, netip.AddrPortFrom(ip, uint16(port)).String())
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

// control refuses to connect to a blocked address.
func (c *Client) control(network, address string, _ syscall.RawConn) error {
	if c.policy.AllowPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot check address %q", ErrInvalidURL, address)
	}
	if why := Blocked(ap.Addr()); why != "" {
		return fmt.Errorf("%w: refusing to connect to a %s address", ErrInvalidURL, why)
	}
	return nil
}

// Message is what one delivery attempt sends.
type Message struct {
	// URL is the subscription's endpoint.
	URL string
	// ID is the webhook-id: the event's ID, the same on every attempt, so
	// that receivers drop duplicates.
	ID string
	// Body is the event's JSON form.
	Body []byte
	// Secrets sign the message: the subscription's secret, and during a
	// rotation's overlap its previous one too.
	Secrets []string
}

// Deliver signs m with the current time and POSTs it once. It never
// returns an error: every failure, its own included, is in the Result.
func (c *Client) Deliver(ctx context.Context, m Message) Result {
	start := c.now()
	res := c.deliver(ctx, m, start)
	res.Duration = c.now().Sub(start)
	return res
}

func (c *Client) deliver(ctx context.Context, m Message, at time.Time) Result {
	if _, err := c.policy.CheckURL(m.URL); err != nil {
		return Classify(0, nil, err, at)
	}
	sig, err := Sign(m.ID, at, m.Body, m.Secrets...)
	if err != nil {
		return Result{Outcome: Failed, Error: err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.URL, bytes.NewReader(m.Body))
	if err != nil {
		return Classify(0, nil, fmt.Errorf("%w: %v", ErrInvalidURL, err), at)
	}
	SetHeaders(req.Header, m.ID, at, sig)
	req.Header.Set("User-Agent", c.ua)
	resp, err := c.http.Do(req)
	if err != nil {
		return Classify(0, nil, err, c.now())
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	res := Classify(resp.StatusCode, resp.Header, nil, c.now())
	res.Body = body[:min(len(body), snippetBytes)]
	return res
}

// CloseIdleConnections closes the client's idle connections.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }
