package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/template"
)

const storeJournal = store.Journal

// intentRecord is written (Journal bucket, stackID/i/address#op) before a
// provider mutation and removed with its result. One left behind names an
// operation whose outcome is unknown: recovery re-issues it with the same
// token, which a provider honours by returning what it already did.
type intentRecord struct {
	Op         string `json:"op"`
	Addr       string `json:"addr"`
	Token      string `json:"token"`
	ID         string `json:"id,omitempty"`
	Deployment string `json:"deployment"`
	Phase      phase  `json:"phase"`
	// For a creation: what re-issuing it needs (see settle.go).
	Type          string          `json:"type,omitempty"`
	ProviderName  string          `json:"provider,omitempty"`
	ProviderAlias string          `json:"provider_alias,omitempty"`
	Config        json.RawMessage `json:"config,omitempty"`
}

func intentPrefix(stackID string) []byte { return childKey(stackID, "i/") }

func intentKey(stackID string, n *node) []byte {
	return childKey(stackID, "i/"+n.id())
}

// writeIntent records n's intent and fixes its token. A creation's token
// comes from the address's creation generation, so it is the same across
// retries, recoveries and later deployments until a creation is recorded.
func (x *execution) writeIntent(tx *txn, n *node) error {
	c := n.change
	switch n.op {
	case opCreate:
		n.token = createToken(x.stack.ID, c.Addr, x.generations[c.Addr])
	case opDelete:
		// One object is deleted once, whichever deployment gets to it.
		id := c.ResourceID
		if c.Deposed != "" {
			id = c.Deposed
		}
		n.token = x.stack.ID + "/" + c.Addr + "/delete/" + id
	default:
		n.token = x.dep.ID + "/" + string(x.phase) + "/" + n.id()
	}
	if n.op == opRead {
		return nil // reads change nothing
	}
	in := intentRecord{Op: n.op.String(), Addr: c.Addr, Token: n.token, ID: c.ResourceID, Deployment: x.dep.ID, Phase: x.phase}
	if n.op == opCreate {
		in.Type, in.ProviderName, in.ProviderAlias, in.Config = c.Type, c.ProviderName, c.ProviderAlias, settleConfig(c.After)
	}
	return putJSON(tx, storeJournal, intentKey(x.stack.ID, n), in)
}

// appliedValues is what evaluation sees of each instance during a phase:
// planned values until an operation applies them. Evaluations read it
// far more often than operations change it (every reference of every
// evaluation reads it), hence its own read-write lock.
type appliedValues struct {
	mu      sync.RWMutex
	values  map[string]cty.Value
	version map[string]uint64 // per resource block, for template.VersionedValues
}

func newAppliedValues() *appliedValues {
	return &appliedValues{values: map[string]cty.Value{}, version: map[string]uint64{}}
}

// Value implements template.Values.
func (a *appliedValues) Value(addr string) cty.Value {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if v, ok := a.values[addr]; ok {
		return v
	}
	return cty.DynamicVal
}

// Version implements template.VersionedValues, so the template caches the
// collections of a block until one of its instances changes.
func (a *appliedValues) Version(block string) uint64 {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.version[block]
}

// set records what evaluation sees of c's instance from now on: v with
// the parts the plan found sensitive marked.
func (a *appliedValues) set(c *plan.Change, v cty.Value) {
	v = template.MarkSensitive(v, c.Sensitive)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.values[c.Addr] = v
	a.version[template.BlockOf(c.Addr)]++
}

// forget removes c's instance: it no longer exists.
func (a *appliedValues) forget(c *plan.Change) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.values, c.Addr)
	a.version[template.BlockOf(c.Addr)]++
}

// opText is the wording of a resource operation's events, as Terraform's.
var opText = map[opKind]struct{ start, done, failed string }{
	opCreate: {"Creating...", "Creation complete", "Creation failed"},
	opUpdate: {"Modifying...", "Modifications complete", "Modification failed"},
	opDelete: {"Destroying...", "Destruction complete", "Destruction failed"},
	opRead:   {"Reading...", "Read complete", "Read failed"},
}

