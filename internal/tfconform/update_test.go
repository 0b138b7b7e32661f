package tfconform

import (
	"strings"
	"testing"

	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/store"
)

// A second deployment that changes terraform_data's input updates it in
// place, its output follows the new input, and what reads the output is
// updated with it, as in Terraform. A change of triggers_replace replaces
// it (a new id).
func TestTerraformDataRedeploy(t *testing.T) {
	ctx := t.Context()
	e, err := engine.New(engine.Config{Store: store.NewMemory(), IDSeed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	const tmpl = `
resource "terraform_data" "a" {
  input            = "INPUT"
  triggers_replace = "TRIGGER"
}
resource "terraform_data" "b" {
  input = "b-${terraform_data.a.output}"
}
output "b" { value = terraform_data.b.output }
output "id" { value = terraform_data.a.id }
`
	src := func(input, trigger string) string {
		return strings.NewReplacer("INPUT", input, "TRIGGER", trigger).Replace(tmpl)
	}
	ref := engine.StackRef{Name: "s"}
	outputs := func(dep engine.DeploymentRef) map[string]string {
		t.Helper()
		res, err := e.Wait(ctx, dep)
		if err != nil || !res.Succeeded() {
			t.Fatalf("deployment: %v %+v", err, res)
		}
		page, err := e.ListStackOutputs(ctx, engine.ListStackOutputsRequest{StackRef: ref})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, o := range page.Outputs {
			m[o.Name] = o.Value
		}
		return m
	}
	created, err := e.CreateStack(ctx, engine.CreateStackRequest{Name: "s", TemplateInput: engine.TemplateInput{TemplateBody: src("one", "t1")}})
	if err != nil {
		t.Fatal(err)
	}
	first := outputs(created.DeploymentRef)
	if first["b"] != "b-one" {
		t.Fatalf("first deployment: b = %q, want b-one", first["b"])
	}
	deploy := func(input, trigger string) map[string]string {
		t.Helper()
		dep, err := e.DeployStack(ctx, engine.DeployStackRequest{StackRef: ref, TemplateInput: engine.TemplateInput{TemplateBody: src(input, trigger)}})
		if err != nil {
			t.Fatal(err)
		}
		return outputs(dep)
	}
	second := deploy("two", "t1")
	if second["b"] != "b-two" || second["id"] != first["id"] {
		t.Fatalf("input changed: b = %q (want b-two), id %q → %q (want kept)", second["b"], first["id"], second["id"])
	}
	third := deploy("two", "t2")
	if third["b"] != "b-two" || third["id"] == second["id"] {
		t.Fatalf("trigger changed: b = %q (want b-two), id %q → %q (want a new one)", third["b"], second["id"], third["id"])
	}
}

// A failed check block is a warning in the deployment's events, and the
// deployment completes.
func TestCheckWarningEvent(t *testing.T) {
	ctx := t.Context()
	e, res := createStack(t, `
resource "terraform_data" "a" {
  input = 2
}
check "one" {
  assert {
    condition     = terraform_data.a.output == 1
    error_message = "The output is ${terraform_data.a.output}."
  }
}
`)
	if !res.Succeeded() {
		t.Fatalf("deployment: %+v", res)
	}
	page, err := e.ListStackEvents(ctx, engine.ListStackEventsRequest{StackRef: engine.StackRef{Name: "s"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range page.StackEvents {
		if ev.EventMessage == "Warning: check.one: Check block assertion failed: The output is 2." {
			return
		}
	}
	t.Fatalf("no check warning among %+v", page.StackEvents)
}

// A postcondition that can only be checked after apply fails the
// deployment there, with its message, and the object it checked stays
// recorded, as Terraform keeps it in state.
func TestPostconditionAtApply(t *testing.T) {
	e, res := createStack(t, modules["conditions/postcondition_fail"])
	if res.Succeeded() || !strings.Contains(res.Message, "The output is abc.") {
		t.Fatalf("deployment %s: %q, want a failure with the postcondition's message", res.Status, res.Message)
	}
	page, err := e.ListStackResources(t.Context(), engine.ListStackResourcesRequest{StackRef: engine.StackRef{Name: "s"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.StackResources) != 1 || page.StackResources[0].PhysicalResourceID == "" {
		t.Fatalf("resources = %+v, want the created object recorded", page.StackResources)
	}
}

// createStack creates stack "s" with body on a new engine (closed with
// the test) and waits for its deployment.
func createStack(t *testing.T, body string) (*engine.Engine, engine.Result) {
	t.Helper()
	e, err := engine.New(engine.Config{Store: store.NewMemory(), IDSeed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	created, err := e.CreateStack(t.Context(), engine.CreateStackRequest{Name: "s", TemplateInput: engine.TemplateInput{TemplateBody: body}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Wait(t.Context(), created.DeploymentRef)
	if err != nil {
		t.Fatal(err)
	}
	return e, res
}
