package plan

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/template"
	"github.com/zclconf/go-cty/cty"
)

// WriteText renders the plan as terraform plan does, without colour:
// drift first ("Objects have changed outside of Formation"), then a legend
// of the symbols used, one block per change (+ create, ~ update in place,
// -/+ and +/- replace, - destroy, <= read during apply; imports and
// deposed objects say so in their heading), attribute lines with old ->
// new, "(known after apply)", "(sensitive value)" and "# forces
// replacement", and a closing "Plan: N to add, N to change, N to
// destroy." — or "No changes." when there is nothing to do. Unchanged
// resources and data sources read while planning are not shown.
func (p *Plan) WriteText(w io.Writer) error {
	var b bytes.Buffer
	t := &textWriter{b: &b}
	drifted := p.Drifted()
	if len(drifted) > 0 {
		b.WriteString("Note: Objects have changed outside of Formation\n\n")
		b.WriteString("Formation detected the following changes made outside of Formation since the\nlast deployment:\n")
		for _, c := range drifted {
			b.WriteString("\n")
			t.change(c)
		}
		b.WriteString("\n")
	}
	var shown []*Change
	used := map[string]bool{}
	for _, c := range p.Changes {
		if !c.Drifted && visible(c) {
			shown = append(shown, c)
			if !c.Forget { // the legend has no symbol for it, as Terraform's
				used[symbol(c)] = true
			}
		}
	}
	terraformOrder(shown, func(c *Change) (string, bool) { return template.ModuleOf(c.Addr), c.Mode == formation.ModeData })
	if !p.HasChanges() && len(shown) == 0 {
		b.WriteString("No changes. The infrastructure matches the template.\n")
		_, err := b.WriteTo(w)
		return err
	}
	if len(used) > 0 && !(len(used) == 1 && used["   "]) {
		b.WriteString("Resource actions are indicated with the following symbols:\n")
		for _, l := range legend {
			if used[l.symbol] {
				b.WriteString(strings.TrimRight(l.symbol+" "+l.text, " ") + "\n")
			}
		}
		b.WriteString("\n")
	}
	b.WriteString("Formation will perform the following actions:\n")
	for _, c := range shown {
		b.WriteString("\n")
		t.change(c)
		// Write as it goes: a plan of many resources would otherwise
		// be built whole, and copied each time the buffer doubles.
		if b.Len() >= textChunk {
			if _, err := b.WriteTo(w); err != nil {
				return err
			}
		}
	}
	s := p.Summary
	b.WriteString("\nPlan: ")
	if s.ResourceImport > 0 {
		fmt.Fprintf(&b, "%d to import, ", s.ResourceImport)
	}
	fmt.Fprintf(&b, "%d to add, %d to change, %d to destroy.\n", s.ResourceAdd, s.ResourceUpdate, s.ResourceDelete)
	for _, warn := range p.Warnings {
		fmt.Fprintf(&b, "\nWarning: %s\n\n%s\n", warn.Summary, warn.Detail)
	}
	_, err := b.WriteTo(w)
	return err
}

// terraformOrder reorders changes sorted by template.CompareAddrs as
// terraform plan and show -json list them: within a module instance, data
// sources before managed resources (Terraform's addrs.Resource.Less;
// CompareAddrs puts them after). where gives a change's module instance
// and whether it is a data source's.
func terraformOrder[C any](cs []C, where func(C) (module string, data bool)) {
	rank := func(c C) int {
		if _, data := where(c); data {
			return 0
		}
		return 1
	}
	for i := 0; i < len(cs); {
		module, _ := where(cs[i])
		j := i + 1
		for j < len(cs) {
			if m, _ := where(cs[j]); m != module {
				break
			}
			j++
		}
		slices.SortStableFunc(cs[i:j], func(a, b C) int { return cmp.Compare(rank(a), rank(b)) })
		i = j
	}
}

// textChunk is how much text WriteText gathers before writing it.
const textChunk = 64 << 10

