package provider

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

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
	return s.coerce(s.shape(), config, nil)
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
	sh := s.shape()
	if !config.IsKnown() {
		v := cty.UnknownVal(sh.implied)
		return v, v, nil
	}
	pvals := sh.scratch()
	replaced := false // whether pvals differs from the coerced object
	coerced, err = s.coerce(sh, config, func(a *shapeAttr, v cty.Value) (cty.Value, bool) {
		pv := v
		switch {
		case a.block != nil:
			var r bool
			pv, r = a.block.planned(v, cty.NilVal)
			replaced = replaced || r
		case v.IsNull() && a.Default != cty.NilVal:
			pv, replaced = a.Default, true
		case a.Computed && v.IsNull():
			pv, replaced = a.unknown, true
		}
		pvals[a.name] = pv
		return v, false
	})
	switch {
	case err != nil:
	case replaced:
		planned = cty.ObjectVal(pvals)
	default:
		planned = coerced
	}
	sh.vals.Put(pvals)
	return coerced, planned, err
}

// PlannedUpdate is the object an in-place Update is planned to produce: the
// coerced configuration, where a computed attribute the configuration leaves
// null keeps its prior value. With a null or missing prior it is
// PlannedValue. Errors are Coerce's.
func (s Schema) PlannedUpdate(prior, config cty.Value) (cty.Value, error) {
	hasPrior := isObject(prior)
	return s.coerce(s.shape(), config, func(a *shapeAttr, v cty.Value) (cty.Value, bool) {
		if a.block != nil {
			pb := cty.NilVal
			if hasPrior && prior.Type().HasAttribute(a.name) {
				pb = prior.GetAttr(a.name)
			}
			return a.block.planned(v, pb)
		}
		if v.IsNull() && a.Default != cty.NilVal {
			return a.Default, true
		}
		if !a.Computed || !v.IsNull() {
			return v, false
		}
		if hasPrior && prior.Type().HasAttribute(a.name) {
			if pv, err := convert.Convert(prior.GetAttr(a.name), a.vt); err == nil {
				return pv, true
			}
		}
		return a.unknown, true
	})
}

// planFunc is given each attribute's coerced value and may replace it
// (reporting true), so that planning builds its object in the same pass as
// coercing.
type planFunc func(a *shapeAttr, v cty.Value) (cty.Value, bool)

// coerce is Coerce against sh, s's shape; when plan is not nil it plans
// each attribute's value (planFunc). The object is built only when an
// attribute is missing, converted or replaced: building it is most of
// what coercing costs.
func (s Schema) coerce(sh *shape, config cty.Value, plan planFunc) (cty.Value, error) {
	if config != cty.NilVal && config.IsKnown() && (config.IsNull() || !config.Type().IsObjectType()) {
		return cty.NilVal, fmt.Errorf("%w: the configuration is %s, not an object", ErrInvalidConfig, describe(config))
	}
	if config == cty.NilVal {
		return cty.NilVal, fmt.Errorf("%w: the configuration is missing, not an object", ErrInvalidConfig)
	}
	var errs []error
	coerced, _ := sh.coerce(config, nil, plan, &errs)
	if len(errs) == 0 {
		return coerced, nil
	}
	// Report in a stable order: by message (each names its attribute),
	// then as found, which for the blocks of one type is their order.
	slices.SortStableFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return cty.NilVal, fmt.Errorf("%w: %w", ErrInvalidConfig, errors.Join(errs...))
}

// coerce coerces the object config found at path (nil: the resource
// itself), appending a cty.PathError for each problem; with problems the
// value is cty.NilVal. It reports whether the value differs from config.
func (sh *shape) coerce(config cty.Value, path cty.Path, plan planFunc, errs *[]error) (cty.Value, bool) {
	if !config.IsKnown() {
		return cty.UnknownVal(sh.implied), true
	}
	if config.IsNull() {
		return cty.NullVal(sh.implied), true
	}
	at := func(name string) cty.Path {
		return append(path[:len(path):len(path)], cty.GetAttrStep{Name: name})
	}
	before := len(*errs)
	given := config.Type().AttributeTypes()
	declared := 0    // attributes of config the schema declares
	changed := false // whether vals differs from config
	vals := sh.scratch()
	for i := range sh.attrs {
		a := &sh.attrs[i]
		ty, ok := given[a.name]
		v := a.absent
		if ok {
			declared++
			v = config.GetAttr(a.name)
		} else {
			changed = true
		}
		switch {
		case a.block != nil:
			if ok {
				var c bool
				v, c = a.block.coerce(v, at(a.name), errs)
				changed = changed || c
			} else if a.block.MinItems > 0 {
				*errs = append(*errs, at(a.name).NewErrorf("insufficient %q blocks: at least %d required, 0 given", a.name, a.block.MinItems))
			}
		case v.IsNull() && a.Required:
			*errs = append(*errs, at(a.name).NewErrorf("attribute %q is required", a.name))
		case !v.IsNull() && v.IsKnown() && a.computedOnly && len(path) == 0:
			// Only at the top level: inside a block, lifecycle
			// ignore_changes hands the prior block, computed values
			// and all, back as configuration.
			*errs = append(*errs, at(a.name).NewErrorf("attribute %q is computed and cannot be set", a.name))
		}
		// convert.Convert returns a value already of the type as it is
		// (this is its own test), so only a value of another type is
		// converted, and changes the object.
		if ok && a.block == nil && !ty.Equals(a.vt) {
			cv, err := convert.Convert(v, a.Type)
			if err != nil {
				*errs = append(*errs, at(a.name).NewErrorf("attribute %q: %s", a.name, err))
				continue
			}
			v, changed = cv, true
		}
		if plan != nil {
			var replaced bool
			v, replaced = plan(a, v)
			changed = changed || replaced
		}
		vals[a.name] = v
	}
	if declared < len(given) {
		for name := range given {
			if !sh.declares(name) {
				*errs = append(*errs, at(name).NewErrorf("attribute %q is not supported", name))
			}
		}
	}
	var coerced cty.Value
	switch {
	case len(*errs) > before:
	case changed:
		coerced = cty.ObjectVal(vals)
	default:
		coerced = config
	}
	sh.vals.Put(vals)
	return coerced, changed
}

