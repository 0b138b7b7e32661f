package plan

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/template"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

const opMake = "plan.Make"

// planner holds one run of Make. Its phases (refresh, walk, state
// changes) run one after the other; within the walk, instances are planned
// concurrently (walk.go): the caches are filled before it and only read
// during it, and what instances share is guarded by mu.
type planner struct {
	cfg       *template.Config
	prior     State
	providers Providers
	opts      Options

	providerCache map[string]providerEntry // by provider configuration address
	schemaCache   map[schemaKey]*schemaEntry
	remote        map[string]remoteObject // refreshed objects by address
	vals          *values                 // safe for concurrent use

	mu       sync.Mutex
	planned  map[string]*Change // the change to make, by address; guarded by mu
	depsMemo map[depsKey]bool   // dependsOnChange answers; guarded by mu

	// What the template's moved and removed blocks do (moves.go): the
	// first address of every object a move renamed, by its new address,
	// and the objects forgotten; both nil when there are none.
	moved    map[string]string
	forget   map[string]bool
	warnings []Warning

	diags hcl.Diagnostics // template evaluation errors, in address order
	errs  []error         // every other problem, in address order
}

func newPlanner(cfg *template.Config, prior State, providers Providers, opts Options) *planner {
	if opts.Parallelism <= 0 {
		opts.Parallelism = 10
	}
	return &planner{
		cfg: cfg, prior: prior, providers: providers, opts: opts,
		providerCache: map[string]providerEntry{},
		schemaCache:   map[schemaKey]*schemaEntry{},
	}
}

// run plans everything and assembles the Plan.
func (p *planner) run(ctx context.Context) (*Plan, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if p.cfg == nil && !p.opts.Destroy {
		return nil, formation.Errorf(formation.CodeInvalidParameter, opMake, "", "no template to plan: cfg is nil and Options.Destroy is not set")
	}
	if !p.opts.Destroy {
		p.refactor()
	}
	if p.opts.Refresh {
		if err := p.refresh(ctx); err != nil {
			return nil, err
		}
	}
	var fromConfig []*Change // in template.CompareAddrs order
	if !p.opts.Destroy {
		var err error
		if fromConfig, err = p.walk(ctx); err != nil {
			return nil, err
		}
		p.checkOutputs(ctx)
	}
	fromState := p.stateChanges()
	if err := p.err(); err != nil {
		return nil, err
	}
	plan := &Plan{Changes: mergeChanges(fromConfig, fromState), Warnings: p.warnings}
	if p.moved != nil {
		for _, c := range plan.Changes {
			c.PrevAddr = p.moved[c.Addr]
		}
	}
	plan.Summary = summarize(plan.Changes)
	return plan, nil
}

// checkOutputs evaluates the outputs with the planned values, once every
// instance planned: an output Terraform would refuse at plan (one that
// refers to sensitive values without sensitive = true, an invalid
// reference) is refused before anything is applied. What is not known
// yet is checked at apply.
func (p *planner) checkOutputs(ctx context.Context) {
	if p.diags.HasErrors() || len(p.errs) > 0 {
		return
	}
	_, diags := p.cfg.Outputs(ctx, p.vals)
	p.diags = append(p.diags, errorsOnly(diags)...)
}

// stateChanges plans what the state has and the template has not (every
// recorded resource when destroying), and every deposed object, sorted.
func (p *planner) stateChanges() []*Change {
	reason := "removed from the template"
	if p.opts.Destroy {
		reason = "the stack is being deleted"
	}
	var recs []*Resource
	for addr, rec := range p.prior {
		if rec != nil && rec.Mode != formation.ModeData &&
			(p.opts.Destroy || p.cfg.Instance(addr) == nil || len(rec.Deposed) > 0) {
			recs = append(recs, rec)
		}
	}
	slices.SortFunc(recs, func(a, b *Resource) int { return template.CompareAddrs(a.Addr, b.Addr) })
	var out []*Change
	for _, rec := range recs {
		if p.forget[rec.Addr] {
			if ch := p.planForget(rec); ch != nil {
				out = append(out, ch)
			}
			continue
		}
		if p.opts.Destroy || p.cfg.Instance(rec.Addr) == nil {
			why := reason
			if prev := p.moved[rec.Addr]; prev != "" && !p.opts.Destroy {
				why = prev + " was moved to " + rec.Addr + ", which is not in the template"
			}
			out = append(out, p.planDelete(rec, why)...)
		}
		out = append(out, p.planDeposed(rec)...)
	}
	return out
}