// legend lists the action symbols in the order the legend shows them.
var legend = []struct{ symbol, text string }{
	{"  +", "create"},
	{"  ~", "update in-place"},
	{"  -", "destroy"},
	{"-/+", "destroy and then create replacement"},
	{"+/-", "create replacement and then destroy"},
	{" <=", "read (data resources)"},
}

// visible reports whether a change to make is shown: anything but an
// unchanged resource (unless imported) or a data source read while
// planning.
func visible(c *Change) bool {
	if c.Mode == formation.ModeData {
		return !c.After.IsWhollyKnown()
	}
	return c.Action != formation.ActionNoOperation || c.Imported || c.PrevAddr != "" || c.Forget
}

// symbol is the three-column symbol of a change's resource line.
func symbol(c *Change) string {
	if c.Mode == formation.ModeData {
		return " <="
	}
	switch c.Action {
	case formation.ActionAdd:
		return "  +"
	case formation.ActionUpdate:
		return "  ~"
	case formation.ActionDelete:
		return "  -"
	case formation.ActionDeleteThenAdd:
		return "-/+"
	case formation.ActionAddThenDelete:
		return "+/-"
	}
	return "   "
}

// heading is what a change's comment line says after the address.
func heading(c *Change) string {
	switch {
	case c.Drifted && c.Action == formation.ActionDelete:
		return "has been deleted"
	case c.Drifted:
		return "has changed"
	case c.Mode == formation.ModeData:
		return "will be read during apply"
	case c.Action == formation.ActionAdd:
		return "will be created"
	case c.Action == formation.ActionUpdate:
		return "will be updated in-place"
	case c.Action == formation.ActionDelete:
		return "will be destroyed"
	case c.Action.Replaces():
		return "must be replaced"
	case c.Imported:
		return "will be imported"
	}
	return "has no changes"
}

// noteworthy reports whether a change's reason is worth a comment line:
// not when the attribute lines already say it.
func noteworthy(c *Change) bool {
	return c.Reason != "" && !c.Drifted && c.Mode != formation.ModeData && c.Reason != reasonNew &&
		!strings.HasSuffix(c.Reason, "changed in the template")
}

// textWriter writes the blocks of changes.
type textWriter struct {
	b   *bytes.Buffer
	cur *Change // the change being written
}

// change writes one change: heading, reason, resource line, attributes.
func (t *textWriter) change(c *Change) {
	t.cur = c
	b := t.b
	movedOnly := c.PrevAddr != "" && c.Action == formation.ActionNoOperation && !c.Imported && !c.Drifted
	switch {
	case c.Forget:
		// Terraform writes these lines one column to the left (all but
		// the one a move adds).
		b.WriteString(" # " + c.Addr + " will no longer be managed by Formation, but will not be destroyed\n")
		b.WriteString(" # (" + c.Reason + ")\n")
		if c.PrevAddr != "" {
			b.WriteString("  # (moved from " + c.PrevAddr + ")\n")
		}
		fmt.Fprintf(b, " . resource %s %s {\n", quote(c.Type), quote(c.Name))
		t.object(6, "~", unmarked(c.Before), unmarked(c.After), nil)
		b.WriteString("    }\n")
		return
	case movedOnly:
		b.WriteString("  # " + c.PrevAddr + " has moved to " + c.Addr + "\n")
	default:
		b.WriteString("  # " + c.Addr)
		if c.Deposed != "" {
			b.WriteString(" (deposed object " + c.Deposed + ")")
		}
		b.WriteString(" " + heading(c) + "\n")
	}
	switch {
	case c.Mode == formation.ModeData && c.Reason == reasonReadDepends:
		// Terraform's words for each reason.
		b.WriteString("  # (depends on a resource or a module with changes pending)\n")
	case c.Mode == formation.ModeData:
		b.WriteString("  # (config refers to values not yet known)\n")
	case noteworthy(c):
		b.WriteString("  # (" + c.Reason + ")\n")
	}
	if c.PrevAddr != "" && !c.Drifted && !movedOnly {
		b.WriteString("  # (moved from " + c.PrevAddr + ")\n")
	}
	sym := symbol(c)
	if c.Drifted {
		sym = "  ~"
		if c.Action == formation.ActionDelete {
			sym = "  -"
		}
	}
	kind := "resource"
	if c.Mode == formation.ModeData {
		kind = "data"
	}
	fmt.Fprintf(b, "%s %s %s %s {\n", sym, kind, quote(c.Type), quote(c.Name))
	before, after := unmarked(c.Before), unmarked(c.After)
	switch {
	case c.Mode == formation.ModeData, c.Action == formation.ActionAdd:
		t.object(6, "+", cty.NilVal, after, nil)
	case c.Action == formation.ActionDelete:
		t.object(6, "-", before, cty.NilVal, nil)
	case movedOnly:
		t.object(6, "~", before, after, nil) // the id, the rest hidden
	case c.Action == formation.ActionNoOperation:
		t.object(6, " ", before, after, nil)
	default:
		t.object(6, "~", before, after, nil)
	}
	b.WriteString("    }\n")
}