// RequiresReplace lists the force-new attributes whose planned value differs
// from the prior one, or may differ because it is not yet known, sorted by
// name: top-level attributes, nested blocks with a force-new attribute
// inside, and, when the planned object sets EnableForceNewAttribute to
// "true" (or leaves it unset and the schema has ForceNewEnabled), the
// NonUpdatable keys that change. A non-empty result means the
// resource must be replaced rather than updated. With a null or unknown
// prior or planned value (a create or a delete) it returns nil.
func (s Schema) RequiresReplace(prior, planned cty.Value) []cty.Path {
	if !isObject(prior) || !isObject(planned) {
		return nil
	}
	var paths []cty.Path
	sh := s.shape()
	for i := range sh.attrs {
		a := &sh.attrs[i]
		switch {
		case a.ForceNew:
			eq := attr(prior, a.name).Equals(attr(planned, a.name))
			if !eq.IsKnown() || eq.False() {
				paths = append(paths, cty.GetAttrPath(a.name))
			}
		case a.block != nil && a.block.replaces(attr(prior, a.name), attr(planned, a.name)):
			paths = append(paths, cty.GetAttrPath(a.name))
		}
	}
	if s.forceNew(planned) {
		for _, key := range s.changedKeys(prior, planned, true) {
			paths = appendKeyPath(paths, key)
		}
	}
	return paths
}

// EnableForceNewAttribute is the attribute by which a huaweicloud resource
// asks for its NonUpdatable keys to force a replacement instead of failing
// the plan.
const EnableForceNewAttribute = "enable_force_new"

// UpdateError is the provider's refusal of an in-place update that changes
// a NonUpdatable key: "<key> can't be updated", wrapping ErrInvalidConfig.
// It is nil when no such key changes, or when the planned object sets
// EnableForceNewAttribute to "true", or leaves it unset and the schema has
// ForceNewEnabled (RequiresReplace then replaces the resource). A key whose planned value is not yet known is not refused.
func (s Schema) UpdateError(prior, planned cty.Value) error {
	if len(s.NonUpdatable) == 0 || !isObject(prior) || !isObject(planned) || s.forceNew(planned) {
		return nil
	}
	var errs []error
	for _, key := range s.changedKeys(prior, planned, false) {
		errs = append(errs, fmt.Errorf("%s can't be updated, %s -> %s", key,
			describeValue(keyValue(prior, key)), describeValue(keyValue(planned, key))))
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrInvalidConfig, errors.Join(errs...))
}

// changedKeys lists the NonUpdatable keys whose value differs between
// prior and planned; with unknown set, also those that may differ.
func (s Schema) changedKeys(prior, planned cty.Value, unknown bool) []string {
	var out []string
	for _, key := range s.NonUpdatable {
		eq := keyValue(prior, key).Equals(keyValue(planned, key))
		if (!eq.IsKnown() && unknown) || (eq.IsKnown() && eq.False()) {
			out = append(out, key)
		}
	}
	return out
}

// forceNew reports whether the NonUpdatable keys force a replacement, as
// the huaweicloud provider decides it: by the resource's own
// enable_force_new when it sets one ("true", "false", as strconv.ParseBool
// reads it; anything else is false), else by the provider's
// (ForceNewEnabled).
func (s Schema) forceNew(planned cty.Value) bool {
	v := attr(planned, EnableForceNewAttribute)
	if v.IsKnown() && !v.IsNull() && v.Type() == cty.String && v.AsString() != "" {
		on, err := strconv.ParseBool(v.AsString())
		return err == nil && on
	}
	return s.ForceNewEnabled
}

// appendKeyPath adds the top-level attribute of a key to paths, once and
// in order.
func appendKeyPath(paths []cty.Path, key string) []cty.Path {
	name, _, _ := strings.Cut(key, ".")
	for _, p := range paths {
		if p[0].(cty.GetAttrStep).Name == name {
			return paths
		}
	}
	paths = append(paths, cty.GetAttrPath(name))
	slices.SortFunc(paths, func(a, b cty.Path) int {
		return strings.Compare(a[0].(cty.GetAttrStep).Name, b[0].(cty.GetAttrStep).Name)
	})
	return paths
}

// describeValue renders a value for a message: a quoted string, a number,
// or its type.
func describeValue(v cty.Value) string {
	switch {
	case v.IsNull():
		return "null"
	case !v.IsKnown():
		return "(known after apply)"
	case v.Type() == cty.String:
		return strconv.Quote(v.AsString())
	case v.Type() == cty.Number:
		return v.AsBigFloat().Text('f', -1)
	case v.Type() == cty.Bool:
		return strconv.FormatBool(v.True())
	}
	return v.Type().FriendlyName()
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