var opEvents = map[opKind][3]formation.EventType{
	opCreate: {formation.EventCreationInProgress, formation.EventCreationComplete, formation.EventCreationFailed},
	opUpdate: {formation.EventUpdateInProgress, formation.EventUpdateComplete, formation.EventUpdateFailed},
	opDelete: {formation.EventDeletionInProgress, formation.EventDeletionComplete, formation.EventDeletionFailed},
}

var opStatuses = map[opKind][3]formation.ResourceStatus{
	opCreate: {formation.ResourceCreationInProgress, formation.ResourceCreationComplete, formation.ResourceCreationFailed},
	opUpdate: {formation.ResourceUpdateInProgress, formation.ResourceUpdateComplete, formation.ResourceUpdateFailed},
	opDelete: {formation.ResourceDeletionInProgress, formation.ResourceDeletionComplete, formation.ResourceDeletionFailed},
}

// resourceEvent is an event about n's resource.
func (x *execution) resourceEvent(n *node, t formation.EventType, msg, idKey, id string, elapsed time.Duration) *formation.Event {
	c := n.change
	ev := &formation.Event{
		DeploymentID: x.dep.ID, EventType: t, EventMessage: msg,
		ResourceType: c.Type, ResourceName: c.Name, ResourceKey: c.Key, ModuleAddress: template.ModuleOf(c.Addr),
	}
	if id != "" {
		ev.ResourceIDKey, ev.ResourceIDValue = idKey, id
	}
	if elapsed > 0 {
		ev.ElapsedSeconds = int64(elapsed / time.Second)
	}
	return ev
}

// perform runs one operation: its start is recorded (IN_PROGRESS event and
// resource status), the provider is called, and the result recorded. A
// non-nil error is the operation's failure (already recorded) or, when the
// phase's context is done, the engine stopping (nothing recorded: the
// intent stays for recovery).
func (x *execution) perform(ctx context.Context, n *node) error {
	c := n.change
	idKey := c.Schema.IDKey()
	text := opText[n.op]
	p, err := x.provs.forResource(c.ProviderName, c.ProviderAlias, c.Addr)
	if err != nil {
		x.fail(n, err, 0, idKey)
		return err
	}
	objID := c.ResourceID
	if c.Deposed != "" {
		objID = c.Deposed
	}
	var config cty.Value
	if n.op == opCreate || n.op == opUpdate || n.op == opRead {
		if config, err = x.evaluate(ctx, n); err != nil {
			x.fail(n, err, 0, idKey)
			return err
		}
	}
	start := x.e.clock.Now()
	x.started(n, x.resourceEvent(n, x.eventType(n, 0), fmt.Sprintf("%s: %s%s", c.Addr, text.start, idSuffix(objID)), idKey, objID, 0))

	if err := x.e.acquire(ctx); err != nil {
		if x.e.stopped(ctx) == nil {
			x.fail(n, err, 0, idKey) // the deployment timed out waiting for a slot
		}
		return err
	}
	res, err := x.callWithRetries(ctx, p, n, config, objID)
	x.e.release()
	elapsed := x.e.clock.Now().Sub(start)
	if err != nil {
		if x.e.stopped(ctx) != nil {
			return err // closing, or the claim lost: the intent stays for recovery
		}
		x.fail(n, err, elapsed, idKey)
		return err
	}
	if err := x.succeed(n, res, elapsed, idKey); err != nil {
		return err
	}
	if err := x.postconditions(ctx, n, res.value); err != nil {
		// The object exists and is recorded, as Terraform keeps it in
		// state; the deployment fails on the broken guarantee.
		x.fail(n, err, elapsed, idKey)
		return err
	}
	return nil
}

// postconditions checks the postconditions of what n created, updated or
// read against the object the provider returned.
func (x *execution) postconditions(ctx context.Context, n *node, value cty.Value) error {
	if x.cfg == nil || n.op == opDelete {
		return nil
	}
	inst := x.cfg.Instance(n.change.Addr)
	if inst == nil {
		return nil
	}
	return x.cfg.DiagnosticsError("engine.apply", n.change.Addr, x.cfg.Postconditions(ctx, inst, x.applied, value))
}

