// Package email renders order emails from templates and sends them over
// SMTP. It never logs, and its errors never hold, an email address.
package email

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	texttemplate "text/template"
	"time"

	"shopfn/handler/commerce"
	"shopfn/handler/events"
)

//go:embed templates
var defaults embed.FS

// Kinds are the event types with an email to the buyer.
var Kinds = []events.Type{events.OrderPlaced, events.OrderFulfilled, events.OrderCancelled, events.OrderRefunded}

// Message is a rendered email: a one-line subject, a text part and an HTML
// part.
type Message struct {
	Subject string
	Text    string
	HTML    string
}

// Templates are the email templates, three per kind: "<type>.subject.txt"
// and "<type>.txt" (text/template) and "<type>.html" (html/template, which
// escapes what it inserts), such as order.placed.html. Each executes with
// a Data, and may call money (a commerce.Money as "12.34 USD") and date (a
// time as "2 January 2006").
type Templates struct {
	subject, text map[events.Type]*texttemplate.Template
	html          map[events.Type]*htmltemplate.Template
}

var funcs = map[string]any{"money": FormatMoney, "date": formatDate}

// LoadTemplates returns the embedded templates, each replaced by the file
// of the same name in dir when dir is set (SHOPFN_EMAIL_TEMPLATES) and
// holds one; a dir may override a single file. Every template is executed
// once with sample data, so a broken override fails here, at start-up,
// rather than when an order needs its email.
func LoadTemplates(dir string) (*Templates, error) {
	t := &Templates{
		subject: map[events.Type]*texttemplate.Template{},
		text:    map[events.Type]*texttemplate.Template{},
		html:    map[events.Type]*htmltemplate.Template{},
	}
	read := func(name string) (string, error) {
		if dir != "" {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err == nil {
				return string(b), nil
			}
			if !errors.Is(err, fs.ErrNotExist) {
				return "", fmt.Errorf("email template %s: %w", name, err)
			}
		}
		b, err := defaults.ReadFile("templates/" + name)
		return string(b), err
	}
	for _, k := range Kinds {
		for _, part := range []string{".subject.txt", ".txt", ".html"} {
			name := string(k) + part
			src, err := read(name)
			if err != nil {
				return nil, err
			}
			switch part {
			case ".html":
				t.html[k], err = htmltemplate.New(name).Funcs(funcs).Option("missingkey=error").Parse(src)
			case ".txt":
				t.text[k], err = texttemplate.New(name).Funcs(funcs).Option("missingkey=error").Parse(src)
			default:
				t.subject[k], err = texttemplate.New(name).Funcs(funcs).Option("missingkey=error").Parse(src)
			}
			if err != nil {
				return nil, fmt.Errorf("email template %s: %w", name, err)
			}
		}
		if _, err := t.Render(sample(k)); err != nil {
			return nil, fmt.Errorf("email templates of %s do not render sample data: %w", k, err)
		}
	}
	return t, nil
}

// Render renders the email of d.Type.
func (t *Templates) Render(d Data) (Message, error) {
	subj, ok := t.subject[d.Type]
	if !ok {
		return Message{}, fmt.Errorf("email: no template for %q", d.Type)
	}
	var s, txt, html bytes.Buffer
	if err := subj.Execute(&s, d); err != nil {
		return Message{}, fmt.Errorf("email %s subject: %w", d.Type, err)
	}
	if err := t.text[d.Type].Execute(&txt, d); err != nil {
		return Message{}, fmt.Errorf("email %s text: %w", d.Type, err)
	}
	if err := t.html[d.Type].Execute(&html, d); err != nil {
		return Message{}, fmt.Errorf("email %s html: %w", d.Type, err)
	}
	return Message{Subject: oneLine(s.String()), Text: txt.String(), HTML: html.String()}, nil
}

// oneLine joins s's lines with spaces and trims it: a subject is one
// header line, whatever a template or the data in it holds.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\n' }), " ")
}

// formatDate formats a time as a date, in UTC.
func formatDate(t time.Time) string { return t.UTC().Format("2 January 2006") }

// FormatMoney formats m in major units with its currency code, such as
// "12.34 USD", "1200 JPY" or "1.500 KWD".
func FormatMoney(m commerce.Money) string {
	digits := minorDigits(m.Currency)
	sign, n := "", m.Amount
	if n < 0 {
		sign, n = "-", -n
	}
	if digits == 0 {
		return fmt.Sprintf("%s%d %s", sign, n, m.Currency)
	}
	p := int64(1)
	for range digits {
		p *= 10
	}
	return fmt.Sprintf("%s%d.%0*d %s", sign, n/p, digits, n%p, m.Currency)
}

// minorDigits returns the number of decimals of an ISO 4217 currency.
func minorDigits(currency string) int {
	switch currency {
	case "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF":
		return 0
	case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND":
		return 3
	}
	return 2
}
