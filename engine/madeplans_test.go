package engine

import (
	"bytes"
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
)

func TestMadePlans_KeepsABoundedNumberOfChanges(t *testing.T) {
	withChanges := func(n int) *plan.Plan { return &plan.Plan{Changes: make([]*plan.Change, n)} }
	var m madePlans
	m.keep("s1", "a", withChanges(maxMadeChanges/2))
	m.keep("s1", "b", withChanges(maxMadeChanges/2))
	m.keep("s2", "c", withChanges(1)) // evicts a, the oldest
	m.keep("s2", "huge", withChanges(maxMadeChanges+1))
	if m.take("a") != nil || m.take("huge") != nil {
		t.Error("kept a plan beyond the bound")
	}
	if m.take("b") == nil || m.take("c") == nil {
		t.Error("lost a plan within the bound")
	}
	if m.take("b") != nil || m.changes != 0 || len(m.kept) != 0 {
		t.Errorf("a taken plan is still kept: %d changes, %d plans", m.changes, len(m.kept))
	}

	// A deployment of a stack expires its plans, and only its.
	m.keep("s1", "d", withChanges(2))
	m.keep("s2", "e", withChanges(3))
	m.expire("s1")
	if m.take("d") != nil || m.take("e") == nil || m.changes != 0 {
		t.Errorf("after s1's plans expired: %d changes kept, %d plans", m.changes, len(m.kept))
	}
}

// planReads counts the reads of encoded execution plans.
type planReads struct {
	store.Store
	n atomic.Int32
}

func (s *planReads) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.View(ctx, func(tx store.Tx) error { return fn(&planReadsTx{Tx: tx, n: &s.n}) })
}

type planReadsTx struct {
	store.Tx
	n *atomic.Int32
}

func (t *planReadsTx) Get(b store.Bucket, key []byte) []byte {
	if b == store.PlanBodies && bytes.HasSuffix(key, []byte("/plan")) {
		t.n.Add(1)
	}
	return t.Tx.Get(b, key)
}

// A plan applied by the engine that made it is applied as made, without
// reading back what was stored; one made before a restart is decoded.
func TestMadePlans_ApplyWithoutDecoding(t *testing.T) {
	const body = `
resource "sim_item" "i" {
  count = 3
  name  = "i-${count.index}"
}
`
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "f.db")
	apply := func(e *Engine, reads *planReads, ref PlanRef, wantReads int32) {
		t.Helper()
		reads.n.Store(0)
		dep, err := e.ApplyExecutionPlan(ctx, ApplyExecutionPlanRequest{PlanRef: ref})
		if err != nil {
			t.Fatal(err)
		}
		if res, err := e.Wait(ctx, dep); err != nil || res.Status != formation.StackDeploymentComplete {
			t.Fatalf("apply ended %+v, %v", res, err)
		}
		if n := reads.n.Load(); n != wantReads {
			t.Errorf("the apply read the encoded plan %d times, want %d", n, wantReads)
		}
	}
	open := func() (*Engine, *planReads, *sim.Provider) {
		bolt, err := store.OpenBolt(path, store.BoltOptions{})
		if err != nil {
			t.Fatal(err)
		}
		reads := &planReads{Store: bolt}
		e, p, _ := simTestEngine(t, sim.Config{Seed: 1}, Config{Store: reads})
		return e, reads, p
	}

	e, reads, _ := open()
	apply(e, reads, newStackWithPlan(t, e, "here", body), 0)

	// A deleted plan, and the plans a deployment expires, are not kept.
	gone := newStackWithPlan(t, e, "gone", body)
	if _, err := e.DeleteExecutionPlan(ctx, gone); err != nil {
		t.Fatal(err)
	}
	ref := gone
	ref.PlanName = "expired"
	if _, err := e.CreateExecutionPlan(ctx, CreateExecutionPlanRequest{StackRef: ref.StackRef, PlanName: ref.PlanName, TemplateInput: TemplateInput{TemplateBody: body}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.WaitExecutionPlan(ctx, ref); err != nil {
		t.Fatal(err)
	}
	dep, err := e.DeployStack(ctx, DeployStackRequest{StackRef: ref.StackRef, TemplateInput: TemplateInput{TemplateBody: body}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Wait(ctx, dep); err != nil {
		t.Fatal(err)
	}
	if n := len(e.made.kept); n != 0 {
		t.Errorf("%d plans kept after deletion and expiry, want 0", n)
	}

	later := newStackWithPlan(t, e, "later", body)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e, reads, p := open()
	apply(e, reads, later, 1)
	if n := len(p.Calls()); n != 3 {
		t.Errorf("%d provider calls after the restart, want 3", n)
	}
}
