package engine

import (
	"context"
	"fmt"
	"path/filepath"
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
	body := TemplateInput{TemplateBody: fmt.Sprintf("resource \"sim_item\" \"i\" {\n  count = %d\n  name = \"item\"\n}\n", manyDrifted)}
	res, err := e.CreateStack(ctx, CreateStackRequest{Name: "s", TemplateInput: body})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := e.Wait(ctx, res.DeploymentRef); err != nil || !out.Succeeded() {
		t.Fatalf("deployment: %+v, %v", out, err)
	}
	drift := func() {
		t.Helper()
		if err := p.Drift(ctx, "sim_item.i*", map[string]cty.Value{"name": cty.StringVal("edited")}); err != nil {
			t.Fatal(err)
		}
	}
	drift()
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
