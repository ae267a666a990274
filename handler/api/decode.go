package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"shopfn/handler/commerce"
)

// MaxBodyBytes is the largest request body shopfn reads.
const MaxBodyBytes = 1 << 20

// readBody reads a request's JSON body. It returns nil for an empty body,
// "payload_too_large" past MaxBodyBytes, and "unsupported_media_type" for a
// body that is declared as something other than JSON. A body without a
// Content-Type is read as JSON.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > MaxBodyBytes {
		return nil, errTooLarge
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && r.ContentLength != 0 {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !(strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))) {
			return nil, commerce.Invalidf(commerce.CodeUnsupportedMedia, "send JSON with Content-Type: application/json")
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, errTooLarge
		}
		return nil, commerce.Invalidf(commerce.CodeInvalidRequest, "could not read the request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	return body, nil
}

var errTooLarge = commerce.Invalidf(commerce.CodePayloadTooLarge, "request bodies are limited to %d bytes", MaxBodyBytes)

// decodeJSON decodes exactly one JSON value from data into v, refusing
// unknown fields (compared case-sensitively), duplicate keys, invalid UTF-8
// and nesting deeper than MaxJSONDepth, and explains what is wrong in a 400
// "invalid_request".
func decodeJSON(data []byte, v any) error {
	if data == nil {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "a JSON body is required")
	}
	strict := checkStrict(data, reflect.TypeOf(v))
	if strict != nil && strict != errSyntax {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "malformed JSON body: %s", strict)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "malformed JSON body: %s", describeJSONError(err))
	}
	if strict == errSyntax { // the walk and the decoder disagree: refuse all the same
		return commerce.Invalidf(commerce.CodeInvalidRequest, "malformed JSON body: invalid JSON")
	}
	if _, err := dec.Token(); err != io.EOF {
		return commerce.Invalidf(commerce.CodeInvalidRequest, "malformed JSON body: more than one JSON value")
	}
	return nil
}

func describeJSONError(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("invalid JSON at byte %d", syntax.Offset)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return fmt.Sprintf("field %q must be %s, not %s", typ.Field, jsonType(typ.Type.Kind().String()), typ.Value)
		}
		return fmt.Sprintf("expected %s, not %s", jsonType(typ.Type.Kind().String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "unexpected end of JSON"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	}
	return "invalid JSON"
}

func jsonType(kind string) string {
	switch kind {
	case "int", "int64", "uint", "uint64":
		return "an integer"
	case "float64":
		return "a number"
	case "string":
		return "a string"
	case "slice":
		return "an array"
	case "map", "struct", "ptr":
		return "an object"
	case "bool":
		return "a boolean"
	}
	return kind
}

// pathID returns r's path value name when it has the shape of an ID with
// prefix (see commerce.IsID), and otherwise the "not_found" error of an
// unknown noun: a malformed ID names nothing, so no store is asked.
func pathID(r *http.Request, name string, prefix byte, noun string) (string, error) {
	id := r.PathValue(name)
	if !commerce.IsID(id, prefix) {
		return "", commerce.NotFoundf("%s %q not found", noun, id)
	}
	return id, nil
}
