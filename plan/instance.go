package plan

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/template"
	"github.com/zclconf/go-cty/cty"
)

// Reasons (RFS action_reason) the planner gives.
const (
	reasonNew            = "new resource in the template"
	reasonRemoved        = "removed from the template"
	reasonDeletedOutside = "resource was deleted outside Formation"
)

// planManaged plans one managed resource instance. It returns nil when the
// instance cannot be planned (the problem is recorded in s); a drifted
// change is recorded in s.drift.
func (p *planner) planManaged(ctx context.Context, inst *template.Instance, s *slot) *Change {
	prov, ok := p.provider(inst.ProviderName, inst.ProviderAlias, inst.Addr, inst.Type)
	if !ok {
		return nil
	}
	config, diags := p.cfg.Evaluate(ctx, inst, p.vals)
	if diags.HasErrors() {
		s.diags = errorsOnly(diags)
		return nil
	}
	config, marked := template.SensitivePaths(config)
	se := p.schemaFor(prov, inst.ProviderName, inst.ProviderAlias, inst.Type)
	if se.err != nil {
		p.refused(s, inst, se.err)
		return nil
	}
	ch := &Change{
		Addr: inst.Addr, Mode: formation.ModeResource, Type: inst.Type, Name: inst.Name, Key: inst.Key,
		ProviderName: inst.ProviderName, ProviderAlias: inst.ProviderAlias,
		Dependencies:        inst.DependsOn,
		CreateBeforeDestroy: inst.Lifecycle.CreateBeforeDestroy, PreventDestroy: inst.Lifecycle.PreventDestroy,
		Sensitive: withPaths(se.sensitive, marked), Inferred: !se.declared,
	}

	// base is the object the change starts from: the recorded one (or the
	// remote one after a refresh), or the one an import reads.
	base, baseID := cty.NilVal, ""
	deletedOutside := false
	var recorded cty.Value
	if rec := p.prior[inst.Addr]; rec != nil && rec.Mode != formation.ModeData {
		base, baseID, recorded = rec.Value, rec.ID, rec.Value
		ch.Sensitive = withPaths(ch.Sensitive, rec.Sensitive) // what was sensitive before stays hidden
		if d := p.drift(rec, se); d != nil {
			s.drift = d
			if d.Action == formation.ActionDelete {
				base, baseID, deletedOutside = cty.NilVal, "", true
			} else {
				base = d.After
			}
		}
	} else if inst.ImportID != "" {
		v, err := p.importObject(ctx, prov, inst)
		if err != nil {
			s.fail(err)
			return nil
		}
		base, baseID, recorded = v, idOf(v, se.schema.IDKey()), v
		if baseID == "" {
			baseID = inst.ImportID
		}
		ch.Imported, ch.ImportID = true, inst.ImportID
	}

	// written is the configuration as the template writes it, when
	// ignore_changes replaces parts of config: the provider validates what
	// is written, as Terraform's ValidateResourceConfig does, not the
	// prior values ignore_changes keeps (computed ones included).
	written := cty.NilVal
	if base != cty.NilVal {
		ch.IgnoreChanges = ignorePaths(inst.Lifecycle, se, base, config)
		if len(ch.IgnoreChanges) > 0 {
			written, config = config, applyIgnore(config, base, ch.IgnoreChanges)
		}
	}
	schema := se.schema
	if !se.declared {
		schema = se.infer(config)
	}
	ch.Schema = schema

	// Validate, the schema's rules between arguments and the planning
	// helpers get the configuration coerced to the schema (every
	// attribute, null when unset, converted), as Terraform hands
	// configurations to its providers; converting it again costs them
	// nothing. A create plans it in the same pass, and builds it only for
	// a provider.Validator or rules to check that cannot read the
	// configuration as written (schemaEntry.rawRules): the planned object
	// is all it needs otherwise, and building each costs as much as the
	// rest of planning a resource with many attributes.
	validator, validates := prov.(provider.Validator)
	rawRules := se.declared && se.rawRules
	var coerced, after cty.Value
	var err error
	switch {
	case base == cty.NilVal && (validates || len(schema.Constraints) > 0 && !rawRules):
		coerced, after, err = schema.CoercePlanned(config)
	case base == cty.NilVal:
		after, err = schema.PlannedValue(config)
	default:
		coerced, err = schema.Coerce(config)
	}
	if err == nil && base == cty.NilVal {
		after, err = provider.ModifyPlanOf(prov, inst.Type, cty.NullVal(after.Type()), after)
	}
	if err != nil {
		p.refused(s, inst, err)
		return nil
	}
	// The provider checks the configuration as written, as Terraform's
	// ValidateResourceConfig does, not the prior values ignore_changes
	// keeps; and so do the schema's rules between arguments.
	checked := coerced
	if checked == cty.NilVal && written == cty.NilVal && rawRules {
		checked = config
	}
	if written != cty.NilVal || (checked == cty.NilVal && len(schema.Constraints) > 0) {
		src := config
		if written != cty.NilVal {
			src = written
		}
		if checked, err = schema.Coerce(src); err != nil {
			p.refused(s, inst, err)
			return nil
		}
	}
	if validates && !p.validate(ctx, s, validator, inst, checked) {
		return nil
	}
	if err := schema.CheckConstraints(checked); err != nil {
		p.refused(s, inst, err)
		return nil
	}
	if base == cty.NilVal {
		ch.Action, ch.Before, ch.After = formation.ActionAdd, cty.NullVal(after.Type()), after
		ch.Reason = reasonNew
		if deletedOutside {
			ch.Reason = reasonDeletedOutside
		}
		return ch
	}

	ch.Before, ch.ResourceID = base, baseID
	trigger := p.triggeredBy(inst)
	if trigger == "" && unchanged(schema, coerced, base) {
		// The common case of a re-plan, without building the planned
		// object: it would be base itself.
		ch.Action, ch.After = formation.ActionNoOperation, base
		if ch.Imported {
			ch.Reason = importReason(ch.ImportID, "", nil)
		}
		return ch
	}
	planned, err := schema.PlannedUpdate(base, coerced)
	if err == nil {
		planned, err = provider.ModifyPlanOf(prov, inst.Type, base, planned)
	}
	if err != nil {
		s.invalid(inst.Addr, err)
		return nil
	}
	replace := schema.RequiresReplace(base, planned)
	switch {
	case len(replace) > 0 || trigger != "":
		after, err := schema.PlannedValue(coerced)
		if err == nil {
			after, err = provider.ModifyPlanOf(prov, inst.Type, cty.NullVal(after.Type()), after)
		}
		if err != nil {
			s.invalid(inst.Addr, err)
			return nil
		}
		ch.After, ch.RequiresReplace = after, replace
		ch.Action = se.order.Action()
		if inst.Lifecycle.CreateBeforeDestroy {
			ch.Action = formation.ActionAddThenDelete
		}
		if trigger != "" {
			ch.Reason = "replace_triggered_by " + trigger
		} else {
			ch.Reason = "force-new " + attrPhrase(pathNames(replace)) + " changed"
		}
		if inst.Lifecycle.PreventDestroy {
			s.fail(preventDestroyError(inst.Addr, "replace", ch.Reason))
		}
	case sameValue(planned, base):
		ch.Action, ch.After = formation.ActionNoOperation, base
	default:
		if err := schema.UpdateError(base, planned); err != nil {
			s.invalid(inst.Addr, err)
			return nil
		}
		ch.Action, ch.After = formation.ActionUpdate, planned
		ch.Reason = updateReason(recorded, base, planned)
	}
	if ch.Imported {
		ch.Reason = importReason(ch.ImportID, ch.Reason, changedAttrs(base, ch.After))
	}
	return ch
}

