package engine

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/template"
)

// execution applies one plan: one phase (deploy, rollback, delete) of one
// deployment. It walks the plan as a graph of resource operations —
// creations and updates after what they depend on, deletions before what
// they depended on, the two halves of a replacement in the planned order —
// running at most parallelism provider operations at once.
//
// Every operation's intent (address, operation, token) is committed before
// its provider call, and its result after it; the writer groups both with
// everything else that queued, so durability costs a commit per group, not
// per resource.
type execution struct {
	e     *Engine
	stack *stackRecord
	dep   *deploymentRecord
	phase phase
	cfg   *template.Config // nil for a destroy plan
	plan  *plan.Plan
	provs *providerSet
	w     *writer // the results, events and everything else the phase records
	iw    *writer // the intents, while run runs (see run)

	parallelism int
	keepGoing   bool // after a failure, keep starting operations that do not depend on it

	applied *appliedValues

	mu       sync.Mutex
	records  map[string]*resourceRecord // the stack's resources as this phase leaves them
	leftover map[string]bool            // addresses with a creation an earlier run left unsettled
	// generations are the creation generations at the phase's start
	// (loadGenerations); read-only while the phase runs.
	generations map[string]uint64
	counts      struct{ added, changed, destroyed int }
	errs        []string // failure summaries, in completion order
}

// opKind is what a node does.
type opKind int

const (
	opCreate opKind = iota
	opUpdate
	opDelete
	opRead // a data source whose configuration was known only during apply
)

func (k opKind) String() string {
	return [...]string{"create", "update", "delete", "read"}[k]
}

// node is one resource operation of the graph.
type node struct {
	change  *plan.Change
	op      opKind
	deps    []*node // must finish first
	waiting int     // deps not finished yet
	next    []*node // nodes that wait for this one
	token   string  // idempotency token, fixed when the intent is written
	// intentCommitted, for an operation whose intent is committed while
	// the first operations run, waits for that commit and reports it.
	intentCommitted func() error
	state           nodeState
	// resulted is set once the operation's result is submitted: its
	// start, if not committed yet, then leaves the resource's record to
	// the result's write (see started).
	resulted atomic.Bool
}

type nodeState int

const (
	nodeWaiting nodeState = iota // for what it depends on, or for a slot
	nodeRunning
	nodeDone
	nodeFailed
	nodeSkipped // not started: something it waits for failed, or fail-fast
)

func (n *node) id() string { return n.change.Addr + "#" + n.op.String() + n.change.Deposed }

// deposed is the id of the superseded object n deletes, "" when n works on
// the resource's live object: a deposed object the plan names, or the old
// object of a create-before-destroy replacement, which the creation half
// has moved aside by the time the deletion half runs.
func (n *node) deposed() string {
	switch {
	case n.op != opDelete:
		return ""
	case n.change.Deposed != "":
		return n.change.Deposed
	case n.change.Action == formation.ActionAddThenDelete:
		return n.change.ResourceID
	}
	return ""
}

