package template

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// lazyGroups stands in for the variables of the resource types an
// instance's body references (huaweicloud_vpc = { a = …, prev = { "3" = … } })
// until something needs them as values. The common references,
// TYPE.NAME.attr and TYPE.NAME[key].attr, read the block or the keyed
// instance they name directly: building a record for each type and each
// keyed block was two maps per evaluated instance, a fifth of what
// planning allocates. Anything else (a whole record, a key the record
// lacks, a function call, a diagnostic) first builds every record into
// ctx, and hcl evaluates as it always does.
//
// A nil *lazyGroups is valid and defers nothing.
type lazyGroups struct {
	ev    *evaluator
	ctx   *hcl.EvalContext // whose Variables get the records
	sc    *scope
	keys  [][]string // the instance's keys, aligned with sc.targets
	count int        // the instance's count index; -1 without count
	built bool
}

// intString is intString(v), read from the Config's countKeys when v is
// the instance's own count.index. It compares values, not numbers: v is
// identical to the index only when read from the count object (cty hands
// out the big.Float it holds), which costs a comparison where reading the
// number costs a copy. Comparing with a value of any other kind is false,
// never a panic: the index's type and number are both comparable.
func (lz *lazyGroups) intString(v cty.Value) (string, bool) {
	if lz != nil && lz.count >= 0 {
		if k := &lz.ev.c.countKeys[lz.count]; v == k.index {
			return k.s, true
		}
	}
	return intString(v)
}

// build puts every deferred record into ctx.
func (lz *lazyGroups) build() {
	if lz == nil || lz.built {
		return
	}
	lz.built = true
	for i := range lz.sc.groups {
		if g := &lz.sc.groups[i]; !g.data {
			lz.ctx.Variables[g.typ] = lz.ev.group(lz.sc, g, lz.keys)
		}
	}
}

// use returns the target a traversal's root and first step name (TYPE
// and .NAME of a deferred record). When root is deferred but the first
// step names no block of it, it builds the records and reports false, so
// that the traversal reads them from ctx.
func (lz *lazyGroups) use(root string, steps hcl.Traversal) (int, bool) {
	if lz == nil || lz.built {
		return 0, false
	}
	for gi := range lz.sc.groups {
		g := &lz.sc.groups[gi]
		if g.data || g.typ != root {
			continue
		}
		if len(steps) > 0 {
			if a, ok := steps[0].(hcl.TraverseAttr); ok && isASCII(a.Name) {
				// The record keeps the last of equal names.
				for j := len(g.targets) - 1; j >= 0; j-- {
					if i := g.targets[j]; lz.sc.targets[i].node.res.name == a.Name {
						return i, true
					}
				}
			}
		}
		lz.build()
		return 0, false
	}
	return 0, false
}

// traverse is quickTraversal of a traversal whose root is deferred; done
// is false when it is not (any more): ctx then has the root.
func (lz *lazyGroups) traverse(t hcl.Traversal) (v cty.Value, ok, done bool) {
	i, found := lz.use(t.RootName(), t[1:])
	if !found {
		return cty.NilVal, false, false
	}
	tu, ks := lz.sc.targets[i], keysOf(lz.keys, i)
	rest := t[2:]
	if lz.ev.keyed(tu, ks) == nil {
		v, ok = quickSteps(lz.ev.target(tu, ks), rest)
		return v, ok, true
	}
	if len(rest) > 0 {
		if ix, isIndex := rest[0].(hcl.TraverseIndex); isIndex {
			if v, found := lz.element(i, ix.Key); found {
				v, ok = quickSteps(v, rest[1:])
				return v, ok, true
			}
		}
	}
	lz.build()
	return cty.NilVal, false, false
}

// element is the instance a keyed reference's record holds under key (a
// known string, or a whole number as quickIndex converts it), as hcl.Index
// would read it; false when the record may not hold it. Keys are compared
// as given, so only ASCII ones: the record normalizes its keys.
func (lz *lazyGroups) element(i int, key cty.Value) (cty.Value, bool) {
	if !key.IsKnown() || key.IsNull() || key.IsMarked() {
		return cty.NilVal, false
	}
	var s string
	switch {
	case key.Type() == cty.String:
		s = key.AsString()
	default:
		var ok bool
		if s, ok = lz.intString(key); !ok {
			return cty.NilVal, false
		}
	}
	tu, ks := lz.sc.targets[i], keysOf(lz.keys, i)
	e := lz.ev.keyed(tu, ks)
	var found *Instance
	for _, k := range ks {
		if !isASCII(k) {
			return cty.NilVal, false
		}
		if inst := e.byKey[k]; inst != nil && k == s {
			found = inst
		}
	}
	if found == nil {
		return cty.NilVal, false
	}
	return lz.ev.fetch(found), true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
