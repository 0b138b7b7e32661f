package engine

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
)

// A plan whose body was written before the executable plan had its own key
// (the encoded plan inside the body's JSON, as "plan") still applies.
func TestPlans_ApplyLegacyBody(t *testing.T) {
	ctx := context.Background()
	e, p, st := simTestEngine(t, sim.Config{Seed: 1}, Config{})
	ref := newStackWithPlan(t, e, "s", v2)
	// Rewrite the body as the earlier layout had it.
	err := st.Update(ctx, func(tx store.Tx) error {
		rec, pr, err := loadPlan(tx, "test", ref)
		if err != nil {
			return err
		}
		var body map[string]json.RawMessage
		if err := json.Unmarshal(tx.Get(store.PlanBodies, planKey(rec.ID, pr.Name)), &body); err != nil {
			return err
		}
		exec := tx.Get(store.PlanBodies, planExecKey(rec.ID, pr.Name))
		if exec == nil {
			t.Fatal("the plan has no key of its own")
		}
		body["plan"] = exec
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		if err := tx.Put(store.PlanBodies, planKey(rec.ID, pr.Name), raw); err != nil {
			return err
		}
		return tx.Delete(store.PlanBodies, planExecKey(rec.ID, pr.Name))
	})
	if err != nil {
		t.Fatal(err)
	}
	dep, err := e.ApplyExecutionPlan(ctx, ApplyExecutionPlanRequest{PlanRef: ref})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := e.Wait(ctx, dep); err != nil || res.Status != formation.StackDeploymentComplete {
		t.Fatalf("apply ended %+v, %v", res, err)
	}
	if n := len(p.Resources()); n != 2 {
		t.Fatalf("%d resources after the apply, want 2", n)
	}
}

func TestPlans_ReadSource(t *testing.T) {
	src := &templateSource{Body: `resource "sim_item" "a" {}`, VarsBody: "x = 1"}
	first, err := json.Marshal(planBody{Template: src, Text: "review"})
	if err != nil {
		t.Fatal(err)
	}
	last := []byte(`{"items":[{"resource_name":"a"}],"text":"review","template":{"template_body":"resource \"sim_item\" \"a\" {}","vars_body":"x = 1"}}`)
	for _, raw := range [][]byte{first, last} {
		got, err := readSource(raw)
		if err != nil || got == nil || got.Body != src.Body || got.VarsBody != src.VarsBody {
			t.Fatalf("readSource(%s) = %+v, %v", raw, got, err)
		}
	}
	if got, err := readSource([]byte(`{"text":"no template"}`)); err != nil || got != nil {
		t.Fatalf("a body without a template: %+v, %v", got, err)
	}
	for _, bad := range []string{`[]`, `{"template":`, ``} {
		if _, err := readSource([]byte(bad)); err == nil {
			t.Fatalf("readSource(%q) succeeded", bad)
		}
	}
}

// A plan whose outcome the store will not keep (here: a store that finds
// every executable plan too large, as one past store.MaxValueSize is)
// fails saying so, instead of being retried for ever while it stays
// CREATION_IN_PROGRESS.
func TestPlans_LargerThanTheStoreKeepsFails(t *testing.T) {
	ctx := context.Background()
	e, _, _ := simTestEngine(t, sim.Config{Seed: 1}, Config{Store: refusingPlans{store.NewMemory()}})
	if _, err := e.CreateStack(ctx, CreateStackRequest{Name: "s"}); err != nil {
		t.Fatal(err)
	}
	ref, err := e.CreateExecutionPlan(ctx, CreateExecutionPlanRequest{StackRef: StackRef{Name: "s"}, PlanName: "p", TemplateInput: TemplateInput{TemplateBody: v2}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.WaitExecutionPlan(ctx, ref)
	if err != nil || got.Status != formation.PlanCreationFailed || !strings.Contains(got.StatusMessage, "larger than the store keeps") {
		t.Fatalf("plan: %s %q, %v; want CREATION_FAILED, larger than the store keeps", got.Status, got.StatusMessage, err)
	}
}

// refusingPlans is a store that refuses every executable plan as too
// large.
type refusingPlans struct{ store.Store }

func (s refusingPlans) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.Update(ctx, func(tx store.Tx) error { return fn(refusingPlansTx{tx}) })
}

func (s refusingPlans) Batch(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.Batch(ctx, func(tx store.Tx) error { return fn(refusingPlansTx{tx}) })
}

type refusingPlansTx struct{ store.Tx }

func (tx refusingPlansTx) Put(b store.Bucket, key, value []byte) error {
	if b == store.PlanBodies && strings.HasSuffix(string(key), "/plan") {
		return store.ErrorTooLarge("store.Put", b, store.DefaultLimits)
	}
	return tx.Tx.Put(b, key, value)
}
