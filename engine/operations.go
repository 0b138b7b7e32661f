package engine

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/fsm"
	"github.com/formation-engine/formation/store"
)

// DeploymentRef names a deployment: what the asynchronous operations
// (DeployStack, DeleteStack, ContinueDeployStack, ContinueRollbackStack,
// ApplyExecutionPlan) return, and what Wait takes.
type DeploymentRef struct {
	DeploymentID string `json:"deployment_id,omitempty"`
}

// Result is how a deployment ended.
type Result struct {
	DeploymentRef
	StackName string `json:"stack_name"`
	StackID   string `json:"stack_id"`
	// Status is the stack status the deployment left: *_COMPLETE or
	// *_FAILED. A finished deletion leaves no stack: Deleted is set and
	// Status is empty.
	Status  formation.StackStatus `json:"status,omitempty"`
	Deleted bool                  `json:"deleted,omitempty"`
	// Message is the status message of a failure.
	Message string `json:"status_message,omitempty"`
}

// Succeeded reports whether the deployment did what it was asked:
// DEPLOYMENT_COMPLETE, or the stack deleted. ROLLBACK_COMPLETE is not a
// success: the deployment failed even though the rollback worked.
func (r Result) Succeeded() bool {
	return r.Status == formation.StackDeploymentComplete || r.Deleted
}

// operation is a deployment running (or recently finished) in this process.
type operation struct {
	done   chan struct{}
	result Result
	err    error // set when the operation stopped short (engine closed)
	// elsewhere is set when the operation stopped short because the
	// deployment is another engine's: its claim was lost (another engine
	// takes it over), or it was no longer running when this one started
	// (another engine ended it between this one finding it in progress and
	// claiming its stack). Its outcome is then the store's. Read while it
	// runs.
	elsewhere atomic.Bool
}

// launch runs fn in the background for the deployment dep, whose
// *_IN_PROGRESS status is already committed. If the engine is closing, the
// operation is left for recovery at the next open.
//
// The operation runs under the stack's claim in the store (claimName), so
// that of all the engines sharing the store only one runs it. If another
// holds the claim, that one runs it and launch does nothing; Wait then
// follows the deployment in the store. If the claim is lost (this process
// could not renew it in time), the operation stops at its next step, and
// its writes fail rather than commit: another engine has taken it over.
func (e *Engine) launch(dep deploymentRecord, fn func(ctx context.Context, dep deploymentRecord) (Result, error)) (started bool) {
	c, err := e.st.Claim(e.bg, claimName(dep.StackName))
	if errors.Is(err, store.ErrClaimed) {
		// Perhaps held by this engine's previous operation of the stack,
		// which has committed its end (so a new one could start) but not
		// yet released the claim: wait for it, and claim again. It may
		// also have released it since the refusal (holding no longer
		// names it): claim again then too, or the deployment, accepted,
		// would never run.
		e.mu.Lock()
		prev := e.holding[dep.StackName]
		e.mu.Unlock()
		if prev != nil {
			<-prev
		}
		c, err = e.st.Claim(e.bg, claimName(dep.StackName))
	}
	if err != nil {
		if !errors.Is(err, store.ErrClaimed) {
			e.log.Warn("deployment not started: its stack could not be claimed", "stack", dep.StackName, "deployment", dep.ID, "err", err)
		}
		return false
	}
	op := &operation{done: make(chan struct{})}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		_ = c.Release()
		return false
	}
	e.ops[dep.ID] = op
	released := make(chan struct{})
	e.holding[dep.StackName] = released
	e.running.Add(1)
	e.mu.Unlock()
	go func() {
		defer e.running.Done()
		ctx, cancel := e.underClaim(c, func() {
			e.log.Warn("the stack's claim was lost; another engine takes the deployment over", "stack", dep.StackName, "deployment", dep.ID)
		})
		defer cancel()
		op.result, op.err = fn(ctx, dep)
		stale := errors.Is(op.err, errStale)
		select {
		case <-c.Lost():
			op.elsewhere.Store(op.err != nil)
		default:
			op.elsewhere.Store(stale)
		}
		if err := c.Release(); err != nil {
			e.log.Warn("releasing the stack's claim", "stack", dep.StackName, "err", err)
		}
		e.mu.Lock()
		if e.holding[dep.StackName] == released {
			delete(e.holding, dep.StackName)
		}
		e.mu.Unlock()
		close(released)
		if op.err != nil && !stale {
			e.log.Warn("deployment stopped before finishing; it resumes when the store is opened again or another engine takes it over",
				"stack", dep.StackName, "deployment", dep.ID, "err", op.err)
		}
		e.keepFinished(dep.ID) // before waiters wake: they may start the next one
		close(op.done)
	}()
	return true
}

