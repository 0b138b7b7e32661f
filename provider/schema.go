package provider

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/zclconf/go-cty/cty"
)

// DefaultIDAttribute is the id attribute of a schema that names none, and of
// every schema-less resource type.
const DefaultIDAttribute = "id"

// Schema describes one resource type: its attributes and which of them holds
// the physical id. A Schema is a plain value; it is not modified by any
// method, and is safe to share between goroutines once built.
//
// The engine plans against a Schema with Coerce, PlannedValue (or
// CoercePlanned), PlannedUpdate and RequiresReplace, each type's schema
// compiled once (Compile). A provider without a schema for a type (see
// Schemas) gets InferSchema's: every configured attribute is kept as given,
// and "id" is computed.
type Schema struct {
	// Attributes maps attribute names to their descriptions.
	Attributes map[string]Attribute
	// IDAttribute names the string attribute that holds the resource's
	// physical id; "" means DefaultIDAttribute. RFS reports the name as
	// resource_id_key and the value as resource_id_value.
	IDAttribute string
	// NonUpdatable lists keys the provider refuses to change in place
	// (the huaweicloud provider's FlexibleForceNew keys): "name",
	// "list.*.name" for every element's, "list.0.name" for one element's.
	// Changing one fails the plan (UpdateError) unless the resource sets
	// EnableForceNewAttribute to "true", which makes it a replacement
	// (RequiresReplace).
	NonUpdatable []string
	// ForceNewEnabled makes every NonUpdatable key force a replacement, as
	// the huaweicloud provider does when its own block sets
	// enable_force_new = true (or HW_ENABLE_FORCE_NEW does), unless the
	// resource's own EnableForceNewAttribute says otherwise.
	ForceNewEnabled bool
	// Constraints are the rules between arguments the provider checks at
	// plan time (CheckConstraints). Apply does not need them, so a stored
	// plan does not keep them.
	Constraints []Constraint

	compiled *shape // what planning needs of Attributes, from Compile; nil when not compiled
}

// Attribute describes one attribute of a resource type.
//
// Exactly one of three shapes is valid: Required (the configuration must set
// it), Optional (it may), or Computed (the provider sets it), where Optional
// and Computed may be combined (the provider computes the value unless the
// configuration sets one).
type Attribute struct {
	// Type is the attribute's cty type. Object types may declare optional
	// attributes (cty.ObjectWithOptionalAttrs); values carry the type
	// without them.
	Type cty.Type
	// Required means the configuration must set the attribute.
	Required bool
	// Optional means the configuration may set the attribute.
	Optional bool
	// Computed means the provider sets the attribute (when the
	// configuration does not).
	Computed bool
	// ForceNew means a change of the attribute cannot be made in place:
	// the engine replaces the resource instead.
	ForceNew bool
	// Sensitive means the value must not be shown in plans, events or
	// logs.
	Sensitive bool
	// Default, when not cty.NilVal, is the value the provider plans when
	// the configuration leaves the attribute null (a Terraform SDK
	// Default): a known value of Type.
	Default cty.Value
	// Block, when set, makes the attribute a nested block type
	// (network { … } in a resource body), as Terraform's schemas declare
	// them apart from attributes. Type must then be Block.Type(), and
	// the attribute is Optional: how many blocks are needed is
	// Block.MinItems.
	Block *Block
}

// ComputedOnly reports whether only the provider sets the attribute.
func (a Attribute) ComputedOnly() bool { return a.Computed && !a.Optional && !a.Required }

// IDKey is the name of the id attribute: IDAttribute, or DefaultIDAttribute
// when that is empty.
func (s Schema) IDKey() string {
	if s.IDAttribute == "" {
		return DefaultIDAttribute
	}
	return s.IDAttribute
}

// ImpliedType is the object type of the resource's values: one attribute per
// schema attribute, with optional-attribute annotations removed.
func (s Schema) ImpliedType() cty.Type {
	if s.compiled != nil {
		return s.compiled.implied
	}
	types := make(map[string]cty.Type, len(s.Attributes))
	for name, a := range s.Attributes {
		types[name] = valueType(a.Type)
	}
	return cty.Object(types)
}

