package plan

import (
	"context"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/template"
	"github.com/zclconf/go-cty/cty"
)

// planData plans one data source instance: always NO_OPERATION, with the
// value Expand read (Instance.DataResult), or read now when its
// configuration is wholly known and nothing it depends on changes, or
// unknown when it can only be read during apply. It returns nil when the
// instance cannot be planned (the problem is recorded in s).
func (p *planner) planData(ctx context.Context, inst *template.Instance, s *slot) *Change {
	ch := &Change{
		Addr: inst.Addr, Mode: formation.ModeData, Type: inst.Type, Name: inst.Name, Key: inst.Key,
		ProviderName: inst.ProviderName, ProviderAlias: inst.ProviderAlias,
		Action: formation.ActionNoOperation, Dependencies: inst.DependsOn,
		Before: cty.NullVal(cty.DynamicPseudoType), Inferred: true,
	}
	if inst.DataResult != cty.NilVal {
		ch.After, ch.Sensitive = template.SensitivePaths(inst.DataResult)
		return ch
	}
	config, diags := p.cfg.Evaluate(ctx, inst, p.vals)
	if diags.HasErrors() {
		s.diags = errorsOnly(diags)
		return nil
	}
	config, ch.Sensitive = template.SensitivePaths(config)
	prov, ok := p.provider(inst.ProviderName, inst.ProviderAlias, inst.Addr, inst.Type)
	if !ok {
		return nil
	}
	switch {
	case !config.IsWhollyKnown():
		ch.Reason = reasonReadUnknown
		return deferredRead(ch, prov, config)
	case p.dependsOnChange(inst.DependsOn):
		// What it reads may be what the deployment changes.
		ch.Reason = reasonReadDepends
		return deferredRead(ch, prov, config)
	}
	reader, ok := prov.(provider.DataSourceReader)
	if !ok {
		s.fail(formation.Errorf(formation.CodeInvalidTemplate, opMake, inst.Addr,
			"provider %q cannot read data sources", inst.ProviderName))
		return nil
	}
	w := providerCall(ctx)
	resp, err := reader.ReadDataSource(ctx, provider.ReadDataSourceRequest{TypeName: inst.Type, Address: inst.Addr, Config: config})
	w.done()
	if err == nil && (!isObject(unmarked(resp.State)) || !resp.State.IsWhollyKnown()) {
		err = formation.Errorf(formation.CodeInternal, opMake, inst.Addr, "the provider read the data source as %s, not a known object", describe(resp.State))
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil // the walk returns ctx.Err()
		}
		s.fail(&formation.Error{Code: formation.CodeInvalidTemplate, Op: opMake, Resource: inst.Addr,
			Message: "reading the data source failed", Err: err})
		return nil
	}
	ch.After = unmarked(resp.State)
	ch.Schema = provider.InferSchema(ch.After)
	return ch
}

// deferredRead completes ch, a data source read during apply: its value
// until then is what Terraform plans for it, the configuration with every
// attribute the read computes unknown (the data source's schema says
// which; without one, the id).
func deferredRead(ch *Change, prov provider.Provider, config cty.Value) *Change {
	ch.After = cty.DynamicVal
	if planned, err := provider.DataSourceSchemaOf(prov, ch.Type, config).PlannedValue(config); err == nil {
		ch.After = planned
	}
	return ch
}

// Why a data source is read during apply.
const (
	reasonReadUnknown = "read during apply: its configuration depends on values known only after apply"
	reasonReadDepends = "read during apply: it depends on resources the deployment changes"
)

// depsKey identifies a dependency list: instances of one block share the
// slice.
type depsKey struct {
	first *string
	n     int
}

// dependsOnChange reports whether any of deps is a managed resource with a
// planned change, remembering the answer per shared dependency list.
func (p *planner) dependsOnChange(deps []string) bool {
	if len(deps) == 0 {
		return false
	}
	k := depsKey{&deps[0], len(deps)}
	p.mu.Lock()
	defer p.mu.Unlock()
	if v, ok := p.depsMemo[k]; ok {
		return v
	}
	changed := false
	for _, d := range deps {
		if c := p.planned[d]; c != nil && c.Mode == formation.ModeResource && c.Action != formation.ActionNoOperation {
			changed = true
			break
		}
	}
	if p.depsMemo == nil {
		p.depsMemo = map[depsKey]bool{}
	}
	p.depsMemo[k] = changed
	return changed
}