// object writes the attribute lines of a resource body at symbol column
// col: every non-null attribute when creating (+), destroying (-) or
// showing ( ), the changed ones plus the id and name when updating (~),
// with a count of the hidden ones.
func (t *textWriter) object(col int, mode string, before, after cty.Value, path cty.Path) {
	type line struct {
		sym, key      string
		before, after cty.Value
		path          cty.Path
	}
	names := attributeNames(before, after)
	lines := make([]line, 0, len(names))
	var blockNames []string
	hidden := 0
	for _, name := range names {
		bv := attrValue(before, name)
		av := attrValue(after, name)
		if t.blockAt(path, name, bv, av) != nil {
			blockNames = append(blockNames, name)
			continue
		}
		sym := mode
		if mode == "~" {
			sym = diffSymbol(bv, av)
		}
		switch {
		case isNull(bv) && isNull(av):
			continue
		case mode == "~" && sym == " " && !(len(path) == 0 && t.identifying(name)):
			hidden++
			continue
		}
		lines = append(lines, line{sym, attrKey(name), bv, av, append(path[:len(path):len(path)], cty.GetAttrStep{Name: name})})
	}
	width := 0
	for _, l := range lines {
		width = max(width, len(l.key))
	}
	for _, l := range lines {
		t.entry(col, l.sym, l.key, width, l.before, l.after, l.path, false)
	}
	if hidden > 0 {
		t.hidden(col+2, hidden, "attribute")
	}
	gap := len(lines) > 0 || hidden > 0
	hiddenBlocks := 0
	for _, name := range blockNames {
		bv := attrValue(before, name)
		av := attrValue(after, name)
		if gap && mode != "~" && (len(blockElems(bv)) > 0 || len(blockElems(av)) > 0) {
			t.b.WriteString("\n") // blocks follow the attributes after a blank line
			gap = false
		}
		if mode == "~" && gap && !sameValue(bv, av) {
			t.b.WriteString("\n")
			gap = false
		}
		hiddenBlocks += t.blocks(col, mode, name, bv, av, path)
	}
	if hiddenBlocks > 0 {
		if gap {
			t.b.WriteString("\n")
		}
		t.hidden(col+2, hiddenBlocks, "block")
	}
}

// identifying reports whether an unchanged top-level attribute is shown
// in an update anyway, as terraform shows id and name.
func (t *textWriter) identifying(name string) bool {
	return name == t.cur.Schema.IDKey() || name == "name"
}

// hidden writes the count of unchanged entries left out.
func (t *textWriter) hidden(col, n int, what string) {
	s := "s"
	if n == 1 {
		s = ""
	}
	fmt.Fprintf(t.b, "%s# (%d unchanged %s%s hidden)\n", pad(col), n, what, s)
}

// diffSymbol is the symbol of an entry that changes from before to after.
func diffSymbol(before, after cty.Value) string {
	switch {
	case isNull(before) && !isNull(after):
		return "+"
	case !isNull(before) && isNull(after):
		return "-"
	case sameValue(before, after):
		return " "
	}
	return "~"
}

