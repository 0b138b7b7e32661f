package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/fsm"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/template"
)

// planRecord is an execution plan as stored (Plans bucket, key
// stackID/name).
type planRecord struct {
	formation.ExecutionPlan
	// Seq orders a stack's plans by creation.
	Seq uint64 `json:"seq"`
	// Serial is the stack's deployment serial when the plan was made; a
	// deployment since expires the plan.
	Serial uint64 `json:"serial"`
}

// planBody is the large, write-once part of an execution plan (PlanBodies
// bucket, same key as its record), kept apart so that status changes and
// listings do not read and rewrite megabytes: what was asked for and what
// a reviewer reads.
//
// The plan itself (plan.Encode), what ApplyExecutionPlan carries out — the
// reviewed snapshot, not a new plan — is stored as it is encoded under its
// own key (planExecKey), so an apply neither decodes the review nor scans
// the plan as JSON.
type planBody struct {
	Template *templateSource      `json:"template"`
	Items    []formation.PlanItem `json:"items,omitempty"`
	Text     string               `json:"text,omitempty"` // the plan rendered like terraform plan
}

// planSource is the part of a planBody an apply reads.
type planSource struct {
	Template *templateSource `json:"template"`
	// Legacy is the plan in bodies written before it had its own key.
	Legacy json.RawMessage `json:"plan,omitempty"`
}

