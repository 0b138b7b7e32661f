package provider

import (
	"errors"
	"fmt"

	"github.com/zclconf/go-cty/cty"
)

// NestingMode is how the blocks of a nested block type make up their
// attribute's value, as in Terraform's schemas.
type NestingMode string

// The nesting modes.
const (
	// NestingSingle: at most one block; the value is an object, or null.
	NestingSingle NestingMode = "single"
	// NestingGroup: one block whose absence means all its attributes are
	// null; the value is an object, never null.
	NestingGroup NestingMode = "group"
	// NestingList: any number of blocks, in order; the value is a list.
	NestingList NestingMode = "list"
	// NestingSet: any number of blocks, unordered; the value is a set.
	NestingSet NestingMode = "set"
	// NestingMap: blocks keyed by a label; the value is a map. Formation's
	// templates write such blocks as a map-valued argument.
	NestingMap NestingMode = "map"
)

// Block describes a nested block type: its nesting, how many blocks it
// takes and the attributes (and further blocks) of each.
type Block struct {
	Nesting NestingMode
	// MinItems and MaxItems bound the number of blocks; 0 means no bound.
	MinItems, MaxItems int
	// Attributes describe each block's body, as Schema.Attributes do.
	Attributes map[string]Attribute
}

// ObjectType is the object type of one block's value.
func (b *Block) ObjectType() cty.Type {
	return Schema{Attributes: b.Attributes}.ImpliedType()
}

// Type is the type of the attribute that holds the blocks.
func (b *Block) Type() cty.Type {
	ot := b.ObjectType()
	switch b.Nesting {
	case NestingList:
		return cty.List(ot)
	case NestingSet:
		return cty.Set(ot)
	case NestingMap:
		return cty.Map(ot)
	}
	return ot
}

// validate checks the block against its attribute's type.
func (b *Block) validate(ty cty.Type) error {
	var errs []error
	switch b.Nesting {
	case NestingSingle, NestingGroup, NestingList, NestingSet, NestingMap:
	default:
		errs = append(errs, fmt.Errorf("unknown nesting mode %q", b.Nesting))
	}
	if b.MinItems < 0 || b.MaxItems < 0 || (b.MaxItems > 0 && b.MinItems > b.MaxItems) {
		errs = append(errs, fmt.Errorf("min_items %d and max_items %d are not a range", b.MinItems, b.MaxItems))
	}
	errs = append(errs, validateAttributes(b.Attributes)...)
	if len(errs) == 0 && !ty.Equals(b.Type()) {
		errs = append(errs, fmt.Errorf("type %s is not the blocks' type %s", ty.FriendlyName(), b.Type().FriendlyName()))
	}
	return errors.Join(errs...)
}

