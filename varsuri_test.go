package formation_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/template"
)

// named is a VPC named by a variable, with the name as an output: what a
// deployment made of its variables shows in its outputs.
const named = `
variable "name" {
  type = string
}
variable "cidr" {
  type    = string
  default = "10.0.0.0/16"
}
resource "huaweicloud_vpc" "vpc" {
  name = var.name
  cidr = var.cidr
}
output "name" {
  value = huaweicloud_vpc.vpc.name
}
`

// outputValue is the value of the stack's output name.
func outputValue(t testing.TB, e *engine.Engine, stack, name string) string {
	t.Helper()
	page, err := e.ListStackOutputs(context.Background(), engine.ListStackOutputsRequest{StackRef: engine.StackRef{Name: stack}})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range page.Outputs {
		if o.Name == name {
			return o.Value
		}
	}
	t.Fatalf("stack %s has no output %s: %+v", stack, name, page.Outputs)
	return ""
}

func TestVarsURIContent_DeploysAndShowsInMetadata(t *testing.T) {
	ctx := context.Background()
	e, _, _ := simEngine(t, sim.Config{Seed: 21}, engine.Config{})
	mustCreate(t, e, engine.CreateStackRequest{Name: "net"})
	const file = "name = \"from-uri\"\n"
	dep, err := e.DeployStack(ctx, engine.DeployStackRequest{StackRef: engine.StackRef{Name: "net"},
		TemplateInput: engine.TemplateInput{TemplateBody: named, VarsURIContent: file, VarsBody: `cidr = "10.1.0.0/16"`}})
	if err != nil {
		t.Fatal(err)
	}
	if res := wait(t, e, dep); res.Status != formation.StackDeploymentComplete {
		t.Fatalf("deployment %+v", res)
	}
	meta := status(t, e, "net")
	if meta.VarsURIContent != file || meta.VarsBody != `cidr = "10.1.0.0/16"` {
		t.Fatalf("metadata vars_uri_content %q vars_body %q", meta.VarsURIContent, meta.VarsBody)
	}
	if got := outputValue(t, e, "net", "name"); !strings.Contains(got, "from-uri") {
		t.Fatalf("output name = %q: the deployment did not use the vars_uri file", got)
	}
	tpl, err := e.GetStackTemplate(ctx, engine.StackRef{Name: "net"})
	if err != nil || tpl.VarsURIContent != file {
		t.Fatalf("GetStackTemplate vars_uri_content %q, %v", tpl.VarsURIContent, err)
	}
	// The next deployment without one clears it: RFS deployments are full.
	if res := deploy(t, e, "net", named, formation.VarsStructure{VarKey: "name", VarValue: "plain"}); res.Status != formation.StackDeploymentComplete {
		t.Fatalf("second deployment %+v", res)
	}
	if meta := status(t, e, "net"); meta.VarsURIContent != "" {
		t.Fatalf("vars_uri_content %q after a deployment without vars_uri", meta.VarsURIContent)
	}
}

func TestVarsURIContent_CreateStackDeploysWithIt(t *testing.T) {
	e, _, _ := simEngine(t, sim.Config{Seed: 22}, engine.Config{})
	res, err := e.CreateStack(context.Background(), engine.CreateStackRequest{Name: "net",
		TemplateInput: engine.TemplateInput{TemplateBody: named, VarsURIContent: `{"name": "json-file"}`}})
	if err != nil {
		t.Fatal(err)
	}
	if r := wait(t, e, engine.DeploymentRef{DeploymentID: res.DeploymentID}); r.Status != formation.StackDeploymentComplete {
		t.Fatalf("deployment %+v", r)
	}
	if meta := status(t, e, "net"); meta.VarsURIContent != `{"name": "json-file"}` {
		t.Fatalf("vars_uri_content %q", meta.VarsURIContent)
	}
	if got := outputValue(t, e, "net", "name"); !strings.Contains(got, "json-file") {
		t.Fatalf("output name = %q", got)
	}
}

