package provider

import (
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// keyValue is the value a non-updatable key names in v: "name",
// "list.*.name" (every element's name, as a tuple) or "list.0.name"; null
// where v has nothing there.
func keyValue(v cty.Value, key string) cty.Value {
	return keyParts(v, strings.Split(key, "."))
}

func keyParts(v cty.Value, parts []string) cty.Value {
	for i, part := range parts {
		switch {
		case v == cty.NilVal || v.IsNull():
			return cty.NullVal(cty.DynamicPseudoType)
		case !v.IsKnown():
			return cty.DynamicVal
		}
		ty := v.Type()
		if part == "*" {
			if !ty.IsCollectionType() && !ty.IsTupleType() {
				return cty.NullVal(cty.DynamicPseudoType)
			}
			var elems []cty.Value
			for it := v.ElementIterator(); it.Next(); {
				_, ev := it.Element()
				elems = append(elems, keyParts(ev, parts[i+1:]))
			}
			return cty.TupleVal(elems)
		}
		if n, err := strconv.Atoi(part); err == nil && (ty.IsListType() || ty.IsTupleType()) {
			if n >= v.LengthInt() {
				return cty.NullVal(cty.DynamicPseudoType)
			}
			v = v.Index(cty.NumberIntVal(int64(n)))
			continue
		}
		if ty.IsCollectionType() && !ty.IsMapType() && v.LengthInt() == 1 {
			// A key naming an attribute of a single-element block list
			// (SDKv2 writes max_items = 1 blocks so).
			v = v.AsValueSlice()[0]
			ty = v.Type()
		}
		switch {
		case ty.IsObjectType() && ty.HasAttribute(part):
			v = v.GetAttr(part)
		case ty.IsMapType() && v.HasIndex(cty.StringVal(part)).True():
			v = v.Index(cty.StringVal(part))
		default:
			return cty.NullVal(cty.DynamicPseudoType)
		}
	}
	return v
}
