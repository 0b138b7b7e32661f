package engine

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store/storetest"
)

// A request expands its template without reading data sources, so a
// deployment reuses that expansion only for templates without data blocks;
// one whose instances a data source counts is expanded again with the
// reads, by the deployment and by the apply of a plan.
func TestPrepared_DataSourcesAreReadByTheDeployment(t *testing.T) {
	zones := sim.Fixture{Type: "sim_zones", Attributes: map[string]cty.Value{
		"names": cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b"), cty.StringVal("c")}),
	}}
	const body = `
data "sim_zones" "z" {}
resource "sim_item" "i" {
  count = length(data.sim_zones.z.names)
  name  = "item-${count.index}"
}`
	ctx := context.Background()
	e, p, _ := simTestEngine(t, sim.Config{Seed: 1, Fixtures: []sim.Fixture{zones}}, Config{})
	check := func(dep DeploymentRef, want int) {
		t.Helper()
		res, err := e.Wait(ctx, dep)
		if err != nil || res.Status != formation.StackDeploymentComplete {
			t.Fatalf("deployment ended %+v, %v", res, err)
		}
		if n := len(p.Resources()); n != want {
			t.Fatalf("%d resources in the world, want %d", n, want)
		}
	}
	res, err := e.CreateStack(ctx, CreateStackRequest{Name: "direct", TemplateInput: TemplateInput{TemplateBody: body}})
	if err != nil {
		t.Fatal(err)
	}
	check(res.DeploymentRef, 3)

	// Deployed again with one instance more than the zones.
	more := strings.Replace(body, "length(data.sim_zones.z.names)", "length(data.sim_zones.z.names) + 1", 1)
	dep, err := e.DeployStack(ctx, DeployStackRequest{StackRef: StackRef{Name: "direct"}, TemplateInput: TemplateInput{TemplateBody: more}})
	if err != nil {
		t.Fatal(err)
	}
	check(dep, 4)

	// The same through an execution plan, on a second stack.
	ref := newStackWithPlan(t, e, "planned", body)
	if dep, err = e.ApplyExecutionPlan(ctx, ApplyExecutionPlanRequest{PlanRef: ref}); err != nil {
		t.Fatal(err)
	}
	check(dep, 7)
}

// A data source a template's expansion needs and that cannot be read is a
// bad request: refused, and nothing stored.
func TestPrepared_UnreadableDataSourceIsRefused(t *testing.T) {
	const body = `
data "sim_zones" "z" {}
resource "sim_item" "i" {
  count = length(data.sim_zones.z.names)
}`
	ctx := context.Background()
	e, _, st := simTestEngine(t, sim.Config{Seed: 1}, Config{})
	before := storetest.Dump(t, st)
	_, err := e.CreateStack(ctx, CreateStackRequest{Name: "s", TemplateInput: TemplateInput{TemplateBody: body}})
	if !formation.HasCode(err, formation.CodeInvalidTemplate) {
		t.Fatalf("CreateStack: %v, want %s", err, formation.CodeInvalidTemplate)
	}
	if after := storetest.Dump(t, st); !reflect.DeepEqual(after, before) {
		t.Fatalf("the store changed:\n%v\nthen\n%v", before, after)
	}
}
