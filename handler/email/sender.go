package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Security is how a Sender protects its SMTP connection.
type Security string

// The security modes, chosen by the URL (see ParseConfig).
const (
	// StartTLS upgrades a plain connection with STARTTLS and refuses a
	// server that does not offer it: smtp:// (the default, port 587).
	StartTLS Security = "starttls"
	// Opportunistic uses STARTTLS when the server offers it, and plain
	// text otherwise: smtp://…?starttls=opportunistic. Credentials are
	// still only sent encrypted (or with a challenge-response mechanism).
	Opportunistic Security = "opportunistic"
	// Plain never encrypts: smtp://…?starttls=none, for a mail catcher on
	// loopback in development. It refuses credentials.
	Plain Security = "none"
	// ImplicitTLS speaks TLS from the first byte: smtps:// (port 465).
	ImplicitTLS Security = "tls"
)

// Config is where and as whom a Sender sends.
type Config struct {
	Host     string
	Port     int
	Username string
	Password string
	Security Security
	// From is the sender, an address with an optional name, such as
	// "Shop <orders@shop.example>" (SHOPFN_EMAIL_FROM).
	From string
	// Timeout bounds connecting and each SMTP command; zero means 15 s.
	Timeout time.Duration
	// TLSConfig, when set, replaces the default TLS settings (tests use it
	// to trust their server's certificate). Its ServerName defaults to Host.
	TLSConfig *tls.Config
}

// ParseConfig reads SHOPFN_SMTP_URL and SHOPFN_EMAIL_FROM:
//
//	smtp://user:pass@host:587                          STARTTLS, required (default port 587)
//	smtp://user:pass@host:587?starttls=opportunistic   STARTTLS when offered
//	smtp://host:1025?starttls=none                     no TLS, no credentials (a local mail catcher)
//	smtps://user:pass@host:465                         TLS from the start (default port 465)
//
// The user and password are percent-encoded in the URL. With credentials,
// the strongest mechanism the server offers over the encrypted connection
// is used (SCRAM, CRAM-MD5, PLAIN or LOGIN). Azure Communication Services
// Email takes smtp://<username>:<secret>@smtp.azurecomm.net:587, where the
// username is the SMTP username made for the resource (or
// "<resource>.<Entra application ID>.<tenant ID>") and the secret is that
// Entra application's client secret; From must be a MailFrom address of a
// domain connected to the resource. Errors never hold the password.
func ParseConfig(smtpURL, from string) (Config, error) {
	u, err := url.Parse(smtpURL)
	if err != nil {
		return Config{}, errors.New("SHOPFN_SMTP_URL is not a URL") // its error would show the password
	}
	c := Config{Host: u.Hostname(), From: from}
	switch u.Scheme {
	case "smtp":
		c.Security, c.Port = StartTLS, 587
		switch v := u.Query().Get("starttls"); v {
		case "", "required", "mandatory":
		case "opportunistic":
			c.Security = Opportunistic
		case "none":
			c.Security = Plain
		default:
			return Config{}, fmt.Errorf("SHOPFN_SMTP_URL: starttls=%q is not required, opportunistic or none", v)
		}
	case "smtps":
		c.Security, c.Port = ImplicitTLS, 465
	default:
		return Config{}, fmt.Errorf("SHOPFN_SMTP_URL: the scheme %q is not smtp or smtps", u.Scheme)
	}
	if c.Host == "" {
		return Config{}, errors.New("SHOPFN_SMTP_URL: no host")
	}
	if p := u.Port(); p != "" {
		if c.Port, err = strconv.Atoi(p); err != nil || c.Port < 1 || c.Port > 65535 {
			return Config{}, fmt.Errorf("SHOPFN_SMTP_URL: port %q", p)
		}
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
		if c.Security == Plain && c.Username != "" {
			return Config{}, errors.New("SHOPFN_SMTP_URL: starttls=none sends no credentials in clear text; use STARTTLS or smtps")
		}
	}
	if _, err := mail.ParseAddress(from); err != nil {
		return Config{}, errors.New("SHOPFN_EMAIL_FROM is not an email address")
	}
	return c, nil
}

// Mail is one email to send.
type Mail struct {
	// To is the recipient's address; ToName, optional, its display name.
	To     string
	ToName string
	// MessageID, optional, is the Message-ID without angle brackets, such
	// as "evt_….order.placed@shop.example": the same for every attempt at
	// one event's email, so that a retried send can be recognised.
	MessageID string
	Message
}

// Sender sends email over SMTP, one connection per Send.
type Sender struct {
	cfg Config
}

// NewSender returns a Sender.
func NewSender(cfg Config) *Sender { return &Sender{cfg: cfg} }

// Send sends m. Its error never holds an address; Temporary(err) tells
// whether trying again later may succeed.
func (s *Sender) Send(ctx context.Context, m Mail) error {
	msg, err := s.message(m)
	if err != nil {
		return err
	}
	c, err := s.client()
	if err != nil {
		return &SendError{Reason: "configuring the SMTP client", Temp: false}
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return redact(err, m.To, s.cfg.From)
	}
	return nil
}

// message builds the MIME message of m, refusing a malformed recipient and
// removing line breaks from every header value (header injection).
func (s *Sender) message(m Mail) (*gomail.Msg, error) {
	to, err := mail.ParseAddress(m.To)
	if err != nil || to.Name != "" || to.Address != m.To {
		return nil, &SendError{Reason: "the recipient is not an email address"}
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(s.cfg.From); err != nil {
		return nil, &SendError{Reason: "the sender is not an email address"}
	}
	if err := msg.AddToFormat(headerText(m.ToName), to.Address); err != nil {
		return nil, &SendError{Reason: "the recipient is not an email address"}
	}
	msg.Subject(headerText(m.Subject))
	if id := headerText(m.MessageID); id != "" {
		msg.SetMessageIDWithValue(strings.Trim(id, "<>"))
	} else {
		msg.SetMessageID()
	}
	msg.SetDate()
	msg.SetGenHeader("Auto-Submitted", "auto-generated") // RFC 3834: no auto-replies
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	return msg, nil
}

// headerText returns s with each run of control characters (CR and LF
// among them) replaced by one space, and trimmed.
func headerText(s string) string {
	return strings.TrimSpace(strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }), " "))
}

func (s *Sender) client() (*gomail.Client, error) {
	timeout := s.cfg.Timeout
	if timeout <= 0 {
		timeout = gomail.DefaultTimeout
	}
	tc := s.cfg.TLSConfig
	if tc == nil {
		tc = &tls.Config{}
	}
	tc = tc.Clone()
	if tc.ServerName == "" {
		tc.ServerName = s.cfg.Host
	}
	tc.MinVersion = max(tc.MinVersion, tls.VersionTLS12)
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(timeout), gomail.WithTLSConfig(tc)}
	switch s.cfg.Security {
	case ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case Opportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case Plain:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	return gomail.NewClient(s.cfg.Host, opts...)
}
