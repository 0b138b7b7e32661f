package engine

import (
	"context"
	"sync"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/store"
)

// followers wakes the goroutines following stacks' events. A wake-up carries
// no event: the follower re-reads the store after the last sequence number it
// delivered, so the engine never blocks on a slow reader and a reader never
// misses an event (the memdb watch-channel pattern).
type followers struct {
	mu     sync.Mutex
	subs   map[string]map[chan struct{}]struct{} // by stack id
	buried map[string][]formation.Event          // by stack id: the deletion's events of a purged stack, while it has followers
	closed chan struct{}                         // closed by closeAll
}

// maxBuried bounds the events kept in memory for the followers of a
// deleted stack: a deletion of 10,000 resources has about 20,000.
const maxBuried = 100_000

func (f *followers) init() {
	f.subs = map[string]map[chan struct{}]struct{}{}
	f.buried = map[string][]formation.Event{}
	f.closed = make(chan struct{})
}

// following reports whether a stack has followers.
func (f *followers) following(stackID string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs[stackID]) > 0
}

// bury keeps the last events of purged stacks for the followers they
// still have, until the last of them is gone.
func (f *followers) bury(events map[string][]formation.Event) {
	if len(events) == 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for id, evs := range events {
		if len(f.subs[id]) == 0 {
			continue
		}
		// A deletion buries its events before it purges them in several
		// transactions; the last one finds only the newest, if any.
		kept := f.buried[id]
		if n := len(kept); n > 0 {
			last := kept[n-1].Sequence
			for _, ev := range evs {
				if ev.Sequence > last {
					kept = append(kept, ev)
				}
			}
			evs = kept
		}
		f.buried[id] = evs
	}
}

// buriedAfter returns the kept events of a purged stack after sequence
// number after (of one deployment, when deploymentID is set).
func (f *followers) buriedAfter(stackID, deploymentID string, after uint64) []formation.Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []formation.Event
	for _, ev := range f.buried[stackID] {
		if ev.Sequence > after && (deploymentID == "" || ev.DeploymentID == deploymentID) {
			out = append(out, ev)
		}
	}
	return out
}

// add registers a wake-up channel for a stack; the returned func removes it.
func (f *followers) add(stackID string) (chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.subs[stackID] == nil {
		f.subs[stackID] = map[chan struct{}]struct{}{}
	}
	f.subs[stackID][ch] = struct{}{}
	return ch, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		delete(f.subs[stackID], ch)
		if len(f.subs[stackID]) == 0 {
			delete(f.subs, stackID)
			delete(f.buried, stackID)
		}
	}
}

