package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
)

// manyDrifted is more drifted resources than one transaction of a store at
// store.DefaultLimits holds the events of (three puts each).
const manyDrifted = 300

// Any number of drifted resources is reported: an execution plan made
// against a stack whose every resource drifted becomes AVAILABLE with a
// DRIFT event for each, and so does the deployment that repairs them,
// the stack's events numbered without a gap — on every store, whatever its
// transactions' limits.
func TestDrift_ManyResourcesReported_Memory(t *testing.T) {
	testManyDrifted(t, store.NewMemory())
}

func TestDrift_ManyResourcesReported_Bolt(t *testing.T) {
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "f.db"), store.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	testManyDrifted(t, st)
}

func testManyDrifted(t *testing.T, st store.Store) {
	ctx := context.Background()
	p, err := sim.New(sim.Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(Config{Store: st, DefaultProvider: p, Parallelism: 50})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	body := deployDrifted(t, e, p)
	ref, err := e.CreateExecutionPlan(ctx, CreateExecutionPlanRequest{StackRef: StackRef{Name: "s"}, PlanName: "p", TemplateInput: body})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.WaitExecutionPlan(ctx, ref)
	if err != nil || got.Status != formation.PlanAvailable {
		t.Fatalf("plan: %s %q, %v; want AVAILABLE", got.Status, got.StatusMessage, err)
	}
	events := storedEvents(t, st)
	if n := countDrift(events, ""); n != manyDrifted {
		t.Fatalf("the plan reported %d DRIFT events, want %d", n, manyDrifted)
	}

	dep, err := e.DeployStack(ctx, DeployStackRequest{StackRef: StackRef{Name: "s"}, TemplateInput: body})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := e.Wait(ctx, dep); err != nil || !out.Succeeded() {
		t.Fatalf("the repairing deployment: %+v, %v", out, err)
	}
	events = storedEvents(t, st)
	if n := countDrift(events, dep.DeploymentID); n != manyDrifted {
		t.Fatalf("the deployment reported %d DRIFT events, want %d", n, manyDrifted)
	}
	for i, ev := range events {
		if ev.Sequence != uint64(i+1) {
			t.Fatalf("event %d has sequence %d: the stack's events have a gap or are out of order", i+1, ev.Sequence)
		}
	}
}

// deployDrifted deploys manyDrifted resources to a new stack "s", changes
// every one of them outside Formation, and returns the template.
func deployDrifted(t *testing.T, e *Engine, p *sim.Provider) TemplateInput {
	t.Helper()
	ctx := context.Background()
	body := TemplateInput{TemplateBody: fmt.Sprintf("resource \"sim_item\" \"i\" {\n  count = %d\n  name = \"item\"\n}\n", manyDrifted)}
	res, err := e.CreateStack(ctx, CreateStackRequest{Name: "s", TemplateInput: body})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := e.Wait(ctx, res.DeploymentRef); err != nil || !out.Succeeded() {
		t.Fatalf("deployment: %+v, %v", out, err)
	}
	if err := p.Drift(ctx, "sim_item.i*", map[string]cty.Value{"name": cty.StringVal("edited")}); err != nil {
		t.Fatal(err)
	}
	return body
}

// storedEvents reads every event of the store's stacks (the tests here
// have one), in their stored order.
func storedEvents(t *testing.T, st store.Store) []formation.Event {
	t.Helper()
	var out []formation.Event
	err := st.View(context.Background(), func(tx store.Tx) error {
		return tx.Scan(store.Events, store.ScanOptions{}, func(_, v []byte) (bool, error) {
			ev, _, err := decodeEvent(v, nil)
			out = append(out, ev)
			return true, err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// countDrift counts the DRIFT events of a deployment ("": of plans).
func countDrift(events []formation.Event, deploymentID string) int {
	n := 0
	for _, ev := range events {
		if ev.EventType == formation.EventDrift && ev.DeploymentID == deploymentID {
			n++
		}
	}
	return n
}

// A plan's DRIFT events go in several transactions before the one that
// makes it AVAILABLE: an engine that stops between two of them (here: its
// third commit of DRIFT events fails, then it closes) leaves the plan
// CREATION_IN_PROGRESS, with no AVAILABLE plan missing events; the next
// engine makes it again and reports every drifted resource after the
// first attempt's events, without a gap in the stack's events.
func TestDrift_PlanInterruptedBetweenItsEventsIsMadeAgain(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "f.db")
	st, err := store.OpenBolt(path, store.BoltOptions{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	p, err := sim.New(sim.Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	failing := &failingDrift{Store: st, failed: make(chan struct{})}
	e, err := New(Config{Store: failing, DefaultProvider: p, Parallelism: 50})
	if err != nil {
		t.Fatal(err)
	}
	body := deployDrifted(t, e, p)
	failing.failAt.Store(3)
	ref, err := e.CreateExecutionPlan(ctx, CreateExecutionPlanRequest{StackRef: StackRef{Name: "s"}, PlanName: "p", TemplateInput: body})
	if err != nil {
		t.Fatal(err)
	}
	<-failing.failed
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = store.OpenBolt(path, store.BoltOptions{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	before := storedEvents(t, st)
	if n := countDrift(before, ""); n != 2*eventsPerWrite {
		t.Fatalf("the interrupted plan left %d DRIFT events, want the %d of its first two transactions", n, 2*eventsPerWrite)
	}
	err = st.View(ctx, func(tx store.Tx) error {
		return tx.Scan(store.Plans, store.ScanOptions{}, func(_, v []byte) (bool, error) {
			var rec planRecord
			if err := decode(v, &rec); err != nil {
				return false, err
			}
			if rec.Status != formation.PlanCreationInProgress {
				t.Errorf("the interrupted plan is %s, want CREATION_IN_PROGRESS", rec.Status)
			}
			return true, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	e, err = New(Config{Store: st, DefaultProvider: p})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	got, err := e.WaitExecutionPlan(ctx, ref)
	if err != nil || got.Status != formation.PlanAvailable {
		t.Fatalf("plan made again: %s %q, %v; want AVAILABLE", got.Status, got.StatusMessage, err)
	}
	events := storedEvents(t, st)
	if n := countDrift(events[len(before):], ""); n != manyDrifted {
		t.Fatalf("the plan made again reported %d DRIFT events, want %d", n, manyDrifted)
	}
	for i, ev := range events {
		if ev.Sequence != uint64(i+1) {
			t.Fatalf("event %d has sequence %d: the stack's events have a gap or are out of order", i+1, ev.Sequence)
		}
	}
}

// failingDrift fails the failAt-th transaction that writes DRIFT events
// (0: none), as a process dying before that commit would.
type failingDrift struct {
	store.Store
	failAt atomic.Int32
	seen   atomic.Int32
	failed chan struct{}
	once   sync.Once
}

var errInjected = errors.New("injected: the process died before this commit")

func (s *failingDrift) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.Update(ctx, func(tx store.Tx) error { return fn(&failingDriftTx{Tx: tx, s: s}) })
}

func (s *failingDrift) Batch(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.Batch(ctx, func(tx store.Tx) error { return fn(&failingDriftTx{Tx: tx, s: s}) })
}

type failingDriftTx struct {
	store.Tx
	s       *failingDrift
	counted bool
}

func (tx *failingDriftTx) Put(b store.Bucket, key, value []byte) error {
	if b == store.Events && !tx.counted && bytes.Contains(value, []byte(formation.EventDrift)) && tx.s.failAt.Load() > 0 {
		tx.counted = true
		if tx.s.seen.Add(1) == tx.s.failAt.Load() {
			tx.s.once.Do(func() { close(tx.s.failed) })
			return errInjected
		}
	}
	return tx.Tx.Put(b, key, value)
}
