package formation_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
)

// netFiles is a template calling a local module twice (count), the module
// a VPC with a subnet and an output the root reads.
func netFiles(count string, extra string) fstest.MapFS {
	return fstest.MapFS{
		"main.tf": {Data: []byte(`
module "net" {
  source = "./modules/net"
  count  = ` + count + `
  name   = "net-${count.index}"
}
output "vpc_ids" {
  value = module.net[*].vpc_id
}
`)},
		"modules/net/main.tf": {Data: []byte(`
variable "name" {
  type = string
}
resource "huaweicloud_vpc" "vpc" {
  name = var.name
  cidr = "10.0.0.0/16"
}
resource "huaweicloud_vpc_subnet" "subnet" {
  name       = "${var.name}-a"
  vpc_id     = huaweicloud_vpc.vpc.id
  cidr       = "10.0.1.0/24"
  gateway_ip = "10.0.1.1"
}
output "vpc_id" {
  value = huaweicloud_vpc.vpc.id
}
` + extra)},
	}
}

func deployFiles(t testing.TB, e *engine.Engine, stack string, files fstest.MapFS) engine.Result {
	t.Helper()
	dep, err := e.DeployStack(context.Background(), engine.DeployStackRequest{
		StackRef: engine.StackRef{Name: stack}, TemplateInput: engine.TemplateInput{Files: files},
	})
	if err != nil {
		t.Fatalf("DeployStack: %v", err)
	}
	return wait(t, e, dep)
}

