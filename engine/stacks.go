package engine

import (
	"bytes"
	"context"
	"errors"
	"slices"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/fsm"
	"github.com/formation-engine/formation/store"
)

// StackRef names a stack. ID is optional; when given it must be the id of
// the stack that currently has the name (RFS's strong-match guard), or the
// call fails with CodeStackIDMismatch.
type StackRef struct {
	Name string `json:"stack_name"`
	ID   string `json:"stack_id,omitempty"`
}

func (r StackRef) validate(op string) error {
	if err := formation.ValidateName(op, "stack_name", r.Name); err != nil {
		return err
	}
	return formation.ValidateID(op, "stack_id", r.ID)
}

// loadStack reads the stack ref names: 404 when missing, 400 on an id
// mismatch.
func loadStack(tx store.Tx, op string, ref StackRef) (*stackRecord, error) {
	var rec stackRecord
	ok, err := getJSON(tx, store.Stacks, stackKey(ref.Name), &rec)
	if err != nil {
		return nil, err
	}
	return checkStack(op, ref, &rec, ok)
}

// peekStack is loadStack for reading only: the record it returns is shared
// (e.stackRecords) and must not be changed.
func (e *Engine) peekStack(tx store.Tx, op string, ref StackRef) (*stackRecord, error) {
	key := stackKey(ref.Name)
	raw := tx.Get(store.Stacks, key)
	if raw == nil {
		return checkStack(op, ref, nil, false)
	}
	rec, ok := e.stackRecords.get(key, raw)
	if !ok {
		rec = new(stackRecord)
		if err := decode(raw, rec); err != nil {
			return nil, err
		}
		e.stackRecords.put(key, raw, rec)
	}
	return checkStack(op, ref, rec, true)
}

func checkStack(op string, ref StackRef, rec *stackRecord, found bool) (*stackRecord, error) {
	switch {
	case !found:
		return nil, formation.Errorf(formation.CodeStackNotFound, op, ref.Name, "stack does not exist")
	case ref.ID != "" && ref.ID != rec.ID:
		return nil, formation.Errorf(formation.CodeStackIDMismatch, op, ref.Name, "stack ID %s is not matched with current stack with stack name", ref.ID)
	}
	return rec, nil
}

// CreateStackRequest is CreateStack's input (spec §1.1).
type CreateStackRequest struct {
	Name                     string             `json:"stack_name"`
	Description              string             `json:"description,omitempty"`
	EnableDeletionProtection bool               `json:"enable_deletion_protection,omitempty"`
	EnableAutoRollback       bool               `json:"enable_auto_rollback,omitempty"`
	Agencies                 []formation.Agency `json:"agencies,omitempty"`
	// TemplateInput, when it has a template, makes CreateStack create and
	// deploy; without one the stack is created empty (CREATION_COMPLETE).
	TemplateInput
	// Options tune the deployment when there is one.
	Options DeployOptions `json:"-"`
}

// CreateStackResult is CreateStack's output: DeploymentID is set only when a
// template was deployed.
type CreateStackResult struct {
	StackID string `json:"stack_id"`
	DeploymentRef
}

