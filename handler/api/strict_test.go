package api

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

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
