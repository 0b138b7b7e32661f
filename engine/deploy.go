package engine

import (
	"context"
	"errors"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/fsm"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/template"
)

// DeployOptions tunes one deployment. The zero value uses the engine's
// defaults: Config.Parallelism, fail fast.
type DeployOptions struct {
	// Parallelism bounds the provider operations the deployment runs at
	// once (0: Config.Parallelism). Config.GlobalParallelism still bounds
	// all deployments together.
	Parallelism int `json:"parallelism,omitempty"`
	// KeepGoing keeps starting operations that do not depend on a failed
	// one. By default a deployment fails fast: after the first failure
	// nothing new starts, and the operations already running finish.
	KeepGoing bool `json:"keep_going,omitempty"`
}

func (o DeployOptions) validate(op string) error {
	if o.Parallelism < 0 {
		return formation.Errorf(formation.CodeInvalidParameter, op, "", "parallelism %d must not be negative", o.Parallelism)
	}
	return nil
}

// DeployStackRequest is DeployStack's input: the full template and
// variables (RFS deployments are never incremental).
type DeployStackRequest struct {
	StackRef
	TemplateInput
	Options DeployOptions `json:"-"`
}

// DeployStack deploys a template to a stack (spec §1.1): the stack turns
// DEPLOYMENT_IN_PROGRESS at once and the returned deployment id tells Wait
// what to wait for. Resources the template no longer has are deleted. On
// failure the stack rolls back to its last stable state when auto-rollback
// is on, and is DEPLOYMENT_FAILED otherwise. Every deployment expires the
// stack's earlier execution plans.
//
// The template is parsed and its variables checked before anything
// changes: a bad template is CodeInvalidTemplate or CodeInvalidVariables and
// leaves the stack as it was.
func (e *Engine) DeployStack(ctx context.Context, req DeployStackRequest) (DeploymentRef, error) {
	const op = "engine.DeployStack"
	release, err := e.admit(op, req, req.Name)
	if err != nil {
		return DeploymentRef{}, err
	}
	defer release()
	if err := req.TemplateInput.check(op, true); err != nil {
		return DeploymentRef{}, err
	}
	src, first, err := e.prepare(ctx, op, req.TemplateInput)
	if err != nil {
		return DeploymentRef{}, err
	}
	if err := req.Options.validate(op); err != nil {
		return DeploymentRef{}, err
	}
	dep := e.newDeployment(kindDeploy, src, req.Options)
	err = e.update(ctx, op, func(tx *txn) error {
		rec, err := loadStack(tx, op, req.StackRef)
		if err != nil {
			return err
		}
		if err := checkImports(tx, op, rec.ID, importsOfConfig(first.cfg)); err != nil {
			return err
		}
		return e.begin(ctx, op, tx, rec, dep, fsm.StackDeploy, fsm.StackFacts{AutoRollback: rec.EnableAutoRollback, TemplateHasImports: first.cfg.Template().HasImports()})
	})
	if err != nil {
		return DeploymentRef{}, err
	}
	e.launchPrepared(*dep, first.reusable())
	return DeploymentRef{DeploymentID: dep.ID}, nil
}

// launchPrepared launches dep, whose first deploy phase starts from first.
func (e *Engine) launchPrepared(dep deploymentRecord, first prepared) {
	e.launch(dep, func(ctx context.Context, dep deploymentRecord) (Result, error) {
		return e.runDeploymentWith(ctx, dep, first)
	})
}

// prepared is what a request worked out, before its deployment started,
// that the deployment's first deploy phase would otherwise work out again.
type prepared struct {
	cfg      *template.Config // the template, expanded; nil: expand it again
	readData bool             // cfg was expanded with its data sources read
	plan     *plan.Plan       // a plan made earlier to carry out; nil: plan
}

// reusable is p without an expansion the deployment must make again: one
// made without reading the template's data sources, which a deployment
// reads.
func (p prepared) reusable() prepared {
	if p.cfg != nil && !p.readData && p.cfg.Template().ReadsDataSources() {
		p.cfg = nil
	}
	return p
}