func TestVarsURIContent_RefusalsChangeNothing(t *testing.T) {
	ctx := context.Background()
	limits := template.DefaultLimits()
	limits.MaxVarsURIContent = 64
	e, _, st := simEngine(t, sim.Config{Seed: 23}, engine.Config{TemplateLimits: &limits})
	mustCreate(t, e, engine.CreateStackRequest{Name: "net"})
	cases := []struct {
		name string
		in   engine.TemplateInput
		code formation.Code
	}{
		{"same variable in vars_body", engine.TemplateInput{TemplateBody: named, VarsBody: `name = "a"`, VarsURIContent: `name = "b"`}, formation.CodeInvalidVariables},
		{"same variable in vars_structure", engine.TemplateInput{TemplateBody: named, VarsURIContent: `name = "b"`,
			VarsStructure: []formation.VarsStructure{{VarKey: "name", VarValue: "a"}}}, formation.CodeInvalidVariables},
		{"undeclared variable", engine.TemplateInput{TemplateBody: named, VarsURIContent: "name = \"a\"\nzone = \"z\"\n"}, formation.CodeInvalidVariables},
		{"not tfvars", engine.TemplateInput{TemplateBody: named, VarsURIContent: "name = \n"}, formation.CodeInvalidVariables},
		{"larger than the limit", engine.TemplateInput{TemplateBody: named, VarsURIContent: `name = "` + strings.Repeat("x", 64) + `"`}, formation.CodeVarsURITooLarge},
		{"not UTF-8", engine.TemplateInput{TemplateBody: named, VarsURIContent: "name = \"\xff\""}, formation.CodeInvalidEncoding},
		{"without a template", engine.TemplateInput{VarsURIContent: `name = "a"`}, formation.CodeMissingParameter},
		{"a bare vars_uri", engine.TemplateInput{TemplateBody: named, VarsURI: "https://bucket.obs.example.com/vars.tfvars?sig=x"}, formation.CodeUnsupported},
		{"a vars_uri over 2048", engine.TemplateInput{TemplateBody: named, VarsURI: "https://b/" + strings.Repeat("v", 2048)}, formation.CodeTooLong},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			check := assertNothingChanges(t, st)
			_, err := e.DeployStack(ctx, engine.DeployStackRequest{StackRef: engine.StackRef{Name: "net"}, TemplateInput: tc.in})
			wantCode(t, err, tc.code, 400)
			_, err = e.CreateExecutionPlan(ctx, engine.CreateExecutionPlanRequest{StackRef: engine.StackRef{Name: "net"}, PlanName: "p", TemplateInput: tc.in})
			wantCode(t, err, tc.code, 400)
			check()
		})
	}
}

func TestVarsURIContent_RollbackReturnsToTheStableFile(t *testing.T) {
	faults := []sim.Fault{{Match: sim.Match{Op: sim.OpCreate, Type: "huaweicloud_networking_secgroup"}, Message: "security group quota"}}
	e, _, _ := simEngine(t, sim.Config{Seed: 24, Faults: faults}, engine.Config{})
	mustCreate(t, e, engine.CreateStackRequest{Name: "net", EnableAutoRollback: true})
	ctx := context.Background()
	deployFile := func(body, file string) engine.Result {
		t.Helper()
		dep, err := e.DeployStack(ctx, engine.DeployStackRequest{StackRef: engine.StackRef{Name: "net"},
			TemplateInput: engine.TemplateInput{TemplateBody: body, VarsURIContent: file}})
		if err != nil {
			t.Fatal(err)
		}
		return wait(t, e, dep)
	}
	if res := deployFile(named, `name = "stable"`); res.Status != formation.StackDeploymentComplete {
		t.Fatalf("stable deployment %+v", res)
	}
	failing := named + `
resource "huaweicloud_networking_secgroup" "sg" {
  name = "web"
}`
	if res := deployFile(failing, `name = "renamed"`); res.Status != formation.StackRollbackComplete {
		t.Fatalf("failing deployment %+v", res)
	}
	if meta := status(t, e, "net"); meta.VarsURIContent != `name = "stable"` {
		t.Fatalf("vars_uri_content after rollback %q, want the stable deployment's", meta.VarsURIContent)
	}
	if got := outputValue(t, e, "net", "name"); !strings.Contains(got, "stable") {
		t.Fatalf("output name after rollback = %q: the rollback did not use the stable vars_uri file", got)
	}
}