// planDelete plans deleting a recorded resource: a DELETE, preceded by a
// drifted change when a refresh found it changed, or only a drifted DELETE
// when it is already gone.
func (p *planner) planDelete(rec *Resource, reason string) []*Change {
	prov, ok := p.provider(rec.ProviderName, rec.ProviderAlias, rec.Addr, rec.Type)
	if !ok {
		return nil
	}
	se := p.schemaFor(prov, rec.ProviderName, rec.ProviderAlias, rec.Type)
	base := rec.Value
	var out []*Change
	if d := p.drift(rec, se); d != nil {
		out = append(out, d)
		if d.Action == formation.ActionDelete {
			return out // nothing left to delete
		}
		base = d.After
	}
	ch := p.stateChange(rec, se)
	ch.Action, ch.Reason = formation.ActionDelete, reason
	ch.Before, ch.After = base, nullOf(base)
	ch.ResourceID = rec.ID
	if rec.PreventDestroy {
		p.errs = append(p.errs, preventDestroyError(rec.Addr, "destroy", reason))
	}
	return append(out, ch)
}

// planDeposed plans deleting the deposed objects of a recorded resource.
// prevent_destroy does not apply to them: the replacement that deposed
// them was allowed.
func (p *planner) planDeposed(rec *Resource) []*Change {
	if len(rec.Deposed) == 0 {
		return nil
	}
	prov, ok := p.provider(rec.ProviderName, rec.ProviderAlias, rec.Addr, rec.Type)
	if !ok {
		return nil
	}
	se := p.schemaFor(prov, rec.ProviderName, rec.ProviderAlias, rec.Type)
	deposed := slices.Clone(rec.Deposed)
	slices.SortFunc(deposed, func(a, b Deposed) int { return cmp.Compare(a.ID, b.ID) })
	out := make([]*Change, 0, len(deposed))
	for _, d := range deposed {
		ch := p.stateChange(rec, se)
		ch.Action = formation.ActionDelete
		ch.Reason = "deposed object left by an unfinished create_before_destroy replacement"
		ch.Before, ch.After = d.Value, nullOf(d.Value)
		ch.ResourceID, ch.Deposed = d.ID, d.ID
		if !se.declared {
			ch.Schema = provider.InferSchema(d.Value)
		}
		out = append(out, ch)
	}
	return out
}

// stateChange is a change for a recorded resource with the fields the state
// gives.
func (p *planner) stateChange(rec *Resource, se *schemaEntry) *Change {
	ch := &Change{
		Addr: rec.Addr, Mode: formation.ModeResource, Type: rec.Type, Name: rec.Name, Key: rec.Key,
		ProviderName: rec.ProviderName, ProviderAlias: rec.ProviderAlias,
		Dependencies:        rec.Dependencies,
		CreateBeforeDestroy: rec.CreateBeforeDestroy, PreventDestroy: rec.PreventDestroy,
		Sensitive: withPaths(se.sensitive, rec.Sensitive), Schema: se.schema, Inferred: !se.declared,
	}
	if !se.declared {
		ch.Schema = provider.InferSchema(rec.Value)
	}
	return ch
}

// err is every problem found, as one error; nil when there is none.
func (p *planner) err() error {
	errs := p.errs
	if p.diags.HasErrors() {
		errs = append([]error{p.cfg.DiagnosticsError(opMake, "", p.diags)}, errs...)
	}
	return joinErrors(errs)
}

// mergeChanges merges two lists sorted by address; on equal addresses the
// template's changes (drifted, then the change) come before the state's
// (deposed objects).
func mergeChanges(a, b []*Change) []*Change {
	if len(b) == 0 {
		return a
	}
	out := make([]*Change, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if template.CompareAddrs(a[i].Addr, b[j].Addr) <= 0 {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// summarize counts the changes to make.
func summarize(changes []*Change) formation.PlanSummary {
	var s formation.PlanSummary
	for _, c := range changes {
		if c.Drifted || c.Mode == formation.ModeData {
			continue
		}
		switch c.Action {
		case formation.ActionAdd:
			s.ResourceAdd++
		case formation.ActionUpdate:
			s.ResourceUpdate++
		case formation.ActionDelete:
			s.ResourceDelete++
		case formation.ActionDeleteThenAdd, formation.ActionAddThenDelete:
			s.ResourceAdd++
			s.ResourceDelete++
		}
		if c.Imported {
			s.ResourceImport++
		}
	}
	return s
}

// nullOf is a null of v's type (or of any type when v is missing).
func nullOf(v cty.Value) cty.Value {
	if v == cty.NilVal {
		return cty.NullVal(cty.DynamicPseudoType)
	}
	return cty.NullVal(v.Type())
}
