package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// checkStrict refuses what encoding/json would let through: invalid UTF-8,
// an object with the same key twice, and a key that matches a field only
// when case is ignored. typ is the type data will be decoded into; below a
// type with its own UnmarshalJSON, only duplicate keys are checked.
func checkStrict(data []byte, typ reflect.Type) error {
	if !utf8.Valid(data) {
		return fmt.Errorf("the body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return walkValue(dec, typ, "", "")
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// walkValue reads one JSON value from dec, checking it against typ (nil:
// anything goes but duplicate keys). path and key name the value in errors.
func walkValue(dec *json.Decoder, typ reflect.Type, path, key string) error {
	for typ != nil && typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if typ != nil && (reflect.PointerTo(typ).Implements(unmarshalerType) || typ.Kind() == reflect.Interface) {
		typ = nil
	}
	tok, err := dec.Token()
	if err != nil {
		return nil // the decoder reports syntax errors itself
	}
	switch tok {
	case json.Delim('{'):
		return walkObject(dec, typ, fieldName(path, key))
	case json.Delim('['):
		var elem reflect.Type
		if typ != nil && (typ.Kind() == reflect.Slice || typ.Kind() == reflect.Array) {
			elem = typ.Elem()
		}
		for i := 0; dec.More(); i++ {
			if err := walkValue(dec, elem, fieldName(path, key)+"[]", ""); err != nil {
				return err
			}
		}
		dec.Token() // ]
	}
	return nil
}

func walkObject(dec *json.Decoder, typ reflect.Type, path string) error {
	var fields map[string]reflect.Type
	var elem reflect.Type
	if typ != nil {
		switch typ.Kind() {
		case reflect.Struct:
			fields = jsonFields(typ)
		case reflect.Map:
			elem = typ.Elem()
		}
	}
	var seen []string // objects have few keys: a slice beats a map
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		key, _ := tok.(string)
		if slices.Contains(seen, key) {
			return fmt.Errorf("field %q appears twice", fieldName(path, key))
		}
		seen = append(seen, key)
		next := elem
		if fields != nil {
			ft, ok := fields[key]
			if !ok {
				return fmt.Errorf("unknown field %q (field names are case-sensitive)", fieldName(path, key))
			}
			next = ft
		}
		if err := walkValue(dec, next, path, key); err != nil {
			return err
		}
	}
	dec.Token() // }
	return nil
}

// fieldName names a field in an error: its path from the top, dotted.
func fieldName(path, key string) string {
	switch {
	case key == "":
		return path
	case path == "":
		return key
	}
	return path + "." + key
}

// fieldCache holds jsonFields' answers, one per struct type.
var fieldCache sync.Map // reflect.Type -> map[string]reflect.Type

// jsonFields returns the JSON names of a struct's fields and their types.
func jsonFields(typ reflect.Type) map[string]reflect.Type {
	if m, ok := fieldCache.Load(typ); ok {
		return m.(map[string]reflect.Type)
	}
	out := make(map[string]reflect.Type)
	for _, f := range reflect.VisibleFields(typ) {
		if !f.IsExported() || f.Anonymous && f.Type.Kind() == reflect.Struct {
			continue
		}
		name := f.Name
		if tag, ok := f.Tag.Lookup("json"); ok {
			n, _, _ := strings.Cut(tag, ",")
			if n == "-" {
				continue
			}
			if n != "" {
				name = n
			}
		}
		out[name] = f.Type
	}
	fieldCache.Store(typ, out)
	return out
}