// eventType is the event type of n's start (0), completion (1) or failure
// (2); reads report LOG and ERROR.
func (x *execution) eventType(n *node, i int) formation.EventType {
	if t, ok := opEvents[n.op]; ok {
		return t[i]
	}
	if i == 2 {
		return formation.EventError
	}
	return formation.EventLog
}

func idSuffix(id string) string {
	if id == "" {
		return ""
	}
	return " [id=" + id + "]"
}

// opContext bounds one provider operation by Config.ResourceTimeout. Without
// one the phase's context serves as it is: a derived context per operation
// would register with it, under its lock, in every operation of a burst.
func (x *execution) opContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if x.e.cfg.ResourceTimeout > 0 {
		return context.WithTimeout(ctx, x.e.cfg.ResourceTimeout)
	}
	return ctx, func() {}
}

// callWithRetries makes n's provider call, retrying errors the provider
// marks transient (provider.ErrTransient) up to Config.MaxAttempts tries,
// with the same token and a doubling pause on the engine's clock.
// Attempt is left 0 in requests: the engine does not number tries across
// deployments, and a provider that counts them does so by token.
func (x *execution) callWithRetries(ctx context.Context, p provider.Provider, n *node, config cty.Value, objID string) (result, error) {
	pause := x.e.cfg.RetryPause
	for attempt := 1; ; attempt++ {
		opCtx, cancel := x.opContext(ctx)
		res, err := x.call(opCtx, p, n, config, objID)
		cancel()
		if err == nil || !errors.Is(err, provider.ErrTransient) || attempt >= x.e.cfg.MaxAttempts || ctx.Err() != nil {
			return res, err
		}
		msg := fmt.Sprintf("%s: %s; retrying in %s (attempt %d of %d)", n.change.Addr, err, pause, attempt+1, x.e.cfg.MaxAttempts)
		x.w.submit(func(tx *txn) error { return tx.appendEvents(x.stack.ID, x.e.logEvent(x.dep.ID, msg)) })
		if err := x.e.clock.Sleep(ctx, pause); err != nil {
			return result{}, err
		}
		pause *= 2
	}
}

// result is what a successful operation leaves: the object's new value
// (null after a deletion) and id.
type result struct {
	value cty.Value
	id    string
}

// call makes the provider call of n, once the stack's claim allows
// (fence).
func (x *execution) call(ctx context.Context, p provider.Provider, n *node, config cty.Value, objID string) (result, error) {
	c := n.change
	if err := fence(ctx); err != nil {
		return result{}, err
	}
	switch n.op {
	case opCreate:
		resp, err := p.Create(ctx, provider.CreateRequest{TypeName: c.Type, Address: c.Addr, Config: config, Token: n.token})
		if err != nil {
			return result{}, err
		}
		id := resp.ID
		if id == "" {
			id = stringAttr(resp.State, c.Schema.IDKey())
		}
		return result{resp.State, id}, nil
	case opUpdate:
		if config.RawEquals(c.Before) {
			return result{c.Before, objID}, nil // an import that needs no change
		}
		resp, err := p.Update(ctx, provider.UpdateRequest{TypeName: c.Type, Address: c.Addr, ID: objID, Prior: c.Before, Planned: config, Token: n.token})
		if err != nil {
			return result{}, err
		}
		return result{resp.State, objID}, nil
	case opDelete:
		prior := c.Before
		err := p.Delete(ctx, provider.DeleteRequest{TypeName: c.Type, Address: c.Addr, ID: objID, State: prior, Token: n.token})
		if err != nil && !errors.Is(err, provider.ErrNotFound) {
			return result{}, err
		}
		return result{cty.NullVal(cty.DynamicPseudoType), objID}, nil
	default: // opRead
		r, ok := p.(provider.DataSourceReader)
		if !ok {
			return result{}, fmt.Errorf("provider %q cannot read data sources", c.ProviderName)
		}
		resp, err := r.ReadDataSource(ctx, provider.ReadDataSourceRequest{TypeName: c.Type, Address: c.Addr, Config: config})
		if err != nil {
			return result{}, err
		}
		return result{resp.State, ""}, nil
	}
}