// coerce checks the blocks a configuration gives (a tuple or list of
// objects, as templates evaluate nested blocks; an object or a map for
// single and map nesting) and builds the attribute's value, appending a
// cty.PathError under path for each problem. It reports whether the value
// differs from v: a value coerced already comes back as it is, so that
// coercing it again (a Validator handed the coerced configuration) builds
// nothing.
func (bs *blockShape) coerce(v cty.Value, path cty.Path, errs *[]error) (cty.Value, bool) {
	same := v.Type().Equals(bs.ty)
	if v.IsNull() {
		if same && bs.empty.IsNull() {
			return v, false
		}
		return bs.empty, true
	}
	if !v.IsKnown() {
		if same {
			return v, false
		}
		return cty.UnknownVal(bs.ty), true
	}
	vt := v.Type()
	// One block written as an object is taken as a list of it, without
	// building the list.
	single := bs.Nesting != NestingMap && vt.IsObjectType()
	switch {
	case bs.Nesting == NestingMap && !vt.IsMapType() && !vt.IsObjectType():
		*errs = append(*errs, path.NewErrorf("a map of %q blocks is required, not %s", pathName(path), vt.FriendlyName()))
		return cty.NilVal, true
	case bs.Nesting != NestingMap && !single && !vt.IsTupleType() && !vt.IsListType() && !vt.IsSetType():
		*errs = append(*errs, path.NewErrorf("%q takes blocks, not %s", pathName(path), vt.FriendlyName()))
		return cty.NilVal, true
	case !single && v.LengthInt() == 0 && !v.IsWhollyKnown():
		return cty.UnknownVal(bs.ty), true
	}
	var it cty.ElementIterator
	if !single {
		it = v.ElementIterator()
	}
	n, bad, changed := 0, false, false
	var elems []cty.Value
	var keyed map[string]cty.Value
	for ; ; n++ {
		k, ev := cty.Zero, v
		if !single {
			if !it.Next() {
				break
			}
			k, ev = it.Element()
		} else if n > 0 {
			break
		}
		ep := append(path[:len(path):len(path)], cty.IndexStep{Key: k})
		if !ev.IsNull() && ev.IsKnown() && !ev.Type().IsObjectType() {
			*errs = append(*errs, ep.NewErrorf("a %q block must be an object, not %s", pathName(path), ev.Type().FriendlyName()))
			bad = true
			continue
		}
		before := len(*errs)
		cv, c := bs.nested.coerce(ev, ep, nil, errs)
		if len(*errs) > before {
			bad = true
			continue
		}
		changed = changed || c
		if bs.Nesting == NestingMap {
			if keyed == nil {
				keyed = map[string]cty.Value{}
			}
			keyed[k.AsString()] = cv
			continue
		}
		elems = append(elems, cv)
	}
	if bs.MaxItems > 0 && n > bs.MaxItems {
		*errs = append(*errs, path.NewErrorf("too many %q blocks: no more than %d allowed, %d given", pathName(path), bs.MaxItems, n))
		bad = true
	}
	if bs.MinItems > 0 && n < bs.MinItems {
		*errs = append(*errs, path.NewErrorf("insufficient %q blocks: at least %d required, %d given", pathName(path), bs.MinItems, n))
		bad = true
	}
	if (bs.Nesting == NestingSingle || bs.Nesting == NestingGroup) && n > 1 {
		*errs = append(*errs, path.NewErrorf("too many %q blocks: no more than 1 allowed, %d given", pathName(path), n))
		bad = true
	}
	switch {
	case bad:
		return cty.NilVal, true
	case same && !changed:
		return v, false
	case len(elems) == 0 && len(keyed) == 0:
		return bs.empty, true
	}
	switch bs.Nesting {
	case NestingList:
		return cty.ListVal(elems), true
	case NestingSet:
		return cty.SetVal(elems), true
	case NestingMap:
		return cty.MapVal(keyed), true
	}
	return elems[0], true
}

// pathName is the name of the last attribute on path.
func pathName(path cty.Path) string {
	for i := len(path) - 1; i >= 0; i-- {
		if s, ok := path[i].(cty.GetAttrStep); ok {
			return s.Name
		}
	}
	return ""
}

// planned is the planned value of configured blocks v: within each block,
// a computed attribute the configuration leaves null takes the value of
// the matching prior block (the same index in a list, the same key in a
// map, the element that agrees on every configured attribute in a set),
// or is unknown when there is none (a create).
//
// It reports whether the value differs from v.
//
// Blocks the configuration leaves out (null, or no elements) whose type
// computes something keep the prior blocks, or are unknown on a create:
// Terraform's schema format does not say which blocks the provider fills
// in itself (SDKv2's optional and computed blocks), and a block that
// reports computed attributes usually is one.
func (bs *blockShape) planned(v, prior cty.Value) (cty.Value, bool) {
	if !v.IsKnown() || !bs.plans {
		return v, false
	}
	if prior != cty.NilVal && (prior.IsNull() || !prior.IsKnown()) {
		prior = cty.NilVal
	}
	if v.IsNull() || (v.Type().IsCollectionType() && v.LengthInt() == 0) {
		if !bs.computes {
			return v, false
		}
		if prior != cty.NilVal && prior.Type().Equals(v.Type()) {
			return prior, true
		}
		if bs.Nesting == NestingGroup {
			return v, false
		}
		return cty.UnknownVal(bs.ty), true
	}
	switch bs.Nesting {
	case NestingSingle, NestingGroup:
		return bs.plannedObject(v, prior), true
	case NestingMap:
		out := map[string]cty.Value{}
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			pv := cty.NilVal
			if prior != cty.NilVal && prior.HasIndex(k).True() {
				pv = prior.Index(k)
			}
			out[k.AsString()] = bs.plannedObject(ev, pv)
		}
		if len(out) == 0 {
			return v, false
		}
		return cty.MapVal(out), true
	}
	var priors []cty.Value
	if prior != cty.NilVal {
		priors = prior.AsValueSlice()
	}
	var out []cty.Value
	i := 0
	for it := v.ElementIterator(); it.Next(); i++ {
		_, ev := it.Element()
		pv := cty.NilVal
		switch {
		case bs.Nesting == NestingList && i < len(priors):
			pv = priors[i]
		case bs.Nesting == NestingSet:
			pv = bs.matching(ev, priors)
		}
		out = append(out, bs.plannedObject(ev, pv))
	}
	if len(out) == 0 {
		return v, false
	}
	if bs.Nesting == NestingSet {
		return cty.SetVal(out), true
	}
	return cty.ListVal(out), true
}