// CreateStack creates a stack. Names are unique at any time: of concurrent
// creates of one name exactly one wins and the others get CodeNameConflict
// (409). A name is reusable after its stack is deleted, with a new id.
func (e *Engine) CreateStack(ctx context.Context, req CreateStackRequest) (CreateStackResult, error) {
	const op = "engine.CreateStack"
	if err := formation.ValidateName(op, "stack_name", req.Name); err != nil {
		return CreateStackResult{}, err
	}
	if err := formation.ValidateDescription(op, req.Description); err != nil {
		return CreateStackResult{}, err
	}
	if err := formation.ValidateAgencies(op, req.Agencies); err != nil {
		return CreateStackResult{}, err
	}
	if err := req.TemplateInput.check(op, false); err != nil {
		return CreateStackResult{}, err
	}
	if err := req.Options.validate(op); err != nil {
		return CreateStackResult{}, err
	}
	var dep *deploymentRecord
	var first prepared
	ev, facts := fsm.StackCreate, fsm.StackFacts{AutoRollback: req.EnableAutoRollback}
	if req.TemplateInput.hasTemplate() {
		var src *templateSource
		var err error
		if src, first, err = e.prepare(ctx, op, req.TemplateInput); err != nil {
			return CreateStackResult{}, err
		}
		dep = e.newDeployment(kindCreate, src, req.Options)
		ev, facts.TemplateHasImports = fsm.StackCreateAndDeploy, first.cfg.Template().HasImports()
	}
	rec := stackRecord{Stack: formation.Stack{
		Name:                     req.Name,
		ID:                       e.ids.New(),
		Description:              req.Description,
		EnableDeletionProtection: req.EnableDeletionProtection,
		EnableAutoRollback:       req.EnableAutoRollback,
		Agencies:                 slices.Clone(req.Agencies),
	}}
	err := e.update(ctx, op, func(tx *txn) error {
		if tx.Get(store.Stacks, stackKey(req.Name)) != nil {
			return formation.Errorf(formation.CodeNameConflict, op, req.Name, "a stack with the same name already exists")
		}
		n, err := countKeys(tx, store.Stacks, nil)
		if err != nil {
			return err
		}
		if n >= e.cfg.StackQuota {
			return formation.Errorf(formation.CodeStackQuota, op, req.Name, "stack count reached the limit (%d)", e.cfg.StackQuota)
		}
		if rec.Seq, err = nextCounter(tx, "stack_seq"); err != nil {
			return err
		}
		now := e.now()
		rec.CreateTime, rec.UpdateTime = now, now
		if dep != nil {
			if err := checkImports(tx, op, rec.ID, importsOfConfig(first.cfg)); err != nil {
				return err
			}
			rec.Status = fsm.StackNone
			return e.begin(ctx, op, tx, &rec, dep, ev, facts)
		}
		if rec.Status, err = fire(ctx, op, req.Name, fsm.StackNone, ev, facts); err != nil {
			return err
		}
		if err := putJSON(tx, store.Stacks, stackKey(rec.Name), &rec); err != nil {
			return err
		}
		return tx.appendEvents(rec.ID, e.logEvent("", statusMessage(rec.Name, rec.Status, "")))
	})
	if err != nil {
		return CreateStackResult{}, err
	}
	res := CreateStackResult{StackID: rec.ID}
	if dep != nil {
		e.launchPrepared(*dep, first.reusable())
		res.DeploymentID = dep.ID
	}
	return res, nil
}

// countKeys counts the keys of b with prefix.
func countKeys(tx store.Tx, b store.Bucket, prefix []byte) (int, error) {
	n := 0
	err := tx.Scan(b, store.ScanOptions{Prefix: prefix}, func(_, _ []byte) (bool, error) {
		n++
		return true, nil
	})
	return n, err
}

// GetStackMetadata returns a stack's metadata (spec §1.1).
func (e *Engine) GetStackMetadata(ctx context.Context, ref StackRef) (formation.Stack, error) {
	const op = "engine.GetStackMetadata"
	if err := ref.validate(op); err != nil {
		return formation.Stack{}, err
	}
	var rec *stackRecord
	err := e.view(ctx, op, func(tx store.Tx) (err error) {
		rec, err = e.peekStack(tx, op, ref)
		return err
	})
	if err != nil {
		return formation.Stack{}, err
	}
	s := rec.Stack // shared: the caller gets its own slices
	s.Agencies, s.VarsStructure = slices.Clone(s.Agencies), cloneVars(s.VarsStructure)
	return s, nil
}

// cloneVars copies variables deeply enough that changing the copy changes
// nothing of vs.
func cloneVars(vs []formation.VarsStructure) []formation.VarsStructure {
	out := slices.Clone(vs)
	for i, v := range out {
		if v.Encryption != nil {
			enc := *v.Encryption
			out[i].Encryption = &enc
		}
	}
	return out
}

// StackPage is one page of ListStacks.
type StackPage struct {
	Stacks   []formation.Stack `json:"stacks"`
	PageInfo PageInfo          `json:"page_info"`
}

// ListStacksRequest is ListStacks' input.
type ListStacksRequest struct {
	ListOptions
}

