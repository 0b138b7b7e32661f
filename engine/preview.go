package engine

import (
	"context"

	"github.com/zclconf/go-cty/cty"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/template"
)

// PreviewRequest is the input of the offline Preview.
type PreviewRequest struct {
	// TemplateInput is the template and its variables.
	TemplateInput
	// Prior is the state to plan against; nil plans against nothing, so
	// every resource is an ADD.
	Prior plan.State
	// Refresh reads Prior's resources through their providers first.
	Refresh bool
	// Providers and DefaultProvider serve provider names as in Config.
	Providers       *provider.Registry
	DefaultProvider provider.Provider
	// TemplateLimits replaces RFS's template limits, as in Config.
	TemplateLimits *template.Limits
	// Clock is what timestamp() reads (nil: the wall clock).
	Clock formation.Clock
}

// Preview plans a template with no engine, no store and no file system: a
// reviewable plan of what deploying it would do. Providers are only read
// (data sources, and a refresh when asked); nothing is created, changed or
// written. Render the plan with its WriteText, MarshalJSON or Items.
func Preview(ctx context.Context, req PreviewRequest) (*plan.Plan, error) {
	const op = "engine.Preview"
	if err := req.TemplateInput.check(op, true); err != nil {
		return nil, err
	}
	clock := req.Clock
	if clock == nil {
		clock = formation.RealClock{}
	}
	e := &Engine{cfg: Config{Providers: req.Providers, DefaultProvider: req.DefaultProvider, TemplateLimits: req.TemplateLimits}, clock: clock}
	src, err := e.sourceOf(op, req.TemplateInput)
	if err != nil {
		return nil, err
	}
	return e.makeOfflinePlan(ctx, src, req.Prior, req.Refresh)
}

// PreviewStackRequest is PreviewStack's input: a stack and the template and
// variables to plan against its resources.
type PreviewStackRequest struct {
	StackRef
	TemplateInput
}

// PreviewStack plans a template against a stored stack's resources, as
// CreateExecutionPlan would, without storing anything: no plan, no events.
func (e *Engine) PreviewStack(ctx context.Context, req PreviewStackRequest) (*plan.Plan, error) {
	const op = "engine.PreviewStack"
	if err := req.StackRef.validate(op); err != nil {
		return nil, err
	}
	if err := req.TemplateInput.check(op, true); err != nil {
		return nil, err
	}
	src, err := e.sourceOf(op, req.TemplateInput)
	if err != nil {
		return nil, err
	}
	var prior plan.State
	err = e.view(ctx, op, func(tx store.Tx) error {
		rec, err := loadStack(tx, op, req.StackRef)
		if err != nil {
			return err
		}
		_, prior, err = loadState(tx, rec.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return e.makeOfflinePlan(ctx, src, prior, true)
}

// makeOfflinePlan loads a source and plans it against prior.
func (e *Engine) makeOfflinePlan(ctx context.Context, src *templateSource, prior plan.State, refresh bool) (*plan.Plan, error) {
	tpl, err := e.parse(src)
	if err != nil {
		return nil, err
	}
	cfg, err := e.expandWith(ctx, tpl, src, e.previewRead)
	if err != nil {
		return nil, err
	}
	provs, err := e.configureProviders(ctx, cfg, template.ValuesFunc(func(addr string) cty.Value {
		if r := prior[addr]; r != nil {
			return r.Value
		}
		return cty.DynamicVal
	}))
	if err != nil {
		return nil, formation.ContextError("engine.configureProviders", err)
	}
	p, err := plan.Make(ctx, cfg, prior, provs, plan.Options{Refresh: refresh && len(prior) > 0, Parallelism: e.cfg.Parallelism})
	if err != nil {
		return nil, formation.ContextError("plan.Make", err)
	}
	return p, nil
}