// underClaim returns a context of the engine's that carries c, so that
// commits under it fail once c is lost, and that is cancelled then (after
// lost is called), so that the work under c stops at its next step.
func (e *Engine) underClaim(c store.Claim, lost func()) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(store.WithClaim(e.bg, c))
	go func() {
		select {
		case <-c.Lost():
			lost()
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// stopped says why an operation must stop where it stands, leaving what it
// has not recorded to whoever resumes it from its journal: the engine is
// closing, or the claim ctx carries is lost (another engine takes the
// operation over, and this one's commits would fail). It is nil otherwise:
// a done ctx is then the deployment's time running out, a failure to
// record.
func (e *Engine) stopped(ctx context.Context) error {
	if err := e.bg.Err(); err != nil {
		return err
	}
	if c := store.ClaimOf(ctx); c != nil {
		select {
		case <-c.Lost():
			return store.ErrorClaimLost("engine.deployment", c.Name())
		default:
		}
	}
	return nil
}

// fence waits until a provider call may start under the claim ctx
// carries (store.Claim.Valid): never once the claim is lost, nor while it
// could be lost before the call is told to stop (store package doc,
// Fencing). Without a claim it only checks ctx.
func fence(ctx context.Context) error {
	if c := store.ClaimOf(ctx); c != nil {
		return c.Valid(ctx)
	}
	return ctx.Err()
}

// maxFinished is how many finished operations stay in memory. Wait answers
// for older ones from their stored records; only a finished deletion, whose
// records went with its stack, is then unknown (404), as RFS answers.
const maxFinished = 1024

// keepFinished remembers a finished operation and forgets the oldest beyond
// maxFinished, so a long-running engine does not grow without bound.
func (e *Engine) keepFinished(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.done = append(e.done, id)
	if len(e.done) > maxFinished {
		delete(e.ops, e.done[0])
		e.done = e.done[1:]
	}
}

// Wait blocks until the deployment is terminal and returns how it ended, or
// returns ctx's error. A deployment that a Close interrupted reports
// ErrUnavailable; an unknown deployment ErrNotFound (a deleted stack takes
// its deployments with it, so a deletion's end is known only to the engine
// that ran it, for its latest maxFinished operations).
func (e *Engine) Wait(ctx context.Context, ref DeploymentRef) (Result, error) {
	const opName = "engine.Wait"
	deploymentID := ref.DeploymentID
	if err := formation.ValidateID(opName, "deployment_id", deploymentID); err != nil {
		return Result{}, err
	}
	e.mu.Lock()
	op := e.ops[deploymentID]
	e.mu.Unlock()
	if op != nil {
		select {
		case <-op.done:
			if op.elsewhere.Load() {
				break // another engine finishes it, or finished it: wait on the store
			}
			if op.err != nil {
				return Result{}, formation.Wrap(formation.CodeUnavailable, opName, deploymentID, op.err)
			}
			return op.result, nil
		case <-ctx.Done():
			return Result{}, formation.ContextError(opName, ctx.Err())
		}
	}
	for {
		dep, found, err := e.findDeployment(ctx, opName, deploymentID)
		switch {
		case err != nil:
			return Result{}, err
		case !found:
			return Result{}, formation.Errorf(formation.CodeDeploymentNotFound, opName, deploymentID, "deployment does not exist")
		case dep.done():
			return dep.result(), nil
		}
		// Running in this engine but not (yet, or any more) in memory (a
		// recovery, or the moment between its commit and its launch), or
		// in another engine sharing the store: wait for its record to
		// change.
		err = e.waitForChange(ctx, dep.StackID, func() bool {
			d, ok, err := e.findDeployment(ctx, opName, deploymentID)
			return err != nil || !ok || d.done()
		})
		if err != nil {
			return Result{}, typed(opName, err)
		}
		e.mu.Lock()
		op = e.ops[deploymentID]
		e.mu.Unlock()
		if op != nil && !op.elsewhere.Load() {
			return e.Wait(ctx, ref)
		}
	}
}

// findDeployment reads a deployment's record, wherever its stack is.
func (e *Engine) findDeployment(ctx context.Context, op, deploymentID string) (deploymentRecord, bool, error) {
	var dep deploymentRecord
	found := false
	err := e.view(ctx, op, func(tx store.Tx) error {
		return tx.Scan(store.Deployments, store.ScanOptions{}, func(k, v []byte) (bool, error) {
			if len(k) < len(deploymentID) || string(k[len(k)-len(deploymentID):]) != deploymentID {
				return true, nil
			}
			found = true
			return false, decode(v, &dep)
		})
	})
	return dep, found, err
}

func (d *deploymentRecord) result() Result {
	r := Result{DeploymentRef: DeploymentRef{DeploymentID: d.ID}, StackName: d.StackName, StackID: d.StackID, Status: d.Status, Message: d.Message}
	if r.Status == fsm.StackDeleted {
		r.Status, r.Deleted = "", true
	}
	return r
}

// interrupted is what a store holds unfinished when an engine opens it:
// deployments of stacks left *_IN_PROGRESS and plans left
// CREATION_IN_PROGRESS.
type interrupted struct {
	deployments []deploymentRecord
	plans       []planRecord
}

// findInterrupted reads what the store holds unfinished. It is called
// before the engine runs anything, so everything it finds was interrupted.
func (e *Engine) findInterrupted(ctx context.Context) (interrupted, error) {
	var pending []deploymentRecord
	err := e.st.View(ctx, func(tx store.Tx) error {
		return tx.Scan(store.Stacks, store.ScanOptions{}, func(_, v []byte) (bool, error) {
			var rec stackRecord
			if err := decode(v, &rec); err != nil {
				return false, err
			}
			if !rec.Status.InProgress() {
				return true, nil
			}
			var dep deploymentRecord
			ok, err := getJSON(tx, store.Deployments, childKey(rec.ID, rec.Deployment), &dep)
			if err != nil {
				return false, err
			}
			if !ok {
				return false, formation.Errorf(formation.CodeInternal, "engine.recover", rec.Name,
					"stack is %s but its deployment %s is not stored", rec.Status, rec.Deployment)
			}
			pending = append(pending, dep)
			return true, nil
		})
	})
	if err != nil {
		return interrupted{}, typed("engine.recover", err)
	}
	var planning []planRecord
	err = e.st.View(ctx, func(tx store.Tx) error {
		return tx.Scan(store.Plans, store.ScanOptions{}, func(_, v []byte) (bool, error) {
			var p planRecord
			if err := decode(v, &p); err != nil {
				return false, err
			}
			if p.Status == formation.PlanCreationInProgress {
				planning = append(planning, p)
			}
			return true, nil
		})
	})
	if err != nil {
		return interrupted{}, typed("engine.recover", err)
	}
	return interrupted{deployments: pending, plans: planning}, nil
}

// resume runs what was interrupted, in the background.
func (e *Engine) resume(work interrupted) {
	for _, p := range work.plans {
		e.launchPlanning(p)
	}
	e.launchAll(work.deployments)
}

// launchAll launches the deployments that do not run here; launch leaves
// alone those another engine sharing the store runs (it holds their
// claims).
func (e *Engine) launchAll(deps []deploymentRecord) {
	for _, dep := range deps {
		if e.runsHere(dep.ID) {
			continue
		}
		if e.launch(dep, e.runDeployment) {
			e.log.Info("resuming an interrupted deployment", "stack", dep.StackName, "deployment", dep.ID, "kind", dep.Kind)
		}
	}
}

// runsHere reports whether the deployment runs in this engine, or ran
// here and stopped for a reason other than its being another engine's (a
// Close: it resumes at the next open).
func (e *Engine) runsHere(deploymentID string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	op := e.ops[deploymentID]
	return op != nil && !op.elsewhere.Load()
}

// adopt launches the operations of stacks *_IN_PROGRESS, and the making of
// plans CREATION_IN_PROGRESS, that no engine runs: on a shared store, those
// of engines that died, once their claims expire.
func (e *Engine) adopt(ctx context.Context) error {
	work, err := e.findInterrupted(ctx)
	if err != nil {
		return err
	}
	for _, p := range work.plans {
		e.launchPlanning(p)
	}
	e.launchAll(work.deployments)
	return nil
}

// adoptOnShared starts adopting, once, when the store is shared: with the
// engine's own interrupted work resumed (New, or Recover when deferred),
// the operations other engines leave are this engine's to take over too.
func (e *Engine) adoptOnShared() {
	if store.IsShared(e.st) {
		e.adopts.Do(func() { e.adoptEvery(e.cfg.TakeoverInterval) })
	}
}

// adoptEvery calls adopt every interval until the engine closes: on a
// shared store, that is how a dead engine's operations are taken over,
// within the claims' lease TTL plus interval.
func (e *Engine) adoptEvery(interval time.Duration) {
	e.running.Add(1)
	go func() {
		defer e.running.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-e.bg.Done():
				return
			case <-e.draining.Done(): // a shutting-down engine takes nothing over
				return
			case <-t.C:
				if err := e.adopt(e.bg); err != nil && e.bg.Err() == nil {
					e.log.Warn("looking for operations to take over failed", "err", err)
				}
			}
		}
	}()
}