// TestModules_DeployRollbackReplan deploys a template with a local module,
// fails a second deployment inside a module instance so that it rolls
// back, and re-plans the first template: nothing to change.
func TestModules_DeployRollbackReplan(t *testing.T) {
	ctx := context.Background()
	faults := []sim.Fault{{Match: sim.Match{Op: sim.OpCreate, Type: "huaweicloud_networking_secgroup"}, Message: "security group quota"}}
	e, p, _ := simEngine(t, sim.Config{Seed: 21, Faults: faults}, engine.Config{})
	mustCreate(t, e, engine.CreateStackRequest{Name: "net", EnableAutoRollback: true})
	v1 := netFiles("2", "")
	if res := deployFiles(t, e, "net", v1); res.Status != formation.StackDeploymentComplete {
		t.Fatalf("v1 %+v", res)
	}
	wantWorld := []string{
		"module.net[0].huaweicloud_vpc.vpc", "module.net[0].huaweicloud_vpc_subnet.subnet",
		"module.net[1].huaweicloud_vpc.vpc", "module.net[1].huaweicloud_vpc_subnet.subnet",
	}
	if got := worldAddrs(p); !reflect.DeepEqual(got, wantWorld) {
		t.Fatalf("world %q, want %q", got, wantWorld)
	}
	stable := resources(t, e, "net")
	if len(stable) != 4 || stable[2].ModuleAddress != "module.net[1]" || stable[2].LogicalResourceName != "vpc" || stable[2].IndexKey != "" {
		t.Fatalf("stack resources %+v", stable)
	}
	created := events(t, e, "net", engine.DeploymentRef{}, "event_type==CREATION_COMPLETE")
	var seen []string
	for _, ev := range created {
		seen = append(seen, ev.ModuleAddress+" "+ev.ResourceType+"."+ev.ResourceName)
		if !strings.HasPrefix(ev.EventMessage, ev.ModuleAddress+"."+ev.ResourceType+"."+ev.ResourceName+": Creation complete") {
			t.Errorf("event message %q", ev.EventMessage)
		}
	}
	slices.Sort(seen)
	if want := []string{"module.net[0] huaweicloud_vpc.vpc", "module.net[0] huaweicloud_vpc_subnet.subnet", "module.net[1] huaweicloud_vpc.vpc", "module.net[1] huaweicloud_vpc_subnet.subnet"}; !reflect.DeepEqual(seen, want) {
		t.Errorf("CREATION_COMPLETE events %q", seen)
	}
	page, err := e.ListStackOutputs(ctx, engine.ListStackOutputsRequest{StackRef: engine.StackRef{Name: "net"}})
	if err != nil || len(page.Outputs) != 1 {
		t.Fatalf("outputs %+v, %v", page, err)
	}
	for _, r := range p.Resources() {
		if r.Type == "huaweicloud_vpc" && !strings.Contains(page.Outputs[0].Value, r.ID) {
			t.Errorf("output %q lacks the id %s of %s", page.Outputs[0].Value, r.ID, r.Address)
		}
	}

	// v2: a third module instance, and a security group in every instance
	// that the cloud refuses: the deployment rolls back to v1.
	v2 := netFiles("3", "resource \"huaweicloud_networking_secgroup\" \"sg\" {\n  name       = var.name\n  depends_on = [huaweicloud_vpc_subnet.subnet]\n}\n")
	if res := deployFiles(t, e, "net", v2); res.Status != formation.StackRollbackComplete {
		t.Fatalf("v2 %+v", res)
	}
	if got := worldAddrs(p); !reflect.DeepEqual(got, wantWorld) {
		t.Fatalf("world after rollback %q", got)
	}
	if after := resources(t, e, "net"); !reflect.DeepEqual(after, stable) {
		t.Fatalf("resources after rollback %+v, want %+v", after, stable)
	}
	tpl, err := e.GetStackTemplate(ctx, engine.StackRef{Name: "net"})
	if err != nil || tpl.Files["modules/net/main.tf"] != string(v1["modules/net/main.tf"].Data) || tpl.Files["main.tf"] != string(v1["main.tf"].Data) {
		t.Fatalf("template after rollback %+v, %v: want v1's files, the module's included", tpl.Files, err)
	}

	// Planning the stored template again changes nothing.
	_, err = e.CreateExecutionPlan(ctx, engine.CreateExecutionPlanRequest{StackRef: engine.StackRef{Name: "net"}, PlanName: "again", TemplateInput: engine.TemplateInput{Files: v1}})
	if err != nil {
		t.Fatal(err)
	}
	meta := waitPlan(t, e, "again")
	if meta.Status != formation.PlanAvailable || meta.Summary == nil || *meta.Summary != (formation.PlanSummary{}) {
		t.Fatalf("re-plan %+v", meta)
	}
	items, err := e.GetExecutionPlan(ctx, engine.PlanRef{StackRef: engine.StackRef{Name: "net"}, PlanName: "again"})
	if err != nil || len(items.Items) != 4 || items.Items[3].ModuleAddress != "module.net[1]" || items.Items[3].Action != formation.ActionNoOperation {
		t.Fatalf("re-plan items %+v, %v", items.Items, err)
	}
}

// TestModules_ContinueDeploy fails one resource inside a module instance
// without rollback, then continues: only what is missing is created.
func TestModules_ContinueDeploy(t *testing.T) {
	ctx := context.Background()
	faults := []sim.Fault{{Match: sim.Match{Op: sim.OpCreate, Address: "module.net[1].huaweicloud_vpc_subnet.subnet"}, Times: 1, Message: "subnet quota"}}
	e, p, _ := simEngine(t, sim.Config{Seed: 22, Faults: faults}, engine.Config{})
	mustCreate(t, e, engine.CreateStackRequest{Name: "net"})
	res := deployFiles(t, e, "net", netFiles("2", ""))
	if res.Status != formation.StackDeploymentFailed || !strings.Contains(res.Message, "subnet quota") {
		t.Fatalf("deployment %+v", res)
	}
	errs := events(t, e, "net", res.DeploymentRef, "event_type==ERROR")
	if len(errs) != 1 || errs[0].ModuleAddress != "module.net[1]" || errs[0].ResourceName != "subnet" {
		t.Fatalf("ERROR events %+v", errs)
	}
	// Whether module.net[0]'s subnet was created before the failure stopped
	// the deployment depends on which VPC finished first; both VPCs were.
	before := len(p.Resources())
	if before != 2 && before != 3 {
		t.Fatalf("world %q", worldAddrs(p))
	}
	dep, err := e.ContinueDeployStack(ctx, engine.ContinueRequest{StackRef: engine.StackRef{Name: "net"}})
	if err != nil {
		t.Fatal(err)
	}
	if res := wait(t, e, dep); res.Status != formation.StackDeploymentComplete {
		t.Fatalf("continued %+v", res)
	}
	want := fmt.Sprintf("Apply complete! Resources: %d added, 0 changed, 0 destroyed.", 4-before)
	if sum := events(t, e, "net", dep, "event_type==SUMMARY"); len(sum) != 1 || sum[0].EventMessage != want {
		t.Fatalf("summary %+v, want %q", sum, want)
	}
	if len(p.Resources()) != 4 {
		t.Fatalf("world after continue %q", worldAddrs(p))
	}
}

