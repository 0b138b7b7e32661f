package plan

import (
	"slices"
	"strings"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// formatPath writes an attribute path as it reads in a template:
// cidr, tags["env"], network[0].uuid.
func formatPath(path cty.Path) string {
	var b strings.Builder
	for i, step := range path {
		switch s := step.(type) {
		case cty.GetAttrStep:
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Name)
		case cty.IndexStep:
			b.WriteByte('[')
			if s.Key.Type() == cty.String {
				b.WriteString(quote(s.Key.AsString()))
			} else {
				b.WriteString(formatNumber(s.Key))
			}
			b.WriteByte(']')
		}
	}
	return b.String()
}

// underAny reports whether path is, or lies inside, one of paths.
func underAny(path cty.Path, paths []cty.Path) bool {
	for _, s := range paths {
		if len(s) <= len(path) && slices.EqualFunc(s, path[:len(s)], stepEqual) {
			return true
		}
	}
	return false
}

// stepEqual compares two path steps.
func stepEqual(a, b cty.PathStep) bool {
	switch a := a.(type) {
	case cty.GetAttrStep:
		b, ok := b.(cty.GetAttrStep)
		return ok && a.Name == b.Name
	case cty.IndexStep:
		b, ok := b.(cty.IndexStep)
		return ok && a.Key.Type().Equals(b.Key.Type()) && a.Key.RawEquals(b.Key)
	}
	return false
}

// stepKey is the attribute name or key a step selects: a string for an
// attribute or a string index, a number for a list index.
func stepKey(step cty.PathStep) cty.Value {
	switch s := step.(type) {
	case cty.GetAttrStep:
		return cty.StringVal(s.Name)
	case cty.IndexStep:
		return s.Key
	}
	return cty.NilVal
}

// attrValue is getPath(v, cty.GetAttrPath(name)) without building the
// path (and the string value of its step) for an object: rendering and
// diffing a plan ask it for every attribute of every change.
func attrValue(v cty.Value, name string) cty.Value {
	if v != cty.NilVal && v.IsKnown() && !v.IsNull() && v.Type().IsObjectType() {
		if !v.Type().HasAttribute(name) {
			return cty.NilVal
		}
		return v.GetAttr(name)
	}
	got, _ := getPath(v, cty.GetAttrPath(name))
	return got
}

// getPath returns the value at path inside v, and false when v has nothing
// there (or is null or unknown on the way). An attribute step also reads a
// map key, and an index step with a string an object attribute, since
// templates write both ways.
func getPath(v cty.Value, path cty.Path) (cty.Value, bool) {
	for _, step := range path {
		if v == cty.NilVal || v.IsNull() || !v.IsKnown() {
			return cty.NilVal, false
		}
		key := stepKey(step)
		ty := v.Type()
		switch {
		case key.Type() == cty.String && ty.IsObjectType():
			if !ty.HasAttribute(key.AsString()) {
				return cty.NilVal, false
			}
			v = v.GetAttr(key.AsString())
		case key.Type() == cty.String && ty.IsMapType():
			if !v.HasIndex(key).True() {
				return cty.NilVal, false
			}
			v = v.Index(key)
		case key.Type() == cty.Number && (ty.IsListType() || ty.IsTupleType()):
			if !v.HasIndex(key).True() {
				return cty.NilVal, false
			}
			v = v.Index(key)
		default:
			return cty.NilVal, false
		}
	}
	return v, true
}

// setPath returns v with the value at path replaced by nv, or, when found
// is false, removed: a map key is deleted, an attribute becomes null. A path
// v cannot hold (through a null, unknown or missing parent) leaves v as it
// is, except that a missing top-level attribute of an object is added.
func setPath(v cty.Value, path cty.Path, nv cty.Value, found bool) cty.Value {
	if len(path) == 0 {
		if found {
			return nv
		}
		return cty.NullVal(v.Type())
	}
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() {
		return v
	}
	key, rest := stepKey(path[0]), path[1:]
	ty := v.Type()
	switch {
	case key.Type() == cty.String && ty.IsObjectType():
		name := key.AsString()
		m := v.AsValueMap()
		if m == nil {
			m = map[string]cty.Value{}
		}
		old, ok := m[name]
		switch {
		case ok:
			m[name] = setPath(old, rest, nv, found)
		case len(rest) == 0 && found:
			m[name] = nv
		default:
			return v
		}
		return cty.ObjectVal(m)
	case key.Type() == cty.String && ty.IsMapType():
		m := v.AsValueMap()
		if m == nil {
			m = map[string]cty.Value{}
		}
		name := key.AsString()
		old, ok := m[name]
		switch {
		case len(rest) == 0 && !found:
			delete(m, name)
		case len(rest) == 0:
			cv, err := convert.Convert(nv, ty.ElementType())
			if err != nil {
				return v
			}
			m[name] = cv
		case ok:
			m[name] = setPath(old, rest, nv, found)
		default:
			return v
		}
		if len(m) == 0 {
			return cty.MapValEmpty(ty.ElementType())
		}
		if cv, err := convert.Convert(cty.ObjectVal(m), ty); err == nil {
			return cv
		}
		return v
	case key.Type() == cty.Number && (ty.IsListType() || ty.IsTupleType()):
		if !v.HasIndex(key).True() {
			return v
		}
		i, _ := key.AsBigFloat().Int64()
		elems := v.AsValueSlice()
		elems[i] = setPath(elems[i], rest, nv, found)
		if ty.IsTupleType() {
			return cty.TupleVal(elems)
		}
		if cv, err := convert.Convert(cty.TupleVal(elems), ty); err == nil {
			return cv
		}
		return v
	}
	return v
}