// finish commits a deployment's end: the stack's final transition, the
// deployment record and a closing LOG event, in one transaction. It returns
// errStale when the stack is no longer running this deployment.
func (e *Engine) finish(ctx context.Context, tx *txn, rec *stackRecord, dep *deploymentRecord, ev fsm.StackEvent, message string) error {
	next, err := fire(ctx, "engine.finish", rec.Name, rec.Status, ev, fsm.StackFacts{})
	if err != nil {
		return err
	}
	dep.Status, dep.Message, dep.EndTime = next, message, e.now()
	if next == fsm.StackDeleted {
		return tx.purgeStack(rec)
	}
	rec.Status, rec.UpdateTime = next, dep.EndTime
	rec.StatusMessage = ""
	if next.Failed() {
		rec.StatusMessage = message
	}
	if err := tx.appendEvents(rec.ID, e.logEvent(dep.ID, statusMessage(rec.Name, next, message))); err != nil {
		return err
	}
	dep.LastEvent = tx.lastSeq[rec.ID] // the LOG event above
	if err := putJSON(tx, store.Deployments, childKey(rec.ID, dep.ID), dep); err != nil {
		return err
	}
	return putJSON(tx, store.Stacks, stackKey(rec.Name), rec)
}

var errStale = errors.New("the stack is no longer running this deployment")