// buildGraph turns the plan's changes into operations and orders them.
func buildGraph(p *plan.Plan) ([]*node, error) {
	var nodes []*node
	creates := map[string]*node{} // by address: the node that makes the new object (create, update, read)
	deletes := map[string][]*node{}
	add := func(c *plan.Change, op opKind) *node {
		n := &node{change: c, op: op}
		nodes = append(nodes, n)
		switch op {
		case opDelete:
			deletes[c.Addr] = append(deletes[c.Addr], n)
		default:
			creates[c.Addr] = n
		}
		return n
	}
	for _, c := range p.Changes {
		if c.Drifted {
			continue
		}
		if c.Mode == formation.ModeData {
			if !c.After.IsWhollyKnown() {
				add(c, opRead)
			}
			continue
		}
		switch c.Action {
		case formation.ActionAdd:
			add(c, opCreate)
		case formation.ActionUpdate:
			add(c, opUpdate)
		case formation.ActionDelete:
			add(c, opDelete)
		case formation.ActionDeleteThenAdd:
			d, cr := add(c, opDelete), add(c, opCreate)
			cr.deps = append(cr.deps, d)
		case formation.ActionAddThenDelete:
			cr, d := add(c, opCreate), add(c, opDelete)
			d.deps = append(d.deps, cr)
		case formation.ActionNoOperation:
			if c.Imported {
				add(c, opUpdate) // records the imported object; the provider call is skipped when nothing changes
			}
		}
	}
	var updates []*node // the updates, which deletions may wait for
	for _, n := range nodes {
		if n.op == opUpdate {
			updates = append(updates, n)
		}
	}
	for _, n := range nodes {
		switch n.op {
		case opCreate, opUpdate, opRead:
			// After what it depends on is created or updated.
			for _, d := range n.change.Dependencies {
				if dn := creates[d]; dn != nil && dn != n {
					n.deps = append(n.deps, dn)
				}
			}
		case opDelete:
			// Before what the deleted object depended on is deleted: the
			// dependency's deletion waits for this one.
			for _, d := range n.change.Dependencies {
				for _, dn := range deletes[d] {
					if dn != n {
						dn.deps = append(dn.deps, n)
					}
				}
			}
			// A pure deletion or the deletion of a replaced object also
			// waits until the objects that referred to it have moved on.
			if n.change.Action == formation.ActionDelete || n.change.Action == formation.ActionAddThenDelete {
				for _, m := range updates {
					if m.change.Addr != n.change.Addr && slices.Contains(m.change.Dependencies, n.change.Addr) {
						n.deps = append(n.deps, m)
					}
				}
			}
		}
	}
	for _, n := range nodes {
		n.deps = uniqueNodes(n.deps)
		n.waiting = len(n.deps)
		for _, d := range n.deps {
			d.next = append(d.next, n)
		}
	}
	sorted, cyc := sortTopologically(nodes)
	if cyc != nil {
		return nil, formation.Errorf(formation.CodeInternal, "engine.buildGraph", "", "the operations of the plan form a cycle: %v", cyc)
	}
	return sorted, nil
}