// entry writes one line (and the lines of a multi-line value): symbol at
// column col, the key padded to width (no key for list elements), and the
// value, the old and new values for ~.
func (t *textWriter) entry(col int, sym, key string, width int, before, after cty.Value, path cty.Path, comma bool) {
	b := t.b
	b.WriteString(pad(col) + sym + " ")
	if key != "" {
		b.WriteString(key + pad(width-len(key)) + " = ")
	}
	switch sym {
	case "+", " ":
		t.value(col, sym, after, path)
	case "-":
		t.value(col, sym, before, path)
		if key != "" {
			b.WriteString(" -> null")
		}
	default:
		t.diff(col, before, after, path)
	}
	if comma {
		b.WriteString(",")
	}
	if isReplacePath(t.cur.RequiresReplace, path) {
		b.WriteString(" # forces replacement")
	}
	b.WriteString("\n")
}

// isReplacePath reports whether path is one of the force-new paths.
func isReplacePath(paths []cty.Path, path cty.Path) bool {
	for _, p := range paths {
		if len(p) == len(path) && underAny(path, []cty.Path{p}) {
			return true
		}
	}
	return false
}

// value writes a whole value after "key = ": inline when it is a
// primitive, null, unknown, sensitive or empty, otherwise over several
// lines whose entries carry sym.
func (t *textWriter) value(col int, sym string, v cty.Value, path cty.Path) {
	b := t.b
	if s, ok := t.inline(v, path); ok {
		b.WriteString(s)
		return
	}
	ty := v.Type()
	if ty.IsListType() || ty.IsSetType() || ty.IsTupleType() {
		b.WriteString("[\n")
		i := 0
		for it := v.ElementIterator(); it.Next(); i++ {
			k, ev := it.Element()
			if ty.IsSetType() {
				k = cty.NumberIntVal(int64(i))
			}
			t.entry(col+4, sym, "", 0, ev, ev, append(path[:len(path):len(path)], cty.IndexStep{Key: k}), true)
		}
		b.WriteString(pad(col+2) + "]")
		return
	}
	keys, _ := sortedKeys(v)
	width := 0
	for _, k := range keys {
		if ev, _ := element(v, k); !k.attr || !isNull(ev) {
			width = max(width, len(k.key))
		}
	}
	b.WriteString("{\n")
	for _, k := range keys {
		ev, step := element(v, k)
		if k.attr && isNull(ev) {
			continue // as for top-level attributes, unset ones are not shown
		}
		t.entry(col+4, sym, k.key, width, ev, ev, append(path[:len(path):len(path)], step), false)
	}
	b.WriteString(pad(col+2) + "}")
}

// diff writes a changed value after "key = ": a collection that stays a
// collection of the same kind entry by entry, anything else as old -> new.
func (t *textWriter) diff(col int, before, after cty.Value, path cty.Path) {
	b := t.b
	if t.sensitive(path) {
		b.WriteString("(sensitive value)")
		return
	}
	bk, ak := kindOf(before), kindOf(after)
	switch {
	case bk != ak || bk == "":
		t.value(col, "-", before, path)
		b.WriteString(" -> ")
		t.value(col, "+", after, path)
	case bk == "list":
		b.WriteString("[\n")
		t.listDiff(col+4, before, after, path)
		b.WriteString(pad(col+2) + "]")
	case bk == "set":
		b.WriteString("[\n")
		t.setDiff(col+4, before, after, path)
		b.WriteString(pad(col+2) + "]")
	default:
		b.WriteString("{\n")
		t.mapDiff(col+4, before, after, path)
		b.WriteString(pad(col+2) + "}")
	}
}

// kindOf classifies a known, non-null collection for diffing: "list"
// (lists and tuples), "set", "map" (maps and objects); "" for anything
// else.
func kindOf(v cty.Value) string {
	if isNull(v) || !v.IsKnown() {
		return ""
	}
	switch ty := v.Type(); {
	case ty.IsListType() || ty.IsTupleType():
		return "list"
	case ty.IsSetType():
		return "set"
	case ty.IsMapType() || ty.IsObjectType():
		return "map"
	}
	return ""
}

