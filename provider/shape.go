package provider

import (
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/zclconf/go-cty/cty"
)

// Compile returns s with what planning needs of its attributes worked out
// once: their order, the type of their values, the value an attribute the
// configuration leaves out gets, the unknown a computed one is planned as,
// and the same for every nested block. Coerce, CoercePlanned,
// PlannedUpdate, PlannedValue, RequiresReplace and ImpliedType then use it
// instead of working it out on every call, which is most of what planning
// a resource of a type with many attributes costs besides building its
// objects.
//
// The result plans exactly as s does. Its Attributes, and those of its
// blocks, must not be modified afterwards (a Schema is never modified by
// the engine); other fields may be. Compiling a compiled schema returns it
// as it is.
func (s Schema) Compile() Schema {
	if s.compiled == nil {
		s.compiled = newShape(s.Attributes)
	}
	return s
}

// shape is the compiled form of a set of attributes: a schema's, or one
// nested block's.
type shape struct {
	attrs   []shapeAttr // sorted by name
	implied cty.Type    // the object type of values
	// vals holds maps to build objects of the shape in. Every object
	// built sets every attribute, so a map is taken back with the keys it
	// has and only overwritten: clearing a map of more than eight entries
	// costs about as much as filling it.
	vals sync.Pool
}

// shapeAttr is one attribute of a shape.
type shapeAttr struct {
	Attribute
	name         string
	vt           cty.Type  // the type of values: Type without optional-attribute annotations
	absent       cty.Value // the value of the attribute when the configuration leaves it out
	unknown      cty.Value // an unknown of vt: a computed attribute's planned value on a create
	computedOnly bool
	block        *blockShape // when the attribute is a nested block type
}

// blockShape is the compiled form of a nested block type.
type blockShape struct {
	*Block
	nested *shape
	ty     cty.Type  // the attribute's value type
	empty  cty.Value // the value without any block
	// computes: some attribute, at any depth, is computed. plans: some
	// is computed or has a default, so planning changes configured
	// blocks. forcesNew: some is force-new.
	computes, plans, forcesNew bool
}

// shape is s's compiled form: the one Compile attached, or one made for
// this call.
func (s Schema) shape() *shape {
	if s.compiled != nil {
		return s.compiled
	}
	return newShape(s.Attributes)
}

func newShape(attrs map[string]Attribute) *shape {
	sh := &shape{attrs: make([]shapeAttr, 0, len(attrs))}
	types := make(map[string]cty.Type, len(attrs))
	for _, name := range slices.Sorted(maps.Keys(attrs)) {
		a := attrs[name]
		sa := shapeAttr{Attribute: a, name: name, vt: valueType(a.Type), computedOnly: a.ComputedOnly()}
		sa.absent, sa.unknown = cty.NullVal(sa.vt), cty.UnknownVal(sa.vt)
		if a.Block != nil {
			sa.block = newBlockShape(a.Block, sa.vt)
			sa.absent = sa.block.empty
		}
		types[name] = sa.vt
		sh.attrs = append(sh.attrs, sa)
	}
	sh.implied = cty.Object(types)
	return sh
}

// newBlockShape compiles b, the block type of an attribute whose values are
// of type ty (b.Type(), which the caller has at hand).
func newBlockShape(b *Block, ty cty.Type) *blockShape {
	bs := &blockShape{Block: b, nested: newShape(b.Attributes), ty: ty}
	for i := range bs.nested.attrs {
		a := &bs.nested.attrs[i]
		bs.computes = bs.computes || a.Computed || a.block != nil && a.block.computes
		bs.plans = bs.plans || a.Computed || a.Default != cty.NilVal || a.block != nil && a.block.plans
		bs.forcesNew = bs.forcesNew || a.ForceNew || a.block != nil && a.block.forcesNew
	}
	switch {
	case b.Nesting == NestingList && ty.IsListType():
		bs.empty = cty.ListValEmpty(ty.ElementType())
	case b.Nesting == NestingSet && ty.IsSetType():
		bs.empty = cty.SetValEmpty(ty.ElementType())
	case b.Nesting == NestingMap && ty.IsMapType():
		bs.empty = cty.MapValEmpty(ty.ElementType())
	case b.Nesting == NestingGroup:
		bs.empty = bs.nested.object(func(a *shapeAttr) cty.Value { return a.absent })
	default:
		bs.empty = cty.NullVal(ty)
	}
	return bs
}

// object builds an object of the shape, each attribute's value given by
// value.
func (sh *shape) object(value func(a *shapeAttr) cty.Value) cty.Value {
	vals := sh.scratch()
	for i := range sh.attrs {
		vals[sh.attrs[i].name] = value(&sh.attrs[i])
	}
	v := cty.ObjectVal(vals)
	sh.vals.Put(vals)
	return v
}

// scratch is a map to gather the shape's attributes in, to be put back in
// sh.vals once the object is built (cty.ObjectVal copies it).
func (sh *shape) scratch() map[string]cty.Value {
	if m, ok := sh.vals.Get().(map[string]cty.Value); ok {
		return m
	}
	return make(map[string]cty.Value, len(sh.attrs))
}

// declares reports whether the shape has an attribute name.
func (sh *shape) declares(name string) bool {
	_, found := slices.BinarySearchFunc(sh.attrs, name, func(a shapeAttr, name string) int { return strings.Compare(a.name, name) })
	return found
}
