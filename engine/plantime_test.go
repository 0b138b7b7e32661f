package engine

import (
	"context"
	"testing"
	"time"

	"github.com/formation-engine/formation/provider/sim"
)

// plantimestamp() is the execution plan's creation time, at planning and
// again when the plan is applied later, however much later: the engine
// keeps the time with the plan's template.
func TestEngine_PlanTimestampSurvivesTheStoredPlan(t *testing.T) {
	ctx := context.Background()
	clock := &steppingClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	e, _, _ := simTestEngine(t, sim.Config{}, Config{Clock: clock})
	if _, err := e.CreateStack(ctx, CreateStackRequest{Name: "s"}); err != nil {
		t.Fatal(err)
	}
	const src = `
resource "terraform_data" "a" {}
resource "terraform_data" "b" {
  input = "${terraform_data.a.id}@${plantimestamp()}"
}
output "at" { value = split("@", terraform_data.b.output)[1] }
`
	ref := PlanRef{StackRef: StackRef{Name: "s"}, PlanName: "p"}
	if _, err := e.CreateExecutionPlan(ctx, CreateExecutionPlanRequest{StackRef: ref.StackRef, PlanName: "p", TemplateInput: TemplateInput{TemplateBody: src}}); err != nil {
		t.Fatal(err)
	}
	meta, err := e.WaitExecutionPlan(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	dep, err := e.ApplyExecutionPlan(ctx, ApplyExecutionPlanRequest{PlanRef: ref})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := e.Wait(ctx, dep); err != nil || !res.Succeeded() {
		t.Fatalf("apply: %+v, %v", res, err)
	}
	page, err := e.ListStackOutputs(ctx, ListStackOutputsRequest{StackRef: ref.StackRef})
	if err != nil {
		t.Fatal(err)
	}
	want := meta.CreateTime.UTC().Format(time.RFC3339)
	if len(page.Outputs) != 1 || page.Outputs[0].Value != want {
		t.Errorf("outputs %+v, want at = %s (the plan's creation time; the clock is at %s)", page.Outputs, want, clock.Now())
	}
}
