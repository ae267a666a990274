package email

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"shopfn/handler/events"
)

const buyer = "buyer@example.com"

func sender(t *testing.T, d *smtpd, rawURL string) *Sender {
	t.Helper()
	cfg, err := ParseConfig(fmt.Sprintf(rawURL, d.Port), "Tees Shop <orders@shop.example>")
	if err != nil {
		t.Fatalf("ParseConfig: %v", err)
	}
	cfg.TLSConfig = &tls.Config{RootCAs: d.Pool}
	cfg.Timeout = 5 * time.Second
	return NewSender(cfg)
}

func rendered(t *testing.T) Message {
	t.Helper()
	m, err := mustLoad(t, "").Render(Data{Type: events.OrderPlaced, Shop: "Tees", Order: order()})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// parts returns the decoded text and HTML parts of a multipart/alternative
// message, with CRLF line ends made LF.
func parts(t *testing.T, m *mail.Message) (text, html string) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type: got %q (%v), want multipart/alternative", m.Header.Get("Content-Type"), err)
	}
	r := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p) // quoted-printable is decoded by NextPart
		s := strings.ReplaceAll(string(b), "\r\n", "\n")
		switch ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct {
		case "text/plain":
			text = s
		case "text/html":
			html = s
		default:
			t.Errorf("unexpected part %q", ct)
		}
	}
	return text, html
}

func TestSendStartTLS(t *testing.T) {
	d := startSMTPD(t, smtpdOptions{tls: true, user: "shop@example", pass: "p@ss word"})
	m := rendered(t)
	m.Subject = "Order o123\r\nBcc: eve@evil.example"
	err := sender(t, d, "smtp://shop%%40example:p%%40ss%%20word@127.0.0.1:%d").Send(context.Background(), Mail{
		To: buyer, ToName: "Ann\r\nBcc: eve@evil.example", MessageID: "evt_1.order.placed@shop.example", Message: m,
	})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	msgs := d.messages()
	if len(msgs) != 1 {
		t.Fatalf("the server got %d messages, want 1", len(msgs))
	}
	got := msgs[0]
	if got.From != "orders@shop.example" || len(got.To) != 1 || got.To[0] != buyer || !got.TLS || got.User != "shop@example" {
		t.Errorf("envelope: got from %q to %q tls %v user %q; want orders@shop.example, [%s], TLS, shop@example", got.From, got.To, got.TLS, got.User, buyer)
	}
	// No header line starts with Bcc: the injected line break is gone.
	head, _, _ := bytes.Cut(got.Data, []byte("\r\n\r\n"))
	for _, line := range strings.Split(string(head), "\r\n") {
		if strings.HasPrefix(strings.ToLower(line), "bcc:") {
			t.Errorf("header injection: a %q line", line)
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(got.Data))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(msg.Header.Get("Subject"))
	if subject != "Order o123 Bcc: eve@evil.example" {
		t.Errorf("Subject: got %q, want one line", subject)
	}
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != buyer || to[0].Name != "Ann Bcc: eve@evil.example" {
		t.Errorf("To: got %v, %v; want one address, %s, named on one line", to, err, buyer)
	}
	from, err := msg.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Address != "orders@shop.example" || from[0].Name != "Tees Shop" {
		t.Errorf("From: got %v, %v", from, err)
	}
	for h, want := range map[string]string{"Message-Id": "<evt_1.order.placed@shop.example>", "Auto-Submitted": "auto-generated", "Bcc": "", "Cc": ""} {
		if got := msg.Header.Get(h); got != want {
			t.Errorf("%s: got %q, want %q", h, got, want)
		}
	}
	if _, err := msg.Header.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	text, html := parts(t, msg)
	if strings.TrimSpace(text) != strings.TrimSpace(m.Text) {
		t.Errorf("text part:\n got %q\nwant %q", text, m.Text)
	}
	if strings.TrimSpace(html) != strings.TrimSpace(m.HTML) {
		t.Errorf("html part:\n got %q\nwant %q", html, m.HTML)
	}
}

func TestSendModes(t *testing.T) {
	tests := []struct {
		name    string
		server  smtpdOptions
		url     string
		ok, tls bool
	}{
		{"smtps", smtpdOptions{implicit: true, user: "u", pass: "p"}, "smtps://u:p@127.0.0.1:%d", true, true},
		{"starttls required, offered", smtpdOptions{tls: true}, "smtp://127.0.0.1:%d", true, true},
		{"starttls required, not offered", smtpdOptions{}, "smtp://127.0.0.1:%d", false, false},
		{"opportunistic, offered", smtpdOptions{tls: true}, "smtp://127.0.0.1:%d?starttls=opportunistic", true, true},
		{"opportunistic, not offered", smtpdOptions{}, "smtp://127.0.0.1:%d?starttls=opportunistic", true, false},
		{"opportunistic, not offered, with credentials", smtpdOptions{user: "u", pass: "p"}, "smtp://u:p@127.0.0.1:%d?starttls=opportunistic", false, false},
		{"none", smtpdOptions{}, "smtp://127.0.0.1:%d?starttls=none", true, false},
		{"wrong password", smtpdOptions{tls: true, user: "u", pass: "p"}, "smtp://u:wrong@127.0.0.1:%d", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := startSMTPD(t, tt.server)
			err := sender(t, d, tt.url).Send(context.Background(), Mail{To: buyer, Message: rendered(t)})
			msgs := d.messages()
			if tt.ok {
				if err != nil || len(msgs) != 1 || msgs[0].TLS != tt.tls {
					t.Fatalf("got %v and %d messages; want one message, TLS %v", err, len(msgs), tt.tls)
				}
				return
			}
			if err == nil || len(msgs) != 0 {
				t.Fatalf("got %v and %d messages; want an error and none", err, len(msgs))
			}
			if strings.Contains(err.Error(), buyer) || strings.Contains(err.Error(), "wrong") {
				t.Errorf("the error %q holds the address or the password", err)
			}
		})
	}
}

