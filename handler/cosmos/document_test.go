package cosmos

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"shopfn/handler/commerce"
)

// fill sets every exported field of the struct v points to, recursively, to
// a value that is not the zero value, so that a field the documents forget
// shows up in a round trip.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		fill(v.Elem())
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Date(2026, 11, 1, 12, 0, 0, 123456789, time.UTC)))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	case reflect.String:
		v.SetString("s")
	case reflect.Int, reflect.Int64:
		v.SetInt(7)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0))
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		e := reflect.New(v.Type().Elem()).Elem()
		if e.Kind() == reflect.Interface {
			e.Set(reflect.ValueOf("v"))
		} else {
			fill(e)
		}
		m.SetMapIndex(reflect.ValueOf("k"), e)
		v.Set(m)
	}
}

// TestDocumentsKeepEveryField round-trips a cart and a product with every
// field set through their documents and JSON: a field added to
// commerce.Cart or commerce.Product that the documents do not carry fails here.
func TestDocumentsKeepEveryField(t *testing.T) {
	var c commerce.Cart
	fill(reflect.ValueOf(&c))
	body, err := json.Marshal(toCartDoc(&c))
	if err != nil {
		t.Fatal(err)
	}
	var cd cartDoc
	if err := json.Unmarshal(body, &cd); err != nil {
		t.Fatal(err)
	}
	gotCart, err := cd.cart()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&c, gotCart, cmpopts.IgnoreFields(commerce.Cart{}, "ETag")); diff != "" {
		t.Errorf("cart round trip (-want +got):\n%s", diff)
	}

	var p commerce.Product
	fill(reflect.ValueOf(&p))
	body, err = json.Marshal(toProductDoc(&p))
	if err != nil {
		t.Fatal(err)
	}
	var pd productDoc
	if err := json.Unmarshal(body, &pd); err != nil {
		t.Fatal(err)
	}
	gotProduct, err := pd.product()
	if err != nil {
		t.Fatal(err)
	}
	// ETag comes from the service, Rank from a relevance listing: neither is stored.
	if diff := cmp.Diff(&p, gotProduct, cmpopts.IgnoreFields(commerce.Product{}, "ETag", "Rank")); diff != "" {
		t.Errorf("product round trip (-want +got):\n%s", diff)
	}
}
