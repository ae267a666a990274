package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzShape grows a fuzzed body into one the mutator would take long to
// reach: as is, nested n deep in arrays or objects, or n times over in a
// wide array or object. It is the generator of FuzzCheckStrict and, in
// package main, of FuzzHTTP.
func fuzzShape(body []byte, shape byte, n uint16) []byte {
	var b bytes.Buffer
	switch shape % 5 {
	case 1:
		b.WriteString(strings.Repeat("[", int(n)))
		b.Write(body)
		b.WriteString(strings.Repeat("]", int(n)))
	case 2:
		b.WriteString(strings.Repeat(`{"any":`, int(n)))
		b.Write(body)
		b.WriteString(strings.Repeat("}", int(n)))
	case 3:
		b.WriteByte('[')
		for i := range int(n) {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(body)
		}
		b.WriteByte(']')
	case 4:
		b.WriteByte('{')
		for i := range int(n) {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `"k%d":`, i%1000) // repeats past 1000
			b.Write(body)
		}
		b.WriteByte('}')
	default:
		return body
	}
	return b.Bytes()
}

// FuzzCheckStrict checks the strict-body walk against encoding/json on
// fuzzed, deep and wide bodies: it ends; what it accepts is valid JSON no
// deeper than MaxJSONDepth, without a duplicate key; valid JSON (in UTF-8) within
// those bounds is accepted; and every refusal is a 400 invalid_request.
func FuzzCheckStrict(f *testing.F) {
	for _, seed := range []struct {
		body  string
		shape byte
		n     uint16
	}{
		{`[",","items":[]i`, 0, 0},
		{`{"a":[1,2,{"b":null}],"c":"d"}`, 0, 0},
		{`{"a":1,"a":2}`, 0, 0},
		{`[1:2]`, 1, 5},
		{`1`, 1, 31}, {`1`, 1, 32}, {`1`, 1, 33}, {``, 1, 40000},
		{`1`, 2, 31}, {`{}`, 2, 32}, {`[`, 2, 40000},
		{`{"x":[1,2]}`, 3, 3000}, {`[]`, 3, 60000},
		{`1`, 4, 999}, {`1`, 4, 1001}, {`[[1]]`, 4, 20},
		{`{"name":"a","items":[{"sku":"S","quantity":1}],"options":{"a":"b"}}`, 3, 2},
	} {
		f.Add([]byte(seed.body), seed.shape, seed.n)
	}
	f.Fuzz(func(t *testing.T, body []byte, shape byte, n uint16) {
		if shape%5 >= 3 && (len(body)+8)*int(n) > MaxBodyBytes {
			return // refused before it is read
		}
		data := fuzzShape(body, shape, n)
		if len(data) > MaxBodyBytes {
			return // refused before it is read
		}
		var free json.RawMessage // any valid JSON, numbers of any size
		err := decodeJSON(data, &free)
		depth, dup := refDepthDup(data)
		valid := json.Valid(data) && utf8.Valid(data) // encoding/json lets invalid UTF-8 through
		switch {
		case err != nil:
			wantInvalid(t, data, err)
			if valid && depth <= MaxJSONDepth && !dup && len(bytes.TrimSpace(data)) > 0 {
				t.Fatalf("refused %.200q, valid JSON %d deep without a duplicate key: %v", data, depth, err)
			}
		case !valid:
			t.Fatalf("accepted %.200q, which is not valid JSON in UTF-8", data)
		case depth > MaxJSONDepth:
			t.Fatalf("accepted %.200q, %d deep", data, depth)
		case dup:
			t.Fatalf("accepted %.200q, which has a duplicate key", data)
		}
		var typed strictBody
		if err := decodeJSON(data, &typed); err != nil {
			wantInvalid(t, data, err)
		} else if !valid || depth > MaxJSONDepth {
			t.Fatalf("decoded %.200q into a struct: valid %v, %d deep", data, valid, depth)
		}
	})
}

// refDepthDup returns how deeply valid JSON data nests and whether an
// object in it has a key twice, by the plainest means: a recursive walk,
// for the test only. For invalid JSON it returns 0, false.
func refDepthDup(data []byte) (int, bool) {
	if !json.Valid(data) {
		return 0, false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var walk func() (int, bool)
	walk = func() (int, bool) {
		tok, _ := dec.Token()
		deepest, dup := 0, false
		switch tok {
		case json.Delim('['):
			for dec.More() {
				d, u := walk()
				deepest, dup = max(deepest, d), dup || u
			}
		case json.Delim('{'):
			seen := map[string]bool{}
			for dec.More() {
				k, _ := dec.Token()
				key := k.(string)
				dup = dup || seen[key]
				seen[key] = true
				d, u := walk()
				deepest, dup = max(deepest, d), dup || u
			}
		default:
			return 0, false
		}
		dec.Token() // ] or }
		return deepest + 1, dup
	}
	return walk()
}