// AttributeNames lists the attribute names in sorted order.
func (s Schema) AttributeNames() []string {
	return slices.Sorted(maps.Keys(s.Attributes))
}

// Validate checks the schema itself: every attribute has a name, a type and
// one valid shape, nested blocks are well formed, and the id attribute
// exists and is a string. It reports every problem, joined.
func (s Schema) Validate() error {
	errs := validateAttributes(s.Attributes)
	id, ok := s.Attributes[s.IDKey()]
	switch {
	case !ok:
		errs = append(errs, fmt.Errorf("id attribute %q is not declared", s.IDKey()))
	case id.Type != cty.String:
		errs = append(errs, fmt.Errorf("id attribute %q is not a string", s.IDKey()))
	}
	return errors.Join(errs...)
}

// validateAttributes checks each attribute of a schema or nested block.
func validateAttributes(attrs map[string]Attribute) []error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(attrs)) {
		a := attrs[name]
		switch {
		case name == "":
			errs = append(errs, errors.New("an attribute has an empty name"))
		case a.Type == cty.NilType:
			errs = append(errs, fmt.Errorf("attribute %q has no type", name))
		case a.Required && (a.Optional || a.Computed):
			errs = append(errs, fmt.Errorf("attribute %q is required and also optional or computed", name))
		case !a.Required && !a.Optional && !a.Computed:
			errs = append(errs, fmt.Errorf("attribute %q is neither required, optional nor computed", name))
		case a.Block != nil:
			if err := a.Block.validate(a.Type); err != nil {
				errs = append(errs, fmt.Errorf("block %q: %w", name, err))
			}
		case a.Default != cty.NilVal && (a.Required || !a.Default.IsWhollyKnown() || !a.Default.Type().Equals(valueType(a.Type))):
			errs = append(errs, fmt.Errorf("attribute %q: the default must be a known %s, on an attribute that is not required", name, valueType(a.Type).FriendlyName()))
		}
	}
	return errs
}

// InferSchema is the schema of a resource type its provider declares no
// schema for: every attribute of config is optional with the type it has,
// nothing is force-new, and DefaultIDAttribute is a computed string (optional
// too, when config sets it). A config that is not a known object yields just
// the id attribute.
func InferSchema(config cty.Value) Schema {
	s := Schema{Attributes: map[string]Attribute{
		DefaultIDAttribute: {Type: cty.String, Computed: true},
	}}
	if config.IsNull() || !config.IsKnown() || !config.Type().IsObjectType() {
		return s
	}
	for name, ty := range config.Type().AttributeTypes() {
		if name == DefaultIDAttribute {
			s.Attributes[name] = Attribute{Type: cty.String, Optional: true, Computed: true}
			continue
		}
		s.Attributes[name] = Attribute{Type: ty, Optional: true}
	}
	return s
}

// valueType is the type of an attribute's values: ty without its
// optional-attribute annotations. Most types have none, and are returned
// as they are: cty builds a new type for every collection and object it
// strips, and planning asks once per attribute per resource.
func valueType(ty cty.Type) cty.Type {
	if hasOptional(ty) {
		return ty.WithoutOptionalAttributesDeep()
	}
	return ty
}

// hasOptional reports whether ty declares optional attributes anywhere.
func hasOptional(ty cty.Type) bool {
	switch {
	case ty.IsPrimitiveType() || ty == cty.DynamicPseudoType || ty.IsCapsuleType():
		return false
	case ty.IsCollectionType():
		return hasOptional(ty.ElementType())
	case ty.IsObjectType():
		if len(ty.OptionalAttributes()) > 0 {
			return true
		}
		for _, at := range ty.AttributeTypes() {
			if hasOptional(at) {
				return true
			}
		}
	case ty.IsTupleType():
		for _, et := range ty.TupleElementTypes() {
			if hasOptional(et) {
				return true
			}
		}
	}
	return false
}
