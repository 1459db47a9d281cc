package report

import (
	"reflect"

	"github.com/hvic/hvic/internal/textsafe"
	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report/result"
)

// escaped returns a copy of res in which every string that came from the
// input (file and entry names, VM and host names, values, messages) has
// its control characters written visibly by textsafe.Escape (`\x1b`, a
// newline as `\x0a`), so that no renderer of text meant for a terminal or
// a document can pass a raw control byte or forge a line. res is not
// changed. The rule table is shared, not copied: its texts are the
// project's, not the input's. JSON and SARIF need no copy: the encoder
// escapes control characters and keeps the data exact.
func escaped(res *result.Result) *result.Result {
	if res == nil {
		return nil
	}
	c := escaper{seen: map[ptrKey]reflect.Value{}}
	return c.value(reflect.ValueOf(res)).Interface().(*result.Result)
}

var tableType = reflect.TypeOf((*kb.Table)(nil))

// escaper deep-copies a value, escaping its strings. seen keeps pointer
// sharing (and ends cycles).
type escaper struct{ seen map[ptrKey]reflect.Value }

type ptrKey struct {
	p uintptr
	t reflect.Type
}

func (c *escaper) value(v reflect.Value) reflect.Value {
	t := v.Type()
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		if e := textsafe.Escape(s); e != s {
			n := reflect.New(t).Elem()
			n.SetString(e)
			return n
		}
	case reflect.Pointer:
		if v.IsNil() || t == tableType {
			return v
		}
		k := ptrKey{v.Pointer(), t}
		if p, ok := c.seen[k]; ok {
			return p
		}
		p := reflect.New(t.Elem())
		c.seen[k] = p
		p.Elem().Set(c.value(v.Elem()))
		return p
	case reflect.Struct:
		n := reflect.New(t).Elem()
		n.Set(v)
		for i := 0; i < t.NumField(); i++ {
			if t.Field(i).IsExported() {
				n.Field(i).Set(c.value(v.Field(i)))
			}
		}
		return n
	case reflect.Slice:
		if v.IsNil() || t.Elem().Kind() == reflect.Uint8 {
			return v
		}
		n := reflect.MakeSlice(t, v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			n.Index(i).Set(c.value(v.Index(i)))
		}
		return n
	case reflect.Array:
		n := reflect.New(t).Elem()
		for i := 0; i < v.Len(); i++ {
			n.Index(i).Set(c.value(v.Index(i)))
		}
		return n
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeMapWithSize(t, v.Len())
		for it := v.MapRange(); it.Next(); {
			n.SetMapIndex(c.value(it.Key()), c.value(it.Value()))
		}
		return n
	}
	return v
}
