package email

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// received is one message the test SMTP server accepted.
type received struct {
	From string
	To   []string
	Data []byte
	User string // who authenticated, "" when no one did
	TLS  bool
}

// smtpd is a real SMTP server on loopback (github.com/emersion/go-smtp)
// that keeps what it receives.
type smtpd struct {
	Addr string
	Port int
	Pool *x509.CertPool // trusts the server's certificate

	mu   sync.Mutex
	msgs []received

	user, pass string
	rcptErr    error // RCPT's answer, when set
}

type smtpdOptions struct {
	tls      bool // offer STARTTLS
	implicit bool // TLS from the first byte (smtps)
	user     string
	pass     string
	rcptErr  error
}

// startSMTPD starts a server for the test.
func startSMTPD(t *testing.T, o smtpdOptions) *smtpd {
	t.Helper()
	// httptest's certificate is valid for 127.0.0.1: borrow it.
	hs := httptest.NewTLSServer(nil)
	cfg := hs.TLS.Clone()
	d := &smtpd{Pool: x509.NewCertPool(), user: o.user, pass: o.pass, rcptErr: o.rcptErr}
	d.Pool.AddCert(hs.Certificate())
	hs.Close()

	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		_, isTLS := c.TLSConnectionState()
		return &session{d: d, tls: isTLS}, nil
	}))
	s.Domain = "localhost"
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	s.MaxMessageBytes = 1 << 20
	if o.tls || o.implicit {
		s.TLSConfig = cfg
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if o.implicit {
		ln = tls.NewListener(ln, cfg)
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	d.Addr = ln.Addr().String()
	_, port, _ := net.SplitHostPort(d.Addr)
	d.Port, _ = strconv.Atoi(port)
	return d
}

// messages returns what the server received so far.
func (d *smtpd) messages() []received {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]received(nil), d.msgs...)
}

type session struct {
	d   *smtpd
	tls bool
	cur received
}

func (s *session) AuthMechanisms() []string {
	if s.d.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.d.user || pass != s.d.pass {
			return errors.New("invalid credentials")
		}
		s.cur.User = user
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.d.user != "" && s.cur.User == "" {
		return smtp.ErrAuthRequired
	}
	s.cur.From = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.d.rcptErr != nil {
		return s.d.rcptErr
	}
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data, s.cur.TLS = b, s.tls
	s.d.mu.Lock()
	s.d.msgs = append(s.d.msgs, s.cur)
	s.d.mu.Unlock()
	s.cur = received{User: s.cur.User}
	return nil
}

func (s *session) Reset()        { s.cur = received{User: s.cur.User} }
func (s *session) Logout() error { return nil }
