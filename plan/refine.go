package plan

import (
	"slices"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider"
	"github.com/zclconf/go-cty/cty"
)

// Refine plans an ADD, UPDATE or replacement again at apply time, from the
// instance's configuration evaluated with the values the changes it
// depends on produced, and returns the value to send to the provider: the
// Config of a Create (ADD and replacements) or the Planned value of an
// Update. It applies ignore_changes and the schema as Make did, and checks
// that the result agrees with After wherever After was known: a value that
// changed between plan and apply (a non-deterministic function, a data
// source that moved) is a CodeInvalidTemplate *formation.Error naming the
// attribute. For any other action it returns After.
func (c *Change) Refine(config cty.Value) (cty.Value, error) {
	const op = "plan.Refine"
	switch c.Action {
	case formation.ActionAdd, formation.ActionUpdate, formation.ActionDeleteThenAdd, formation.ActionAddThenDelete:
	default:
		return c.After, nil
	}
	config = unmarked(config)
	if len(c.IgnoreChanges) > 0 && isObject(c.Before) {
		config = applyIgnore(config, c.Before, c.IgnoreChanges)
	}
	schema := c.Schema
	if c.Inferred && !inferredFrom(schema, config) {
		schema = provider.InferSchema(config)
	}
	var v cty.Value
	var err error
	if c.Action == formation.ActionUpdate {
		v, err = schema.PlannedUpdate(c.Before, config)
	} else {
		v, err = schema.PlannedValue(config)
	}
	if err == nil {
		v = keepPlanned(c.After, config, v)
	}
	if err != nil {
		return cty.NilVal, &formation.Error{Code: formation.CodeInvalidTemplate, Op: op, Resource: c.Addr, Err: err}
	}
	if err := conforms(c.After, v, nil); err != nil {
		return cty.NilVal, &formation.Error{Code: formation.CodeInvalidTemplate, Op: op, Resource: c.Addr,
			Message: "the configuration changed between plan and apply", Err: err}
	}
	return v, nil
}

// inferredFrom reports whether s is what provider.InferSchema(config)
// gives, so that Refine, called for every operation, reuses the schema
// inferred at plan time instead of building the same one again: the
// configuration at apply time mostly has the type it had when planned.
func inferredFrom(s provider.Schema, config cty.Value) bool {
	if s.IDAttribute != "" || !isObject(config) {
		return false
	}
	given := config.Type().AttributeTypes()
	_, hasID := given[provider.DefaultIDAttribute]
	n := len(given) // config's attributes, and the id
	if !hasID {
		n++
	}
	if len(s.Attributes) != n {
		return false
	}
	for name, a := range s.Attributes {
		want := provider.Attribute{Type: cty.String, Optional: hasID, Computed: true}
		if name != provider.DefaultIDAttribute {
			ty, ok := given[name]
			if !ok {
				return false
			}
			want = provider.Attribute{Type: ty, Optional: true}
		}
		if !a.Type.Equals(want.Type) || a.Required != want.Required || a.Optional != want.Optional ||
			a.Computed != want.Computed || a.ForceNew != want.ForceNew || a.Sensitive != want.Sensitive {
			return false
		}
	}
	return true
}

// Applied returns the Resource a state records once the change was applied
// and the provider returned the object value with physical id: the change's
// address, labels, provider, dependencies and lifecycle settings. (The
// executor keeps a recorded Imported flag across later deployments itself.)
func (c *Change) Applied(id string, value cty.Value) *Resource {
	return &Resource{
		Addr: c.Addr, Mode: c.Mode, Type: c.Type, Name: c.Name, Key: c.Key,
		ProviderName: c.ProviderName, ProviderAlias: c.ProviderAlias,
		ID: id, Value: value, Dependencies: slices.Clone(c.Dependencies),
		PreventDestroy: c.PreventDestroy, CreateBeforeDestroy: c.CreateBeforeDestroy,
		Imported: c.Imported,
	}
}

// conforms checks that final agrees with planned wherever planned is known.
func conforms(planned, final cty.Value, path cty.Path) error {
	switch {
	case planned == cty.NilVal || !planned.IsKnown():
		return nil
	case final == cty.NilVal || !final.IsKnown():
		return mismatch(path, planned, final)
	case planned.IsNull() || final.IsNull():
		if planned.IsNull() != final.IsNull() {
			return mismatch(path, planned, final)
		}
		return nil
	}
	ty := planned.Type()
	switch {
	case ty.IsObjectType() && final.Type().IsObjectType():
		for name := range ty.AttributeTypes() {
			p := append(slices.Clip(path), cty.GetAttrStep{Name: name})
			fv := attrValue(final, name)
			if err := conforms(planned.GetAttr(name), fv, p); err != nil {
				return err
			}
		}
		return nil
	case (ty.IsListType() || ty.IsTupleType() || ty.IsMapType()) && planned.LengthInt() == final.LengthInt() && !final.Type().IsSetType():
		for it := planned.ElementIterator(); it.Next(); {
			k, pv := it.Element()
			if !final.HasIndex(k).True() {
				return mismatch(path, planned, final)
			}
			if err := conforms(pv, final.Index(k), append(slices.Clip(path), cty.IndexStep{Key: k})); err != nil {
				return err
			}
		}
		return nil
	case ty.IsSetType() && !planned.IsWhollyKnown():
		return nil // elements of a set with unknowns cannot be matched up
	}
	if !sameValue(planned, final) {
		return mismatch(path, planned, final)
	}
	return nil
}

// mismatch is the error for a value at path that differs from its plan.
func mismatch(path cty.Path, planned, final cty.Value) error {
	return path.NewErrorf("attribute %s was planned as %s but is now %s", formatPath(path), render(planned), render(final))
}

// render writes a value for an error message.
func render(v cty.Value) string {
	switch {
	case isNull(v):
		return "null"
	case v.IsKnown() && v.Type() == cty.String:
		return quote(v.AsString())
	}
	return itemValue(v, nil, nil)
}

// keepPlanned keeps the computed attributes a provider's PlanModifier
// planned: unknown where the plan left them unknown (terraform_data's
// output when its input changes), where PlannedUpdate alone would keep
// their prior values; known where the plan knew them (terraform_data's
// output is null when its input is), where PlannedValue alone makes every
// computed attribute unknown. config leaves them null; an attribute it
// sets is its own.
func keepPlanned(after, config, v cty.Value) cty.Value {
	if !isObject(after) || !isObject(v) || !isObject(config) {
		return v
	}
	var m map[string]cty.Value
	for name := range after.Type().AttributeTypes() {
		a := after.GetAttr(name)
		if !v.Type().HasAttribute(name) || a.IsKnown() == v.GetAttr(name).IsKnown() {
			continue
		}
		if config.Type().HasAttribute(name) && !config.GetAttr(name).IsNull() {
			continue
		}
		if m == nil {
			m = v.AsValueMap()
		}
		if m[name] = a; !a.IsKnown() {
			m[name] = cty.UnknownVal(v.GetAttr(name).Type())
		}
	}
	if m == nil {
		return v
	}
	return cty.ObjectVal(m)
}