// ListStacks lists stacks newest first, with the summary fields only (name,
// id, description, status, status message, times). Stacks being deleted
// stay listed until the deletion completes.
func (e *Engine) ListStacks(ctx context.Context, req ListStacksRequest) (StackPage, error) {
	const op = "engine.ListStacks"
	type miss struct {
		key, raw []byte
		rec      *stackRecord
	}
	var recs []*stackRecord
	var misses []miss
	err := e.view(ctx, op, func(tx store.Tx) error {
		recs, misses = recs[:0], misses[:0]
		return e.stackRecords.reading(func(get func(key, raw []byte) (*stackRecord, bool)) error {
			return tx.Scan(store.Stacks, store.ScanOptions{}, func(k, v []byte) (bool, error) {
				rec, ok := get(k, v)
				if !ok {
					rec = new(stackRecord)
					if err := decode(v, rec); err != nil {
						return false, err
					}
					misses = append(misses, miss{bytes.Clone(k), bytes.Clone(v), rec})
				}
				recs = append(recs, rec)
				return true, nil
			})
		})
	})
	if err != nil {
		return StackPage{}, err
	}
	for _, m := range misses {
		e.stackRecords.put(m.key, m.raw, m.rec)
	}
	slices.SortFunc(recs, func(a, b *stackRecord) int { return compareDesc(a.Seq, b.Seq) })
	page, info, err := paginate(op, recs, func(i int) uint64 { return recs[i].Seq }, req.ListOptions)
	if err != nil {
		return StackPage{}, err
	}
	out := StackPage{Stacks: make([]formation.Stack, len(page)), PageInfo: info}
	for i, r := range page {
		out.Stacks[i] = formation.Stack{
			Name: r.Name, ID: r.ID, Description: r.Description, Status: r.Status,
			StatusMessage: r.StatusMessage, CreateTime: r.CreateTime, UpdateTime: r.UpdateTime,
		}
	}
	return out, nil
}