// readSource reads the template of an encoded planBody and stops there:
// the template is the body's first field, and the review after it is
// neither decoded nor scanned (it is most of the body).
func readSource(raw []byte) (*templateSource, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil {
		return nil, err
	} else if t != json.Delim('{') {
		return nil, fmt.Errorf("a plan body is not a JSON object: %v", t)
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, err
		}
		if key == "template" {
			var src *templateSource
			return src, dec.Decode(&src)
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

func planExecKey(stackID, name string) []byte { return childKey(stackID, name+"/plan") }

// loadBody reads a plan's body into b (a *planBody or *planSource).
func loadBody(tx store.Tx, stackID, name string, b any) error {
	ok, err := getJSON(tx, store.PlanBodies, planKey(stackID, name), b)
	if err == nil && !ok {
		err = formation.Errorf(formation.CodeInternal, "engine.loadBody", name, "the execution plan's body is not stored")
	}
	return err
}

// PlanRef names an execution plan of a stack. PlanID is an optional guard:
// when given it must be the id of the plan that has the name
// (CodePlanIDMismatch otherwise).
type PlanRef struct {
	StackRef
	PlanName string `json:"execution_plan_name"`
	PlanID   string `json:"execution_plan_id,omitempty"`
}

func (r PlanRef) validate(op string) error {
	if err := r.StackRef.validate(op); err != nil {
		return err
	}
	if err := formation.ValidateName(op, "execution_plan_name", r.PlanName); err != nil {
		return err
	}
	return formation.ValidateID(op, "execution_plan_id", r.PlanID)
}

func planKey(stackID, name string) []byte { return childKey(stackID, name) }

// loadPlan reads the stack and the plan ref names.
func loadPlan(tx store.Tx, op string, ref PlanRef) (*stackRecord, *planRecord, error) {
	rec, err := loadStack(tx, op, ref.StackRef)
	if err != nil {
		return nil, nil, err
	}
	var p planRecord
	ok, err := getJSON(tx, store.Plans, planKey(rec.ID, ref.PlanName), &p)
	switch {
	case err != nil:
		return nil, nil, err
	case !ok:
		return nil, nil, formation.Errorf(formation.CodePlanNotFound, op, ref.PlanName, "execution plan does not exist in stack %s", ref.Name)
	case ref.PlanID != "" && ref.PlanID != p.ID:
		return nil, nil, formation.Errorf(formation.CodePlanIDMismatch, op, ref.PlanName, "execution plan ID %s is not matched with current execution plan with execution plan name", ref.PlanID)
	}
	return rec, &p, nil
}

// CreateExecutionPlanRequest is CreateExecutionPlan's input (spec §1.2).
type CreateExecutionPlanRequest struct {
	StackRef
	// PlanName is the plan's name, unique within the stack.
	PlanName    string `json:"execution_plan_name"`
	Description string `json:"description,omitempty"`
	TemplateInput
}

// CreateExecutionPlan plans a template against a stack's current resources
// without changing them (spec §1.2). The plan is CREATION_IN_PROGRESS at
// once, then AVAILABLE with its items, or CREATION_FAILED with a
// status_message. Refused while the stack is *_IN_PROGRESS (CodeStackBusy),
// for a taken name (CodeNameConflict) and past Config.PlanQuota plans
// (CodePlanQuota); a template that does not parse, or variables that do not
// fit it, are refused before anything is stored, while a template that
// fails to evaluate makes a plan that ends CREATION_FAILED, as in RFS.
// Resources that drifted are reported as DRIFT events of the stack. It
// returns the new plan's reference, id included, for WaitExecutionPlan.
func (e *Engine) CreateExecutionPlan(ctx context.Context, req CreateExecutionPlanRequest) (PlanRef, error) {
	const op = "engine.CreateExecutionPlan"
	release, err := e.admit(op, PlanRef{StackRef: req.StackRef, PlanName: req.PlanName}, req.StackRef.Name)
	if err != nil {
		return PlanRef{}, err
	}
	defer release()
	if err := formation.ValidateDescription(op, req.Description); err != nil {
		return PlanRef{}, err
	}
	if err := req.TemplateInput.check(op, true); err != nil {
		return PlanRef{}, err
	}
	src, err := e.checkPlanRequest(ctx, op, req.TemplateInput)
	if err != nil {
		return PlanRef{}, err
	}
	p := &planRecord{
		ExecutionPlan: formation.ExecutionPlan{
			Name: req.PlanName, ID: e.ids.New(), Description: req.Description,
			VarsBody: src.VarsBody, VarsStructure: src.VarsStructure, VarsURIContent: src.VarsURIContent,
		},
	}
	err = e.update(ctx, op, func(tx *txn) error {
		rec, err := loadStack(tx, op, req.StackRef)
		if err != nil {
			return err
		}
		if rec.Status.InProgress() {
			return formation.Errorf(formation.CodeStackBusy, op, rec.Name, "stack status %s is invalid, an execution plan cannot be created", rec.Status)
		}
		if tx.Get(store.Plans, planKey(rec.ID, req.PlanName)) != nil {
			return formation.Errorf(formation.CodeNameConflict, op, req.PlanName, "an execution plan with the same name already exists in stack %s", rec.Name)
		}
		n, err := countKeys(tx, store.Plans, childPrefix(rec.ID))
		if err != nil {
			return err
		}
		if n >= e.cfg.PlanQuota {
			return formation.Errorf(formation.CodePlanQuota, op, req.PlanName, "execution plan count reached the limit (%d)", e.cfg.PlanQuota)
		}
		if p.Status, err = fsm.NextPlan(ctx, fsm.PlanNone, fsm.PlanCreate); err != nil {
			return err
		}
		if p.Seq, err = nextCounter(tx, "plan_seq"); err != nil {
			return err
		}
		p.StackName, p.StackID, p.Serial, p.CreateTime = rec.Name, rec.ID, rec.Serial, e.now()
		src.PlanTimestamp = p.CreateTime.Time // plantimestamp() at plan, and at its apply
		if err := putJSON(tx, store.PlanBodies, planKey(rec.ID, p.Name), &planBody{Template: src}); err != nil {
			return err
		}
		return putJSON(tx, store.Plans, planKey(rec.ID, p.Name), p)
	})
	if err != nil {
		return PlanRef{}, err
	}
	e.launchPlanning(*p)
	return PlanRef{StackRef: StackRef{Name: p.StackName, ID: p.StackID}, PlanName: p.Name, PlanID: p.ID}, nil
}

// checkPlanRequest refuses at once what RFS refuses with a 400: a request
// that breaks a rule, a template that does not parse, variables that do
// not fit it, a provider the engine does not have. A template that parses
// but fails to evaluate is not refused: as in RFS, making the plan fails,
// and the plan ends CREATION_FAILED saying why (planFailure).
func (e *Engine) checkPlanRequest(ctx context.Context, op string, in TemplateInput) (*templateSource, error) {
	src, err := e.sourceOf(op, in)
	if err != nil {
		return nil, err
	}
	tpl, err := e.parse(src)
	if err != nil {
		return nil, err
	}
	cfg, err := e.expand(ctx, tpl, src, false)
	switch {
	case err == nil:
		return src, e.checkProviders(op, cfg)
	case formation.HasCode(err, formation.CodeInvalidTemplate):
		return src, nil // evaluation: the plan fails, or reads the data sources it lacked here
	}
	return nil, err
}

// planFailure is the status_message of a plan that could not be made; a
// template that fails to evaluate is reported in RFS's words.
func planFailure(err error) string {
	var fe *formation.Error
	if !errors.As(err, &fe) || fe.Code != formation.CodeInvalidTemplate {
		return err.Error()
	}
	why := fe.Message
	if fe.Err != nil {
		why = fe.Err.Error()
	}
	return "Failed to init workflow due to bad template. Error: " + why
}

// launchPlanning makes a plan's content in the background, under the
// plan's claim in the store (planClaimName), so that of all the engines
// sharing the store only one makes it: if another holds the claim, that one
// makes it and launchPlanning does nothing. If the claim is lost, making
// stops and its commit fails: another engine takes the plan over.
func (e *Engine) launchPlanning(p planRecord) {
	c, err := e.st.Claim(e.bg, planClaimName(p.ID))
	if err != nil {
		if !errors.Is(err, store.ErrClaimed) {
			e.log.Warn("execution plan creation not started: the plan could not be claimed", "stack", p.StackName, "plan", p.Name, "err", err)
		}
		return
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		_ = c.Release()
		return
	}
	e.running.Add(1)
	e.mu.Unlock()
	go func() {
		defer e.running.Done()
		ctx, cancel := e.underClaim(c, func() {
			e.log.Warn("the plan's claim was lost; another engine takes its creation over", "stack", p.StackName, "plan", p.Name)
		})
		defer cancel()
		if err := e.makePlan(ctx, p); err != nil {
			e.log.Warn("execution plan creation stopped; it resumes when the store is opened again or another engine takes it over", "stack", p.StackName, "plan", p.Name, "err", err)
		}
		if err := c.Release(); err != nil {
			e.log.Warn("releasing the plan's claim", "stack", p.StackName, "plan", p.Name, "err", err)
		}
	}()
}

// planClaimName is the name of the store claim under which one engine
// makes a plan.
func planClaimName(planID string) string { return "plan/" + planID }

// makePlan plans the record's template against the stack and stores the
// outcome: AVAILABLE with the items, or CREATION_FAILED.
func (e *Engine) makePlan(ctx context.Context, p planRecord) error {
	var body planBody
	pending := false
	err := e.st.View(ctx, func(tx store.Tx) error {
		// Another engine may have made it since it was found unmade.
		var cur planRecord
		ok, err := getJSON(tx, store.Plans, planKey(p.StackID, p.Name), &cur)
		if err != nil || !ok || cur.ID != p.ID || cur.Status != formation.PlanCreationInProgress {
			return err
		}
		pending = true
		return loadBody(tx, p.StackID, p.Name, &body)
	})
	if err != nil || !pending {
		return err
	}
	made, planErr := e.planAgainstStack(ctx, p.StackID, body.Template)
	if planErr == nil {
		planErr = e.st.View(ctx, func(tx store.Tx) error {
			return checkImports(tx, "engine.CreateExecutionPlan", p.StackID, importsOfPlan(made))
		})
	}
	if planErr != nil && e.stopped(ctx) != nil {
		return planErr // closing, or the claim lost: resumed at the next open, or by another engine
	}
	var encoded []byte
	var text bytes.Buffer
	if planErr == nil {
		if encoded, planErr = made.Encode(); planErr == nil {
			planErr = made.WriteText(&text)
		}
	}
	// The plan is kept before the commit makes it AVAILABLE: whoever the
	// commit wakes — an apply, a delete, a deployment expiring it — must
	// find it kept, or a delete or expiry could come before it is kept.
	if planErr == nil {
		e.made.keep(p.StackID, p.ID, made)
	}
	const op = "engine.CreateExecutionPlan"
	// The DRIFT events go before the status that makes the plan AVAILABLE,
	// in transactions of eventsPerWrite each, the last one with the
	// status: a reader who sees the plan AVAILABLE finds all of them, and
	// however many resources drifted, each transaction fits the store's
	// limits. A crash between two of them leaves the plan
	// CREATION_IN_PROGRESS: the next engine makes it again and reports
	// what its own refresh finds, after what this one reported, so the
	// stack's events stay numbered without a gap.
	var drift [][]*formation.Event
	if planErr == nil {
		drift = slices.Collect(slices.Chunk(driftEvents(made, ""), eventsPerWrite))
	}
	for len(drift) > 1 {
		pending := false
		err := e.commit(ctx, op, func(tx *txn) error {
			var err error
			if _, pending, err = stillCreating(tx, p); err != nil || !pending {
				return err
			}
			return tx.appendEvents(p.StackID, drift[0]...)
		})
		if err != nil || !pending {
			e.made.take(p.ID)
			return err
		}
		drift = drift[1:]
	}
	available := false
	record := func(tx *txn) error {
		available = false
		cur, ok, err := stillCreating(tx, p)
		if err != nil || !ok {
			return err
		}
		ev := fsm.PlanCreationSucceeded
		if planErr != nil {
			ev = fsm.PlanCreationFailed
			cur.StatusMessage = planFailure(planErr)
		} else {
			cur.Summary = &made.Summary
			body.Items, body.Text = made.Items(), text.String()
			if err := putJSON(tx, store.PlanBodies, planKey(p.StackID, p.Name), &body); err != nil {
				return err
			}
			if err := tx.Put(store.PlanBodies, planExecKey(p.StackID, p.Name), encoded); err != nil {
				return err
			}
			if len(drift) > 0 {
				if err := tx.appendEvents(p.StackID, drift[0]...); err != nil {
					return err
				}
			}
		}
		if cur.Status, err = fsm.NextPlan(ctx, cur.Status, ev); err != nil {
			return err
		}
		tx.touch(p.StackID) // wakes WaitExecutionPlan
		available = planErr == nil
		return putJSON(tx, store.Plans, planKey(p.StackID, p.Name), &cur)
	}
	err = e.commit(ctx, op, record)
	if planErr == nil && errors.Is(err, store.ErrTooLarge) {
		// Kept, the plan would be retried for ever: it fails instead.
		planErr = formation.Errorf(formation.CodeTooLong, op, p.Name, "the plan is larger than the store keeps (%d bytes a value, %d writes a transaction)",
			store.MaxValueSize, e.st.Limits().MaxOps)
		err = e.commit(ctx, op, record)
	}
	if err != nil || !available {
		e.made.take(p.ID) // not applicable: deleted meanwhile, or not stored
	}
	return err
}

// stillCreating reads p's record and reports whether it is still being
// created: not deleted meanwhile (with its stack), nor made by another
// engine.
func stillCreating(tx *txn, p planRecord) (cur planRecord, ok bool, err error) {
	ok, err = getJSON(tx, store.Plans, planKey(p.StackID, p.Name), &cur)
	return cur, ok && err == nil && cur.ID == p.ID && cur.Status == formation.PlanCreationInProgress, err
}

// planAgainstStack plans a template against a stack's recorded resources,
// refreshing them.
func (e *Engine) planAgainstStack(ctx context.Context, stackID string, src *templateSource) (*plan.Plan, error) {
	var prior plan.State
	err := e.st.View(ctx, func(tx store.Tx) (err error) {
		_, prior, err = loadState(tx, stackID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return e.makeOfflinePlan(ctx, src, prior, true)
}

// driftEvents are the DRIFT events of a plan's drifted changes.
func driftEvents(p *plan.Plan, deploymentID string) []*formation.Event {
	var evs []*formation.Event
	for _, c := range p.Drifted() {
		evs = append(evs, &formation.Event{DeploymentID: deploymentID, EventType: formation.EventDrift,
			EventMessage: c.Addr + ": " + c.Reason, ResourceType: c.Type, ResourceName: c.Name, ResourceKey: c.Key, ModuleAddress: template.ModuleOf(c.Addr),
			ResourceIDKey: c.Schema.IDKey(), ResourceIDValue: c.ResourceID})
	}
	return evs
}

// WaitExecutionPlan blocks until the plan has left CREATION_IN_PROGRESS and
// returns its metadata, or returns ctx's error.
func (e *Engine) WaitExecutionPlan(ctx context.Context, ref PlanRef) (formation.ExecutionPlan, error) {
	const op = "engine.WaitExecutionPlan"
	if err := ref.validate(op); err != nil {
		return formation.ExecutionPlan{}, err
	}
	var stackID string
	for {
		var p *planRecord
		err := e.view(ctx, op, func(tx store.Tx) error {
			rec, pr, err := loadPlan(tx, op, ref)
			if err == nil {
				stackID, p = rec.ID, pr
			}
			return err
		})
		if err != nil {
			return formation.ExecutionPlan{}, err
		}
		if p.Status != formation.PlanCreationInProgress {
			return p.ExecutionPlan, nil
		}
		if err := e.waitForChange(ctx, stackID, func() bool { return e.planSettled(ctx, stackID, ref.PlanName) }); err != nil {
			return formation.ExecutionPlan{}, typed(op, err)
		}
	}
}

// planSettled reports whether a plan is no longer being created (or gone).
func (e *Engine) planSettled(ctx context.Context, stackID, name string) bool {
	settled := true
	_ = e.st.View(ctx, func(tx store.Tx) error {
		var p planRecord
		ok, err := getJSON(tx, store.Plans, planKey(stackID, name), &p)
		settled = err != nil || !ok || p.Status != formation.PlanCreationInProgress
		return nil
	})
	return settled
}

// ExecutionPlanItems is GetExecutionPlan's output.
type ExecutionPlanItems struct {
	Items []formation.PlanItem `json:"execution_plan_items"`
	// Text is the plan rendered in the style of terraform plan (Formation's
	// own addition).
	Text string `json:"-"`
}

// GetExecutionPlan returns a plan's items (spec §3.1); a plan that is
// CREATION_IN_PROGRESS or CREATION_FAILED has none.
func (e *Engine) GetExecutionPlan(ctx context.Context, ref PlanRef) (ExecutionPlanItems, error) {
	const op = "engine.GetExecutionPlan"
	if err := ref.validate(op); err != nil {
		return ExecutionPlanItems{}, err
	}
	var body planBody
	err := e.view(ctx, op, func(tx store.Tx) error {
		rec, p, err := loadPlan(tx, op, ref)
		if err != nil {
			return err
		}
		return loadBody(tx, rec.ID, p.Name, &body)
	})
	if err != nil {
		return ExecutionPlanItems{}, err
	}
	items := body.Items
	if items == nil {
		items = []formation.PlanItem{}
	}
	return ExecutionPlanItems{Items: items, Text: body.Text}, nil
}

// GetExecutionPlanMetadata returns a plan's metadata with its summary.
func (e *Engine) GetExecutionPlanMetadata(ctx context.Context, ref PlanRef) (formation.ExecutionPlan, error) {
	const op = "engine.GetExecutionPlanMetadata"
	if err := ref.validate(op); err != nil {
		return formation.ExecutionPlan{}, err
	}
	var p *planRecord
	err := e.view(ctx, op, func(tx store.Tx) (err error) {
		_, p, err = loadPlan(tx, op, ref)
		return err
	})
	if err != nil {
		return formation.ExecutionPlan{}, err
	}
	return p.ExecutionPlan, nil
}

// PlanPage is one page of ListExecutionPlans.
type PlanPage struct {
	ExecutionPlans []formation.ExecutionPlan `json:"execution_plans"`
	PageInfo       PageInfo                  `json:"page_info"`
}

// ListExecutionPlansRequest is ListExecutionPlans' input.
type ListExecutionPlansRequest struct {
	StackRef
	ListOptions
}

// ListExecutionPlans lists a stack's plans newest first, without variables
// and summaries.
func (e *Engine) ListExecutionPlans(ctx context.Context, req ListExecutionPlansRequest) (PlanPage, error) {
	const op = "engine.ListExecutionPlans"
	if err := req.validate(op); err != nil {
		return PlanPage{}, err
	}
	var plans []planRecord
	err := e.view(ctx, op, func(tx store.Tx) error {
		rec, err := e.peekStack(tx, op, req.StackRef)
		if err != nil {
			return err
		}
		return tx.Scan(store.Plans, store.ScanOptions{Prefix: childPrefix(rec.ID)}, func(_, v []byte) (bool, error) {
			var p planRecord
			if err := decode(v, &p); err != nil {
				return false, err
			}
			plans = append(plans, p)
			return true, nil
		})
	})
	if err != nil {
		return PlanPage{}, err
	}
	slices.SortFunc(plans, func(a, b planRecord) int { return compareDesc(a.Seq, b.Seq) })
	page, info, err := paginate(op, plans, func(i int) uint64 { return plans[i].Seq }, req.ListOptions)
	if err != nil {
		return PlanPage{}, err
	}
	out := PlanPage{ExecutionPlans: make([]formation.ExecutionPlan, len(page)), PageInfo: info}
	for i, p := range page {
		ep := p.ExecutionPlan
		ep.VarsBody, ep.VarsStructure, ep.VarsURIContent, ep.Summary = "", nil, "", nil
		out.ExecutionPlans[i] = ep
	}
	return out, nil
}

// DeleteExecutionPlanResult is DeleteExecutionPlan's output. RFS answers
// 204 with no body, so it has no fields yet; it is a struct, as every
// operation's result is, so that fields can be added without breaking
// callers.
type DeleteExecutionPlanResult struct{}

// DeleteExecutionPlan deletes a plan; refused while the plan is
// CREATION_IN_PROGRESS or APPLY_IN_PROGRESS, or the stack *_IN_PROGRESS
// (CodePlanNotDeletable, 403).
func (e *Engine) DeleteExecutionPlan(ctx context.Context, ref PlanRef) (DeleteExecutionPlanResult, error) {
	const op = "engine.DeleteExecutionPlan"
	release, err := e.admit(op, ref, ref.StackRef.Name)
	if err != nil {
		return DeleteExecutionPlanResult{}, err
	}
	defer release()
	var id string
	err = e.update(ctx, op, func(tx *txn) error {
		rec, p, err := loadPlan(tx, op, ref)
		if err != nil {
			return err
		}
		if rec.Status.InProgress() {
			return formation.Errorf(formation.CodePlanNotDeletable, op, ref.PlanName, "Invalid stack status %s. The execution plan cannot be deleted.", rec.Status)
		}
		id = p.ID
		if _, err := firePlan(ctx, op, p, fsm.PlanDelete); err != nil {
			return err
		}
		for _, key := range [][]byte{planKey(rec.ID, p.Name), planExecKey(rec.ID, p.Name)} {
			if err := tx.Delete(store.PlanBodies, key); err != nil {
				return err
			}
		}
		return tx.Delete(store.Plans, planKey(rec.ID, p.Name))
	})
	if err != nil {
		return DeleteExecutionPlanResult{}, err
	}
	e.made.take(id) // nothing will apply it
	return DeleteExecutionPlanResult{}, nil
}

// firePlan asks the plan machine where ev leads, naming the plan in a
// refusal.
func firePlan(ctx context.Context, op string, p *planRecord, ev fsm.PlanEvent) (formation.PlanStatus, error) {
	next, err := fsm.NextPlan(ctx, p.Status, ev)
	var fe *formation.Error
	if errors.As(err, &fe) {
		fe.Op, fe.Resource = op, p.StackName+"/"+p.Name
	}
	return next, err
}

// ApplyExecutionPlanRequest is ApplyExecutionPlan's input.
type ApplyExecutionPlanRequest struct {
	PlanRef
	Options DeployOptions `json:"-"`
}

// ApplyExecutionPlan deploys a plan's template and variables (spec §1.2):
// the plan turns APPLY_IN_PROGRESS and then APPLIED whatever the outcome,
// and the stack deploys as with DeployStack. A plan made before the stack's
// latest deployment, or already applied, is expired (CodePlanExpired, 403);
// a plan not AVAILABLE is CodeInvalidPlanStatus. Applying expires every
// other plan of the stack. A refused apply changes nothing.
func (e *Engine) ApplyExecutionPlan(ctx context.Context, req ApplyExecutionPlanRequest) (DeploymentRef, error) {
	const op = "engine.ApplyExecutionPlan"
	release, err := e.admit(op, req, req.StackRef.Name)
	if err != nil {
		return DeploymentRef{}, err
	}
	defer release()
	if err := req.Options.validate(op); err != nil {
		return DeploymentRef{}, err
	}
	// The plan is read in a read transaction and decoded outside any: it
	// can be large, and the write transaction below only re-checks and
	// changes small records.
	var stored *plan.Plan
	var body planSource
	var exec []byte
	var planID string
	err = e.view(ctx, op, func(tx store.Tx) error {
		rec, p, err := loadPlan(tx, op, req.PlanRef)
		if err != nil {
			return err
		}
		if err := applicable(op, rec, p); err != nil {
			return err
		}
		planID = p.ID
		// A plan made by this engine is at hand; any other is decoded.
		if stored = e.made.take(p.ID); stored == nil {
			if exec = tx.Get(store.PlanBodies, planExecKey(rec.ID, p.Name)); exec == nil {
				// Written before the plan had its own key: all in the body.
				if err := loadBody(tx, rec.ID, p.Name, &body); err != nil {
					return err
				}
				if exec = body.Legacy; exec == nil {
					return formation.Errorf(formation.CodeInternal, op, p.Name, "the execution plan is not stored")
				}
				return nil
			}
		}
		raw := tx.Get(store.PlanBodies, planKey(rec.ID, p.Name))
		if body.Template, err = readSource(raw); err != nil {
			return formation.Wrap(formation.CodeInternal, op, p.Name, err)
		}
		return nil
	})
	if err != nil {
		return DeploymentRef{}, err
	}
	// The template is expanded while the plan decodes: the deployment
	// needs both before its first operation, and they are independent.
	var cfg *template.Config
	expanded := make(chan struct{})
	go func() {
		defer close(expanded)
		cfg, _ = e.load(ctx, body.Template, false)
	}()
	if stored == nil {
		stored, err = plan.Decode(exec)
	}
	<-expanded
	if err != nil {
		return DeploymentRef{}, err
	}
	// A template that no longer expands (cfg nil) is left to the
	// deployment, which expands it again and fails with the reason.
	var imports bool
	if cfg != nil {
		imports = cfg.Template().HasImports()
	} else if imports, err = e.hasImports(body.Template); err != nil {
		return DeploymentRef{}, err
	}
	dep := e.newDeployment(kindApplyPlan, body.Template, req.Options)
	err = e.update(ctx, op, func(tx *txn) error {
		rec, p, err := loadPlan(tx, op, PlanRef{StackRef: req.StackRef, PlanName: req.PlanName, PlanID: planID})
		if err != nil {
			return err
		}
		if err := applicable(op, rec, p); err != nil {
			return err
		}
		if p.Status, err = firePlan(ctx, op, p, fsm.PlanApply); err != nil {
			return err
		}
		p.ApplyTime = e.now()
		dep.Plan = p.Name
		if err := putJSON(tx, store.Plans, planKey(rec.ID, p.Name), p); err != nil {
			return err
		}
		return e.begin(ctx, op, tx, rec, dep, fsm.StackDeploy, fsm.StackFacts{AutoRollback: rec.EnableAutoRollback, TemplateHasImports: imports})
	})
	if err != nil {
		return DeploymentRef{}, err
	}
	// The stack has not been deployed since the plan was made (its serial
	// says so), so the reviewed plan is carried out as it is. A recovery
	// after a crash plans again against what was recorded.
	e.launchPrepared(*dep, prepared{cfg: cfg, plan: stored}.reusable())
	return DeploymentRef{DeploymentID: dep.ID}, nil
}

// applicable refuses a plan that cannot be applied to the stack now: the
// stack is busy, the plan is not AVAILABLE, or the stack has been deployed
// since the plan was made.
func applicable(op string, rec *stackRecord, p *planRecord) error {
	switch {
	case rec.Status.InProgress():
		return formation.Errorf(formation.CodeStackBusy, op, rec.Name, "stack status %s is invalid, the execution plan cannot be applied", rec.Status)
	case p.Status == formation.PlanApplied || p.Status == formation.PlanApplyInProgress:
		return formation.Errorf(formation.CodePlanExpired, op, p.Name, "the execution plan has been applied already; create a new execution plan")
	case p.Status != formation.PlanAvailable:
		return formation.Errorf(formation.CodeInvalidPlanStatus, op, p.Name, "execution plan status %s is invalid, the execution plan cannot be applied", p.Status)
	case p.Serial != rec.Serial:
		return formation.Errorf(formation.CodePlanExpired, op, p.Name,
			"since the execution plan was generated, the stack has been deployed; the execution plan cannot be applied, please regenerate the execution plan based on the latest stack")
	}
	return nil
}

// finishPlanApply marks the applied plan APPLIED, in the transaction that
// ends its deployment.
func (e *Engine) finishPlanApply(ctx context.Context, tx *txn, rec *stackRecord, name string) error {
	var p planRecord
	ok, err := getJSON(tx, store.Plans, planKey(rec.ID, name), &p)
	if err != nil || !ok {
		return err // deleted meanwhile
	}
	if p.Status, err = firePlan(ctx, "engine.ApplyExecutionPlan", &p, fsm.PlanApplyFinished); err != nil {
		return err
	}
	return putJSON(tx, store.Plans, planKey(rec.ID, name), &p)
}