func TestVarsURIContent_PlanRecordsAndAppliesIt(t *testing.T) {
	ctx := context.Background()
	e, _, _ := simEngine(t, sim.Config{Seed: 25}, engine.Config{})
	mustCreate(t, e, engine.CreateStackRequest{Name: "net"})
	const file = "name = \"planned\"\n"
	ref := engine.PlanRef{StackRef: engine.StackRef{Name: "net"}, PlanName: "a"}
	if _, err := e.CreateExecutionPlan(ctx, engine.CreateExecutionPlanRequest{StackRef: ref.StackRef, PlanName: "a",
		TemplateInput: engine.TemplateInput{TemplateBody: named, VarsURIContent: file}}); err != nil {
		t.Fatal(err)
	}
	meta := waitPlan(t, e, "a")
	if meta.Status != formation.PlanAvailable || meta.VarsURIContent != file {
		t.Fatalf("plan %s, vars_uri_content %q", meta.Status, meta.VarsURIContent)
	}
	list, err := e.ListExecutionPlans(ctx, engine.ListExecutionPlansRequest{StackRef: ref.StackRef})
	if err != nil || len(list.ExecutionPlans) != 1 || list.ExecutionPlans[0].VarsURIContent != "" {
		t.Fatalf("ListExecutionPlans shows variables: %+v, %v", list, err)
	}
	dep, err := e.ApplyExecutionPlan(ctx, engine.ApplyExecutionPlanRequest{PlanRef: ref})
	if err != nil {
		t.Fatal(err)
	}
	if res := wait(t, e, dep); res.Status != formation.StackDeploymentComplete {
		t.Fatalf("apply %+v", res)
	}
	if meta := status(t, e, "net"); meta.VarsURIContent != file {
		t.Fatalf("stack vars_uri_content after apply %q", meta.VarsURIContent)
	}
	if got := outputValue(t, e, "net", "name"); !strings.Contains(got, "planned") {
		t.Fatalf("output name after apply = %q", got)
	}
}

func TestVarsURIContent_PersistsAcrossReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "formation.db")
	p, err := sim.New(sim.Config{Seed: 26})
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.Open(path, engine.Config{DefaultProvider: p})
	if err != nil {
		t.Fatal(err)
	}
	const file = `name = "kept"`
	res, err := e.CreateStack(ctx, engine.CreateStackRequest{Name: "net", TemplateInput: engine.TemplateInput{TemplateBody: named, VarsURIContent: file}})
	if err != nil {
		t.Fatal(err)
	}
	wait(t, e, engine.DeploymentRef{DeploymentID: res.DeploymentID})
	if _, err := e.CreateExecutionPlan(ctx, engine.CreateExecutionPlanRequest{StackRef: engine.StackRef{Name: "net"}, PlanName: "a",
		TemplateInput: engine.TemplateInput{TemplateBody: named, VarsURIContent: file}}); err != nil {
		t.Fatal(err)
	}
	waitPlan(t, e, "a")
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e, err = engine.Open(path, engine.Config{DefaultProvider: p})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if meta := status(t, e, "net"); meta.VarsURIContent != file {
		t.Fatalf("stack vars_uri_content after reopen %q", meta.VarsURIContent)
	}
	if meta := waitPlan(t, e, "a"); meta.VarsURIContent != file {
		t.Fatalf("plan vars_uri_content after reopen %q", meta.VarsURIContent)
	}
}

// A vars_uri file as large as RFS allows fits the store's bounded
// transactions (Memory enforces etcd's): the stack's, the deployment's and
// the plan's records each hold it.
func TestVarsURIContent_LargestFileDeploysAndPlans(t *testing.T) {
	ctx := context.Background()
	e, _, _ := simEngine(t, sim.Config{Seed: 27}, engine.Config{})
	mustCreate(t, e, engine.CreateStackRequest{Name: "net"})
	head := "name = \"large\"\n# "
	file := head + strings.Repeat("x", 1<<20-len(head))
	dep, err := e.DeployStack(ctx, engine.DeployStackRequest{StackRef: engine.StackRef{Name: "net"},
		TemplateInput: engine.TemplateInput{TemplateBody: named, VarsURIContent: file}})
	if err != nil {
		t.Fatal(err)
	}
	if res := wait(t, e, dep); res.Status != formation.StackDeploymentComplete {
		t.Fatalf("deployment %+v", res)
	}
	if meta := status(t, e, "net"); meta.VarsURIContent != file {
		t.Fatalf("vars_uri_content of %d bytes, want %d", len(meta.VarsURIContent), len(file))
	}
	if _, err := e.CreateExecutionPlan(ctx, engine.CreateExecutionPlanRequest{StackRef: engine.StackRef{Name: "net"}, PlanName: "a",
		TemplateInput: engine.TemplateInput{TemplateBody: named, VarsURIContent: file}}); err != nil {
		t.Fatal(err)
	}
	if meta := waitPlan(t, e, "a"); meta.Status != formation.PlanAvailable || meta.VarsURIContent != file {
		t.Fatalf("plan %s: %s, vars_uri_content of %d bytes", meta.Status, meta.StatusMessage, len(meta.VarsURIContent))
	}
}