// prepare reads, parses and expands a request's template: what makes a bad
// template a 400 before anything changes. Data sources are left to the
// deployment, unless the template cannot be expanded without them: a count
// or for_each that a data source decides (availability zones, say).
func (e *Engine) prepare(ctx context.Context, op string, in TemplateInput) (*templateSource, prepared, error) {
	src, err := e.sourceOf(op, in)
	if err != nil {
		return nil, prepared{}, err
	}
	tpl, err := e.parse(src)
	if err != nil {
		return nil, prepared{}, err
	}
	cfg, err := e.expand(ctx, tpl, src, false)
	if err != nil && tpl.ReadsDataSources() {
		if cfg, err = e.expand(ctx, tpl, src, true); err == nil {
			return src, prepared{cfg: cfg, readData: true}, e.checkProviders(op, cfg)
		}
	}
	if err != nil {
		return nil, prepared{}, err
	}
	if err := e.checkProviders(op, cfg); err != nil {
		return nil, prepared{}, err
	}
	return src, prepared{cfg: cfg}, nil
}

// checkProviders refuses a template whose resources or data sources name a
// provider the engine has neither registered nor a default for: a 400 now,
// rather than a deployment that fails (and rolls back) later.
func (e *Engine) checkProviders(op string, cfg *template.Config) error {
	for _, inst := range cfg.Instances() {
		if e.base(inst.ProviderName) == nil {
			return formation.Errorf(formation.CodeInvalidTemplate, op, inst.Addr,
				"provider %q is not registered: register it in Config.Providers or set Config.DefaultProvider", inst.ProviderName)
		}
	}
	return nil
}

func (e *Engine) newDeployment(kind deploymentKind, src *templateSource, opts DeployOptions) *deploymentRecord {
	return &deploymentRecord{ID: e.ids.New(), Kind: kind, Template: src, Parallelism: opts.Parallelism, KeepGoing: opts.KeepGoing}
}

// ContinueRequest is the input of ContinueDeployStack and
// ContinueRollbackStack.
type ContinueRequest struct {
	StackRef
	Options DeployOptions `json:"-"`
}

// ContinueDeployStack deploys again, from DEPLOYMENT_FAILED only, the
// template and variables of the failed deployment (spec §1.1), as a new
// deployment. Operations that succeeded are not repeated: the new
// deployment plans against the state the failed one left.
func (e *Engine) ContinueDeployStack(ctx context.Context, req ContinueRequest) (DeploymentRef, error) {
	const op = "engine.ContinueDeployStack"
	return e.continueStack(ctx, op, req, kindContinueDeploy, fsm.StackContinueDeploy)
}

// ContinueRollbackStack resumes, from ROLLBACK_FAILED only, the rollback to
// the last stable state, as a new deployment.
func (e *Engine) ContinueRollbackStack(ctx context.Context, req ContinueRequest) (DeploymentRef, error) {
	const op = "engine.ContinueRollbackStack"
	return e.continueStack(ctx, op, req, kindContinueRollback, fsm.StackContinueRollback)
}

func (e *Engine) continueStack(ctx context.Context, op string, req ContinueRequest, kind deploymentKind, ev fsm.StackEvent) (DeploymentRef, error) {
	release, err := e.admit(op, req, req.Name)
	if err != nil {
		return DeploymentRef{}, err
	}
	defer release()
	if err := req.Options.validate(op); err != nil {
		return DeploymentRef{}, err
	}
	dep := e.newDeployment(kind, nil, req.Options)
	err = e.update(ctx, op, func(tx *txn) error {
		rec, err := loadStack(tx, op, req.StackRef)
		if err != nil {
			return err
		}
		facts := fsm.StackFacts{AutoRollback: rec.EnableAutoRollback}
		if kind == kindContinueDeploy && rec.Status == formation.StackDeploymentFailed {
			// Re-use the failed deployment's template and variables.
			if dep.Template, err = templateOf(tx, rec.ID, rec.TemplateDeployment); err != nil {
				return err
			}
			if dep.Template != nil {
				if facts.TemplateHasImports, err = e.hasImports(dep.Template); err != nil {
					return err
				}
			}
		}
		if kind == kindContinueRollback && rec.Status == formation.StackRollbackFailed {
			// The failed rollback may not have moved back what its
			// deployment moved: this one does.
			var failed deploymentRecord
			if _, err := getJSON(tx, store.Deployments, childKey(rec.ID, rec.Deployment), &failed); err != nil {
				return err
			}
			dep.Moves = failed.Moves
		}
		return e.begin(ctx, op, tx, rec, dep, ev, facts)
	})
	if err != nil {
		return DeploymentRef{}, err
	}
	e.launch(*dep, e.runDeployment)
	return DeploymentRef{DeploymentID: dep.ID}, nil
}