func stringAttr(v cty.Value, name string) string {
	if v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() || !v.Type().HasAttribute(name) {
		return ""
	}
	a := v.GetAttr(name)
	if a.IsNull() || !a.IsKnown() || a.Type() != cty.String {
		return ""
	}
	return a.AsString()
}

// evaluate computes the configuration n applies, now that everything it
// depends on is done: the template's values for the instance, planned
// against the schema as the planner did, with unknowns the dependencies
// have since resolved.
func (x *execution) evaluate(ctx context.Context, n *node) (cty.Value, error) {
	c := n.change
	if x.cfg == nil {
		return c.After, nil
	}
	inst := x.cfg.Instance(c.Addr)
	if inst == nil {
		return c.After, nil
	}
	if n.op != opRead && !x.dependsOnChanges(n) {
		// Nothing it refers to changes in this phase: the value planned is
		// the value to apply.
		return c.After, nil
	}
	config, diags := x.cfg.Evaluate(ctx, inst, x.applied)
	if err := x.cfg.DiagnosticsError("engine.evaluate", c.Addr, diags); err != nil {
		return cty.NilVal, err
	}
	// Providers never see marks: the plan recorded the sensitive paths
	// (c.Sensitive), and the same template marks the same ones.
	config, _ = template.SensitivePaths(config)
	if n.op == opRead {
		return config, nil
	}
	return c.Refine(config)
}

// dependsOnChanges reports whether anything n waits for creates, updates or
// reads a value in this phase (and so may resolve what was unknown when
// planning).
func (x *execution) dependsOnChanges(n *node) bool {
	for _, d := range n.deps {
		if d.op != opDelete {
			return true
		}
	}
	return false
}

// started records an operation's start: IN_PROGRESS event and status.
func (x *execution) started(n *node, ev *formation.Event) {
	if n.op == opRead {
		x.w.submit(func(tx *txn) error { return tx.appendEvents(x.stack.ID, ev) })
		return
	}
	x.mu.Lock()
	snapshot := x.markRecord(n, opStatuses[n.op][0], "")
	x.w.submit(func(tx *txn) error {
		// A fast operation's result is often submitted before its start
		// is committed: the result's write, in this commit or a later one,
		// replaces the record, so the start writes only its event. That
		// leaves a transaction room for one more result, and a crash
		// before the result's commit finds the record as it was before
		// the start, as it would a moment earlier (the intent says what
		// was under way).
		if !n.resulted.Load() {
			if err := putJSON(tx, store.Resources, resourceKey(x.stack.ID, snapshot.Addr), &snapshot); err != nil {
				return err
			}
		}
		return tx.appendEvents(x.stack.ID, ev)
	})
	x.recordQueued(n, opStatuses[n.op][0])
}

// markRecord sets the status of the object n works on and returns a
// snapshot of its record to write. The deletion of a deposed object marks
// that object's entry, not the record's status: that speaks for the live
// object.
//
// The caller holds x.mu, and keeps it until it has queued the snapshot's
// write (recordQueued releases it): the writes of one record are then
// queued, and committed, in the order their snapshots were taken, so the
// last one holds every change. Operations on one resource run at once — a
// rollback's create-before-destroy creation beside the deletion of an
// older deposed object — and an older snapshot queued after a newer one
// undid it: the deletion's failure, marked before the creation completed
// and queued after it, left the record as it was before the rollback, the
// new object unrecorded. (Queueing may wait for room in the writer's queue;
// the writer never takes x.mu.)
func (x *execution) markRecord(n *node, status formation.ResourceStatus, msg string) resourceRecord {
	rec := x.recordFor(n)
	if id := n.deposed(); id != "" {
		rec.Deposed = markDeposed(rec.Deposed, id, status, msg)
	} else {
		rec.Status, rec.StatusMessage, rec.Deployment = status, msg, x.dep.ID
	}
	snapshot := *rec
	snapshot.Deposed = slices.Clone(rec.Deposed)
	return snapshot
}

