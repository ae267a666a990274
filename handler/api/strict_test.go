package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"shopfn/handler/commerce"
)

// strictBody is a request body type with a nested struct, a slice of
// structs, a map, a free-form value and a type with its own UnmarshalJSON.
type strictBody struct {
	Name  string `json:"name"`
	Items []struct {
		SKU      string `json:"sku"`
		Quantity int    `json:"quantity"`
	} `json:"items"`
	Options map[string]string `json:"options"`
	Any     any               `json:"any"`
	Raw     json.RawMessage   `json:"raw"`
	Inner   *struct {
		Grid [][]int `json:"grid"`
	} `json:"inner"`
}

// decodeStrict is decodeJSON into a strictBody, run with a hang detector:
// a walk that never ends fails the test instead of the whole run.
func decodeStrict(t *testing.T, body string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		var v strictBody
		done <- decodeJSON([]byte(body), &v)
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second): // a hang detector, not a timing
		t.Fatalf("decodeJSON(%.60q) did not return", body)
		return nil
	}
}

func nest(open, close string, depth int) string {
	return strings.Repeat(open, depth) + strings.Repeat(close, depth)
}

func TestDecodeJSONStrict(t *testing.T) {
	deep := func(depth int) string { return `{"any":` + nest("[", "]", depth-1) + `}` }
	tests := []struct {
		name, body string
		want       string // "" for no error, else a part of the detail
	}{
		{"ok", `{"name":"a","items":[{"sku":"S","quantity":1}],"options":{"a":"b"},"any":{"x":[1,{"y":null}]},"raw":{"k":[]}}`, ""},
		{"16-byte body from issue 16", `[",","items":[]i`, "invalid JSON"},
		{"colon in an array", `[1:2]`, "invalid JSON"},
		{"comma in an object", `{"name","items":[]}`, "invalid JSON"},
		{"garbage after a key", `{"items":[{"sku" x}]}`, "invalid JSON"},
		{"truncated inside an array", `{"items":[{"sku":"S"},`, "unexpected end of JSON"},
		{"truncated deep", `{"any":[[[[`, "unexpected end of JSON"},
		{"unknown field", `{"nme":"a"}`, `unknown field "nme"`},
		{"unknown field in an element", `{"items":[{"sku":"S","Quantity":1}]}`, `unknown field "items[].Quantity"`},
		{"unknown field in a pointer", `{"inner":{"grid":[[1]],"x":1}}`, `unknown field "inner.x"`},
		{"duplicate key", `{"name":"a","name":"b"}`, `field "name" appears twice`},
		{"duplicate key in a map", `{"options":{"a":"1","a":"2"}}`, `field "options.a" appears twice`},
		{"duplicate key in free-form JSON", `{"any":[{"k":1,"k":2}]}`, `field "any[].k" appears twice`},
		{"duplicate key in a RawMessage", `{"raw":{"k":1,"k":2}}`, `field "raw.k" appears twice`},
		{"duplicate key after many", `{"options":{` + manyOptions(40) + `,"o7":"x"}}`, `field "options.o7" appears twice`},
		{"many distinct keys", `{"options":{` + manyOptions(40) + `}}`, ""},
		{"unknown field after a nested value", `{"inner":{"grid":[[1],[2]]},"extra":1}`, `unknown field "extra"`},
		{"huge number", `{"items":[{"sku":"S","quantity":1e400}]}`, "malformed JSON body"},
		{"invalid UTF-8", "{\"name\":\"\xff\"}", "not valid UTF-8"},
		{"depth 32", deep(32), ""},
		{"depth 33", deep(33), `nested deeper than 32 arrays and objects at "any[][]`},
		{"depth 32 objects", strings.Repeat(`{"any":`, 32) + "1" + strings.Repeat("}", 32), ""},
		{"depth 33 objects", strings.Repeat(`{"any":`, 33) + "1" + strings.Repeat("}", 33), `nested deeper than 32 arrays and objects at "any.any.any`},
		{"depth 40000", strings.Repeat("[", 40000), "nested deeper than 32"},
		{"depth 40000 unclosed objects", `{"any":` + strings.Repeat(`{"a":`, 40000), "nested deeper than 32"},
		{"depth 33 after a syntax error", `[1:` + nest("[", "]", 40), "invalid JSON"},
		{"wide array", `{"any":[` + strings.Repeat("[],", 20000) + `[]]}`, ""},
		{"two values", `{"name":"a"}{"name":"b"}`, "more than one JSON value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := decodeStrict(t, tt.body)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("decodeJSON(%.80q): got %v, want no error", tt.body, err)
				}
				return
			}
			if commerce.ErrorCode(err) != commerce.CodeInvalidRequest || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("decodeJSON(%.80q): got %v, want invalid_request saying %q", tt.body, err, tt.want)
			}
		})
	}
}

func manyOptions(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"o%d":"v"`, i)
	}
	return b.String()
}

// TestDecodeJSONDeepMemory refuses bodies of every depth in memory that
// does not grow with the depth: the walk keeps MaxJSONDepth levels and
// builds a path only for its error (it built one per level before, a
// square of the depth in all: 1.7 GB for 40,000 '[').
func TestDecodeJSONDeepMemory(t *testing.T) {
	const deepLimit = 64 << 10
	for _, depth := range []int{100, 10_000, 40_000} {
		for _, open := range []string{"[", `{"any":`, `{"raw":`} {
			body := []byte(strings.Repeat(open, depth))
			got := allocatedBytes(func() {
				var v strictBody
				if err := decodeJSON(body, &v); !strings.Contains(fmt.Sprint(err), "nested deeper") {
					t.Fatalf("depth %d of %q: got %v, want the depth refused", depth, open, err)
				}
			})
			if got > deepLimit {
				t.Errorf("depth %d of %q: refusing it allocated %d bytes, want at most %d whatever the depth", depth, open, got, deepLimit)
			}
		}
	}
}

// allocatedBytes returns the bytes the heap grew by while f ran.
func allocatedBytes(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func BenchmarkDecodeJSONDeep(b *testing.B) {
	body := []byte(strings.Repeat("[", 40_000))
	b.ReportAllocs()
	for b.Loop() {
		var v strictBody
		decodeJSON(body, &v)
	}
}

func BenchmarkDecodeJSONWideObject(b *testing.B) {
	body := []byte(`{"options":{` + manyOptions(50_000) + `}}`)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var v strictBody
		if err := decodeJSON(body, &v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeJSONCart(b *testing.B) {
	body := []byte(`{"items":[{"sku":"TEE-BLK-M","quantity":2},{"sku":"MUG-1","quantity":1}]}`)
	b.ReportAllocs()
	for b.Loop() {
		var v strictBody
		if err := decodeJSON(body, &v); err != nil {
			b.Fatal(err)
		}
	}
}

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