func compareDesc(a, b uint64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// UpdateStackRequest is UpdateStack's input: a nil field is left as it is; a
// non-nil one overwrites (Agencies as a whole: merge client-side).
type UpdateStackRequest struct {
	StackRef
	Description              *string             `json:"description,omitempty"`
	EnableDeletionProtection *bool               `json:"enable_deletion_protection,omitempty"`
	EnableAutoRollback       *bool               `json:"enable_auto_rollback,omitempty"`
	Agencies                 *[]formation.Agency `json:"agencies,omitempty"`
}

// UpdateStack changes a stack's description, deletion protection,
// auto-rollback or agencies (spec §1.1). It changes no status but bumps
// update_time. Refused while the stack is *_IN_PROGRESS (CodeStackBusy),
// when turning auto-rollback on in a *_FAILED status (CodeAutoRollback), and
// when it would change nothing (CodeNothingToUpdate: no field given, or every
// given field already has that value). It returns the updated metadata.
func (e *Engine) UpdateStack(ctx context.Context, req UpdateStackRequest) (formation.Stack, error) {
	const op = "engine.UpdateStack"
	release, err := e.admit(op, req, req.Name)
	if err != nil {
		return formation.Stack{}, err
	}
	defer release()
	if req.Description != nil {
		if err := formation.ValidateDescription(op, *req.Description); err != nil {
			return formation.Stack{}, err
		}
	}
	if req.Agencies != nil {
		if err := formation.ValidateAgencies(op, *req.Agencies); err != nil {
			return formation.Stack{}, err
		}
	}
	var updated formation.Stack
	err = e.update(ctx, op, func(tx *txn) error {
		rec, err := loadStack(tx, op, req.StackRef)
		if err != nil {
			return err
		}
		changed := false
		set := func(field *bool, v *bool) {
			if v != nil && *v != *field {
				*field, changed = *v, true
			}
		}
		enabling := req.EnableAutoRollback != nil && *req.EnableAutoRollback && !rec.EnableAutoRollback
		set(&rec.EnableDeletionProtection, req.EnableDeletionProtection)
		set(&rec.EnableAutoRollback, req.EnableAutoRollback)
		if req.Description != nil && *req.Description != rec.Description {
			rec.Description, changed = *req.Description, true
		}
		if req.Agencies != nil && !slices.Equal(*req.Agencies, rec.Agencies) {
			rec.Agencies, changed = slices.Clone(*req.Agencies), true
		}
		// The machine decides first: a busy stack is refused as busy even
		// when the request would change nothing.
		if _, err := fire(ctx, op, rec.Name, rec.Status, fsm.StackUpdate, fsm.StackFacts{EnablingAutoRollback: enabling}); err != nil {
			return err
		}
		if !changed {
			return formation.Errorf(formation.CodeNothingToUpdate, op, req.Name, "no parameters in the request need to be modified")
		}
		rec.UpdateTime = e.now()
		updated = rec.Stack
		return putJSON(tx, store.Stacks, stackKey(rec.Name), rec)
	})
	return updated, err
}

// DeleteStackRequest is the input of DeleteStack and of RFS's
// DeleteStackEnhanced: RetainAllResources keeps the real resources and
// removes only Formation's records of them.
type DeleteStackRequest struct {
	StackRef
	RetainAllResources bool `json:"retain_all_resources,omitempty"`
}

// DeleteStack deletes a stack and everything of it (plans, events, outputs,
// resources) asynchronously: the stack turns DELETION_IN_PROGRESS at once,
// and the returned deployment id tells Wait which operation to wait for. On
// success the stack is gone (ErrNotFound); on failure it is DELETION_FAILED.
// Refused while *_IN_PROGRESS (CodeStackBusy) and under deletion protection
// (CodeDeletionProtected).
func (e *Engine) DeleteStack(ctx context.Context, req DeleteStackRequest) (DeploymentRef, error) {
	const op = "engine.DeleteStack"
	release, err := e.admit(op, req, req.Name)
	if err != nil {
		return DeploymentRef{}, err
	}
	defer release()
	dep := &deploymentRecord{ID: e.ids.New(), Kind: kindDelete, RetainResources: req.RetainAllResources}
	err = e.update(ctx, op, func(tx *txn) error {
		rec, err := loadStack(tx, op, req.StackRef)
		if err != nil {
			return err
		}
		return e.begin(ctx, op, tx, rec, dep, fsm.StackDelete, fsm.StackFacts{DeletionProtection: rec.EnableDeletionProtection})
	})
	if err != nil {
		return DeploymentRef{}, err
	}
	e.launch(*dep, e.runDeployment)
	return DeploymentRef{DeploymentID: dep.ID}, nil
}

// begin commits the start of a deployment: the machine's transition to
// *_IN_PROGRESS, the deployment record, and a LOG event, in tx.
func (e *Engine) begin(ctx context.Context, op string, tx *txn, rec *stackRecord, dep *deploymentRecord, ev fsm.StackEvent, facts fsm.StackFacts) error {
	next, err := fire(ctx, op, rec.Name, rec.Status, ev, facts)
	if err != nil {
		return err
	}
	now := e.now()
	dep.StackID, dep.StackName, dep.StartTime = rec.ID, rec.Name, now
	rec.Status, rec.StatusMessage, rec.UpdateTime, rec.Deployment = next, "", now, dep.ID
	rec.Serial++ // every deployment expires the plans made before it
	e.made.expire(rec.ID)
	if dep.Template != nil {
		// Metadata shows the variables of the deployment (RFS allows pre- or
		// post-deployment values while it runs).
		rec.VarsBody, rec.VarsStructure, rec.VarsURIContent = dep.Template.VarsBody, dep.Template.VarsStructure, dep.Template.VarsURIContent
	}
	last, err := tx.eventSeq(rec.ID)
	if err != nil {
		return err
	}
	dep.FirstEvent = last + 1 // the LOG event below
	if err := putJSON(tx, store.Deployments, childKey(rec.ID, dep.ID), dep); err != nil {
		return err
	}
	if err := putJSON(tx, store.Stacks, stackKey(rec.Name), rec); err != nil {
		return err
	}
	return tx.appendEvents(rec.ID, e.logEvent(dep.ID, statusMessage(rec.Name, next, "")))
}

// fire asks the stack machine where ev leads from status, naming the
// operation and the stack in a refusal.
func fire(ctx context.Context, op, stack string, status formation.StackStatus, ev fsm.StackEvent, facts fsm.StackFacts) (formation.StackStatus, error) {
	next, err := fsm.NextStack(ctx, status, ev, facts)
	var fe *formation.Error
	if errors.As(err, &fe) {
		fe.Op, fe.Resource = op, stack
	}
	return next, err
}