// manyCalls writes n module blocks calling ./a, named b0, b1, ….
func manyCalls(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "module \"b%d\" {\n  source = \"./a\"\n}\n", i)
	}
	return b.String()
}

// TestModules_BadTemplateChangesNothing: each module problem is refused
// with its code before anything is stored.
func TestModules_BadTemplateChangesNothing(t *testing.T) {
	e, _, st := simEngine(t, sim.Config{Seed: 23}, engine.Config{})
	mustCreate(t, e, engine.CreateStackRequest{Name: "net"})
	for _, tc := range []struct {
		files fstest.MapFS
		code  formation.Code
		want  string
	}{
		{fstest.MapFS{"main.tf": {Data: []byte("module \"a\" {\n  source = \"../outside\"\n}\n")}}, formation.CodeInvalidTemplate, "Module source outside the template"},
		{fstest.MapFS{"main.tf": {Data: []byte("module \"a\" {\n  source = \"./\"\n}\n")}}, formation.CodeInvalidTemplate, "Module cycle"},
		{fstest.MapFS{"main.tf": {Data: []byte("module \"a\" {\n  source = \"./gone\"\n}\n")}}, formation.CodeInvalidTemplate, "Module not found"},
		{fstest.MapFS{"main.tf": {Data: []byte("module \"a\" {\n  source = \"git::https://example.com/x.git\"\n}\n")}}, formation.CodeUnsupported, "Only local modules are supported"},
		{fstest.MapFS{ // depth 4
			"main.tf":         {Data: []byte("module \"a\" {\n  source = \"./a\"\n}\n")},
			"a/main.tf":       {Data: []byte("module \"b\" {\n  source = \"./b\"\n}\n")},
			"a/b/main.tf":     {Data: []byte("module \"c\" {\n  source = \"./c\"\n}\n")},
			"a/b/c/main.tf":   {Data: []byte("module \"d\" {\n  source = \"./d\"\n}\n")},
			"a/b/c/d/main.tf": {Data: []byte("resource \"huaweicloud_vpc\" \"v\" {}\n")},
		}, formation.CodeInvalidTemplate, "Modules nested too deeply"},
		{fstest.MapFS{ // 51 module calls
			"main.tf":   {Data: []byte("module \"a\" {\n  source = \"./a\"\n}\n" + manyCalls(50))},
			"a/main.tf": {Data: []byte("resource \"huaweicloud_vpc\" \"v\" {}\n")},
		}, formation.CodeInvalidTemplate, "Too many module calls"},
		{fstest.MapFS{ // an undeclared input
			"main.tf":   {Data: []byte("module \"a\" {\n  source = \"./a\"\n  nope   = 1\n}\n")},
			"a/main.tf": {Data: []byte("resource \"huaweicloud_vpc\" \"v\" {}\n")},
		}, formation.CodeInvalidTemplate, "Unsupported argument"},
		{fstest.MapFS{ // a required input missing
			"main.tf":   {Data: []byte("module \"a\" {\n  source = \"./a\"\n}\n")},
			"a/main.tf": {Data: []byte("variable \"name\" {}\nresource \"huaweicloud_vpc\" \"v\" {\n  name = var.name\n}\n")},
		}, formation.CodeInvalidTemplate, "Missing required argument"},
	} {
		check := assertNothingChanges(t, st)
		_, err := e.DeployStack(context.Background(), engine.DeployStackRequest{StackRef: engine.StackRef{Name: "net"}, TemplateInput: engine.TemplateInput{Files: tc.files}})
		if !formation.HasCode(err, tc.code) || !strings.Contains(fmt.Sprint(err), tc.want) {
			t.Errorf("%s: %v, want %s %q", tc.files["main.tf"].Data, err, tc.code, tc.want)
		}
		check()
	}
}

