package plan

import (
	"slices"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// mapKey is one key of a map or object as the text shows it: an object
// attribute bare (when it is an identifier), a map key quoted.
type mapKey struct {
	name string // the key
	key  string // as shown
	attr bool   // an object attribute
}

// sortedKeys lists the keys of a known map or object in order, with the
// width of the widest as shown; none for anything else.
func sortedKeys(v cty.Value) ([]mapKey, int) {
	if isNull(v) || !v.IsKnown() {
		return nil, 0
	}
	ty := v.Type()
	if !ty.IsMapType() && !ty.IsObjectType() {
		return nil, 0
	}
	var keys []mapKey
	width := 0
	for it := v.ElementIterator(); it.Next(); {
		k, _ := it.Element()
		name := k.AsString()
		mk := mapKey{name: name, key: quote(name), attr: ty.IsObjectType()}
		if mk.attr {
			mk.key = attrKey(name)
		}
		keys = append(keys, mk)
		width = max(width, len(mk.key))
	}
	slices.SortFunc(keys, func(a, b mapKey) int { return strings.Compare(a.name, b.name) })
	return keys, width
}

// mergeKeys merges two sorted key lists, without duplicates.
func mergeKeys(a, b []mapKey) []mapKey {
	out := slices.Concat(a, b)
	slices.SortStableFunc(out, func(x, y mapKey) int { return strings.Compare(x.name, y.name) })
	return slices.CompactFunc(out, func(x, y mapKey) bool { return x.name == y.name })
}

// element returns the value of key k in map or object v and the path step
// to it; cty.NilVal and nil when v has no such key.
func element(v cty.Value, k mapKey) (cty.Value, cty.PathStep) {
	if isNull(v) || !v.IsKnown() {
		return cty.NilVal, nil
	}
	ty := v.Type()
	switch {
	case ty.IsObjectType() && ty.HasAttribute(k.name):
		return v.GetAttr(k.name), cty.GetAttrStep{Name: k.name}
	case ty.IsMapType():
		key := cty.StringVal(k.name)
		if v.HasIndex(key).True() {
			return v.Index(key), cty.IndexStep{Key: key}
		}
	}
	return cty.NilVal, nil
}

// attrKey writes an attribute name bare when it is an identifier, quoted
// otherwise.
func attrKey(name string) string {
	if name == "" {
		return quote(name)
	}
	for i, r := range name {
		letter := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !letter && (i == 0 || r != '-' && (r < '0' || r > '9')) {
			return quote(name)
		}
	}
	return name
}

// lcsOp is one step of a list diff: an element kept (both indexes), removed
// (ai < 0) or added (bi < 0).
type lcsOp struct{ bi, ai int }

// lcs diffs two lists by longest common subsequence: removals before
// additions where they meet. Lists too long for the quadratic table are
// diffed as all removed, then all added, around a common prefix and
// suffix.
func lcs(before, after []cty.Value) []lcsOp {
	var ops []lcsOp
	pre := 0
	for pre < len(before) && pre < len(after) && sameValue(before[pre], after[pre]) {
		ops = append(ops, lcsOp{pre, pre})
		pre++
	}
	suf := 0
	for suf < len(before)-pre && suf < len(after)-pre && sameValue(before[len(before)-1-suf], after[len(after)-1-suf]) {
		suf++
	}
	b, a := before[pre:len(before)-suf], after[pre:len(after)-suf]
	if len(b)*len(a) > 1<<16 {
		for i := range b {
			ops = append(ops, lcsOp{pre + i, -1})
		}
		for j := range a {
			ops = append(ops, lcsOp{-1, pre + j})
		}
	} else {
		// table[i][j]: length of the LCS of b[i:] and a[j:].
		table := make([][]int, len(b)+1)
		for i := range table {
			table[i] = make([]int, len(a)+1)
		}
		for i := len(b) - 1; i >= 0; i-- {
			for j := len(a) - 1; j >= 0; j-- {
				if sameValue(b[i], a[j]) {
					table[i][j] = table[i+1][j+1] + 1
				} else {
					table[i][j] = max(table[i+1][j], table[i][j+1])
				}
			}
		}
		i, j := 0, 0
		for i < len(b) || j < len(a) {
			switch {
			case i < len(b) && j < len(a) && sameValue(b[i], a[j]):
				ops = append(ops, lcsOp{pre + i, pre + j})
				i++
				j++
			case j == len(a) || i < len(b) && table[i+1][j] >= table[i][j+1]:
				ops = append(ops, lcsOp{pre + i, -1})
				i++
			default:
				ops = append(ops, lcsOp{-1, pre + j})
				j++
			}
		}
	}
	for k := suf; k > 0; k-- {
		ops = append(ops, lcsOp{len(before) - k, len(after) - k})
	}
	return ops
}
