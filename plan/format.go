package plan

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/zclconf/go-cty/cty"
)

// What renderings show in place of values they cannot or must not show.
const (
	// KnownAfterApply stands for a value known only after apply, in plan
	// items (RFS previous_value / target_value).
	KnownAfterApply = "(known after apply)"
	// SensitiveItemValue stands for a sensitive value in plan items.
	SensitiveItemValue = "(sensitive)"
)

// quote writes s as a double-quoted string literal, escaped as in JSON
// (which HCL reads too).
func quote(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(bytes.ReplaceAll(b, []byte(`\u0026`), []byte("&")))
}

// formatNumber writes a known number in its shortest exact decimal form.
func formatNumber(v cty.Value) string {
	bf := v.AsBigFloat()
	if bf.IsInt() {
		if i, acc := bf.Int64(); acc == 0 {
			return strconv.FormatInt(i, 10)
		}
	}
	return bf.Text('f', -1)
}

// jsonValue encodes cty values as JSON for renderings: lists, sets and
// tuples as arrays, maps and objects as objects with sorted keys, numbers
// exactly. Unknown values are written as unknown, and values at or under a
// sensitive path as sensitive (each a JSON value, e.g. null or a string);
// with omitUnknown, an unknown attribute or map element is left out of its
// object instead, as Terraform's JSON plan format does.
type jsonValue struct {
	unknown, sensitive []byte
	paths              []cty.Path // sensitive paths
	omitUnknown        bool
}

// encode appends v, found at path, to buf.
func (e *jsonValue) encode(buf *bytes.Buffer, v cty.Value, path cty.Path) {
	if len(e.paths) > 0 && underAny(path, e.paths) {
		buf.Write(e.sensitive)
		return
	}
	switch {
	case v == cty.NilVal || (v.IsKnown() && v.IsNull()):
		buf.WriteString("null")
		return
	case !v.IsKnown():
		buf.Write(e.unknown)
		return
	}
	ty := v.Type()
	switch {
	case ty == cty.String:
		buf.WriteString(quote(v.AsString()))
	case ty == cty.Number:
		buf.WriteString(formatNumber(v))
	case ty == cty.Bool:
		buf.WriteString(strconv.FormatBool(v.True()))
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		buf.WriteByte('[')
		i := 0
		for it := v.ElementIterator(); it.Next(); i++ {
			k, ev := it.Element()
			if i > 0 {
				buf.WriteByte(',')
			}
			if ty.IsSetType() {
				k = cty.NumberIntVal(int64(i))
			}
			e.encode(buf, ev, append(path, cty.IndexStep{Key: k}))
		}
		buf.WriteByte(']')
	case ty.IsMapType() || ty.IsObjectType():
		m := v.AsValueMap()
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if e.omitUnknown {
			keys = slices.DeleteFunc(keys, func(k string) bool { return !m[k].IsKnown() })
		}
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.WriteString(quote(k))
			buf.WriteByte(':')
			var step cty.PathStep = cty.GetAttrStep{Name: k}
			if ty.IsMapType() {
				step = cty.IndexStep{Key: cty.StringVal(k)}
			}
			e.encode(buf, m[k], append(path, step))
		}
		buf.WriteByte('}')
	default:
		buf.WriteString("null") // capsules and the like: nothing to show
	}
}

// itemValue writes a value as a plan item string (RFS previous_value and
// target_value): null as "", sensitive as SensitiveItemValue (also inside
// collections), unknown as KnownAfterApply, strings as they are, numbers
// and booleans in their text form, collections as compact JSON.
func itemValue(v cty.Value, path cty.Path, sensitive []cty.Path) string {
	switch {
	case isNull(v):
		return ""
	case len(sensitive) > 0 && underAny(path, sensitive):
		return SensitiveItemValue
	case !v.IsKnown():
		return KnownAfterApply
	case v.Type() == cty.String:
		return v.AsString()
	case v.Type() == cty.Number:
		return formatNumber(v)
	case v.Type() == cty.Bool:
		return strconv.FormatBool(v.True())
	}
	e := &jsonValue{unknown: []byte(quote(KnownAfterApply)), sensitive: []byte(quote(SensitiveItemValue)), paths: sensitive}
	var buf bytes.Buffer
	e.encode(&buf, v, path)
	return buf.String()
}
