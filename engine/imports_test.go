package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/store/storetest"
)

// importVPC is a template importing the VPC id as huaweicloud_vpc.<name>.
func importVPC(name, id string) string {
	return `
import {
  to = huaweicloud_vpc.` + name + `
  id = "` + id + `"
}
resource "huaweicloud_vpc" "` + name + `" {
  name = "x"
  cidr = "10.0.0.0/16"
}
`
}

// outsideVPC creates, through p, a VPC no stack manages (as
// importVPC's resource would be configured) and returns its id.
func outsideVPC(t *testing.T, p provider.Provider) provider.CreateResponse {
	t.Helper()
	vpc, err := p.Create(context.Background(), provider.CreateRequest{TypeName: "huaweicloud_vpc", Address: "outside",
		Config: cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("x"), "cidr": cty.StringVal("10.0.0.0/16")})})
	if err != nil {
		t.Fatal(err)
	}
	return vpc
}

// An object one stack manages cannot be imported by another stack of the
// engine: two stacks would record one object, and either's deletion would
// destroy what the other still records. The refusal is a typed error at
// once when the request can see it, and fails the plan or the deployment
// that meets it later (a plan made before the object was taken).
func TestEngine_ImportOfAnObjectAnotherStackManages(t *testing.T) {
	ctx := context.Background()
	e, p, st := simTestEngine(t, sim.Config{}, Config{})
	vpc := outsideVPC(t, p)
	for _, name := range []string{"a", "b"} {
		if _, err := e.CreateStack(ctx, CreateStackRequest{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	// b's plan is made while nothing manages the VPC.
	planRef := PlanRef{StackRef: StackRef{Name: "b"}, PlanName: "early"}
	if _, err := e.CreateExecutionPlan(ctx, CreateExecutionPlanRequest{StackRef: planRef.StackRef, PlanName: planRef.PlanName, TemplateInput: TemplateInput{TemplateBody: importVPC("mine", vpc.ID)}}); err != nil {
		t.Fatal(err)
	}
	if pl, err := e.WaitExecutionPlan(ctx, planRef); err != nil || pl.Status != formation.PlanAvailable {
		t.Fatalf("plan made before anyone manages the VPC: %+v, %v", pl, err)
	}
	if out := deployAndWait(t, e, "a", importVPC("vpc", vpc.ID)); out.Status != formation.StackDeploymentComplete {
		t.Fatalf("a imports the VPC: %+v", out)
	}

	before := storetest.Dump(t, st)
	_, err := e.DeployStack(ctx, DeployStackRequest{StackRef: StackRef{Name: "b"}, TemplateInput: TemplateInput{TemplateBody: importVPC("vpc", vpc.ID)}})
	if !formation.HasCode(err, formation.CodeImportConflict) || !strings.Contains(err.Error(), `stack "a"`) {
		t.Fatalf("b imports a's VPC: %v, want %s naming stack a", err, formation.CodeImportConflict)
	}
	_, err = e.CreateStack(ctx, CreateStackRequest{Name: "c", TemplateInput: TemplateInput{TemplateBody: importVPC("vpc", vpc.ID)}})
	if !formation.HasCode(err, formation.CodeImportConflict) {
		t.Fatalf("a new stack imports a's VPC: %v, want %s", err, formation.CodeImportConflict)
	}
	if after := storetest.Dump(t, st); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatal("a refused import changed the store")
	}

	late := PlanRef{StackRef: StackRef{Name: "b"}, PlanName: "late"}
	if _, err := e.CreateExecutionPlan(ctx, CreateExecutionPlanRequest{StackRef: late.StackRef, PlanName: late.PlanName, TemplateInput: TemplateInput{TemplateBody: importVPC("mine", vpc.ID)}}); err != nil {
		t.Fatal(err)
	}
	if pl, err := e.WaitExecutionPlan(ctx, late); err != nil || pl.Status != formation.PlanCreationFailed || !strings.Contains(pl.StatusMessage, `stack "a"`) {
		t.Fatalf("plan importing a's VPC: %+v, %v; want CREATION_FAILED naming stack a", pl, err)
	}

	dep, err := e.ApplyExecutionPlan(ctx, ApplyExecutionPlanRequest{PlanRef: planRef})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Wait(ctx, dep)
	if err != nil || out.Status != formation.StackDeploymentFailed || !strings.Contains(out.Message, `stack "a"`) {
		t.Fatalf("applying the early plan: %+v, %v; want DEPLOYMENT_FAILED naming stack a", out, err)
	}
	if rs := listResources(t, e, "b"); len(rs) != 0 {
		t.Fatalf("b records %+v", rs)
	}
	if rs := listResources(t, e, "a"); len(rs) != 1 || rs[0].PhysicalResourceID != vpc.ID {
		t.Fatalf("a records %+v, want the VPC", rs)
	}
}

// The ownership record of an object is written with its import and
// removed with its deletion; a database without such records (written
// before them) still refuses the import of an object another stack
// records.
func TestEngine_ImportOwnershipRecords(t *testing.T) {
	ctx := context.Background()
	e, p, st := simTestEngine(t, sim.Config{}, Config{})
	vpc := outsideVPC(t, p)
	key := ownerKey("huaweicloud", "huaweicloud_vpc", vpc.ID)
	owned := func() bool {
		var found bool
		if err := st.View(ctx, func(tx store.Tx) error { found = tx.Get(store.Meta, key) != nil; return nil }); err != nil {
			t.Fatal(err)
		}
		return found
	}
	for _, name := range []string{"a", "b"} {
		if _, err := e.CreateStack(ctx, CreateStackRequest{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	if out := deployAndWait(t, e, "a", importVPC("vpc", vpc.ID)); out.Status != formation.StackDeploymentComplete {
		t.Fatalf("a imports the VPC: %+v", out)
	}
	if !owned() {
		t.Fatal("no ownership record after the import")
	}

	other := `
resource "huaweicloud_vpc" "other" {
  name = "o"
  cidr = "10.2.0.0/16"
}
`
	if out := deployAndWait(t, e, "a", other); out.Status != formation.StackDeploymentComplete {
		t.Fatalf("a deletes the VPC: %+v", out)
	}
	if owned() {
		t.Fatal("the ownership record outlived the object's deletion")
	}

	vpc = outsideVPC(t, p)
	key = ownerKey("huaweicloud", "huaweicloud_vpc", vpc.ID)
	if out := deployAndWait(t, e, "a", importVPC("vpc", vpc.ID)); out.Status != formation.StackDeploymentComplete || !owned() {
		t.Fatalf("a imports a new VPC: %+v, owned %v", out, owned())
	}
	// As written before ownership records: the scan still finds a's.
	if err := st.Update(ctx, func(tx store.Tx) error { return tx.Delete(store.Meta, key) }); err != nil {
		t.Fatal(err)
	}
	_, err := e.DeployStack(ctx, DeployStackRequest{StackRef: StackRef{Name: "b"}, TemplateInput: TemplateInput{TemplateBody: importVPC("vpc", vpc.ID)}})
	if !formation.HasCode(err, formation.CodeImportConflict) {
		t.Fatalf("b imports the VPC a records without an ownership record: %v, want %s", err, formation.CodeImportConflict)
	}
}