// unchanged reports whether schema.PlannedUpdate(prior, config) would be
// prior itself: prior has exactly the schema's attributes, each of the
// type config (a coerced configuration) has, and config sets each to
// prior's value or leaves a computed one null (which keeps the prior
// value). It spares the re-plan of an unchanged resource building the
// planned object only to find it equal.
func unchanged(schema provider.Schema, config, prior cty.Value) bool {
	if !isObject(config) || !isObject(prior) {
		return false
	}
	pty, cfgType := prior.Type(), config.Type()
	if len(pty.AttributeTypes()) != len(schema.Attributes) {
		return false
	}
	for name, a := range schema.Attributes {
		if !pty.HasAttribute(name) || !cfgType.HasAttribute(name) {
			return false
		}
		cv, pv := config.GetAttr(name), prior.GetAttr(name)
		switch {
		case !cv.Type().Equals(pv.Type()):
			return false
		case a.Computed && cv.IsKnown() && cv.IsNull():
		case !cv.RawEquals(pv):
			return false
		}
	}
	return true
}

// validate runs the provider's own checks (provider.Validator), recording
// a refusal; it reports whether the configuration passed.
func (p *planner) validate(ctx context.Context, s *slot, v provider.Validator, inst *template.Instance, config cty.Value) bool {
	w := providerCall(ctx)
	err := v.Validate(ctx, provider.ValidateRequest{TypeName: inst.Type, Address: inst.Addr, Config: config})
	w.done()
	if err != nil {
		p.refused(s, inst, err)
		return false
	}
	return true
}

// invalid records a configuration the schema or the provider refuses; a
// nil err was recorded already.
func (s *slot) invalid(addr string, err error) {
	if err != nil {
		s.fail(&formation.Error{Code: formation.CodeInvalidTemplate, Op: opMake, Resource: addr, Err: err})
	}
}

