package engine

import (
	"context"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider/sim"
)

// A resource argument set from a sensitive value is hidden in the
// stack's resource attributes, as Terraform's state hides it, and a
// sensitive output stays flagged; what the provider computed from it
// (terraform_data's output) is not sensitive, as in Terraform.
func TestEngine_SensitiveArgumentsHidden(t *testing.T) {
	ctx := context.Background()
	e, _, _ := simTestEngine(t, sim.Config{}, Config{})
	const src = `
variable "secret" {
  default   = "hunter2"
  sensitive = true
}
resource "terraform_data" "a" {
  input = var.secret
}
output "o" {
  value     = terraform_data.a.input
  sensitive = true
}
`
	res, err := e.CreateStack(ctx, CreateStackRequest{Name: "s", TemplateInput: TemplateInput{TemplateBody: src}})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := e.Wait(ctx, res.DeploymentRef); err != nil || !r.Succeeded() {
		t.Fatalf("deploy: %+v, %v", r, err)
	}
	page, err := e.ListStackResources(ctx, ListStackResourcesRequest{StackRef: StackRef{Name: "s"}})
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]string{}
	for _, a := range page.StackResources[0].ResourceAttributes {
		attrs[a.Key] = a.Value
	}
	if attrs["input"] != formation.SensitiveValue || attrs["output"] != "hunter2" {
		t.Errorf("attributes %v: want input hidden, output shown", attrs)
	}
	outs, err := e.ListStackOutputs(ctx, ListStackOutputsRequest{StackRef: StackRef{Name: "s"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(outs.Outputs) != 1 || !outs.Outputs[0].Sensitive || outs.Outputs[0].Value != formation.SensitiveValue {
		t.Errorf("outputs %+v", outs.Outputs)
	}
}
