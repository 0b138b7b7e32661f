package formation_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/store/storetest"
)

// network is a VPC with two subnets and an output: the scenarios' template.
const network = `
variable "name" {
  type    = string
  default = "net"
}
resource "huaweicloud_vpc" "vpc" {
  name = var.name
  cidr = "10.0.0.0/16"
}
resource "huaweicloud_vpc_subnet" "subnet" {
  count      = 2
  name       = "${var.name}-${count.index}"
  vpc_id     = huaweicloud_vpc.vpc.id
  cidr       = cidrsubnet("10.0.0.0/16", 8, count.index)
  gateway_ip = cidrhost(cidrsubnet("10.0.0.0/16", 8, count.index), 1)
}
output "vpc_id" {
  value = huaweicloud_vpc.vpc.id
}
output "secret" {
  value     = "s3cr3t"
  sensitive = true
}
`

// simEngine is an engine over an in-memory store whose every provider is a
// simulated one with the catalog's schemas.
func simEngine(t testing.TB, sc sim.Config, cfg engine.Config) (*engine.Engine, *sim.Provider, store.Store) {
	t.Helper()
	sc.UseCatalog = true
	p, err := sim.New(sc)
	if err != nil {
		t.Fatal(err)
	}
	st := store.NewMemory()
	cfg.Store, cfg.DefaultProvider = st, p
	if cfg.RetryPause == 0 {
		cfg.RetryPause = 1 // ns: retries in tests wait for nothing
	}
	e, err := engine.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e, p, st
}

func wait(t testing.TB, e *engine.Engine, dep engine.DeploymentRef) engine.Result {
	t.Helper()
	res, err := e.Wait(context.Background(), dep)
	if err != nil {
		t.Fatalf("Wait(%s): %v", dep.DeploymentID, err)
	}
	return res
}

func deploy(t testing.TB, e *engine.Engine, stack, body string, vars ...formation.VarsStructure) engine.Result {
	t.Helper()
	dep, err := e.DeployStack(context.Background(), engine.DeployStackRequest{
		StackRef:      engine.StackRef{Name: stack},
		TemplateInput: engine.TemplateInput{TemplateBody: body, VarsStructure: vars},
	})
	if err != nil {
		t.Fatalf("DeployStack: %v", err)
	}
	return wait(t, e, dep)
}

// worldAddrs lists what exists in the simulated cloud, by address.
func worldAddrs(p *sim.Provider) []string {
	var out []string
	for _, r := range p.Resources() {
		out = append(out, r.Address)
	}
	slices.Sort(out)
	return out
}

func resources(t testing.TB, e *engine.Engine, stack string) []formation.StackResource {
	t.Helper()
	page, err := e.ListStackResources(context.Background(), engine.ListStackResourcesRequest{StackRef: engine.StackRef{Name: stack}})
	if err != nil {
		t.Fatal(err)
	}
	return page.StackResources
}

func events(t testing.TB, e *engine.Engine, stack string, dep engine.DeploymentRef, filter string) []formation.Event {
	t.Helper()
	page, err := e.ListStackEvents(context.Background(), engine.ListStackEventsRequest{StackRef: engine.StackRef{Name: stack}, DeploymentID: dep.DeploymentID, Filter: filter})
	if err != nil {
		t.Fatal(err)
	}
	return page.StackEvents
}