// mapDiff writes the entries of two maps or objects that differ.
func (t *textWriter) mapDiff(col int, before, after cty.Value, path cty.Path) {
	bkeys, _ := sortedKeys(before)
	akeys, _ := sortedKeys(after)
	keys := mergeKeys(bkeys, akeys)
	type line struct {
		sym           string
		k             mapKey
		before, after cty.Value
		step          cty.PathStep
	}
	var lines []line
	hidden, width := 0, 0
	for _, k := range keys {
		bv, step := element(before, k)
		av, astep := element(after, k)
		if step == nil {
			step = astep
		}
		sym := diffSymbol(bv, av)
		if sym == " " {
			hidden++
			continue
		}
		lines = append(lines, line{sym, k, bv, av, step})
		width = max(width, len(k.key))
	}
	for _, l := range lines {
		t.entry(col, l.sym, l.k.key, width, l.before, l.after, append(path[:len(path):len(path)], l.step), false)
	}
	if hidden > 0 {
		t.hidden(col+2, hidden, "element")
	}
}

// listDiff writes the elements of two lists: kept, removed and added, by
// longest common subsequence; kept ones are counted, not shown.
func (t *textWriter) listDiff(col int, before, after cty.Value, path cty.Path) {
	bs, as := before.AsValueSlice(), after.AsValueSlice()
	hidden := 0
	for _, op := range lcs(bs, as) {
		switch {
		case op.bi >= 0 && op.ai >= 0:
			hidden++
		case op.bi >= 0:
			t.entry(col, "-", "", 0, bs[op.bi], cty.NilVal, append(path[:len(path):len(path)], cty.IndexStep{Key: cty.NumberIntVal(int64(op.bi))}), true)
		default:
			t.entry(col, "+", "", 0, cty.NilVal, as[op.ai], append(path[:len(path):len(path)], cty.IndexStep{Key: cty.NumberIntVal(int64(op.ai))}), true)
		}
	}
	if hidden > 0 {
		t.hidden(col+2, hidden, "element")
	}
}

// setDiff writes the elements of two sets that only one has.
func (t *textWriter) setDiff(col int, before, after cty.Value, path cty.Path) {
	hidden := 0
	i := 0
	for it := before.ElementIterator(); it.Next(); i++ {
		_, v := it.Element()
		if after.HasElement(v).True() {
			hidden++
			continue
		}
		t.entry(col, "-", "", 0, v, cty.NilVal, append(path[:len(path):len(path)], cty.IndexStep{Key: cty.NumberIntVal(int64(i))}), true)
	}
	i = 0
	for it := after.ElementIterator(); it.Next(); i++ {
		if _, v := it.Element(); !before.HasElement(v).True() {
			t.entry(col, "+", "", 0, cty.NilVal, v, append(path[:len(path):len(path)], cty.IndexStep{Key: cty.NumberIntVal(int64(i))}), true)
		}
	}
	if hidden > 0 {
		t.hidden(col+2, hidden, "element")
	}
}

// inline writes v on one line if it can: a primitive, null, unknown,
// sensitive or empty value.
func (t *textWriter) inline(v cty.Value, path cty.Path) (string, bool) {
	switch {
	case t.sensitive(path):
		return "(sensitive value)", true
	case v == cty.NilVal || (v.IsKnown() && v.IsNull()):
		return "null", true
	case !v.IsKnown():
		return "(known after apply)", true
	}
	switch ty := v.Type(); {
	case ty == cty.String:
		return quote(v.AsString()), true
	case ty == cty.Number:
		return formatNumber(v), true
	case ty == cty.Bool:
		return fmt.Sprint(v.True()), true
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		if v.LengthInt() == 0 {
			return "[]", true
		}
	case ty.IsMapType() || ty.IsObjectType():
		if v.LengthInt() == 0 {
			return "{}", true
		}
	default:
		return "(" + ty.FriendlyName() + ")", true
	}
	return "", false
}

func pad(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat(" ", n)
}
