package plan

import (
	"slices"

	"github.com/zclconf/go-cty/cty"
)

// sameValue reports whether two values are certainly equal: both missing,
// or equal and known. Values of different types differ.
func sameValue(a, b cty.Value) bool {
	if a == cty.NilVal || b == cty.NilVal {
		return a == cty.NilVal && b == cty.NilVal
	}
	if a.RawEquals(b) {
		return true
	}
	if !a.IsWhollyKnown() || !b.IsWhollyKnown() || !a.Type().Equals(b.Type()) {
		return false
	}
	eq := a.Equals(b)
	return eq.IsKnown() && eq.True()
}

// unmarked strips marks (sensitivity) from v: the planner tracks
// sensitivity through schemas, not marks.
func unmarked(v cty.Value) cty.Value {
	if v == cty.NilVal || !containsMarked(v) {
		return v
	}
	v, _ = v.UnmarkDeep()
	return v
}

// containsMarked is v.ContainsMarked() without the path cty's walk builds
// for every value it visits: plans are written (stored, shown, sent) with
// every value unmarked first, and most hold no mark at all.
func containsMarked(v cty.Value) bool {
	if v.IsMarked() {
		return true
	}
	if !v.IsKnown() || v.IsNull() {
		return false
	}
	ty := v.Type()
	switch {
	case ty.IsObjectType():
		for name := range ty.AttributeTypes() {
			if containsMarked(v.GetAttr(name)) {
				return true
			}
		}
	case ty.IsCollectionType() || ty.IsTupleType():
		for it := v.ElementIterator(); it.Next(); {
			if _, e := it.Element(); containsMarked(e) {
				return true
			}
		}
	}
	return false
}

// isObject reports whether v is a known, non-null object.
func isObject(v cty.Value) bool {
	return v != cty.NilVal && v.IsKnown() && !v.IsNull() && v.Type().IsObjectType()
}

// describe names what v is, for messages.
func describe(v cty.Value) string {
	switch {
	case v == cty.NilVal:
		return "nothing"
	case !v.IsKnown():
		return "an unknown value"
	case v.IsNull():
		return "null"
	default:
		return v.Type().FriendlyName()
	}
}

// withPaths is the sensitive paths of a schema and those more adds (a
// configuration's marks, a recorded object's), each once; schema itself
// when more adds none (it is shared by every instance of the type, so
// never appended to).
func withPaths(schema, more []cty.Path) []cty.Path {
	var out []cty.Path
	for _, p := range more {
		if !slices.ContainsFunc(schema, p.Equals) && !slices.ContainsFunc(out, p.Equals) {
			out = append(out, p)
		}
	}
	if out == nil {
		return schema
	}
	return append(slices.Clone(schema), out...)
}
