package tfschema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/formation-engine/formation/provider"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// The JSON of one type, as Terraform writes it.
type (
	schemaJSON struct {
		Version int        `json:"version"`
		Block   *blockJSON `json:"block"`
	}
	blockJSON struct {
		Attributes map[string]*attributeJSON `json:"attributes"`
		BlockTypes map[string]*blockTypeJSON `json:"block_types"`
	}
	attributeJSON struct {
		Type       json.RawMessage `json:"type"`
		NestedType *nestedJSON     `json:"nested_type"`
		Required   bool            `json:"required"`
		Optional   bool            `json:"optional"`
		Computed   bool            `json:"computed"`
		Sensitive  bool            `json:"sensitive"`
	}
	nestedJSON struct {
		Attributes  map[string]*attributeJSON `json:"attributes"`
		NestingMode string                    `json:"nesting_mode"`
	}
	blockTypeJSON struct {
		NestingMode string     `json:"nesting_mode"`
		Block       *blockJSON `json:"block"`
		MinItems    int        `json:"min_items"`
		MaxItems    int        `json:"max_items"`
	}
)

// jsonDecoder decodes data, refusing numbers it would round.
func jsonDecoder(data []byte) *json.Decoder {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec
}

// decodeSchema turns one type's JSON into a provider.Schema: attributes
// with their cty types and flags, nested block types as block attributes.
// A type without an "id" attribute gets a computed one, which Formation
// needs to report a resource's id.
func decodeSchema(raw []byte) (provider.Schema, error) {
	var sj schemaJSON
	if err := json.Unmarshal(raw, &sj); err != nil {
		return provider.Schema{}, err
	}
	if sj.Block == nil {
		return provider.Schema{}, errors.New("it has no block")
	}
	attrs, err := sj.Block.attributes()
	if err != nil {
		return provider.Schema{}, err
	}
	if _, ok := attrs[provider.DefaultIDAttribute]; !ok {
		attrs[provider.DefaultIDAttribute] = provider.Attribute{Type: cty.String, Computed: true}
	}
	s := provider.Schema{Attributes: attrs}
	return s, s.Validate()
}

// attributes decodes a block's attributes and nested block types.
func (b *blockJSON) attributes() (map[string]provider.Attribute, error) {
	out := make(map[string]provider.Attribute, len(b.Attributes)+len(b.BlockTypes))
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(b.Attributes)) {
		a, err := b.Attributes[name].attribute()
		if err != nil {
			errs = append(errs, fmt.Errorf("attribute %q: %w", name, err))
			continue
		}
		out[name] = a
	}
	for _, name := range slices.Sorted(maps.Keys(b.BlockTypes)) {
		bt := b.BlockTypes[name]
		if bt == nil || bt.Block == nil {
			errs = append(errs, fmt.Errorf("block type %q has no block", name))
			continue
		}
		if _, dup := out[name]; dup {
			errs = append(errs, fmt.Errorf("%q is both an attribute and a block type", name))
			continue
		}
		nested, err := bt.Block.attributes()
		if err != nil {
			errs = append(errs, fmt.Errorf("block type %q: %w", name, err))
			continue
		}
		blk := &provider.Block{Nesting: provider.NestingMode(bt.NestingMode), MinItems: bt.MinItems, MaxItems: bt.MaxItems, Attributes: nested}
		out[name] = provider.Attribute{Type: blk.Type(), Optional: true, Block: blk}
	}
	return out, errors.Join(errs...)
}

// attribute decodes one attribute: a cty type, or a nested type (the
// plugin protocol 6 form) as the collection of objects it stands for.
func (a *attributeJSON) attribute() (provider.Attribute, error) {
	if a == nil {
		return provider.Attribute{}, errors.New("it is null")
	}
	out := provider.Attribute{Required: a.Required, Optional: a.Optional, Computed: a.Computed, Sensitive: a.Sensitive}
	switch {
	case a.NestedType != nil:
		ty, err := a.NestedType.impliedType()
		if err != nil {
			return out, err
		}
		out.Type = ty
	case len(a.Type) > 0:
		ty, err := ctyjson.UnmarshalType(a.Type)
		if err != nil {
			return out, err
		}
		out.Type = ty
	default:
		return out, errors.New("it has no type")
	}
	return out, nil
}

