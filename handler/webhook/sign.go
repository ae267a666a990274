package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Standard Webhooks headers.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// Sign returns the webhook-signature header value of a message: for each
// secret, "v1," and the base64 HMAC-SHA256, keyed by the secret's key, of
// msgID, ".", the timestamp in Unix seconds, ".", and body; separated by
// spaces. During a secret rotation both secrets sign, so receivers holding
// either verify. It fails when there is no secret or one is invalid.
func Sign(msgID string, at time.Time, body []byte, secrets ...string) (string, error) {
	if len(secrets) == 0 {
		return "", errors.New("webhook: no secret to sign with")
	}
	if msgID == "" || strings.ContainsAny(msgID, ". \r\n") {
		return "", errors.New("webhook: a message ID must be non-empty, with no dot, space or line break")
	}
	sigs := make([]string, len(secrets))
	for i, s := range secrets {
		key, err := ParseSecret(s)
		if err != nil {
			return "", err
		}
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(msgID))
		mac.Write([]byte{'.'})
		mac.Write([]byte(strconv.FormatInt(at.Unix(), 10)))
		mac.Write([]byte{'.'})
		mac.Write(body)
		sigs[i] = "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	}
	return strings.Join(sigs, " "), nil
}

// SetHeaders sets the three Standard Webhooks headers of a message signed
// at at, and its Content-Type (application/json).
func SetHeaders(h http.Header, msgID string, at time.Time, signature string) {
	h.Set(HeaderID, msgID)
	h.Set(HeaderTimestamp, strconv.FormatInt(at.Unix(), 10))
	h.Set(HeaderSignature, signature)
	h.Set("Content-Type", "application/json")
}