// uniqueNodes drops repeated nodes from ns, in place. Most nodes wait for
// a handful at most, for which a scan costs less than a set.
func uniqueNodes(ns []*node) []*node {
	if len(ns) > 16 {
		seen := make(map[*node]bool, len(ns))
		return slices.DeleteFunc(ns, func(n *node) bool {
			dup := seen[n]
			seen[n] = true
			return dup
		})
	}
	out := ns[:0]
	for _, n := range ns {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// sortTopologically orders nodes so that every node comes after what it
// waits for, and otherwise by depth (roots first, in their given order):
// roughly the order they can start in. When no order exists it returns the
// ids of the nodes left when no more can be ordered.
func sortTopologically(nodes []*node) ([]*node, []string) {
	waiting := make(map[*node]int, len(nodes))
	sorted := make([]*node, 0, len(nodes))
	for _, n := range nodes {
		waiting[n] = len(n.deps)
		if waiting[n] == 0 {
			sorted = append(sorted, n)
		}
	}
	for i := 0; i < len(sorted); i++ {
		for _, m := range sorted[i].next {
			if waiting[m]--; waiting[m] == 0 {
				sorted = append(sorted, m)
			}
		}
	}
	if len(sorted) == len(nodes) {
		return sorted, nil
	}
	var cyc []string
	for _, n := range nodes {
		if waiting[n] > 0 {
			cyc = append(cyc, n.id())
		}
	}
	return nil, cyc
}

// done is how an operation ended, for the scheduler.
type done struct {
	n          *node
	err        error // the operation's failure, or the engine stopping
	unrecorded bool  // err is the failure to record its intent: it never started
}

// run executes the graph and reports whether every operation succeeded. An
// error return means the phase could not run to its end — the engine is
// closing or the store failed — and is left for recovery; a resource failure
// is not an error but a false.
//
// Intents are committed before anything runs, in a few transactions: an
// intent needs only the operation, the address and the token, all known
// once the phase is planned, so durability costs a few commits per phase
// rather than one on the critical path of every dependency level. The
// first transaction holds the operations that start at once and is waited
// for; the others follow in the order operations can start (nodes is
// sorted topologically), each twice the size of the one before, and commit
// while the first operations run. Writing thousands of intents takes longer
// than an operation, so the next operations to start must not wait behind
// the last ones; none starts before its own intent is durable.
//
// The intents go through a writer of their own (x.iw), so that their
// commits run beside those of the results rather than before them: on etcd
// a commit is a round trip with an fsync, and concurrent ones share an
// fsync. Their keys are apart; the only order between the two writers is
// an operation's, whose intent is committed before it starts and so before
// its result withdraws it.
func (x *execution) run(ctx context.Context, nodes []*node) (ok bool, err error) {
	x.iw = newWriter(x.w.ctx, x.e, x.w.op)
	defer func() {
		if cerr := x.iw.close(); err == nil && cerr != nil {
			ok, err = false, cerr
		}
	}()
	first := 0 // the roots that start at once lead the sorted nodes
	for first < len(nodes) && first < x.parallelism && nodes[first].waiting == 0 {
		first++
	}
	ready := slices.Clone(nodes[:first])
	if err := x.writeIntents(ready); err != nil {
		return false, err
	}
	size := max(len(ready), 1)
	for rest := nodes[len(ready):]; len(rest) > 0; size *= 2 {
		group := rest[:min(size, len(rest))]
		rest = rest[len(group):]
		committed := x.writeIntentsAsync(group)
		for _, n := range group {
			n.intentCommitted = committed
			if n.waiting == 0 {
				ready = append(ready, n) // beyond the parallelism: starts when a slot frees
			}
		}
	}
	s := &scheduler{x: x, ctx: ctx, ready: ready, finished: make(chan struct{})}
	s.mu.Lock()
	s.fill(false)
	s.mu.Unlock()
	<-s.finished
	failed, stop := s.failed, s.stop
	if stop != nil {
		return false, stop
	}
	// What never started has its intent withdrawn, so a recovery does not
	// take it for an operation that may have happened.
	var unstarted []*node
	for _, n := range nodes {
		if n.state == nodeWaiting || n.state == nodeSkipped {
			n.state = nodeSkipped
			// A creation left by an earlier run keeps its intent (same
			// key, same token) until it is settled.
			if !(n.op == opCreate && x.leftover[n.change.Addr]) {
				unstarted = append(unstarted, n)
			}
		}
	}
	for chunk := range slices.Chunk(unstarted, nodesPerWrite) {
		x.iw.submit(func(tx *txn) error { // after the intents, on their writer
			for _, n := range chunk {
				if err := tx.Delete(storeJournal, intentKey(x.stack.ID, n)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return !failed, nil
}

// scheduler starts a phase's operations as what they wait for finishes,
// at most parallelism at a time. The goroutine that finishes an operation
// does the scheduling itself, under mu, and goes on with the first
// operation it made ready: a dependent starts as soon as its dependency has
// finished, without waiting for other goroutines to be scheduled on CPUs
// that a burst of completions keeps busy.
type scheduler struct {
	x   *execution
	ctx context.Context

	mu       sync.Mutex
	ready    []*node
	running  int
	failed   bool          // an operation failed, or the deployment's time ran out
	timedOut bool          // said once
	stop     error         // why nothing more may start: the engine is closing, or an intent was not recorded
	finished chan struct{} // closed when nothing runs and nothing more will start
}

// fill starts ready operations while slots are free and starting is
// allowed. With keep it returns the first one instead of starting a
// goroutine for it, for the caller to run; it closes finished when nothing
// runs. The caller holds mu.
func (s *scheduler) fill(keep bool) *node {
	x := s.x
	var kept *node
	for s.stop == nil && !(s.failed && !x.keepGoing) && s.running < x.parallelism && len(s.ready) > 0 {
		if x.e.isDraining() {
			s.stop = errDraining // shutting down: what runs finishes, the rest resumes at the next open
			break
		}
		if s.ctx.Err() != nil {
			if err := x.e.stopped(s.ctx); err != nil {
				s.stop = err // closing, or the claim lost: the rest resumes at the next open, or in another engine
			} else if !s.timedOut {
				s.failed, s.timedOut = true, true // the deployment's time is up: said once
				x.mu.Lock()
				x.errs = append(x.errs, fmt.Sprintf("the deployment timed out after %s", x.e.cfg.DeploymentTimeout))
				x.mu.Unlock()
			}
			break
		}
		n := s.ready[0]
		s.ready = s.ready[1:]
		n.state = nodeRunning
		s.running++
		if keep && kept == nil {
			kept = n
		} else {
			go s.work(n)
		}
	}
	if s.running == 0 {
		close(s.finished)
	}
	return kept
}

// work runs n, then whatever finishing it lets this goroutine go on with.
func (s *scheduler) work(n *node) {
	for n != nil {
		d := done{n: n}
		if n.intentCommitted != nil {
			if err := n.intentCommitted(); err != nil {
				d.err, d.unrecorded = err, true
			}
		}
		if !d.unrecorded {
			d.err = s.x.perform(s.ctx, n)
		}
		n = s.finish(d)
	}
}

// finish records how an operation ended and starts what that allows,
// returning the operation the caller goes on with, if any.
func (s *scheduler) finish(d done) *node {
	s.mu.Lock()
	defer s.mu.Unlock()
	x := s.x
	s.running--
	switch {
	case d.unrecorded:
		d.n.state = nodeSkipped // never started
		if s.stop == nil {
			s.stop = d.err
		}
	case d.err != nil && x.e.stopped(s.ctx) != nil:
		d.n.state = nodeSkipped // unsettled: its intent stays for recovery
		if s.stop == nil {
			s.stop = x.e.stopped(s.ctx)
		}
	case d.err != nil:
		d.n.state = nodeFailed
		s.failed = true
		x.skipDependents(d.n)
	default:
		d.n.state = nodeDone
		for _, m := range d.n.next {
			if m.waiting--; m.waiting == 0 && m.state == nodeWaiting {
				s.ready = append(s.ready, m)
			}
		}
	}
	return s.fill(true)
}

// skipDependents marks everything downstream of a failed node as skipped:
// it will not run, and is not reported as failed ("upstream failed").
func (x *execution) skipDependents(n *node) {
	for _, m := range n.next {
		if m.state == nodeWaiting {
			m.state = nodeSkipped
			x.skipDependents(m)
		}
	}
}

// writeIntents commits the intents of nodes, and fixes their tokens, in
// one transaction, and waits for it.
func (x *execution) writeIntents(nodes []*node) error {
	return x.writeIntentsAsync(nodes)()
}

// nodesPerWrite is how many nodes' intents one write records (one put
// each), so that a write fits in a transaction of the store with room to
// spare (store.DefaultLimits).
const nodesPerWrite = 64

// writeIntentsAsync queues the intents of nodes, a few per write, and
// returns a function that waits until they are all committed (their tokens
// are set from then on) and reports how the commits went. It may be called
// any number of times, from any goroutine.
func (x *execution) writeIntentsAsync(nodes []*node) func() error {
	if len(nodes) == 0 {
		return func() error { return nil }
	}
	// Every chunk but the last is queued without a waiter, so that on a
	// store with large limits they all share the last one's commit; the
	// last one's outcome is theirs too (a failed commit fails every later
	// one).
	chunks := slices.Collect(slices.Chunk(nodes, nodesPerWrite))
	write := func(chunk []*node) func(*txn) error {
		return func(tx *txn) error {
			for _, n := range chunk {
				if err := x.writeIntent(tx, n); err != nil {
					return err
				}
			}
			return nil
		}
	}
	for _, chunk := range chunks[:len(chunks)-1] {
		x.iw.submit(write(chunk))
	}
	committed := make(chan struct{})
	var commitErr error
	x.iw.then(write(chunks[len(chunks)-1]), func(err error) { commitErr = err; close(committed) })
	return func() error {
		<-committed
		return commitErr
	}
}

// summary is the SUMMARY event's message, Terraform's closing line.
func (x *execution) summary(ok bool) string {
	x.mu.Lock()
	defer x.mu.Unlock()
	verb := "Apply complete!"
	switch {
	case x.phase == phaseDelete && ok:
		verb = "Destroy complete!"
	case !ok:
		verb = "Apply failed."
	}
	if x.phase == phaseDelete {
		return fmt.Sprintf("%s Resources: %d destroyed.", verb, x.counts.destroyed)
	}
	return fmt.Sprintf("%s Resources: %d added, %d changed, %d destroyed.", verb, x.counts.added, x.counts.changed, x.counts.destroyed)
}
