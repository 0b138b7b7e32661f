// Package valuejson writes cty values as JSON, byte for byte as go-cty's
// json package does (ctyjson.Marshal), at a fraction of the cost.
//
// The engine records every resource state and every creation intent as
// cty JSON, thousands per deployment, and go-cty's encoder spends most of
// its time allocating: a bytes.Buffer per type, encoding/json for every
// string, a big.Float text for every number, a cty.Path step for every
// element. This package writes into one growing slice and takes the common
// shapes (printable strings, whole numbers, known values) straight; for
// anything else — marks, capsules, infinities, strings that need escaping —
// it defers to go-cty or encoding/json, so the output never differs.
package valuejson

import (
	"encoding/json"
	"errors"
	"math/big"
	"slices"
	"strconv"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Marshal returns ctyjson.Marshal(v, ty).
func Marshal(v cty.Value, ty cty.Type) ([]byte, error) {
	if b, err := appendValue(make([]byte, 0, 512), v, ty, false); err == nil {
		return b, nil
	}
	return ctyjson.Marshal(v, ty)
}

// MarshalKnown is Marshal of v with every unknown value in it replaced by a
// null of its type: what v will be sent as when it is not known yet.
func MarshalKnown(v cty.Value, ty cty.Type) ([]byte, error) {
	if b, err := appendValue(make([]byte, 0, 512), v, ty, true); err == nil {
		return b, nil
	}
	known, err := cty.Transform(v, func(_ cty.Path, v cty.Value) (cty.Value, error) {
		if !v.IsKnown() {
			return cty.NullVal(v.Type()), nil
		}
		return v, nil
	})
	if err != nil {
		return nil, err
	}
	return ctyjson.Marshal(known, ty)
}

// errSlow says a value needs go-cty's encoder: the caller starts over with it.
var errSlow = errors.New("valuejson: not on the fast path")

// appendValue mirrors go-cty's marshal: ty is the type the value is written
// as, which for DynamicPseudoType wraps the value with its own type.
func appendValue(b []byte, v cty.Value, ty cty.Type, unknownAsNull bool) ([]byte, error) {
	if v.IsMarked() {
		return nil, errSlow
	}
	if !v.IsKnown() {
		if !unknownAsNull {
			return nil, errSlow
		}
		v = cty.NullVal(v.Type())
	}
	if ty == cty.DynamicPseudoType && v.Type() != cty.DynamicPseudoType {
		b = append(b, `{"value":`...)
		b, err := appendValue(b, v, v.Type(), unknownAsNull)
		if err != nil {
			return nil, err
		}
		b = append(b, `,"type":`...)
		if b, err = appendType(b, v.Type()); err != nil {
			return nil, err
		}
		return append(b, '}'), nil
	}
	if v.IsNull() {
		return append(b, "null"...), nil
	}
	var err error
	switch {
	case ty == cty.String:
		return AppendString(b, v.AsString()), nil
	case ty == cty.Number:
		return appendNumber(b, v.AsBigFloat())
	case ty == cty.Bool:
		return strconv.AppendBool(b, v.True()), nil
	case ty.IsListType(), ty.IsSetType(), ty.IsTupleType():
		b = append(b, '[')
		var etys []cty.Type // a tuple's, one per element
		if ty.IsTupleType() {
			etys = ty.TupleElementTypes()
		}
		for it, i := v.ElementIterator(), 0; it.Next(); i++ {
			if i > 0 {
				b = append(b, ',')
			}
			var ety cty.Type
			if etys != nil {
				ety = etys[i]
			} else {
				ety = ty.ElementType()
			}
			_, ev := it.Element()
			if b, err = appendValue(b, ev, ety, unknownAsNull); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case ty.IsMapType():
		b = append(b, '{')
		ety := ty.ElementType()
		for it, i := v.ElementIterator(), 0; it.Next(); i++ {
			if i > 0 {
				b = append(b, ',')
			}
			ek, ev := it.Element()
			b = AppendString(b, ek.AsString())
			b = append(b, ':')
			if b, err = appendValue(b, ev, ety, unknownAsNull); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case ty.IsObjectType():
		b = append(b, '{')
		atys := ty.AttributeTypes()
		for i, name := range sortedNames(atys) {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendString(b, name)
			b = append(b, ':')
			if b, err = appendValue(b, v.GetAttr(name), atys[name], unknownAsNull); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	default:
		return nil, errSlow // capsules
	}
}

// appendType mirrors cty.Type.MarshalJSON.
func appendType(b []byte, ty cty.Type) ([]byte, error) {
	var err error
	switch {
	case ty == cty.String:
		return append(b, `"string"`...), nil
	case ty == cty.Number:
		return append(b, `"number"`...), nil
	case ty == cty.Bool:
		return append(b, `"bool"`...), nil
	case ty == cty.DynamicPseudoType:
		return append(b, `"dynamic"`...), nil
	case ty.IsListType(), ty.IsSetType(), ty.IsMapType():
		kind := `["list",`
		if ty.IsSetType() {
			kind = `["set",`
		} else if ty.IsMapType() {
			kind = `["map",`
		}
		if b, err = appendType(append(b, kind...), ty.ElementType()); err != nil {
			return nil, err
		}
		return append(b, ']'), nil
	case ty.IsObjectType():
		b = append(b, `["object",{`...)
		atys := ty.AttributeTypes()
		for i, name := range sortedNames(atys) {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(AppendString(b, name), ':')
			if b, err = appendType(b, atys[name]); err != nil {
				return nil, err
			}
		}
		b = append(b, '}')
		if optional := ty.OptionalAttributes(); len(optional) > 0 {
			b = append(b, ",["...)
			for i, name := range sortedNames(optional) {
				if i > 0 {
					b = append(b, ',')
				}
				b = AppendString(b, name)
			}
			b = append(b, ']')
		}
		return append(b, ']'), nil
	case ty.IsTupleType():
		b = append(b, `["tuple",[`...)
		for i, ety := range ty.TupleElementTypes() {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = appendType(b, ety); err != nil {
				return nil, err
			}
		}
		return append(b, "]]"...), nil
	default:
		return nil, errSlow // capsules, which go-cty refuses
	}
}

// sortedNames returns the attribute names in the order go-cty writes them.
func sortedNames[V any](attrs map[string]V) []string {
	names := make([]string, 0, len(attrs))
	for name := range attrs {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// AppendString appends s as encoding/json writes a string (HTML-safe
// escaping). Strings of printable ASCII that need no escape, nearly every
// name and id, are copied as they are.
func AppendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			quoted, _ := json.Marshal(s) // a string always marshals
			return append(b, quoted...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendNumber writes f as go-cty does, f.Text('f', -1), with whole
// numbers written without going through a decimal expansion. Infinity is
// refused by go-cty, with its own error.
func appendNumber(b []byte, f *big.Float) ([]byte, error) {
	if f.IsInf() {
		return nil, errSlow
	}
	if f.IsInt() && !(f.Sign() == 0 && f.Signbit()) {
		if i, acc := f.Int64(); acc == big.Exact {
			return strconv.AppendInt(b, i, 10), nil
		}
	}
	return f.Append(b, 'f', -1), nil
}