// runningStack loads the stack a deployment works on and checks that it is
// still that deployment's.
func runningStack(tx store.Tx, dep deploymentRecord) (*stackRecord, error) {
	var rec stackRecord
	ok, err := getJSON(tx, store.Stacks, stackKey(dep.StackName), &rec)
	if err != nil {
		return nil, err
	}
	if !ok || rec.ID != dep.StackID || rec.Deployment != dep.ID || !rec.Status.InProgress() {
		return nil, errStale
	}
	return &rec, nil
}

// purgeStack removes the stack and everything stored for it; its followers
// are woken to find it gone.
//
// The deleting deployment's events go with the stack; followers of the
// stack get them from memory (followers.bury), so that following a
// deletion to its end misses nothing.
func (tx *txn) purgeStack(rec *stackRecord) error {
	if err := tx.buryEvents(rec); err != nil {
		return err
	}
	for _, b := range stackBuckets() {
		if err := deletePrefix(tx, b, childPrefix(rec.ID)); err != nil {
			return err
		}
	}
	tx.touch(rec.ID)
	delete(tx.lastSeq, rec.ID)
	if err := tx.Delete(store.Meta, eventSeqKey(rec.ID)); err != nil {
		return err
	}
	return tx.Delete(store.Stacks, stackKey(rec.Name))
}