// wake signals every follower of the stacks, without blocking: a pending
// signal already means "read again".
func (f *followers) wake(stackIDs map[string]bool) {
	if len(stackIDs) == 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for id := range stackIDs {
		for ch := range f.subs[id] {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}
}

func (f *followers) closeAll() { close(f.closed) }

// FollowRequest selects what Follow streams.
type FollowRequest struct {
	StackRef
	// After is the sequence number of the last event the caller has; the
	// stream starts with the next one. 0 streams the stack's whole history.
	After uint64 `json:"after,omitempty"`
	// DeploymentID, when set, streams only that deployment's events, and
	// the stream ends once the deployment is terminal and its last event
	// delivered.
	DeploymentID string `json:"deployment_id,omitempty"`
	// Buffer is the channel's capacity (0: 64).
	Buffer int `json:"-"`
}

// FollowEnd says why a stream of events ended.
type FollowEnd string

// Why a stream ends.
const (
	FollowDeploymentFinished FollowEnd = "DEPLOYMENT_FINISHED" // the followed deployment is terminal; its last event was delivered
	FollowStackDeleted       FollowEnd = "STACK_DELETED"       // the stack is gone, after the deletion's last event
	FollowCanceled           FollowEnd = "CANCELED"            // the caller's context is done
	FollowEngineClosed       FollowEnd = "ENGINE_CLOSED"       // the engine closed
	FollowFailed             FollowEnd = "FAILED"              // reading the store failed: see Stream.Err
)

// Stream is a live feed of a stack's events. Events is closed when the
// stream ends; End and Err then say why.
type Stream struct {
	Events <-chan formation.Event

	done chan struct{} // closed with Events, after end and err are set
	end  FollowEnd
	err  error
}

// End blocks until Events is closed and says why the stream ended.
func (s *Stream) End() FollowEnd {
	<-s.done
	return s.end
}

// Err blocks until Events is closed and returns the error that ended the
// stream: the context's for FollowCanceled, the store's for FollowFailed,
// ErrUnavailable for FollowEngineClosed, and nil otherwise.
func (s *Stream) Err() error {
	<-s.done
	return s.err
}

// Follow streams a stack's events oldest first: the stored ones after
// req.After, then each new one as it is committed. The stream ends when ctx
// is done, the followed deployment has finished, the stack has been deleted
// (after the deletion's last event: a deletion purges the stack's events,
// and the engine keeps the deletion's in memory for the followers the
// stack has then), or the engine closes; Stream.End says which. Events are
// read back from the store, so a slow reader delays only itself, and
// reading history with ListStackEvents then following from its newest
// sequence number misses nothing.
func (e *Engine) Follow(ctx context.Context, req FollowRequest) (*Stream, error) {
	const op = "engine.Follow"
	if err := req.validate(op); err != nil {
		return nil, err
	}
	if err := formation.ValidateID(op, "deployment_id", req.DeploymentID); err != nil {
		return nil, err
	}
	var rec *stackRecord
	err := e.view(ctx, op, func(tx store.Tx) (err error) {
		if rec, err = loadStack(tx, op, req.StackRef); err != nil {
			return err
		}
		_, err = loadDeployment(tx, op, rec, req.DeploymentID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if req.Buffer <= 0 {
		req.Buffer = 64
	}
	out := make(chan formation.Event, req.Buffer)
	s := &Stream{Events: out, done: make(chan struct{})}
	wake, remove := e.subscribe(rec.ID)
	go func() {
		defer close(s.done)
		defer close(out)
		defer remove()
		s.end, s.err = e.follow(ctx, rec, req, wake, out)
	}()
	return s, nil
}

const followBatch = 256

func (e *Engine) follow(ctx context.Context, rec *stackRecord, opts FollowRequest, wake <-chan struct{}, out chan<- formation.Event) (FollowEnd, error) {
	last := opts.After
	var end FollowEnd // why send failed
	send := func(ev formation.Event) bool {
		select {
		case out <- ev:
			return true
		case <-ctx.Done():
			end = FollowCanceled
		case <-e.followers.closed:
			end = FollowEngineClosed
		}
		return false
	}
	stopped := func() (FollowEnd, error) {
		if end == FollowCanceled {
			return end, ctx.Err()
		}
		return end, errFollowClosed
	}
	for {
		// Registered before reading, so a commit between the read and the
		// wait leaves a signal behind.
		var batch []formation.Event
		var gone, finished bool
		err := e.st.View(ctx, func(tx store.Tx) error {
			var cur stackRecord
			ok, err := getJSON(tx, store.Stacks, stackKey(rec.Name), &cur)
			if err != nil {
				return err
			}
			gone = !ok || cur.ID != rec.ID
			src := logSource(rec.ID)
			if opts.DeploymentID != "" {
				var dep deploymentRecord
				ok, err := getJSON(tx, store.Deployments, childKey(rec.ID, opts.DeploymentID), &dep)
				if err != nil || !ok {
					finished = true // its stack was purged
					return err
				}
				finished = dep.done()
				src = deploymentSource(rec.ID, &dep)
			}
			batch, err = src.read(tx, eventFilter{}, last+1, false, followBatch)
			return err
		})
		if err != nil {
			select {
			case <-e.followers.closed: // the store closed under the read
				return FollowEngineClosed, errFollowClosed
			default:
			}
			if ctx.Err() != nil {
				return FollowCanceled, ctx.Err()
			}
			e.log.Warn("following events stopped", "stack", rec.Name, "err", err)
			return FollowFailed, typed("engine.Follow", err)
		}
		for _, ev := range batch {
			if !send(ev) {
				return stopped()
			}
			last = ev.Sequence
		}
		if len(batch) == followBatch {
			continue
		}
		if gone {
			// Deleted: its last events went with it, and are kept in
			// memory for its followers.
			for _, ev := range e.followers.buriedAfter(rec.ID, opts.DeploymentID, last) {
				if !send(ev) {
					return stopped()
				}
			}
			return FollowStackDeleted, nil
		}
		if finished {
			return FollowDeploymentFinished, nil
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return FollowCanceled, ctx.Err()
		case <-e.followers.closed:
			return FollowEngineClosed, errFollowClosed
		}
	}
}

var errFollowClosed = &formation.Error{Code: formation.CodeUnavailable, Op: "engine.Follow", Message: errClosed.Message}

// subscribe registers for wake-ups on commits that touch a stack: this
// engine's, and on a shared store other engines' too (a watch on the
// stack's events, which every change of its status or deployments
// appends to, and its purge deletes). The returned func unregisters.
func (e *Engine) subscribe(stackID string) (<-chan struct{}, func()) {
	wake, remove := e.followers.add(stackID)
	if !store.IsShared(e.st) {
		return wake, remove
	}
	ctx, cancel := context.WithCancel(e.bg)
	// A stack's status changes with an event; a plan's, when it is made,
	// need not.
	for _, b := range []store.Bucket{store.Events, store.Plans} {
		feed, err := e.st.Watch(ctx, b, childPrefix(stackID))
		if err != nil {
			// Without the feed, changes of other engines are seen at this
			// engine's own commits only: say so, and go on.
			e.log.Warn("watching a stack's changes in the store failed", "stack", stackID, "err", err)
			continue
		}
		go func() {
			for range feed {
				e.followers.wake(map[string]bool{stackID: true})
			}
		}()
	}
	return wake, func() { cancel(); remove() }
}

// waitForChange blocks until done reports true, re-checking it each time a
// commit touches the stack, or until ctx is done or the engine closes.
func (e *Engine) waitForChange(ctx context.Context, stackID string, done func() bool) error {
	wake, remove := e.subscribe(stackID)
	defer remove()
	for !done() {
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		case <-e.followers.closed:
			return &formation.Error{Code: formation.CodeUnavailable, Op: "engine.wait", Message: errClosed.Message}
		}
	}
	return nil
}