// importObject reads the object an import block names.
func (p *planner) importObject(ctx context.Context, prov provider.Provider, inst *template.Instance) (cty.Value, error) {
	w := providerCall(ctx)
	resp, err := prov.Read(ctx, provider.ReadRequest{
		TypeName: inst.Type, Address: inst.Addr, ID: inst.ImportID, State: cty.NullVal(cty.DynamicPseudoType),
	})
	w.done()
	switch {
	case err != nil && ctx.Err() != nil:
		return cty.NilVal, ctx.Err()
	case errors.Is(err, provider.ErrNotFound):
		return cty.NilVal, &formation.Error{Code: formation.CodeInvalidTemplate, Op: opMake, Resource: inst.Addr,
			Message: "cannot import " + strconv.Quote(inst.ImportID) + ": no " + inst.Type + " has that id", Err: err}
	case err != nil:
		return cty.NilVal, &formation.Error{Code: formation.CodeInternal, Op: opMake, Resource: inst.Addr,
			Message: "reading the import target " + strconv.Quote(inst.ImportID) + " failed", Err: err}
	}
	v := unmarked(resp.State)
	if !isObject(v) || !v.IsWhollyKnown() {
		return cty.NilVal, formation.Errorf(formation.CodeInternal, opMake, inst.Addr,
			"the provider read import target %q as %s, not a known object", inst.ImportID, describe(v))
	}
	return v, nil
}

// triggeredBy returns what replace_triggered_by names that is being
// updated or replaced (with an attribute path: whose value at the path
// changes), as "address" or "address.path"; "" when nothing triggers.
func (p *planner) triggeredBy(inst *template.Instance) string {
	for _, t := range inst.Lifecycle.ReplaceTriggeredBy {
		c := p.plannedChange(t.Addr)
		if c == nil {
			continue
		}
		switch c.Action {
		case formation.ActionUpdate, formation.ActionDeleteThenAdd, formation.ActionAddThenDelete:
		default:
			continue
		}
		if len(t.Path) == 0 {
			return t.Addr
		}
		before, _ := getPath(c.Before, t.Path)
		after, _ := getPath(c.After, t.Path)
		if !sameValue(before, after) {
			return joinAddrPath(t.Addr, t.Path)
		}
	}
	return ""
}

// joinAddrPath writes an attribute of an instance: vpc.a.name, vpc.a.tags["x"].
func joinAddrPath(addr string, path cty.Path) string {
	s := formatPath(path)
	if strings.HasPrefix(s, "[") {
		return addr + s
	}
	return addr + "." + s
}

// updateReason explains an in-place update: which attributes the template
// changes, or which it sets back after they changed outside Formation.
func updateReason(recorded, base, planned cty.Value) string {
	changed := changedAttrs(base, planned)
	if len(changed) == 0 {
		return "attribute values known only after apply"
	}
	drifted := recorded != cty.NilVal
	for _, n := range changed {
		r := attrValue(recorded, n)
		a := attrValue(planned, n)
		if !sameValue(r, a) {
			drifted = false
			break
		}
	}
	if drifted {
		return attrPhrase(changed) + " changed outside Formation"
	}
	return attrPhrase(changed) + " changed in the template"
}

// importReason explains an import: the id, and what the template changes
// (the attributes an update sets, or the reason of a replacement).
func importReason(id, reason string, changed []string) string {
	s := "imported from id " + strconv.Quote(id)
	switch {
	case reason == "":
	case strings.HasSuffix(reason, "changed in the template") && len(changed) == 1:
		s += "; " + attrPhrase(changed) + " differs from the template"
	case strings.HasSuffix(reason, "changed in the template"):
		s += "; " + attrPhrase(changed) + " differ from the template"
	default:
		s += "; " + reason
	}
	return s
}

// changedAttrs lists the top-level attributes whose values differ (or may
// differ, being unknown) between two objects, sorted.
func changedAttrs(a, b cty.Value) []string {
	if !isObject(a) || !isObject(b) {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, v := range []cty.Value{a, b} {
		for n := range v.Type().AttributeTypes() {
			if seen[n] {
				continue
			}
			seen[n] = true
			av := attrValue(a, n)
			bv := attrValue(b, n)
			if !sameValue(av, bv) {
				out = append(out, n)
			}
		}
	}
	slices.Sort(out)
	return out
}

// pathNames formats paths for a reason.
func pathNames(paths []cty.Path) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = formatPath(p)
	}
	return out
}

// attrPhrase is "attribute a" or "attributes a, b" (at most five named).
func attrPhrase(names []string) string {
	if len(names) == 1 {
		return "attribute " + names[0]
	}
	if len(names) > 5 {
		return "attributes " + strings.Join(names[:5], ", ") + " and " + strconv.Itoa(len(names)-5) + " more"
	}
	return "attributes " + strings.Join(names, ", ")
}

// preventDestroyError is the error for a plan that would destroy or
// replace a resource with lifecycle.prevent_destroy.
func preventDestroyError(addr, verb, reason string) error {
	return formation.Errorf(formation.CodeInvalidTemplate, opMake, addr,
		"lifecycle.prevent_destroy is set, but the plan would %s it (%s); set prevent_destroy = false and deploy first to allow it", verb, reason)
}

// idOf is the string attribute key of object v, or "".
func idOf(v cty.Value, key string) string {
	id := attrValue(v, key)
	if id == cty.NilVal || id.IsNull() || !id.IsKnown() || id.Type() != cty.String {
		return ""
	}
	return id.AsString()
}