// impliedType is the type of a nested-type attribute: its object, with
// every attribute the configuration need not set optional, in the
// collection its nesting mode says.
func (n *nestedJSON) impliedType() (cty.Type, error) {
	types := map[string]cty.Type{}
	var optional []string
	for _, name := range slices.Sorted(maps.Keys(n.Attributes)) {
		a, err := n.Attributes[name].attribute()
		if err != nil {
			return cty.NilType, fmt.Errorf("attribute %q: %w", name, err)
		}
		types[name] = a.Type
		if !a.Required {
			optional = append(optional, name)
		}
	}
	ot := cty.ObjectWithOptionalAttrs(types, optional)
	switch n.NestingMode {
	case "single", "group", "":
		return ot, nil
	case "list":
		return cty.List(ot), nil
	case "set":
		return cty.Set(ot), nil
	case "map":
		return cty.Map(ot), nil
	}
	return cty.NilType, fmt.Errorf("unknown nesting mode %q", n.NestingMode)
}

// applyForceNew marks the attributes paths name ("attr", "block.attr") as
// force-new. A path that names nothing in the schema is left alone: the
// companion file may describe a newer or older provider.
func applyForceNew(s *provider.Schema, paths []string) {
	for _, path := range paths {
		s.Attributes = markForceNew(s.Attributes, strings.Split(path, "."))
	}
}

// markForceNew returns attrs with the attribute at parts marked, copying
// what it changes: a decoded schema's maps are not shared, but the copy
// keeps the function safe to call on any schema.
func markForceNew(attrs map[string]provider.Attribute, parts []string) map[string]provider.Attribute {
	a, ok := attrs[parts[0]]
	if !ok {
		return attrs
	}
	if len(parts) == 1 {
		a.ForceNew = true
	} else if a.Block != nil {
		blk := *a.Block
		blk.Attributes = markForceNew(maps.Clone(blk.Attributes), parts[1:])
		a.Block = &blk
	} else {
		// A path into an attribute of object type: the attribute as a
		// whole forces the replacement.
		a.ForceNew = true
	}
	attrs[parts[0]] = a
	return attrs
}

// applyMeta sets what a type's meta entry says of its attributes
// ({"attrs": {"attr": {…}, "block.attr": {…}}}): the literal defaults,
// converted to the attributes' types, and the rules between arguments
// (conflicts_with, exactly_one_of, at_least_one_of, required_with). A
// default that names nothing, or does not convert (a provider's Default of
// the wrong Go type), is left out: the provider itself would fail on it,
// not the template.
func applyMeta(s *provider.Schema, meta []byte) error {
	if meta == nil {
		return nil
	}
	var entry struct {
		Attrs map[string]struct {
			Default       json.RawMessage `json:"default"`
			ConflictsWith []string        `json:"conflicts_with"`
			ExactlyOneOf  []string        `json:"exactly_one_of"`
			AtLeastOneOf  []string        `json:"at_least_one_of"`
			RequiredWith  []string        `json:"required_with"`
		} `json:"attrs"`
	}
	if err := json.Unmarshal(meta, &entry); err != nil {
		return fmt.Errorf("its meta entry: %w", err)
	}
	for _, path := range slices.Sorted(maps.Keys(entry.Attrs)) {
		a := entry.Attrs[path]
		for _, c := range []provider.Constraint{
			{Kind: provider.ConflictsWith, With: a.ConflictsWith},
			{Kind: provider.ExactlyOneOf, With: a.ExactlyOneOf},
			{Kind: provider.AtLeastOneOf, With: a.AtLeastOneOf},
			{Kind: provider.RequiredWith, With: a.RequiredWith},
		} {
			if len(c.With) > 0 {
				c.Attribute = path
				s.Constraints = append(s.Constraints, c)
			}
		}
		if a.Default == nil || string(a.Default) == "null" {
			continue
		}
		ty, err := ctyjson.ImpliedType(a.Default)
		if err != nil {
			continue
		}
		v, err := ctyjson.Unmarshal(a.Default, ty)
		if err != nil {
			continue
		}
		s.Attributes = setDefault(s.Attributes, strings.Split(path, "."), v)
	}
	return nil
}

// setDefault returns attrs with the default at parts set, copying what it
// changes, as markForceNew does.
func setDefault(attrs map[string]provider.Attribute, parts []string, v cty.Value) map[string]provider.Attribute {
	a, ok := attrs[parts[0]]
	switch {
	case !ok:
		return attrs
	case len(parts) > 1 && a.Block != nil:
		blk := *a.Block
		blk.Attributes = setDefault(maps.Clone(blk.Attributes), parts[1:], v)
		a.Block = &blk
	case len(parts) == 1 && a.Block == nil && !a.Required:
		cv, err := convert.Convert(v, a.Type.WithoutOptionalAttributesDeep())
		if err != nil {
			return attrs
		}
		a.Default = cv
	default:
		return attrs
	}
	attrs[parts[0]] = a
	return attrs
}