// buryEvents keeps the deleting deployment's events for the stack's
// followers, when it has any: the purge takes them from the store.
func (tx *txn) buryEvents(rec *stackRecord) error {
	if !tx.followers.following(rec.ID) {
		return nil
	}
	// Newest first, bounded, then reversed: a huge deletion keeps its end,
	// which every follower must see.
	dep := deploymentRecord{ID: rec.Deployment}
	if _, err := getJSON(tx, store.Deployments, childKey(rec.ID, rec.Deployment), &dep); err != nil {
		return err
	}
	evs, err := collect(tx, []eventSource{deploymentSource(rec.ID, &dep)}, eventFilter{}, 0, true, maxBuried)
	if err != nil {
		return err
	}
	slices.Reverse(evs)
	if tx.buried == nil {
		tx.buried = map[string][]formation.Event{}
	}
	tx.buried[rec.ID] = evs
	return nil
}

// stackBuckets are the buckets keyed by stack id: all but the engine-wide
// (Meta) and by-name (Stacks) ones.
func stackBuckets() []store.Bucket {
	var out []store.Bucket
	for _, b := range store.Buckets() {
		if b != store.Meta && b != store.Stacks {
			out = append(out, b)
		}
	}
	return out
}

// purgeStackData deletes what a stack being deleted has stored, in
// transactions within the store's limits, before the deployment's final
// transaction removes the stack (purgeStack): the records of a stack of
// 10,000 resources do not fit in one transaction. It keeps what recovery
// needs should the process die meanwhile: the stack's record and this
// deployment's. The deletion's events are buried for followers first.
func (e *Engine) purgeStackData(w *writer, dep *deploymentRecord) error {
	budget := e.st.Limits().MaxOps - txnHeadroom.MaxOps
	keep := childKey(dep.StackID, dep.ID)
	for first := true; ; first = false {
		var more bool
		committed := make(chan error, 1)
		w.then(func(tx *txn) error {
			more = false // fn may run again
			rec, err := runningStack(tx, *dep)
			if err != nil {
				return err
			}
			if first {
				if err := tx.buryEvents(rec); err != nil {
					return err
				}
			}
			var doomed []struct {
				b store.Bucket
				k []byte
			}
			for _, b := range stackBuckets() {
				err := tx.Scan(b, store.ScanOptions{Prefix: childPrefix(rec.ID)}, func(k, _ []byte) (bool, error) {
					if b == store.Deployments && bytes.Equal(k, keep) {
						return true, nil
					}
					if len(doomed) == budget {
						more = true
						return false, nil
					}
					doomed = append(doomed, struct {
						b store.Bucket
						k []byte
					}{b, bytes.Clone(k)})
					return true, nil
				})
				if err != nil || more {
					break
				}
			}
			for _, d := range doomed {
				if err := tx.Delete(d.b, d.k); err != nil {
					return err
				}
			}
			return nil
		}, func(err error) { committed <- err })
		if err := <-committed; err != nil || !more {
			return err
		}
	}
}

func statusMessage(stack string, status formation.StackStatus, message string) string {
	s := "Stack " + stack + " is " + string(status) + "."
	if message != "" {
		s += " " + message
	}
	return s
}

// WaitStack blocks until the stack is not *_IN_PROGRESS and returns its
// metadata: after Open, to let a recovered operation finish, or to wait
// for an operation another goroutine started. A stack whose deletion
// completes meanwhile is ErrNotFound.
func (e *Engine) WaitStack(ctx context.Context, ref StackRef) (formation.Stack, error) {
	const op = "engine.WaitStack"
	for {
		s, err := e.GetStackMetadata(ctx, ref)
		if err != nil || !s.Status.InProgress() {
			return s, err
		}
		err = e.waitForChange(ctx, s.ID, func() bool {
			cur, err := e.GetStackMetadata(ctx, ref)
			return err != nil || cur.ID != s.ID || !cur.Status.InProgress()
		})
		if err != nil {
			return formation.Stack{}, typed(op, err)
		}
	}
}