func status(t testing.TB, e *engine.Engine, stack string) formation.Stack {
	t.Helper()
	s, err := e.GetStackMetadata(context.Background(), engine.StackRef{Name: stack})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDeploy_CreateWithTemplateSucceeds(t *testing.T) {
	ctx := context.Background()
	e, p, _ := simEngine(t, sim.Config{Seed: 1}, engine.Config{})
	res, err := e.CreateStack(ctx, engine.CreateStackRequest{Name: "net",
		TemplateInput: engine.TemplateInput{TemplateBody: network, VarsStructure: []formation.VarsStructure{{VarKey: "name", VarValue: "prod"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.DeploymentID == "" {
		t.Fatal("CreateStack with a template returned no deployment id")
	}
	out := wait(t, e, res.DeploymentRef)
	if out.Status != formation.StackDeploymentComplete || !out.Succeeded() {
		t.Fatalf("deployment ended %+v", out)
	}
	if got := worldAddrs(p); !slices.Equal(got, []string{"huaweicloud_vpc.vpc", "huaweicloud_vpc_subnet.subnet[0]", "huaweicloud_vpc_subnet.subnet[1]"}) {
		t.Fatalf("world %v", got)
	}
	rs := resources(t, e, "net")
	if len(rs) != 3 {
		t.Fatalf("resources %+v", rs)
	}
	for _, r := range rs {
		if r.ResourceStatus != formation.ResourceCreationComplete || r.PhysicalResourceID == "" || len(r.ResourceAttributes) == 0 {
			t.Fatalf("resource %+v", r)
		}
	}
	if rs[1].LogicalResourceType != "huaweicloud_vpc_subnet" || rs[1].IndexKey != "0" || rs[1].PhysicalResourceName != "prod-0" {
		t.Fatalf("subnet record %+v", rs[1])
	}
	outs, err := e.ListStackOutputs(ctx, engine.ListStackOutputsRequest{StackRef: engine.StackRef{Name: "net"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(outs.Outputs) != 2 || outs.Outputs[1].Name != "vpc_id" || outs.Outputs[1].Value != rs[0].PhysicalResourceID ||
		outs.Outputs[0].Value != formation.SensitiveValue || outs.Outputs[0].Type != formation.SensitiveValue {
		t.Fatalf("outputs %+v (vpc id %s)", outs.Outputs, rs[0].PhysicalResourceID)
	}

	evs := events(t, e, "net", res.DeploymentRef, "")
	slices.Reverse(evs) // oldest first
	var kinds []string
	for _, ev := range evs {
		if ev.DeploymentID != res.DeploymentID {
			t.Fatalf("event %+v of another deployment", ev)
		}
		if ev.ResourceName == "vpc" {
			kinds = append(kinds, string(ev.EventType))
		}
	}
	if !slices.Equal(kinds, []string{"CREATION_IN_PROGRESS", "CREATION_COMPLETE"}) {
		t.Fatalf("vpc events %v", kinds)
	}
	last := evs[len(evs)-1]
	summary := evs[len(evs)-2]
	if summary.EventType != formation.EventSummary || summary.EventMessage != "Apply complete! Resources: 3 added, 0 changed, 0 destroyed." {
		t.Fatalf("summary event %+v", summary)
	}
	if last.EventType != formation.EventLog || !strings.Contains(last.EventMessage, "DEPLOYMENT_COMPLETE") {
		t.Fatalf("closing event %+v", last)
	}
	done := events(t, e, "net", res.DeploymentRef, "event_type==CREATION_COMPLETE,resource_name==vpc")
	if len(done) != 1 || done[0].ResourceIDKey != "id" || done[0].ResourceIDValue != rs[0].PhysicalResourceID ||
		!strings.HasPrefix(done[0].EventMessage, "huaweicloud_vpc.vpc: Creation complete after ") {
		t.Fatalf("vpc completion event %+v", done)
	}

	tpl, err := e.GetStackTemplate(ctx, engine.StackRef{Name: "net"})
	if err != nil || tpl.TemplateBody != network || len(tpl.VarsStructure) != 1 {
		t.Fatalf("GetStackTemplate = %+v, %v", tpl, err)
	}
	if meta := status(t, e, "net"); len(meta.VarsStructure) != 1 || meta.VarsStructure[0].VarValue != "prod" {
		t.Fatalf("metadata vars_structure %+v, want the deployment's", meta.VarsStructure)
	}
	// Re-planning the deployed template changes nothing.
	again, err := e.PreviewStack(ctx, engine.PreviewStackRequest{StackRef: engine.StackRef{Name: "net"}, TemplateInput: engine.TemplateInput{TemplateBody: network,
		VarsStructure: []formation.VarsStructure{{VarKey: "name", VarValue: "prod"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if again.HasChanges() {
		t.Fatalf("re-plan of the deployed template has changes: %+v", again.Summary)
	}
}

func TestDeploy_UpdateAndRemove(t *testing.T) {
	e, p, _ := simEngine(t, sim.Config{Seed: 2}, engine.Config{})
	mustCreate(t, e, engine.CreateStackRequest{Name: "net"})
	if res := deploy(t, e, "net", network); res.Status != formation.StackDeploymentComplete {
		t.Fatalf("first deploy %+v", res)
	}
	vpcID := resources(t, e, "net")[0].PhysicalResourceID
	// Rename the VPC (in place) and drop the subnets.
	onlyVPC := `resource "huaweicloud_vpc" "vpc" {
  name   = "renamed"
  cidr   = "10.0.0.0/16"
  region = "cn-north-4"
}`
	res := deploy(t, e, "net", onlyVPC)
	if res.Status != formation.StackDeploymentComplete {
		t.Fatalf("second deploy %+v", res)
	}
	if got := worldAddrs(p); !slices.Equal(got, []string{"huaweicloud_vpc.vpc"}) {
		t.Fatalf("world after removing subnets: %v", got)
	}
	rs := resources(t, e, "net")
	if len(rs) != 1 || rs[0].PhysicalResourceID != vpcID || rs[0].ResourceStatus != formation.ResourceUpdateComplete || rs[0].PhysicalResourceName != "renamed" {
		t.Fatalf("resources %+v (vpc id was %s)", rs, vpcID)
	}
	sum := events(t, e, "net", res.DeploymentRef, "event_type==SUMMARY")
	if len(sum) != 1 || sum[0].EventMessage != "Apply complete! Resources: 0 added, 1 changed, 2 destroyed." {
		t.Fatalf("summary %+v", sum)
	}
	// A force-new change (region: the provider updates cidr in place)
	// replaces the VPC.
	res = deploy(t, e, "net", strings.Replace(onlyVPC, "cn-north-4", "cn-north-9", 1))
	if res.Status != formation.StackDeploymentComplete {
		t.Fatalf("replacement deploy %+v", res)
	}
	rs = resources(t, e, "net")
	if len(rs) != 1 || rs[0].PhysicalResourceID == vpcID || len(p.Resources()) != 1 {
		t.Fatalf("after replacement: resources %+v, world %v", rs, worldAddrs(p))
	}
}

func TestDeploy_FailureWithoutRollbackThenContinue(t *testing.T) {
	ctx := context.Background()
	faults := []sim.Fault{{Match: sim.Match{Op: sim.OpCreate, Address: "huaweicloud_vpc_subnet.subnet[1]"}, Times: 1, Message: "Quota exceeded for resources: subnet"}}
	e, p, st := simEngine(t, sim.Config{Seed: 3, Faults: faults}, engine.Config{})
	mustCreate(t, e, engine.CreateStackRequest{Name: "net"})
	res := deploy(t, e, "net", network)
	if res.Status != formation.StackDeploymentFailed || res.Succeeded() || !strings.Contains(res.Message, "Quota exceeded for resources: subnet") {
		t.Fatalf("deployment ended %+v", res)
	}
	meta := status(t, e, "net")
	if meta.Status != formation.StackDeploymentFailed || !strings.Contains(meta.StatusMessage, "subnet[1]") {
		t.Fatalf("metadata %+v", meta)
	}
	errs := events(t, e, "net", res.DeploymentRef, "event_type==ERROR")
	if len(errs) != 1 || !strings.Contains(errs[0].EventMessage, "Quota exceeded for resources: subnet") || errs[0].ResourceName != "subnet" || errs[0].ResourceKey != "1" {
		t.Fatalf("ERROR events %+v", errs)
	}
	var failed formation.StackResource
	for _, r := range resources(t, e, "net") {
		if r.IndexKey == "1" && r.LogicalResourceType == "huaweicloud_vpc_subnet" {
			failed = r
		}
	}
	if failed.ResourceStatus != formation.ResourceCreationFailed || !strings.Contains(failed.StatusMessage, "Quota") {
		t.Fatalf("failed resource %+v", failed)
	}
	if len(p.Resources()) != 2 {
		t.Fatalf("world %v: the VPC and subnet[0] stay without auto-rollback", worldAddrs(p))
	}

	// ContinueRollbackStack is refused; ContinueDeployStack re-uses the
	// template and creates only what is missing.
	before := assertNothingChanges(t, st)
	_, err := e.ContinueRollbackStack(ctx, engine.ContinueRequest{StackRef: engine.StackRef{Name: "net"}})
	if !errors.Is(err, formation.ErrInvalidStatus) || !formation.HasCode(err, formation.CodeInvalidStackStatus) {
		t.Fatalf("ContinueRollbackStack from DEPLOYMENT_FAILED: %v", err)
	}
	before()
	dep, err := e.ContinueDeployStack(ctx, engine.ContinueRequest{StackRef: engine.StackRef{Name: "net"}})
	if err != nil {
		t.Fatal(err)
	}
	if res := wait(t, e, dep); res.Status != formation.StackDeploymentComplete {
		t.Fatalf("continued deployment %+v", res)
	}
	if len(p.Resources()) != 3 {
		t.Fatalf("world %v after continue", worldAddrs(p))
	}
	sum := events(t, e, "net", dep, "event_type==SUMMARY")
	if len(sum) != 1 || sum[0].EventMessage != "Apply complete! Resources: 1 added, 0 changed, 0 destroyed." {
		t.Fatalf("continue summary %+v", sum)
	}
	_, err = e.ContinueDeployStack(ctx, engine.ContinueRequest{StackRef: engine.StackRef{Name: "net"}})
	if !formation.HasCode(err, formation.CodeInvalidStackStatus) {
		t.Fatalf("ContinueDeployStack from DEPLOYMENT_COMPLETE: %v", err)
	}
}

// Creation tokens follow the address's creation generation: a creation
// whose response was lost is retried by the next deployment with the same
// token, and the provider returns what it made; once a creation is
// recorded the generation advances, so the address created again after
// its deletion gets a new token and a new object.
func TestDeploy_CreationTokensFollowGenerations(t *testing.T) {
	ctx := context.Background()
	faults := []sim.Fault{{Match: sim.Match{Op: sim.OpCreate, Address: "huaweicloud_vpc.v"}, Times: 1, AfterEffect: true}}
	e, p, _ := simEngine(t, sim.Config{Seed: 3, Faults: faults}, engine.Config{})
	const body = `resource "huaweicloud_vpc" "v" {
  name = "v"
  cidr = "10.0.0.0/16"
}
`
	mustCreate(t, e, engine.CreateStackRequest{Name: "net"})
	if res := deploy(t, e, "net", body); res.Status != formation.StackDeploymentFailed {
		t.Fatalf("deployment with the lost response ended %+v", res)
	}
	dep, err := e.ContinueDeployStack(ctx, engine.ContinueRequest{StackRef: engine.StackRef{Name: "net"}})
	if err != nil {
		t.Fatal(err)
	}
	if res := wait(t, e, dep); res.Status != formation.StackDeploymentComplete {
		t.Fatalf("continued deployment %+v", res)
	}
	if res := deploy(t, e, "net", `resource "huaweicloud_vpc" "other" {
  name = "o"
  cidr = "10.1.0.0/16"
}
`); res.Status != formation.StackDeploymentComplete {
		t.Fatalf("deployment deleting the VPC %+v", res)
	}
	// The fault strikes each token's first attempt: a new token fails
	// again, after making a new object.
	if res := deploy(t, e, "net", body); res.Status != formation.StackDeploymentFailed {
		t.Fatalf("deployment creating it again %+v", res)
	}
	var creates []sim.Call
	for _, c := range p.Calls() {
		if c.Address == "huaweicloud_vpc.v" && c.Op == sim.OpCreate {
			creates = append(creates, c)
		}
	}
	if len(creates) != 3 {
		t.Fatalf("%d creations of the VPC, want 3: %+v", len(creates), creates)
	}
	lost, retried, again := creates[0], creates[1], creates[2]
	if retried.Token != lost.Token || !retried.Replayed || retried.ID != lost.ID {
		t.Errorf("the retry of the lost creation %+v, want the token and object of %+v", retried, lost)
	}
	if again.Token == lost.Token || again.Replayed || again.ID == lost.ID {
		t.Errorf("the creation after the deletion %+v, want a new token and object (first %+v)", again, lost)
	}
}

// assertNothingChanges snapshots the store; the returned func fails the test
// if anything changed since.
func assertNothingChanges(t testing.TB, st store.Store) func() {
	before := storetest.Dump(t, st)
	return func() { t.Helper(); assertUnchanged(t, st, before) }
}

func TestDeploy_FailureRollsBackFirstDeploymentToEmpty(t *testing.T) {
	faults := []sim.Fault{{Match: sim.Match{Op: sim.OpCreate, Type: "huaweicloud_vpc_subnet"}, Message: "subnet CIDR conflicts"}}
	e, p, _ := simEngine(t, sim.Config{Seed: 4, Faults: faults}, engine.Config{})
	mustCreate(t, e, engine.CreateStackRequest{Name: "net", EnableAutoRollback: true})
	res := deploy(t, e, "net", network)
	if res.Status != formation.StackRollbackComplete || res.Succeeded() || !strings.Contains(res.Message, "subnet CIDR conflicts") {
		t.Fatalf("deployment ended %+v", res)
	}
	if got := worldAddrs(p); len(got) != 0 {
		t.Fatalf("world after rollback of a first deployment: %v, want empty", got)
	}
	if rs := resources(t, e, "net"); len(rs) != 0 {
		t.Fatalf("stored resources after rollback: %+v", rs)
	}
	meta := status(t, e, "net")
	if meta.Status != formation.StackRollbackComplete || meta.StatusMessage != "" {
		t.Fatalf("metadata %+v (no status_message outside *_FAILED)", meta)
	}
	var types []string
	for _, ev := range events(t, e, "net", res.DeploymentRef, "event_type==LOG") {
		types = append(types, ev.EventMessage)
	}
	joined := strings.Join(types, "\n")
	for _, want := range []string{"DEPLOYMENT_IN_PROGRESS", "ROLLBACK_IN_PROGRESS", "ROLLBACK_COMPLETE"} {
		if !strings.Contains(joined, want) {
			t.Fatalf("LOG events lack %s:\n%s", want, joined)
		}
	}
	if _, err := e.GetStackTemplate(context.Background(), engine.StackRef{Name: "net"}); !formation.HasCode(err, formation.CodeTemplateNotFound) {
		t.Fatalf("template after rolling back to empty: %v", err)
	}
}

func TestDeploy_RollbackRestoresLastStableState(t *testing.T) {
	ctx := context.Background()
	faults := []sim.Fault{{Match: sim.Match{Op: sim.OpCreate, Type: "huaweicloud_networking_secgroup"}, Message: "security group quota"}}
	e, p, _ := simEngine(t, sim.Config{Seed: 5, Faults: faults}, engine.Config{})
	mustCreate(t, e, engine.CreateStackRequest{Name: "net", EnableAutoRollback: true})
	if res := deploy(t, e, "net", network); res.Status != formation.StackDeploymentComplete {
		t.Fatalf("stable deploy %+v", res)
	}
	stable := resources(t, e, "net")
	// v2 renames the VPC, deletes subnet[1] and adds a security group that fails.
	v2 := strings.Replace(network, "count      = 2", "count      = 1", 1) + `
resource "huaweicloud_networking_secgroup" "sg" {
  name       = "web"
  depends_on = [huaweicloud_vpc_subnet.subnet]
}`
	res := deploy(t, e, "net", v2, formation.VarsStructure{VarKey: "name", VarValue: "renamed"})
	if res.Status != formation.StackRollbackComplete {
		t.Fatalf("v2 ended %+v", res)
	}
	after := resources(t, e, "net")
	if len(after) != len(stable) {
		t.Fatalf("after rollback %d resources, want %d: %+v", len(after), len(stable), after)
	}
	for i := range stable {
		if after[i].PhysicalResourceName != stable[i].PhysicalResourceName || after[i].LogicalResourceName != stable[i].LogicalResourceName || after[i].IndexKey != stable[i].IndexKey {
			t.Fatalf("resource %d after rollback %+v, stable was %+v", i, after[i], stable[i])
		}
	}
	if len(p.Resources()) != 3 {
		t.Fatalf("world after rollback %v", worldAddrs(p))
	}
	tpl, err := e.GetStackTemplate(ctx, engine.StackRef{Name: "net"})
	if err != nil || tpl.TemplateBody != network {
		t.Fatalf("template after rollback is not the stable one: %v", err)
	}
	if meta := status(t, e, "net"); len(meta.VarsStructure) != 0 {
		t.Fatalf("metadata after rollback shows the failed deployment's variables: %+v", meta.VarsStructure)
	}
}

func TestDeploy_RollbackFailureThenContinueRollback(t *testing.T) {
	ctx := context.Background()
	faults := []sim.Fault{
		{Match: sim.Match{Op: sim.OpCreate, Address: "huaweicloud_vpc_subnet.subnet[1]"}, Message: "boom"},
		{Match: sim.Match{Op: sim.OpDelete, Address: "huaweicloud_vpc_subnet.subnet[0]"}, Times: 1, Message: "subnet in use"},
	}
	e, p, _ := simEngine(t, sim.Config{Seed: 6, Faults: faults}, engine.Config{})
	mustCreate(t, e, engine.CreateStackRequest{Name: "net", EnableAutoRollback: true})
	res := deploy(t, e, "net", network)
	if res.Status != formation.StackRollbackFailed {
		t.Fatalf("deployment ended %+v", res)
	}
	meta := status(t, e, "net")
	if !strings.Contains(meta.StatusMessage, "subnet in use") {
		t.Fatalf("status message %q", meta.StatusMessage)
	}
	_, err := e.ContinueDeployStack(ctx, engine.ContinueRequest{StackRef: engine.StackRef{Name: "net"}})
	if !formation.HasCode(err, formation.CodeInvalidStackStatus) {
		t.Fatalf("ContinueDeployStack from ROLLBACK_FAILED: %v", err)
	}
	dep, err := e.ContinueRollbackStack(ctx, engine.ContinueRequest{StackRef: engine.StackRef{Name: "net"}})
	if err != nil {
		t.Fatal(err)
	}
	if res := wait(t, e, dep); res.Status != formation.StackRollbackComplete || dep.DeploymentID == res.StackID {
		t.Fatalf("continued rollback %+v", res)
	}
	if got := worldAddrs(p); len(got) != 0 {
		t.Fatalf("world after continued rollback %v", got)
	}
}

func TestDeploy_ImportBlocksRefuseAutoRollback(t *testing.T) {
	e, p, st := simEngine(t, sim.Config{Seed: 7}, engine.Config{})
	mustCreate(t, e, engine.CreateStackRequest{Name: "net", EnableAutoRollback: true})
	// A VPC made outside Formation, to import.
	vpc, err := p.Create(context.Background(), provider.CreateRequest{TypeName: "huaweicloud_vpc", Address: "outside",
		Config: cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("x"), "cidr": cty.StringVal("10.0.0.0/16")})})
	if err != nil {
		t.Fatal(err)
	}
	imports := engine.TemplateInput{TemplateBody: `
import {
  to = huaweicloud_vpc.vpc
  id = "` + vpc.ID + `"
}
resource "huaweicloud_vpc" "vpc" {
  name = "x"
  cidr = "10.0.0.0/16"
}`}
	check := assertNothingChanges(t, st)
	_, err = e.DeployStack(context.Background(), engine.DeployStackRequest{StackRef: engine.StackRef{Name: "net"}, TemplateInput: imports})
	if !formation.HasCode(err, formation.CodeAutoRollback) {
		t.Fatalf("deploying imports with auto-rollback: %v, want RF.10012546", err)
	}
	check()

	// A plan of the same template can be made and reviewed, but not applied.
	ref := engine.PlanRef{StackRef: engine.StackRef{Name: "net"}, PlanName: "imports"}
	if _, err := e.CreateExecutionPlan(context.Background(), engine.CreateExecutionPlanRequest{StackRef: ref.StackRef, PlanName: ref.PlanName, TemplateInput: imports}); err != nil {
		t.Fatal(err)
	}
	waitPlan(t, e, ref.PlanName)
	check = assertNothingChanges(t, st)
	if _, err := e.ApplyExecutionPlan(context.Background(), engine.ApplyExecutionPlanRequest{PlanRef: ref}); !formation.HasCode(err, formation.CodeAutoRollback) {
		t.Fatalf("applying a plan with imports with auto-rollback: %v, want RF.10012546", err)
	}
	check()
}

func TestDeploy_BadTemplateChangesNothing(t *testing.T) {
	e, _, st := simEngine(t, sim.Config{Seed: 8}, engine.Config{})
	mustCreate(t, e, engine.CreateStackRequest{Name: "net"})
	cases := map[string]struct {
		in   engine.TemplateInput
		code formation.Code
	}{
		"syntax":             {engine.TemplateInput{TemplateBody: `resource "x" {`}, formation.CodeInvalidTemplate},
		"forbidden function": {engine.TemplateInput{TemplateBody: `resource "huaweicloud_vpc" "v" { name = file("/etc/passwd") }`}, formation.CodeInvalidTemplate},
		"undeclared var":     {engine.TemplateInput{TemplateBody: network, VarsStructure: []formation.VarsStructure{{VarKey: "nope", VarValue: "1"}}}, formation.CodeInvalidVariables},
		"no template":        {engine.TemplateInput{}, formation.CodeMissingParameter},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			check := assertNothingChanges(t, st)
			_, err := e.DeployStack(context.Background(), engine.DeployStackRequest{StackRef: engine.StackRef{Name: "net"}, TemplateInput: tc.in})
			if !formation.HasCode(err, tc.code) || formation.CodeOf(err).HTTPStatus() != 400 {
				t.Fatalf("DeployStack: %v, want %s", err, tc.code)
			}
			check()
		})
	}
}

func TestDelete_DeletesResourcesFailsAndRetains(t *testing.T) {
	ctx := context.Background()
	faults := []sim.Fault{{Match: sim.Match{Op: sim.OpDelete, Type: "huaweicloud_vpc"}, Times: 1, Message: "vpc has ports"}}
	e, p, st := simEngine(t, sim.Config{Seed: 9, Faults: faults}, engine.Config{})
	mustCreate(t, e, engine.CreateStackRequest{Name: "net"})
	deploy(t, e, "net", network)

	dep, err := e.DeleteStack(ctx, engine.DeleteStackRequest{StackRef: engine.StackRef{Name: "net"}})
	if err != nil {
		t.Fatal(err)
	}
	res := wait(t, e, dep)
	if res.Status != formation.StackDeletionFailed || !strings.Contains(res.Message, "vpc has ports") {
		t.Fatalf("first delete %+v", res)
	}
	if got := worldAddrs(p); !slices.Equal(got, []string{"huaweicloud_vpc.vpc"}) {
		t.Fatalf("world after failed delete %v: subnets go first, the VPC stays", got)
	}
	dep, err = e.DeleteStack(ctx, engine.DeleteStackRequest{StackRef: engine.StackRef{Name: "net"}})
	if err != nil {
		t.Fatal(err)
	}
	res = wait(t, e, dep)
	if !res.Deleted {
		t.Fatalf("second delete %+v", res)
	}
	if len(p.Resources()) != 0 {
		t.Fatalf("world after delete %v", worldAddrs(p))
	}
	// Everything of the stack is gone: records, plans, events, outputs.
	for b, kv := range storetest.Dump(t, st) {
		for k := range kv {
			if strings.HasPrefix(k, res.StackID) {
				t.Fatalf("bucket %s still holds %q after the stack was deleted", b, k)
			}
		}
	}

	// retain_all_resources keeps the cloud resources and drops the records.
	mustCreate(t, e, engine.CreateStackRequest{Name: "kept"})
	deploy(t, e, "kept", network)
	dep, err = e.DeleteStack(ctx, engine.DeleteStackRequest{StackRef: engine.StackRef{Name: "kept"}, RetainAllResources: true})
	if err != nil {
		t.Fatal(err)
	}
	if res := wait(t, e, dep); !res.Deleted {
		t.Fatalf("retaining delete %+v", res)
	}
	if len(p.Resources()) != 3 {
		t.Fatalf("retained world %v", worldAddrs(p))
	}
	if _, err := e.GetStackMetadata(ctx, engine.StackRef{Name: "kept"}); !errors.Is(err, formation.ErrNotFound) {
		t.Fatalf("stack after retaining delete: %v", err)
	}
}

func TestPlans_CreateApplyAndExpire(t *testing.T) {
	ctx := context.Background()
	e, p, st := simEngine(t, sim.Config{Seed: 10}, engine.Config{})
	mustCreate(t, e, engine.CreateStackRequest{Name: "net"})
	mk := func(name, body string) string {
		t.Helper()
		id, err := e.CreateExecutionPlan(ctx, engine.CreateExecutionPlanRequest{StackRef: engine.StackRef{Name: "net"}, PlanName: name, TemplateInput: engine.TemplateInput{TemplateBody: body}})
		if err != nil {
			t.Fatal(err)
		}
		return id.PlanID
	}
	idA := mk("a", network)
	mk("b", network)
	meta := waitPlan(t, e, "a")
	if meta.Status != formation.PlanAvailable || meta.ID != idA || meta.Summary == nil || meta.Summary.ResourceAdd != 3 {
		t.Fatalf("plan a %+v", meta)
	}
	waitPlan(t, e, "b")
	items, err := e.GetExecutionPlan(ctx, engine.PlanRef{StackRef: engine.StackRef{Name: "net"}, PlanName: "a", PlanID: idA})
	if err != nil || len(items.Items) != 3 || items.Items[0].Action != formation.ActionAdd || !strings.Contains(items.Text, "Plan: 3 to add, 0 to change, 0 to destroy.") {
		t.Fatalf("items %+v, %v", items, err)
	}
	if len(p.Resources()) != 0 {
		t.Fatal("planning created resources")
	}
	_, err = e.CreateExecutionPlan(ctx, engine.CreateExecutionPlanRequest{StackRef: engine.StackRef{Name: "net"}, PlanName: "a", TemplateInput: engine.TemplateInput{TemplateBody: network}})
	if !formation.HasCode(err, formation.CodeNameConflict) {
		t.Fatalf("duplicate plan name: %v", err)
	}

	dep, err := e.ApplyExecutionPlan(ctx, engine.ApplyExecutionPlanRequest{PlanRef: engine.PlanRef{StackRef: engine.StackRef{Name: "net"}, PlanName: "a"}})
	if err != nil {
		t.Fatal(err)
	}
	if res := wait(t, e, dep); res.Status != formation.StackDeploymentComplete {
		t.Fatalf("apply %+v", res)
	}
	meta = waitPlan(t, e, "a")
	if meta.Status != formation.PlanApplied || meta.ApplyTime.IsZero() {
		t.Fatalf("applied plan %+v", meta)
	}
	check := assertNothingChanges(t, st)
	for _, name := range []string{"a", "b"} {
		_, err = e.ApplyExecutionPlan(ctx, engine.ApplyExecutionPlanRequest{PlanRef: engine.PlanRef{StackRef: engine.StackRef{Name: "net"}, PlanName: name}})
		if !errors.Is(err, formation.ErrExpiredPlan) || formation.CodeOf(err).HTTPStatus() != 403 {
			t.Fatalf("applying plan %s again / after another apply: %v, want expired 403", name, err)
		}
	}
	check()
	// A plan made now and overtaken by a deployment expires too.
	mk("c", network)
	waitPlan(t, e, "c")
	deploy(t, e, "net", network)
	_, err = e.ApplyExecutionPlan(ctx, engine.ApplyExecutionPlanRequest{PlanRef: engine.PlanRef{StackRef: engine.StackRef{Name: "net"}, PlanName: "c"}})
	if !errors.Is(err, formation.ErrExpiredPlan) {
		t.Fatalf("plan overtaken by a deployment: %v", err)
	}
	list, err := e.ListExecutionPlans(ctx, engine.ListExecutionPlansRequest{StackRef: engine.StackRef{Name: "net"}})
	if err != nil || len(list.ExecutionPlans) != 3 || list.ExecutionPlans[0].Name != "c" {
		t.Fatalf("plans %+v, %v", list, err)
	}
	if _, err := e.DeleteExecutionPlan(ctx, engine.PlanRef{StackRef: engine.StackRef{Name: "net"}, PlanName: "b"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.GetExecutionPlanMetadata(ctx, engine.PlanRef{StackRef: engine.StackRef{Name: "net"}, PlanName: "b"}); !formation.HasCode(err, formation.CodePlanNotFound) {
		t.Fatalf("deleted plan: %v", err)
	}
}

func waitPlan(t testing.TB, e *engine.Engine, name string) formation.ExecutionPlan {
	t.Helper()
	meta, err := e.WaitExecutionPlan(context.Background(), engine.PlanRef{StackRef: engine.StackRef{Name: "net"}, PlanName: name})
	if err != nil {
		t.Fatal(err)
	}
	return meta
}

func TestDeploy_ConcurrentStacks(t *testing.T) {
	e, p, _ := simEngine(t, sim.Config{Seed: 11}, engine.Config{})
	const n = 24
	var wg sync.WaitGroup
	results := make([]engine.Result, n)
	for i := range n {
		wg.Go(func() {
			name := fmt.Sprintf("s%02d", i)
			res, err := e.CreateStack(context.Background(), engine.CreateStackRequest{Name: name, TemplateInput: engine.TemplateInput{TemplateBody: network}})
			if err != nil {
				t.Error(err)
				return
			}
			results[i] = wait(t, e, res.DeploymentRef)
		})
	}
	wg.Wait()
	for i, r := range results {
		if r.Status != formation.StackDeploymentComplete {
			t.Fatalf("stack %d ended %+v", i, r)
		}
	}
	if len(p.Resources()) != 3*n {
		t.Fatalf("world has %d resources, want %d", len(p.Resources()), 3*n)
	}
}

// A phase that runs out of Config.DeploymentTimeout fails like any other
// failure: recorded, summarised, and rolled back when auto-rollback is on.
func TestDeploy_TimeoutFailsThePhase(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		latency := []sim.LatencyRule{{Match: sim.Match{Type: "huaweicloud_vpc_subnet"}, Duration: 3 * time.Hour}}
		for _, autoRollback := range []bool{false, true} {
			e, p, _ := simEngine(t, sim.Config{Seed: 12, Latency: latency}, engine.Config{DeploymentTimeout: 2 * time.Hour})
			mustCreate(t, e, engine.CreateStackRequest{Name: "net", EnableAutoRollback: autoRollback})
			start := time.Now()
			res := deploy(t, e, "net", network)
			want := formation.StackDeploymentFailed
			if autoRollback {
				want = formation.StackRollbackComplete
			}
			if res.Status != want || !strings.Contains(res.Message, "deadline exceeded") {
				t.Fatalf("auto-rollback %v: ended %+v, want %s after a timeout", autoRollback, res, want)
			}
			if took := time.Since(start); took != 2*time.Hour {
				t.Fatalf("the deployment took %v of virtual time, want exactly the 2h timeout", took)
			}
			if autoRollback && len(p.Resources()) != 0 {
				t.Fatalf("rollback after the timeout left %v", worldAddrs(p))
			}
			if sum := events(t, e, "net", res.DeploymentRef, "event_type==SUMMARY"); len(sum) == 0 || !strings.HasPrefix(sum[len(sum)-1].EventMessage, "Apply failed.") {
				t.Fatalf("summary events %+v", sum)
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// Fail fast stops starting operations after the first failure; KeepGoing
// keeps starting those that do not depend on it.
func TestDeploy_FailFastAndKeepGoing(t *testing.T) {
	body := `
resource "huaweicloud_vpc" "bad" {
  name = "bad"
  cidr = "10.9.0.0/16"
}
resource "huaweicloud_vpc_subnet" "below_bad" {
  name       = "below"
  vpc_id     = huaweicloud_vpc.bad.id
  cidr       = "10.9.1.0/24"
  gateway_ip = "10.9.1.1"
}
resource "zone_item" "independent" {
  count = 5
  name  = "item-${count.index}"
}`
	faults := []sim.Fault{{Match: sim.Match{Op: sim.OpCreate, Address: "huaweicloud_vpc.bad"}, Message: "nope"}}
	for _, keepGoing := range []bool{false, true} {
		e, p, _ := simEngine(t, sim.Config{Seed: 13, Faults: faults}, engine.Config{})
		mustCreate(t, e, engine.CreateStackRequest{Name: "net"})
		dep, err := e.DeployStack(context.Background(), engine.DeployStackRequest{StackRef: engine.StackRef{Name: "net"},
			TemplateInput: engine.TemplateInput{TemplateBody: body}, Options: engine.DeployOptions{Parallelism: 1, KeepGoing: keepGoing}})
		if err != nil {
			t.Fatal(err)
		}
		if res := wait(t, e, dep); res.Status != formation.StackDeploymentFailed {
			t.Fatalf("keepGoing %v: %+v", keepGoing, res)
		}
		// With parallelism 1, ready operations start in address order: the
		// failing VPC first, then (keep going only) the independent items.
		world := worldAddrs(p)
		if keepGoing && len(world) != 5 {
			t.Fatalf("keep going created %v, want the 5 independent security groups", world)
		}
		if !keepGoing && len(world) != 0 {
			t.Fatalf("fail fast still created %v", world)
		}
		for _, a := range world {
			if strings.Contains(a, "below_bad") {
				t.Fatalf("%s depends on the failed VPC and must never start", a)
			}
		}
		_ = e.Close()
	}
}

// A provider operation that outlives Config.ResourceTimeout fails, and
// transient errors are retried with the same token.
func TestDeploy_ResourceTimeoutAndTransientRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		latency := []sim.LatencyRule{{Match: sim.Match{Address: "huaweicloud_vpc_subnet.subnet[1]"}, Duration: time.Hour}}
		faults := []sim.Fault{{Match: sim.Match{Op: sim.OpCreate, Address: "huaweicloud_vpc_subnet.subnet[0]"}, Times: 2, Transient: true, Message: "throttled"}}
		e, p, _ := simEngine(t, sim.Config{Seed: 14, Latency: latency, Faults: faults}, engine.Config{ResourceTimeout: 10 * time.Minute, RetryPause: time.Second})
		mustCreate(t, e, engine.CreateStackRequest{Name: "net"})
		res := deploy(t, e, "net", network)
		if res.Status != formation.StackDeploymentFailed || !strings.Contains(res.Message, "subnet[1]") || !strings.Contains(res.Message, "deadline exceeded") {
			t.Fatalf("deployment ended %+v, want subnet[1] timed out", res)
		}
		retries := events(t, e, "net", res.DeploymentRef, "event_type==LOG")
		n := 0
		for _, ev := range retries {
			if strings.Contains(ev.EventMessage, "subnet[0]") && strings.Contains(ev.EventMessage, "retrying") {
				n++
			}
		}
		if n != 2 {
			t.Fatalf("%d retry events for subnet[0], want 2 (two transient failures, then success)", n)
		}
		calls := 0
		for _, c := range p.Calls() {
			if c.Address == "huaweicloud_vpc_subnet.subnet[0]" && c.Op == sim.OpCreate {
				calls++
			}
		}
		if calls != 3 {
			t.Fatalf("%d create calls for subnet[0], want 3 with one token", calls)
		}
	})
}

// Drift: a resource changed outside Formation is reported (DRIFT events, a
// drifted plan item) and repaired by the next deployment; one deleted
// outside Formation is created again.
func TestDeploy_DriftIsDetectedAndRepaired(t *testing.T) {
	ctx := context.Background()
	e, p, _ := simEngine(t, sim.Config{Seed: 15}, engine.Config{})
	mustCreate(t, e, engine.CreateStackRequest{Name: "net"})
	deploy(t, e, "net", network)
	before := resources(t, e, "net")
	if err := p.Drift(ctx, "huaweicloud_vpc.vpc", map[string]cty.Value{"name": cty.StringVal("hand-edited")}); err != nil {
		t.Fatal(err)
	}
	if err := p.DeleteOutOfBand(ctx, "huaweicloud_vpc_subnet.subnet[1]"); err != nil {
		t.Fatal(err)
	}
	// A plan shows the drift as RFS does: a drifted item, then the repair.
	if _, err := e.CreateExecutionPlan(ctx, engine.CreateExecutionPlanRequest{StackRef: engine.StackRef{Name: "net"}, PlanName: "check",
		TemplateInput: engine.TemplateInput{TemplateBody: network}}); err != nil {
		t.Fatal(err)
	}
	waitPlan(t, e, "check")
	items, err := e.GetExecutionPlan(ctx, engine.PlanRef{StackRef: engine.StackRef{Name: "net"}, PlanName: "check"})
	if err != nil {
		t.Fatal(err)
	}
	var drifted, repairs []string
	for _, it := range items.Items {
		if it.Drifted {
			drifted = append(drifted, it.ResourceName+it.Index+":"+string(it.Action))
		} else if it.Action != formation.ActionNoOperation {
			repairs = append(repairs, it.ResourceName+it.Index+":"+string(it.Action))
		}
	}
	if !slices.Equal(drifted, []string{"vpc:UPDATE", "subnet1:DELETE"}) && !slices.Equal(drifted, []string{"subnet1:DELETE", "vpc:UPDATE"}) {
		t.Fatalf("drifted items %v", drifted)
	}
	if len(repairs) != 2 {
		t.Fatalf("repair items %v", repairs)
	}
	if evs := events(t, e, "net", engine.DeploymentRef{}, "event_type==DRIFT"); len(evs) != 2 {
		t.Fatalf("DRIFT events from planning: %+v", evs)
	}

	res := deploy(t, e, "net", network)
	if res.Status != formation.StackDeploymentComplete {
		t.Fatalf("repairing deployment %+v", res)
	}
	if evs := events(t, e, "net", res.DeploymentRef, "event_type==DRIFT"); len(evs) != 2 {
		t.Fatalf("DRIFT events of the deployment: %+v", evs)
	}
	after := resources(t, e, "net")
	if after[0].PhysicalResourceName != "net" || after[0].PhysicalResourceID != before[0].PhysicalResourceID {
		t.Fatalf("vpc after repair %+v", after[0])
	}
	if after[2].PhysicalResourceID == before[2].PhysicalResourceID || len(p.Resources()) != 3 {
		t.Fatalf("subnet[1] was not re-created: %+v, world %v", after[2], worldAddrs(p))
	}
	again, err := e.PreviewStack(ctx, engine.PreviewStackRequest{StackRef: engine.StackRef{Name: "net"}, TemplateInput: engine.TemplateInput{TemplateBody: network}})
	if err != nil || again.HasChanges() || len(again.Drifted()) != 0 {
		t.Fatalf("after the repair: changes %v, drift %d, %v", again.HasChanges(), len(again.Drifted()), err)
	}
}

// Racing deployments of one stack: exactly one is accepted; the others are
// refused as a concurrent request (409) or, once it has started, a busy
// stack (403), and none of them changes anything. The winner's operations
// take an hour of virtual time, so it is still running when the others
// arrive (otherwise a later racer could find it finished, and deploy again).
func TestDeploy_RacingDeploymentsOneWins(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, _, _ := simEngine(t, sim.Config{Seed: 16, Latency: []sim.LatencyRule{{Duration: time.Hour}}}, engine.Config{})
		mustCreate(t, e, engine.CreateStackRequest{Name: "net"})
		const n = 8
		var wg sync.WaitGroup
		ids := make([]engine.DeploymentRef, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				ids[i], errs[i] = e.DeployStack(context.Background(), engine.DeployStackRequest{StackRef: engine.StackRef{Name: "net"},
					TemplateInput: engine.TemplateInput{TemplateBody: network}})
			})
		}
		wg.Wait()
		var won engine.DeploymentRef
		for i, err := range errs {
			switch {
			case err == nil && won.DeploymentID == "":
				won = ids[i]
			case err == nil:
				t.Fatalf("two deployments accepted: %s and %s", won.DeploymentID, ids[i].DeploymentID)
			case !formation.HasCode(err, formation.CodeConcurrentRequest) && !formation.HasCode(err, formation.CodeStackBusy):
				t.Fatalf("a racing deployment got %v, want 409 or 403", err)
			}
		}
		if won.DeploymentID == "" {
			t.Fatal("no deployment was accepted")
		}
		if res := wait(t, e, won); res.Status != formation.StackDeploymentComplete {
			t.Fatalf("the winner ended %+v", res)
		}
	})
}

// Plan rules that need a plan or a stack caught in progress, held there by
// an hour of virtual latency.
func TestPlans_RefusalsWhileInProgressAndQuota(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		latency := []sim.LatencyRule{
			{Match: sim.Match{Op: sim.OpRead, Type: "huaweicloud_vpc"}, Duration: time.Hour},
			{Match: sim.Match{Op: sim.OpUpdate}, Duration: time.Hour},
		}
		e, _, st := simEngine(t, sim.Config{Seed: 17, Latency: latency}, engine.Config{PlanQuota: 3})
		mustCreate(t, e, engine.CreateStackRequest{Name: "net"})
		deploy(t, e, "net", network) // creates only: no latency
		ref := func(name string) engine.PlanRef {
			return engine.PlanRef{StackRef: engine.StackRef{Name: "net"}, PlanName: name}
		}
		create := func(name, body string) error {
			_, err := e.CreateExecutionPlan(ctx, engine.CreateExecutionPlanRequest{StackRef: engine.StackRef{Name: "net"}, PlanName: name, TemplateInput: engine.TemplateInput{TemplateBody: body}})
			return err
		}
		renamed := strings.Replace(network, `default = "net"`, `default = "renamed"`, 1)

		// The refresh of the VPC takes an hour: the plan stays in creation.
		if err := create("slow", renamed); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		check := assertNothingChanges(t, st)
		if _, err := e.DeleteExecutionPlan(ctx, ref("slow")); !formation.HasCode(err, formation.CodePlanNotDeletable) {
			t.Fatalf("deleting a plan in creation: %v, want RF.10012549", err)
		}
		if _, err := e.ApplyExecutionPlan(ctx, engine.ApplyExecutionPlanRequest{PlanRef: ref("slow")}); !formation.HasCode(err, formation.CodeInvalidPlanStatus) {
			t.Fatalf("applying a plan in creation: %v, want RF.10012531", err)
		}
		check()
		meta := waitPlan(t, e, "slow")
		if meta.Status != formation.PlanAvailable || meta.Summary.ResourceUpdate != 3 {
			t.Fatalf("slow plan %+v", meta)
		}
		if _, err := e.GetExecutionPlanMetadata(ctx, engine.PlanRef{StackRef: engine.StackRef{Name: "net"}, PlanName: "slow", PlanID: "6fa459ea-ee8a-4ca4-894e-db77e160355e"}); !formation.HasCode(err, formation.CodePlanIDMismatch) {
			t.Fatalf("plan id mismatch: %v", err)
		}
		if err := create("second", network); err != nil {
			t.Fatal(err)
		}
		if err := create("third", network); err != nil {
			t.Fatal(err)
		}
		if err := create("fourth", network); !formation.HasCode(err, formation.CodePlanQuota) || !errors.Is(err, formation.ErrQuotaExceeded) {
			t.Fatalf("a fourth plan with PlanQuota 3: %v", err)
		}
		waitPlan(t, e, "second")
		waitPlan(t, e, "third")

		// Applying it updates three resources, an hour each: the plan and
		// the stack stay in progress.
		dep, err := e.ApplyExecutionPlan(ctx, engine.ApplyExecutionPlanRequest{PlanRef: ref("slow")})
		if err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if meta, _ := e.GetExecutionPlanMetadata(ctx, ref("slow")); meta.Status != formation.PlanApplyInProgress {
			t.Fatalf("plan during its apply: %s", meta.Status)
		}
		check = assertNothingChanges(t, st)
		if _, err := e.DeleteExecutionPlan(ctx, ref("slow")); !formation.HasCode(err, formation.CodePlanNotDeletable) {
			t.Fatalf("deleting a plan being applied: %v, want RF.10012549", err)
		}
		if _, err := e.DeleteExecutionPlan(ctx, ref("second")); !formation.HasCode(err, formation.CodePlanNotDeletable) {
			t.Fatalf("deleting any plan while the stack deploys: %v, want RF.10012549", err)
		}
		if err := create("during", network); !formation.HasCode(err, formation.CodeStackBusy) {
			t.Fatalf("planning while the stack deploys: %v, want RF.10012519", err)
		}
		if _, err := e.ApplyExecutionPlan(ctx, engine.ApplyExecutionPlanRequest{PlanRef: ref("second")}); !formation.HasCode(err, formation.CodeStackBusy) {
			t.Fatalf("applying another plan while the stack deploys: %v", err)
		}
		check()
		if res := wait(t, e, dep); res.Status != formation.StackDeploymentComplete {
			t.Fatalf("apply ended %+v", res)
		}
		if _, err := e.DeleteExecutionPlan(ctx, ref("slow")); err != nil {
			t.Fatalf("deleting an applied plan: %v", err)
		}
	})
}

// ApplyExecutionPlan carries out the reviewed plan as it is, a snapshot
// (RFS: plans are not refreshed): drift that happens after the plan was made
// is not repaired by applying it, and the counts are the plan's.
func TestPlans_ApplyCarriesOutTheReviewedPlan(t *testing.T) {
	ctx := context.Background()
	e, p, _ := simEngine(t, sim.Config{Seed: 18}, engine.Config{})
	mustCreate(t, e, engine.CreateStackRequest{Name: "net"})
	deploy(t, e, "net", network)
	withSG := network + `
resource "huaweicloud_networking_secgroup" "sg" {
  name = "web"
}`
	if _, err := e.CreateExecutionPlan(ctx, engine.CreateExecutionPlanRequest{StackRef: engine.StackRef{Name: "net"}, PlanName: "add-sg",
		TemplateInput: engine.TemplateInput{TemplateBody: withSG}}); err != nil {
		t.Fatal(err)
	}
	if meta := waitPlan(t, e, "add-sg"); meta.Summary == nil || meta.Summary.ResourceAdd != 1 || meta.Summary.ResourceUpdate != 0 {
		t.Fatalf("plan %+v", meta)
	}
	if err := p.Drift(ctx, "huaweicloud_vpc.vpc", map[string]cty.Value{"name": cty.StringVal("edited-after-review")}); err != nil {
		t.Fatal(err)
	}
	dep, err := e.ApplyExecutionPlan(ctx, engine.ApplyExecutionPlanRequest{PlanRef: engine.PlanRef{StackRef: engine.StackRef{Name: "net"}, PlanName: "add-sg"}})
	if err != nil {
		t.Fatal(err)
	}
	if res := wait(t, e, dep); res.Status != formation.StackDeploymentComplete {
		t.Fatalf("apply %+v", res)
	}
	sum := events(t, e, "net", dep, "event_type==SUMMARY")
	if len(sum) != 1 || sum[0].EventMessage != "Apply complete! Resources: 1 added, 0 changed, 0 destroyed." {
		t.Fatalf("the apply did more than the plan: %+v", sum)
	}
	for _, r := range p.Resources() {
		if r.Address == "huaweicloud_vpc.vpc" && r.State.GetAttr("name").AsString() != "edited-after-review" {
			t.Fatal("applying the plan repaired drift the plan did not contain")
		}
	}
	// The next deployment refreshes and repairs it.
	res := deploy(t, e, "net", withSG)
	if got := events(t, e, "net", res.DeploymentRef, "event_type==DRIFT"); len(got) != 1 {
		t.Fatalf("the next deployment's DRIFT events: %+v", got)
	}
}