// recordQueued ends what markRecord began, once the write of n's record,
// marked status, is queued: x.mu is released.
func (x *execution) recordQueued(n *node, status formation.ResourceStatus) {
	x.mu.Unlock()
	if h := x.e.hooks.recordQueued; h != nil {
		h(n, status)
	}
}

// markDeposed returns ds with the status of object id set, in a new slice:
// queued snapshots of the record still hold the old one.
func markDeposed(ds []deposedRecord, id string, status formation.ResourceStatus, msg string) []deposedRecord {
	out := slices.Clone(ds)
	for i := range out {
		if out[i].ID == id {
			out[i].Status, out[i].StatusMessage = status, msg
		}
	}
	return out
}

// recordFor returns the record n works on, creating it for a new resource.
// The caller holds x.mu.
func (x *execution) recordFor(n *node) *resourceRecord {
	c := n.change
	rec := x.records[c.Addr]
	if rec == nil {
		rec = &resourceRecord{Addr: c.Addr, Mode: c.Mode, Type: c.Type, Name: c.Name, Key: c.Key}
		x.records[c.Addr] = rec
	}
	rec.ProviderName, rec.ProviderAlias, rec.IDKey = c.ProviderName, c.ProviderAlias, c.Schema.IDKey()
	return rec
}

// fail records a failed operation: FAILED event, an ERROR event carrying
// the provider's message, the resource's status, and the withdrawn intent.
func (x *execution) fail(n *node, err error, elapsed time.Duration, idKey string) {
	c := n.change
	msg := err.Error()
	x.mu.Lock()
	x.errs = append(x.errs, c.Addr+": "+msg)
	x.mu.Unlock()
	evs := []*formation.Event{
		x.resourceEvent(n, x.eventType(n, 2), fmt.Sprintf("%s: %s after %ds", c.Addr, opText[n.op].failed, int64(elapsed/time.Second)), idKey, c.ResourceID, elapsed),
	}
	if n.op != opRead {
		evs = append(evs, x.resourceEvent(n, formation.EventError, c.Addr+": "+msg, idKey, c.ResourceID, 0))
	}
	if n.op == opRead {
		x.w.submit(func(tx *txn) error { return tx.appendEvents(x.stack.ID, evs...) })
		return
	}
	lostCreation := n.op == opCreate && errors.Is(err, provider.ErrTransient)
	status := opStatuses[n.op][2]
	x.mu.Lock()
	snapshot := x.markRecord(n, status, msg)
	n.resulted.Store(true)
	x.w.submit(func(tx *txn) error {
		if err := putJSON(tx, store.Resources, resourceKey(x.stack.ID, snapshot.Addr), &snapshot); err != nil {
			return err
		}
		// A creation that kept failing transiently (the provider's word
		// for "try again": a lost response looks like that) may have
		// taken effect: its intent stays, for the next phase to settle.
		// A permanent error is a refusal, and a provider that honours
		// ctx has not acted when it reports cancellation.
		if !lostCreation {
			if err := tx.Delete(storeJournal, intentKey(x.stack.ID, n)); err != nil {
				return err
			}
		}
		return tx.appendEvents(x.stack.ID, evs...)
	})
	x.recordQueued(n, status)
}