func TestSendErrors(t *testing.T) {
	tests := []struct {
		name string
		code int
		temp bool
	}{
		{"unknown user", 550, false},
		{"mailbox busy", 451, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := startSMTPD(t, smtpdOptions{tls: true, rcptErr: &smtp.SMTPError{
				Code: tt.code, EnhancedCode: smtp.EnhancedCode{tt.code / 100, 1, 1}, Message: "<" + buyer + ">: " + tt.name,
			}})
			err := sender(t, d, "smtp://127.0.0.1:%d").Send(context.Background(), Mail{To: buyer, Message: rendered(t)})
			if err == nil {
				t.Fatal("Send: got no error")
			}
			if Temporary(err) != tt.temp {
				t.Errorf("Temporary(%v): got %v, want %v", err, Temporary(err), tt.temp)
			}
			if s := err.Error(); strings.Contains(s, buyer) || strings.Contains(s, "orders@shop.example") || !strings.Contains(s, "RCPT") {
				t.Errorf("error %q: want the failed step and no address", s)
			}
		})
	}
}

func TestSendRefusesBadRecipients(t *testing.T) {
	d := startSMTPD(t, smtpdOptions{tls: true})
	s := sender(t, d, "smtp://127.0.0.1:%d")
	for _, to := range []string{"", "not an address", "a@example.com, eve@evil.example", "Eve <eve@evil.example>", "a@example.com\r\nBcc: eve@evil.example"} {
		err := s.Send(context.Background(), Mail{To: to, Message: rendered(t)})
		if err == nil || Temporary(err) {
			t.Errorf("Send to %q: got %v, want a permanent error", to, err)
		}
		if to != "" && strings.Contains(err.Error(), to) {
			t.Errorf("the error %q holds the address", err)
		}
	}
	if n := len(d.messages()); n != 0 {
		t.Errorf("the server got %d messages, want 0", n)
	}
}

func TestParseConfig(t *testing.T) {
	const from = "Shop <orders@shop.example>"
	tests := []struct {
		url  string
		from string
		want Config // zero Host when ParseConfig must fail
	}{
		{"smtp://user:pa%2Fss@mail.example", from, Config{Host: "mail.example", Port: 587, Username: "user", Password: "pa/ss", Security: StartTLS, From: from}},
		{"smtp://mail.example:2525?starttls=required", from, Config{Host: "mail.example", Port: 2525, Security: StartTLS, From: from}},
		{"smtp://u:p@mail.example?starttls=opportunistic", from, Config{Host: "mail.example", Port: 587, Username: "u", Password: "p", Security: Opportunistic, From: from}},
		{"smtp://localhost:1025?starttls=none", "orders@shop.example", Config{Host: "localhost", Port: 1025, Security: Plain, From: "orders@shop.example"}},
		{"smtps://u:p@mail.example", from, Config{Host: "mail.example", Port: 465, Username: "u", Password: "p", Security: ImplicitTLS, From: from}},
		{"smtp://USER.app.tenant:secret@smtp.azurecomm.net:587", from, Config{Host: "smtp.azurecomm.net", Port: 587, Username: "USER.app.tenant", Password: "secret", Security: StartTLS, From: from}},
		{"smtp://u:p@localhost:1025?starttls=none", from, Config{}},
		{"smtp://mail.example?starttls=maybe", from, Config{}},
		{"http://mail.example", from, Config{}},
		{"smtp://:25", from, Config{}},
		{"smtp://mail.example:0", from, Config{}},
		{"smtp://mail.example:99999", from, Config{}},
		{"smtp://mail.example", "", Config{}},
		{"smtp://mail.example", "not an address", Config{}},
		{"smtp://u:se cret@mail.example:bad", from, Config{}},
	}
	for _, tt := range tests {
		got, err := ParseConfig(tt.url, tt.from)
		if tt.want.Host == "" {
			if err == nil {
				t.Errorf("ParseConfig(%q, %q): got %+v, want an error", tt.url, tt.from, got)
			} else if strings.Contains(err.Error(), "se cret") {
				t.Errorf("ParseConfig(%q): the error %q holds the password", tt.url, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseConfig(%q, %q):\n got %+v, %v\nwant %+v", tt.url, tt.from, got, err, tt.want)
		}
	}
}
