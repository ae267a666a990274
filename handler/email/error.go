package email

import (
	"errors"
	"net/textproto"
	"strconv"
	"strings"

	gomail "github.com/wneessen/go-mail"
)

// SendError is why a Send failed, with no address in it: go-mail's errors
// list the recipients, and servers echo addresses in their replies, so
// neither is kept.
type SendError struct {
	// Reason says which step failed, such as "sending SMTP RCPT TO command".
	Reason string
	// Code is the SMTP reply code, or 0.
	Code int
	// Temp is true for a failure worth trying again later: a 4xx reply, or
	// no answer (the server could not be reached or timed out).
	Temp bool
}

// Error returns the reason and code.
func (e *SendError) Error() string {
	s := "email: " + e.Reason
	if e.Code != 0 {
		s += " (SMTP " + strconv.Itoa(e.Code) + ")"
	}
	return s
}

// Temporary reports whether err, from Send, is worth trying again later.
func Temporary(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Temp
}

// redact turns a go-mail error into a SendError, removing the addresses
// from any text it keeps.
func redact(err error, addrs ...string) *SendError {
	var ge *gomail.SendError
	if errors.As(err, &ge) {
		// The reason's text is go-mail's own ("sending SMTP RCPT TO
		// command"); ge.Error() would add the server's reply and the
		// recipients.
		code := ge.ErrorCode()
		return &SendError{Reason: ge.Reason.String(), Code: code, Temp: ge.IsTemp() || code >= 400 && code < 500}
	}
	// Dialling, TLS and authentication errors: no address is in them, but
	// strip any that the server's reply echoed. A 5xx reply (a refused
	// login) is permanent; anything else may pass.
	temp := true
	var te *textproto.Error
	if errors.As(err, &te) {
		temp = te.Code < 500
	}
	msg := err.Error()
	for _, a := range addrs {
		if a != "" {
			msg = strings.ReplaceAll(msg, a, "<address>")
		}
	}
	if i := strings.IndexByte(msg, '@'); i >= 0 {
		msg = "connecting, TLS or authentication failed" // an address we were not told of
	}
	return &SendError{Reason: msg, Temp: temp}
}