// succeed records a finished operation: the resource's new record (or its
// removal), the COMPLETE event, the creation generation, and the withdrawn
// intent — one group, so the record and the event are never seen apart. A
// result it cannot record (a provider breaking its contract with an unknown
// value) fails the operation instead.
func (x *execution) succeed(n *node, res result, elapsed time.Duration, idKey string) error {
	c := n.change
	id := res.id
	if n.op == opDelete {
		id = ""
	}
	ev := x.resourceEvent(n, x.eventType(n, 1), fmt.Sprintf("%s: %s after %ds%s", c.Addr, opText[n.op].done, int64(elapsed/time.Second), idSuffix(id)), idKey, id, elapsed)
	if n.op == opRead {
		x.applied.set(c, res.value)
		x.w.submit(func(tx *txn) error { return tx.appendEvents(x.stack.ID, ev) })
		return nil
	}
	var value json.RawMessage
	if n.op != opDelete {
		// Encoded before taking x.mu: evaluations of other instances read
		// values under it, and a burst of completions must not queue on
		// one another's JSON.
		var err error
		if value, err = encodeValue(res.value); err != nil {
			err = fmt.Errorf("the provider returned a state that cannot be recorded (%w); the object %s is left in place", err, res.id)
			x.fail(n, err, elapsed, idKey)
			return err
		}
	}
	x.mu.Lock()
	rec := x.recordFor(n)
	var remove bool
	switch n.op {
	case opCreate:
		if prior := rec.Value; len(prior) > 0 && c.Action == formation.ActionAddThenDelete {
			rec.Deposed = append(slices.Clone(rec.Deposed), deposedRecord{ID: rec.ID, Value: prior, Status: formation.ResourceCreationComplete})
		}
		x.counts.added++
		fallthrough
	case opUpdate:
		if n.op == opUpdate && !c.Imported {
			x.counts.changed++
		}
		rec.Value, rec.ID = value, res.id
		rec.Dependencies = c.Dependencies
		rec.PreventDestroy, rec.CreateBeforeDestroy = c.PreventDestroy, c.CreateBeforeDestroy
		rec.Imported = rec.Imported || c.Imported
		rec.Sensitive = sensitiveNames(c)
		x.applied.set(c, res.value)
	case opDelete:
		x.counts.destroyed++
		if id := n.deposed(); id != "" {
			rec.Deposed = removeDeposed(rec.Deposed, id)
		} else if c.Action == formation.ActionDelete || c.Action == formation.ActionDeleteThenAdd {
			remove = true
			delete(x.records, c.Addr)
			x.applied.forget(c)
		}
	}
	if n.deposed() == "" {
		rec.Status, rec.StatusMessage, rec.Deployment = opStatuses[n.op][1], "", x.dep.ID
	}
	snapshot := *rec
	snapshot.Deposed = slices.Clone(rec.Deposed)
	// x.mu stays held until the snapshot's write is queued (markRecord).
	deleted := n.deposed() // the object a deletion deleted
	if deleted == "" {
		deleted = c.ResourceID
	}

	stackID := x.stack.ID
	n.resulted.Store(true)
	x.w.submit(func(tx *txn) error {
		key := resourceKey(stackID, snapshot.Addr)
		var err error
		if remove {
			err = tx.Delete(store.Resources, key)
		} else {
			err = putJSON(tx, store.Resources, key, &snapshot)
		}
		if err != nil {
			return err
		}
		switch {
		case n.op == opCreate || n.op == opUpdate && c.Imported:
			err = tx.own(x.stack, x.dep.ID, snapshot.Addr, snapshot.ProviderName, snapshot.Type, snapshot.ID)
		case n.op == opDelete:
			err = tx.disown(stackID, snapshot.ProviderName, snapshot.Type, deleted)
		}
		if err != nil {
			return err
		}
		if n.op == opCreate {
			if err := advanceGeneration(tx, stackID, snapshot.Addr, x.generations[snapshot.Addr]); err != nil {
				return err
			}
		}
		if err := tx.Delete(storeJournal, intentKey(stackID, n)); err != nil {
			return err
		}
		return tx.appendEvents(stackID, ev)
	})
	x.recordQueued(n, opStatuses[n.op][1])
	return nil
}

// removeDeposed returns ds without id, in a new slice: queued snapshots of
// the record still hold the old one.
func removeDeposed(ds []deposedRecord, id string) []deposedRecord {
	var out []deposedRecord
	for _, d := range ds {
		if d.ID != id {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// sensitiveNames lists the attributes a change's object holds sensitive
// values in, sorted: the schema's sensitive attributes, and those its
// configuration marked (password = var.secret), which the resource's
// attributes then hide as Terraform's state hides them.
func sensitiveNames(c *plan.Change) []string {
	var out []string
	for name, a := range c.Schema.Attributes {
		if a.Sensitive {
			out = append(out, name)
		}
	}
	for _, p := range c.Sensitive {
		if len(p) > 0 {
			if step, ok := p[0].(cty.GetAttrStep); ok && !slices.Contains(out, step.Name) {
				out = append(out, step.Name)
			}
		}
	}
	slices.Sort(out)
	return out
}
