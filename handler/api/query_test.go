package api

import (
	"net/url"
	"testing"
)

// validQuery must accept exactly what url.ParseQuery accepts.
func TestValidQuery(t *testing.T) {
	for _, raw := range []string{
		"", "limit=20", "q=blue%20tooth", "cursor=%zz", "limit=%zz", "q=blue%zztooth", "a=1;b=2", ";",
		"%", "%4", "%41", "a=%4", "a=%41&b", "&&", "=", "a%2", "a%2=1", "%e2%82%ac=%E2%82%AC", "q=+x+",
	} {
		_, err := url.ParseQuery(raw)
		if got, want := validQuery(raw), err == nil; got != want {
			t.Errorf("validQuery(%q) = %v, want %v (ParseQuery: %v)", raw, got, want, err)
		}
	}
}

func FuzzValidQuery(f *testing.F) {
	for _, s := range []string{"limit=20", "q=%zz", "a;b", "%4", "%41%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		_, err := url.ParseQuery(raw)
		if got, want := validQuery(raw), err == nil; got != want {
			t.Errorf("validQuery(%q) = %v, want %v (ParseQuery: %v)", raw, got, want, err)
		}
	})
}
