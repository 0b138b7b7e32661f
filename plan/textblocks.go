package plan

import (
	"github.com/formation-engine/formation/provider"
	"github.com/zclconf/go-cty/cty"
)

// blockAt is the nested block type of attribute name inside the object at
// path (index steps skipped), from the change's schema; nil when the
// attribute is not a block, or its value is not known yet (then it is
// written as an attribute: "(known after apply)").
func (t *textWriter) blockAt(path cty.Path, name string, before, after cty.Value) *provider.Block {
	attrs := t.cur.Schema.Attributes
	for _, step := range path {
		s, ok := step.(cty.GetAttrStep)
		if !ok {
			continue
		}
		a, ok := attrs[s.Name]
		if !ok || a.Block == nil {
			return nil
		}
		attrs = a.Block.Attributes
	}
	a, ok := attrs[name]
	if !ok || a.Block == nil || a.Block.Nesting == provider.NestingMap {
		return nil
	}
	for _, v := range []cty.Value{before, after} {
		if v != cty.NilVal && !v.IsWhollyKnown() && !v.IsKnown() {
			return nil
		}
	}
	return a.Block
}

// blockElems are the blocks of a block attribute's value: the elements of
// a list or set, the object of a single block; none for null.
func blockElems(v cty.Value) []cty.Value {
	if isNull(v) || !v.IsKnown() {
		return nil
	}
	if v.Type().IsObjectType() {
		return []cty.Value{v}
	}
	return v.AsValueSlice()
}

// blocks writes the blocks of attribute name as Terraform does, one
// "name {" … "}" per block: every block with sym when creating,
// destroying or showing, and when updating the blocks that change (paired
// by position), are added or removed. It returns how many unchanged blocks
// it left out of an update.
func (t *textWriter) blocks(col int, mode, name string, before, after cty.Value, path cty.Path) int {
	bs, as := blockElems(before), blockElems(after)
	p := append(path[:len(path):len(path)], cty.GetAttrStep{Name: name})
	at := func(i int) cty.Path {
		return append(p[:len(p):len(p)], cty.IndexStep{Key: cty.NumberIntVal(int64(i))})
	}
	hidden := 0
	for i := range max(len(bs), len(as)) {
		var b, a cty.Value
		if i < len(bs) {
			b = bs[i]
		}
		if i < len(as) {
			a = as[i]
		}
		sym := mode
		switch {
		case mode != "~":
		case b == cty.NilVal:
			sym = "+"
		case a == cty.NilVal:
			sym = "-"
		case sameValue(b, a):
			hidden++
			continue
		}
		t.b.WriteString(pad(col) + sym + " " + name + " {")
		if isReplacePath(t.cur.RequiresReplace, p) {
			t.b.WriteString(" # forces replacement")
		}
		t.b.WriteString("\n")
		switch sym {
		case "+":
			t.object(col+4, "+", cty.NilVal, a, at(i))
		case "-":
			t.object(col+4, "-", b, cty.NilVal, at(i))
		default:
			t.object(col+4, sym, b, a, at(i))
		}
		t.b.WriteString(pad(col+2) + "}\n")
	}
	return hidden
}

// sensitive reports whether the value at path is hidden: under one of the
// change's sensitive paths, or an attribute the schema marks sensitive
// inside a nested block (whose paths hold indexes no list of paths can
// name in advance).
func (t *textWriter) sensitive(path cty.Path) bool {
	if underAny(path, t.cur.Sensitive) {
		return true
	}
	attrs := t.cur.Schema.Attributes
	for i, step := range path {
		s, ok := step.(cty.GetAttrStep)
		if !ok {
			continue
		}
		a, ok := attrs[s.Name]
		switch {
		case !ok:
			return false
		case a.Sensitive && i > 0:
			return true
		case a.Block == nil:
			return false
		}
		attrs = a.Block.Attributes
	}
	return false
}
