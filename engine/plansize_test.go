package engine_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
)

// A plan whose outcome does not fit one transaction of the store (here:
// more drift events than the memory store's limits take beside it) fails
// saying so, instead of being retried for ever while it stays
// CREATION_IN_PROGRESS.
func TestCreateExecutionPlan_LargerThanTheStoreKeepsFails(t *testing.T) {
	ctx := context.Background()
	p, err := sim.New(sim.Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(engine.Config{Store: store.NewMemory(), DefaultProvider: p})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	body := fmt.Sprintf("resource \"sim_item\" \"i\" {\n  count = %d\n  name = \"item\"\n}\n", store.DefaultLimits.MaxOps)
	res, err := e.CreateStack(ctx, engine.CreateStackRequest{Name: "s", TemplateInput: engine.TemplateInput{TemplateBody: body}})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := e.Wait(ctx, res.DeploymentRef); err != nil || !out.Succeeded() {
		t.Fatalf("deployment: %+v, %v", out, err)
	}
	if err := p.Drift(ctx, "sim_item.i*", map[string]cty.Value{"name": cty.StringVal("edited")}); err != nil {
		t.Fatal(err)
	}
	ref, err := e.CreateExecutionPlan(ctx, engine.CreateExecutionPlanRequest{StackRef: engine.StackRef{Name: "s"}, PlanName: "p",
		TemplateInput: engine.TemplateInput{TemplateBody: body}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.WaitExecutionPlan(ctx, ref)
	if err != nil || got.Status != formation.PlanCreationFailed || !strings.Contains(got.StatusMessage, "larger than the store keeps") {
		t.Fatalf("plan: %s %q, %v; want CREATION_FAILED, larger than the store keeps", got.Status, got.StatusMessage, err)
	}
}