// plannedObject plans one block's object against its prior object (NilVal
// when none).
func (bs *blockShape) plannedObject(v, prior cty.Value) cty.Value {
	if v.IsNull() || !v.IsKnown() {
		return v
	}
	hasPrior := prior != cty.NilVal && !prior.IsNull() && prior.IsKnown() && prior.Type().IsObjectType()
	vals := v.AsValueMap()
	for i := range bs.nested.attrs {
		a := &bs.nested.attrs[i]
		cv := vals[a.name]
		pv := cty.NilVal
		if hasPrior && prior.Type().HasAttribute(a.name) {
			pv = prior.GetAttr(a.name)
		}
		switch {
		case a.block != nil:
			vals[a.name], _ = a.block.planned(cv, pv)
		case cv.IsNull() && a.Default != cty.NilVal:
			vals[a.name] = a.Default
		case a.Computed && cv.IsNull():
			if pv != cty.NilVal && pv.Type().Equals(a.vt) {
				vals[a.name] = pv
			} else {
				vals[a.name] = a.unknown
			}
		}
	}
	return cty.ObjectVal(vals)
}

// matching is the prior set element that agrees with config on every
// attribute config sets (a computed attribute it leaves null is not
// compared), or NilVal.
func (bs *blockShape) matching(config cty.Value, priors []cty.Value) cty.Value {
	for _, p := range priors {
		if !p.IsKnown() || p.IsNull() {
			continue
		}
		same := true
		for i := range bs.nested.attrs {
			a := &bs.nested.attrs[i]
			cv := config.GetAttr(a.name)
			if (a.Computed || a.Default != cty.NilVal) && cv.IsNull() {
				continue
			}
			if a.block != nil && a.block.plans {
				continue // compared through its own planning
			}
			if eq := cv.Equals(p.GetAttr(a.name)); !eq.IsKnown() || eq.False() {
				same = false
				break
			}
		}
		if same {
			return p
		}
	}
	return cty.NilVal
}

// replaces reports whether the blocks' force-new attributes (at any
// depth) differ, or may differ, between prior and planned.
func (bs *blockShape) replaces(prior, planned cty.Value) bool {
	if !bs.forcesNew {
		return false
	}
	eq := bs.project(prior).Equals(bs.project(planned))
	return !eq.IsKnown() || eq.False()
}

// project is v with only the force-new attributes of each block kept, as
// a tuple (or an object for single nesting), so that two values compare
// equal exactly when no force-new attribute changed.
func (bs *blockShape) project(v cty.Value) cty.Value {
	if v == cty.NilVal || v.IsNull() {
		return cty.EmptyTupleVal
	}
	if !v.IsKnown() {
		return cty.DynamicVal
	}
	one := func(ev cty.Value) cty.Value {
		if ev.IsNull() || !ev.IsKnown() {
			return ev
		}
		kept := map[string]cty.Value{}
		for i := range bs.nested.attrs {
			a := &bs.nested.attrs[i]
			switch {
			case a.ForceNew:
				kept[a.name] = ev.GetAttr(a.name)
			case a.block != nil && a.block.forcesNew:
				kept[a.name] = a.block.project(ev.GetAttr(a.name))
			}
		}
		return cty.ObjectVal(kept)
	}
	if !v.Type().IsCollectionType() {
		return cty.TupleVal([]cty.Value{one(v)})
	}
	var elems []cty.Value
	for it := v.ElementIterator(); it.Next(); {
		_, ev := it.Element()
		elems = append(elems, one(ev))
	}
	if v.Type().IsSetType() {
		if len(elems) == 0 {
			return cty.EmptyTupleVal
		}
		return cty.SetVal(elems)
	}
	return cty.TupleVal(elems)
}
