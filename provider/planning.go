package provider

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Coerce checks a resource's configuration against the schema and converts it
// to the schema's implied type. config is the object the template evaluates
// to; attributes it leaves out become null, and unknown values stay unknown.
//
// It reports every problem at once, as an error wrapping ErrInvalidConfig
// and, for each problem, a cty.PathError naming the attribute: an attribute
// the schema does not declare, a required attribute left null, a
// computed-only attribute set, a value that does not convert to the
// attribute's type. A wholly unknown config yields an unknown object.
//
// A configuration that Coerce already returned comes back as it is, without
// being built again: the engine, Validator implementations and
// PlannedValue each coerce the same configuration.
func (s Schema) Coerce(config cty.Value) (cty.Value, error) {
	return s.coerce(config, nil)
}

// PlannedValue is the object a Create is planned to produce: the coerced
// configuration with every computed attribute it leaves null marked unknown
// ("known after apply"). Errors are Coerce's.
func (s Schema) PlannedValue(config cty.Value) (cty.Value, error) {
	return s.PlannedUpdate(cty.NilVal, config)
}

// CoercePlanned is Coerce(config) and PlannedValue of its result, made in
// one pass over the schema: the engine plans a create by handing the
// coerced configuration to the provider's Validator and planning the
// value, and each pass costs about as much as building the object. Errors
// are Coerce's; with an error both values are cty.NilVal.
func (s Schema) CoercePlanned(config cty.Value) (coerced, planned cty.Value, err error) {
	if !config.IsKnown() {
		v := cty.UnknownVal(s.ImpliedType())
		return v, v, nil
	}
	pvals := scratch.Get().(map[string]cty.Value)
	replaced := false // whether pvals differs from the coerced object
	coerced, err = s.coerce(config, func(name string, a Attribute, v cty.Value) (cty.Value, bool) {
		pv := v
		if a.Computed && v.IsNull() {
			pv, replaced = cty.UnknownVal(a.Type.WithoutOptionalAttributesDeep()), true
		}
		pvals[name] = pv
		return v, false
	})
	switch {
	case err != nil:
	case replaced:
		planned = cty.ObjectVal(pvals)
	default:
		planned = coerced
	}
	clear(pvals)
	scratch.Put(pvals)
	return coerced, planned, err
}

// PlannedUpdate is the object an in-place Update is planned to produce: the
// coerced configuration, where a computed attribute the configuration leaves
// null keeps its prior value. With a null or missing prior it is
// PlannedValue. Errors are Coerce's.
func (s Schema) PlannedUpdate(prior, config cty.Value) (cty.Value, error) {
	hasPrior := isObject(prior)
	return s.coerce(config, func(name string, a Attribute, v cty.Value) (cty.Value, bool) {
		if !a.Computed || !v.IsNull() {
			return v, false
		}
		ty := a.Type.WithoutOptionalAttributesDeep()
		if hasPrior && prior.Type().HasAttribute(name) {
			if pv, err := convert.Convert(prior.GetAttr(name), ty); err == nil {
				return pv, true
			}
		}
		return cty.UnknownVal(ty), true
	})
}

// coerce is Coerce. When plan is not nil it is given each attribute's
// coerced value and may replace it (reporting true), so that PlannedUpdate
// builds its object once. The object is built only when an attribute is
// missing, converted or replaced: building it is most of what coercing
// costs.
func (s Schema) coerce(config cty.Value, plan func(name string, a Attribute, v cty.Value) (cty.Value, bool)) (cty.Value, error) {
	if !config.IsKnown() {
		return cty.UnknownVal(s.ImpliedType()), nil
	}
	if config.IsNull() || !config.Type().IsObjectType() {
		return cty.NilVal, fmt.Errorf("%w: the configuration is %s, not an object", ErrInvalidConfig, describe(config))
	}
	var errs []error
	given := config.Type().AttributeTypes()
	declared := 0    // attributes of config the schema declares
	changed := false // whether vals differs from config
	vals := scratch.Get().(map[string]cty.Value)
	for name, a := range s.Attributes {
		ty, ok := given[name]
		var v cty.Value
		if ok {
			declared++
			v = config.GetAttr(name)
		} else {
			v, changed = cty.NullVal(a.Type.WithoutOptionalAttributesDeep()), true
		}
		switch {
		case v.IsNull() && a.Required:
			errs = append(errs, cty.GetAttrPath(name).NewErrorf("attribute %q is required", name))
		case !v.IsNull() && v.IsKnown() && a.ComputedOnly():
			errs = append(errs, cty.GetAttrPath(name).NewErrorf("attribute %q is computed and cannot be set", name))
		}
		// convert.Convert returns a value already of the type as it is
		// (this is its own test), so only a value of another type is
		// converted, and changes the object.
		if ok && !ty.Equals(a.Type.WithoutOptionalAttributesDeep()) {
			cv, err := convert.Convert(v, a.Type)
			if err != nil {
				errs = append(errs, cty.GetAttrPath(name).NewErrorf("attribute %q: %s", name, err))
				continue
			}
			v, changed = cv, true
		}
		if plan != nil {
			var replaced bool
			v, replaced = plan(name, a, v)
			changed = changed || replaced
		}
		vals[name] = v
	}
	if declared < len(given) {
		for name := range given {
			if _, ok := s.Attributes[name]; !ok {
				errs = append(errs, cty.GetAttrPath(name).NewErrorf("attribute %q is not supported", name))
			}
		}
	}
	var coerced cty.Value
	var err error
	switch {
	case len(errs) > 0:
		// Map order is random; report in a stable order (by attribute,
		// since every message starts with it).
		slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
		err = fmt.Errorf("%w: %w", ErrInvalidConfig, errors.Join(errs...))
	case changed:
		coerced = cty.ObjectVal(vals)
	default:
		coerced = config
	}
	clear(vals)
	scratch.Put(vals)
	return coerced, err
}

// scratch holds the maps coerce gathers attributes in: cty.ObjectVal copies
// them, so each is garbage as soon as the object is built, and planning
// many instances would otherwise allocate one per instance, twice.
var scratch = sync.Pool{New: func() any { return map[string]cty.Value{} }}

// RequiresReplace lists the force-new attributes whose planned value differs
// from the prior one, or may differ because it is not yet known, sorted by
// name. A non-empty result means the resource must be replaced rather than
// updated. With a null or unknown prior or planned value (a create or a
// delete) it returns nil.
func (s Schema) RequiresReplace(prior, planned cty.Value) []cty.Path {
	if !isObject(prior) || !isObject(planned) {
		return nil
	}
	var paths []cty.Path
	for _, name := range s.AttributeNames() {
		if !s.Attributes[name].ForceNew {
			continue
		}
		eq := attr(prior, name).Equals(attr(planned, name))
		if !eq.IsKnown() || eq.False() {
			paths = append(paths, cty.GetAttrPath(name))
		}
	}
	return paths
}

// attr is v's attribute name, or null when v has no such attribute.
func attr(v cty.Value, name string) cty.Value {
	if v.Type().HasAttribute(name) {
		return v.GetAttr(name)
	}
	return cty.NullVal(cty.DynamicPseudoType)
}

// isObject reports whether v is a known, non-null object.
func isObject(v cty.Value) bool {
	return v != cty.NilVal && v.IsKnown() && !v.IsNull() && v.Type().IsObjectType()
}

// describe names what v is, for messages.
func describe(v cty.Value) string {
	switch {
	case v == cty.NilVal:
		return "missing"
	case v.IsNull():
		return "null"
	default:
		return v.Type().FriendlyName()
	}
}