// templateOf returns the template a deployment deployed, nil for none.
func templateOf(tx store.Tx, stackID, deploymentID string) (*templateSource, error) {
	if deploymentID == "" {
		return nil, nil
	}
	var d deploymentRecord
	if _, err := getJSON(tx, store.Deployments, childKey(stackID, deploymentID), &d); err != nil {
		return nil, err
	}
	return d.Template, nil
}

// runDeployment drives a deployment through its phases until the stack is
// terminal: deploy, then (on failure with auto-rollback) roll back; or
// delete. The stack's status says which phase to run, so the same function
// resumes an interrupted deployment.
func (e *Engine) runDeployment(ctx context.Context, dep deploymentRecord) (Result, error) {
	return e.runDeploymentWith(ctx, dep, prepared{})
}

// runDeploymentWith is runDeployment whose first deploy phase starts from
// what the request prepared.
func (e *Engine) runDeploymentWith(ctx context.Context, dep deploymentRecord, first prepared) (Result, error) {
	for {
		var rec *stackRecord
		var stable *templateSource
		err := e.st.View(ctx, func(tx store.Tx) (err error) {
			if rec, err = runningStack(tx, dep); err != nil {
				return err
			}
			stable, err = templateOf(tx, rec.ID, rec.Stable)
			return err
		})
		if err != nil {
			return Result{}, err
		}
		switch rec.Status {
		case formation.StackDeploymentInProgress:
			out, w, err := e.runTimedPhase(ctx, rec, &dep, phaseDeploy, dep.Template, first)
			first = prepared{}
			switch {
			case err != nil:
				return Result{}, err
			case out.ok:
				return e.finishDeployment(ctx, w, &dep, fsm.StackDeploySucceeded, out)
			case rec.EnableAutoRollback:
				if err := e.startRollback(ctx, w, &dep, out); err != nil {
					return Result{}, err
				}
				continue
			default:
				return e.finishDeployment(ctx, w, &dep, fsm.StackDeployFailed, out)
			}
		case formation.StackRollbackInProgress:
			out, w, err := e.runTimedPhase(ctx, rec, &dep, phaseRollback, stable, prepared{})
			switch {
			case err != nil:
				return Result{}, err
			case out.ok:
				return e.finishDeployment(ctx, w, &dep, fsm.StackRollbackSucceeded, out)
			default:
				return e.finishDeployment(ctx, w, &dep, fsm.StackRollbackFailed, out)
			}
		case formation.StackDeletionInProgress:
			if dep.RetainResources {
				return e.finishDeployment(ctx, newWriter(ctx, e, "engine.deployment"), &dep, fsm.StackDeleteSucceeded, phaseOutcome{ok: true})
			}
			out, w, err := e.runTimedPhase(ctx, rec, &dep, phaseDelete, nil, prepared{})
			switch {
			case err != nil:
				return Result{}, err
			case out.ok:
				return e.finishDeployment(ctx, w, &dep, fsm.StackDeleteSucceeded, out)
			default:
				return e.finishDeployment(ctx, w, &dep, fsm.StackDeleteFailed, out)
			}
		default:
			return Result{}, errStale
		}
	}
}

// runTimedPhase runs a phase under Config.DeploymentTimeout. Only the phase
// is bounded: when its time is up its operations fail, and what follows (the
// failure recorded, the rollback) runs on ctx. The phase writes through a
// writer of its own, returned open when the phase ran to its end: the
// caller ends the phase through it (endPhase).
func (e *Engine) runTimedPhase(ctx context.Context, rec *stackRecord, dep *deploymentRecord, ph phase, src *templateSource, first prepared) (phaseOutcome, *writer, error) {
	phaseCtx, cancel := context.WithTimeout(ctx, e.cfg.DeploymentTimeout)
	defer cancel()
	w := newWriter(ctx, e, "engine.deployment")
	out, err := e.runPhase(phaseCtx, w, rec, dep, ph, src, first)
	if err != nil {
		return phaseOutcome{}, nil, errors.Join(err, w.close())
	}
	return out, w, nil
}

