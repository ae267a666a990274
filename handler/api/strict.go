package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// MaxJSONDepth is how deeply a request body's arrays and objects may nest;
// a body nested deeper is refused before it is decoded.
const MaxJSONDepth = 32

// errSyntax says the walk stopped on malformed JSON: decoding the body
// again describes what is wrong.
var errSyntax = errors.New("malformed JSON")

// checkStrict refuses what encoding/json would let through: invalid UTF-8,
// nesting deeper than MaxJSONDepth, an object with the same key twice, and
// a key that matches a field only when case is ignored. typ is the type data
// will be decoded into; below a type with its own UnmarshalJSON, only depth
// and duplicate keys are checked. It reads data once, token by token, and
// returns errSyntax at the first syntax error.
func checkStrict(data []byte, typ reflect.Type) error {
	if !utf8.Valid(data) {
		return fmt.Errorf("the body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var w walker
	return w.walk(dec, typ)
}

// walker checks one JSON value without recursion: stack holds the arrays
// and objects open around the current token, at most MaxJSONDepth.
type walker struct {
	stack []level
	buf   [8]level
}

// level is an open array or object.
type level struct {
	object  bool
	fields  map[string]reflect.Type // a struct's JSON fields; nil: any key
	elem    reflect.Type            // an array's or map's element type
	key     string                  // the object's current key
	wantKey bool                    // the object's next token is a key or '}'
	seen    []string                // the object's keys so far, while few
	seenAt  map[string]bool         // and once there are many
}

// manyKeys is where an object's keys move from a slice to a map: objects
// have few keys, and a slice beats a map until a body has thousands.
const manyKeys = 16

func (w *walker) walk(dec *json.Decoder, typ reflect.Type) error {
	w.stack = w.buf[:0]
	next := typ // the type of the value the next token starts
	for {
		tok, err := dec.Token()
		if err != nil {
			return errSyntax
		}
		top := w.top()
		if top != nil && top.wantKey {
			if tok == json.Delim('}') {
				w.stack = w.stack[:len(w.stack)-1]
				if w.valueDone(&next) {
					return nil
				}
				continue
			}
			key, _ := tok.(string)
			var problem keyProblem
			switch next, problem = top.enter(key); problem {
			case keyTwice:
				return fmt.Errorf("field %q appears twice", w.path())
			case keyUnknown:
				return fmt.Errorf("unknown field %q (field names are case-sensitive)", w.path())
			}
			continue
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if len(w.stack) == MaxJSONDepth {
				return fmt.Errorf("nested deeper than %d arrays and objects at %q", MaxJSONDepth, w.path())
			}
			w.stack = append(w.stack, open(tok == json.Delim('{'), next))
			if tok == json.Delim('[') {
				next = w.stack[len(w.stack)-1].elem
			}
			continue
		case json.Delim(']'):
			w.stack = w.stack[:len(w.stack)-1]
		}
		if w.valueDone(&next) {
			return nil
		}
	}
}

func (w *walker) top() *level {
	if len(w.stack) == 0 {
		return nil
	}
	return &w.stack[len(w.stack)-1]
}

// valueDone is called after a value ends: it reports whether it was the
// whole body, and otherwise sets next to the type of the value that follows.
func (w *walker) valueDone(next *reflect.Type) bool {
	top := w.top()
	switch {
	case top == nil:
		return true
	case top.object:
		top.wantKey = true
	default:
		*next = top.elem
	}
	return false
}

// open returns the level a '{' or '[' opens for a value of type typ.
func open(object bool, typ reflect.Type) level {
	for typ != nil && typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if typ != nil && (reflect.PointerTo(typ).Implements(unmarshalerType) || typ.Kind() == reflect.Interface) {
		typ = nil
	}
	l := level{object: object, wantKey: object}
	if typ == nil {
		return l
	}
	switch k := typ.Kind(); {
	case object && k == reflect.Struct:
		l.fields = jsonFields(typ)
	case object && k == reflect.Map, !object && (k == reflect.Slice || k == reflect.Array):
		l.elem = typ.Elem()
	}
	return l
}

// keyProblem is what is wrong with an object's key.
type keyProblem int

const (
	keyOK      keyProblem = iota
	keyTwice              // the object has the key already
	keyUnknown            // the struct has no field of that name
)

// enter takes key as the object's next key and returns the type of its
// value, or what is wrong with the key.
func (l *level) enter(key string) (reflect.Type, keyProblem) {
	l.key, l.wantKey = key, false
	if l.seenAt != nil {
		if l.seenAt[key] {
			return nil, keyTwice
		}
		l.seenAt[key] = true
	} else {
		if slices.Contains(l.seen, key) {
			return nil, keyTwice
		}
		l.seen = append(l.seen, key)
		if len(l.seen) > manyKeys {
			l.seenAt = make(map[string]bool, 2*len(l.seen))
			for _, k := range l.seen {
				l.seenAt[k] = true
			}
			l.seen = nil
		}
	}
	if l.fields == nil {
		return l.elem, keyOK
	}
	ft, ok := l.fields[key]
	if !ok {
		return nil, keyUnknown
	}
	return ft, keyOK
}

// path names the current value in an error: the keys of the open objects,
// dotted, and "[]" for each open array, as in "items[].sku". It is built
// only to report an error.
func (w *walker) path() string {
	var b strings.Builder
	for _, l := range w.stack {
		switch {
		case !l.object:
			b.WriteString("[]")
		case l.wantKey:
			// between keys: the object itself is the value
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(l.key)
		}
	}
	return b.String()
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

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