// TestModules_WholeBlockReadAtApply reads every instance of a block inside
// a module (a splat in the module's output) from a root resource: at apply
// the root resource sees the ids the module's instances were given.
func TestModules_WholeBlockReadAtApply(t *testing.T) {
	e, p, _ := simEngine(t, sim.Config{Seed: 24}, engine.Config{})
	mustCreate(t, e, engine.CreateStackRequest{Name: "net"})
	files := fstest.MapFS{
		"main.tf": {Data: []byte(`
module "vpcs" {
  source = "./vpcs"
}
resource "huaweicloud_vpc" "summary" {
  name = join(",", module.vpcs.ids)
  cidr = "10.9.0.0/16"
}
`)},
		"vpcs/main.tf": {Data: []byte(`
resource "huaweicloud_vpc" "v" {
  count = 2
  name  = "v${count.index}"
  cidr  = "10.${count.index}.0.0/16"
}
output "ids" {
  value = huaweicloud_vpc.v[*].id
}
`)},
	}
	if res := deployFiles(t, e, "net", files); res.Status != formation.StackDeploymentComplete {
		t.Fatalf("deployment %+v", res)
	}
	ids := map[string]string{}
	for _, r := range p.Resources() {
		ids[r.Address] = r.ID
	}
	var summary string
	for _, r := range resources(t, e, "net") {
		if r.ModuleAddress == "" {
			summary = r.PhysicalResourceName
		}
	}
	if want := ids["module.vpcs.huaweicloud_vpc.v[0]"] + "," + ids["module.vpcs.huaweicloud_vpc.v[1]"]; summary != want || want == "," {
		t.Fatalf("summary name %q, want %q", summary, want)
	}
}

// TestModules_ScaleDown removes a module instance: its resources are
// destroyed, the subnet before its VPC.
func TestModules_ScaleDown(t *testing.T) {
	e, p, _ := simEngine(t, sim.Config{Seed: 25}, engine.Config{})
	mustCreate(t, e, engine.CreateStackRequest{Name: "net"})
	if res := deployFiles(t, e, "net", netFiles("2", "")); res.Status != formation.StackDeploymentComplete {
		t.Fatalf("v1 %+v", res)
	}
	res := deployFiles(t, e, "net", netFiles("1", ""))
	if res.Status != formation.StackDeploymentComplete {
		t.Fatalf("v2 %+v", res)
	}
	if got, want := worldAddrs(p), []string{"module.net[0].huaweicloud_vpc.vpc", "module.net[0].huaweicloud_vpc_subnet.subnet"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("world %q, want %q", got, want)
	}
	var order []string
	for _, ev := range events(t, e, "net", res.DeploymentRef, "event_type==DELETION_COMPLETE") {
		order = append(order, ev.ModuleAddress+"."+ev.ResourceName)
	}
	slices.Reverse(order) // events are listed newest first
	if want := []string{"module.net[1].subnet", "module.net[1].vpc"}; !reflect.DeepEqual(order, want) {
		t.Fatalf("deletions %q, want %q", order, want)
	}
}