// endPhase commits fn as the last write of a phase, in the same transaction
// as whatever the phase's writer still holds, and closes the writer.
func endPhase(w *writer, fn func(*txn) error) error {
	committed := make(chan error, 1)
	w.then(fn, func(err error) { committed <- err })
	return errors.Join(<-committed, w.close())
}

// startRollback commits the turn from a failed deployment to its rollback.
func (e *Engine) startRollback(ctx context.Context, w *writer, dep *deploymentRecord, out phaseOutcome) error {
	return endPhase(w, func(tx *txn) error {
		rec, err := runningStack(tx, *dep)
		if err != nil {
			return err
		}
		next, err := fire(ctx, "engine.rollback", rec.Name, rec.Status, fsm.StackRollback, fsm.StackFacts{AutoRollback: true})
		if err != nil {
			return err
		}
		dep.Message = out.message
		rec.Status, rec.UpdateTime = next, e.now()
		if err := putJSON(tx, store.Deployments, childKey(rec.ID, dep.ID), dep); err != nil {
			return err
		}
		if err := putJSON(tx, store.Stacks, stackKey(rec.Name), rec); err != nil {
			return err
		}
		return tx.appendEvents(rec.ID,
			&formation.Event{DeploymentID: dep.ID, EventType: formation.EventSummary, EventMessage: out.summary},
			e.logEvent(dep.ID, statusMessage(rec.Name, next, "Rolling back to the last stable state.")))
	})
}

// finishDeployment commits a deployment's end in one transaction: the
// SUMMARY event, the outputs, which template the stack now has, the plan
// it applied, the final transition and the closing LOG event.
func (e *Engine) finishDeployment(ctx context.Context, w *writer, dep *deploymentRecord, ev fsm.StackEvent, out phaseOutcome) (Result, error) {
	message := out.message
	if message == "" && ev == fsm.StackRollbackSucceeded {
		message = dep.Message // why the deployment failed
	}
	if ev == fsm.StackDeleteSucceeded {
		if err := e.purgeStackData(w, dep); err != nil {
			_ = w.close()
			return Result{}, err
		}
	}
	err := endPhase(w, func(tx *txn) error {
		rec, err := runningStack(tx, *dep)
		if err != nil {
			return err
		}
		if out.summary != "" && ev != fsm.StackDeleteSucceeded {
			if err := tx.appendEvents(rec.ID, &formation.Event{DeploymentID: dep.ID, EventType: formation.EventSummary, EventMessage: out.summary}); err != nil {
				return err
			}
		}
		switch ev {
		case fsm.StackDeploySucceeded:
			rec.Stable, rec.TemplateDeployment = dep.ID, dep.ID
		case fsm.StackDeployFailed:
			rec.TemplateDeployment = dep.ID
		case fsm.StackRollbackSucceeded:
			rec.TemplateDeployment = rec.Stable
			// Back to the stable state: its variables too.
			stable, err := templateOf(tx, rec.ID, rec.Stable)
			if err != nil {
				return err
			}
			rec.VarsBody, rec.VarsStructure, rec.VarsURIContent = "", nil, ""
			if stable != nil {
				rec.VarsBody, rec.VarsStructure, rec.VarsURIContent = stable.VarsBody, stable.VarsStructure, stable.VarsURIContent
			}
		}
		if ev == fsm.StackDeploySucceeded || ev == fsm.StackRollbackSucceeded {
			if err := writeOutputs(tx, rec.ID, out.outputs); err != nil {
				return err
			}
		}
		if dep.Plan != "" {
			if err := e.finishPlanApply(ctx, tx, rec, dep.Plan); err != nil {
				return err
			}
		}
		return e.finish(ctx, tx, rec, dep, ev, message)
	})
	if err != nil {
		return Result{}, err
	}
	return dep.result(), nil
}
