package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/store"
)

// The templates of testdata: network is a directory (a VPC and
// var.subnets subnets, var.prefix required), solo one JSON file, broken a
// file with an undeclared variable.
var (
	network    = filepath.Join("testdata", "network")
	solo       = filepath.Join("testdata", "vpc.tf.json")
	broken     = filepath.Join("testdata", "broken.tf")
	prefixVars = filepath.Join("testdata", "prefix.tfvars")
)

// stream decodes the -json output of a deploy-like command: one event per
// line, then {"result": …}, nothing else.
func stream(t *testing.T, out string) ([]formation.Event, engine.Result) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	evs := make([]formation.Event, 0, len(lines)-1)
	for _, l := range lines[:len(lines)-1] {
		evs = append(evs, decode[formation.Event](t, l))
	}
	last := decode[resultLine](t, lines[len(lines)-1])
	if last.Result.DeploymentID == "" {
		t.Fatalf("the stream does not end with a result: %q", lines[len(lines)-1])
	}
	return evs, last.Result
}

func streamResult(t *testing.T, out string) engine.Result {
	t.Helper()
	_, res := stream(t, out)
	return res
}

// deployed runs a deploy-like command with -json and returns how it ended,
// checking its exit status against the result.
func deployed(t *testing.T, want int, args ...string) engine.Result {
	t.Helper()
	r := cli(t, append([]string{"-json"}, args...)...)
	if r.code != want || r.stderr != "" {
		t.Fatalf("formation %s: exit %d (want %d), stderr %q", strings.Join(args, " "), r.code, want, r.stderr)
	}
	return streamResult(t, r.stdout)
}

var progressLine = regexp.MustCompile(`^\[(\d+)/(\d+)\] `)

func TestDeployFollowsLive(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ok(t, "-db", db, "stack", "create", "web")
	out := ok(t, "-db", db, "deploy", "web", "-t", network, "-var", "prefix=p", "-var", "subnets=3")
	// It ends with the outputs, as terraform apply does.
	out, outputs, _ := strings.Cut(out, "\nOutputs:\n\n")
	if !regexp.MustCompile(`^vpc_id = "[0-9a-f-]{36}"\n$`).MatchString(outputs) {
		t.Errorf("deploy ended with the outputs %q", outputs)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if !regexp.MustCompile(`^Deploying stack web \(deployment [0-9a-f-]{36}\)\.$`).MatchString(lines[0]) ||
		lines[1] != "Stack web is DEPLOYMENT_IN_PROGRESS." ||
		lines[len(lines)-3] != "Apply complete! Resources: 4 added, 0 changed, 0 destroyed." ||
		lines[len(lines)-2] != "Stack web is DEPLOYMENT_COMPLETE." ||
		lines[len(lines)-1] != "Stack web: DEPLOYMENT_COMPLETE" {
		t.Errorf("deploy printed:\n%s", out)
	}
	// Every resource event carries the count of finished over started
	// operations: it never goes back, never claims more finished than
	// started, and ends with all 4 finished.
	var finished, started int
	var vpcDone bool
	for _, l := range lines {
		m := progressLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		f, _ := strconv.Atoi(m[1])
		s, _ := strconv.Atoi(m[2])
		if f < finished || s < started || f > s {
			t.Errorf("progress went from [%d/%d] to %q", finished, started, l)
		}
		finished, started = f, s
		if regexp.MustCompile(`^\[\d+/\d+\] huaweicloud_vpc\.vpc: Creation complete after \d+s \[id=[0-9a-f-]{36}\]$`).MatchString(l) {
			vpcDone = true
		}
	}
	if finished != 4 || started != 4 || !vpcDone {
		t.Errorf("progress ended at [%d/%d]; the VPC's completion seen: %v\n%s", finished, started, vpcDone, out)
	}
}

// TestDeployExitCodes: 0 for *_COMPLETE, 1 for *_FAILED and for
// ROLLBACK_COMPLETE after a deploy; continuing a rollback to
// ROLLBACK_COMPLETE is what was asked, 0.
func TestDeployExitCodes(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	vars := []string{"-t", network, "-var", "prefix=p"}
	failSubnet := []string{"-sim-fail", "huaweicloud_vpc_subnet.subnet[1]:create"}

	ok(t, "-db", db, "stack", "create", "plain")
	res := deployed(t, exitFailed, append(append([]string{"-db", db, "deploy", "plain"}, vars...), failSubnet...)...)
	if res.Status != formation.StackDeploymentFailed || !strings.Contains(res.Message, "simulated create failure of huaweicloud_vpc_subnet.subnet[1]") {
		t.Errorf("deploy with a fault: %+v", res)
	}
	// The fault is gone (no -sim-fail): continuing succeeds.
	if res := deployed(t, exitOK, "-db", db, "continue-deploy", "plain"); res.Status != formation.StackDeploymentComplete {
		t.Errorf("continue-deploy: %+v", res)
	}

	ok(t, "-db", db, "stack", "create", "safe", "-auto-rollback")
	res = deployed(t, exitFailed, append(append([]string{"-db", db, "deploy", "safe"}, vars...), failSubnet...)...)
	if res.Status != formation.StackRollbackComplete || !strings.Contains(res.Message, "simulated create failure") {
		t.Errorf("deploy with a fault and auto-rollback: %+v", res)
	}

	// A rollback that fails, then is continued.
	ok(t, "-db", db, "stack", "create", "stuck", "-auto-rollback")
	deployed(t, exitOK, append([]string{"-db", db, "deploy", "stuck"}, vars...)...)
	res = deployed(t, exitFailed, append([]string{"-db", db, "-parallelism", "1", "deploy", "stuck",
		"-var", "subnets=4", "-sim-fail", "*subnet[3]:create", "-sim-fail", "*:delete"}, vars...)...)
	if res.Status != formation.StackRollbackFailed {
		t.Errorf("deploy whose rollback fails: %+v", res)
	}
	if res := deployed(t, exitOK, "-db", db, "continue-rollback", "stuck"); res.Status != formation.StackRollbackComplete {
		t.Errorf("continue-rollback: %+v", res)
	}
	if res := deployed(t, exitFailed, "-db", db, "-sim-fail", "*:delete", "stack", "delete", "stuck"); res.Status != formation.StackDeletionFailed {
		t.Errorf("stack delete with a fault: %+v", res)
	}
	if res := deployed(t, exitOK, "-db", db, "stack", "delete", "stuck"); res.Status != "DELETED" {
		t.Errorf("stack delete: %+v", res)
	}
}

func TestDeployStreamsNDJSON(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ok(t, "-db", db, "stack", "create", "web", "-auto-rollback")
	r := cli(t, "-db", db, "-json", "deploy", "web", "-t", network, "-var", "prefix=p", "-sim-fail", "huaweicloud_vpc_subnet.subnet[0]:create")
	if r.code != exitFailed {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	evs, res := stream(t, r.stdout)
	if res.StackName != "web" || res.Status != formation.StackRollbackComplete || len(res.StackID) != formation.IDLength {
		t.Errorf("result %+v", res)
	}
	var seq uint64
	types := map[formation.EventType]int{}
	for _, ev := range evs {
		if ev.DeploymentID != res.DeploymentID || ev.Sequence <= seq {
			t.Errorf("event %+v: not of deployment %s, or out of order after %d", ev, res.DeploymentID, seq)
		}
		seq = ev.Sequence
		types[ev.EventType]++
	}
	if types[formation.EventError] != 1 || types[formation.EventCreationFailed] != 1 || types[formation.EventSummary] != 2 || types[formation.EventDeletionComplete] == 0 {
		t.Errorf("event types %v", types)
	}
	if first, last := evs[0], evs[len(evs)-1]; first.EventMessage != "Stack web is DEPLOYMENT_IN_PROGRESS." || !strings.HasPrefix(last.EventMessage, "Stack web is ROLLBACK_COMPLETE.") {
		t.Errorf("first event %q, last %q", first.EventMessage, last.EventMessage)
	}
}

// TestStackCreateDeploys: stack create -t creates and deploys; the stack's
// template, variables, resources and outputs are then what was deployed,
// and the simulated world agrees with the stack's records.
func TestStackCreateDeploys(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	out := ok(t, "-db", db, "stack", "create", "web", "-t", network, "-var-file", prefixVars, "-var", "subnets=1")
	if !regexp.MustCompile(`^Created stack web \(id [0-9a-f-]{36}\); deploying it \(deployment [0-9a-f-]{36}\)\.\n`).MatchString(out) ||
		!regexp.MustCompile(`Stack web: DEPLOYMENT_COMPLETE\n\nOutputs:\n\nvpc_id = "[0-9a-f-]{36}"\n$`).MatchString(out) {
		t.Errorf("stack create -t printed:\n%s", out)
	}

	resources := decode[engine.ResourcePage](t, ok(t, "-db", db, "-json", "resources", "web"))
	world := decode[simDocument](t, ok(t, "-db", db, "-json", "sim", "list"))
	if len(resources.StackResources) != 2 || len(world.Resources) != 2 || resources.PageInfo.CurrentCount != 2 {
		t.Fatalf("resources %+v, world %+v", resources, world)
	}
	inWorld := map[string]string{}
	for _, r := range world.Resources {
		inWorld[r.Address] = r.ID
		var attrs map[string]any
		if err := json.Unmarshal(r.Attributes, &attrs); err != nil || attrs["id"] != r.ID {
			t.Errorf("sim list attributes of %s: %s (%v)", r.Address, r.Attributes, err)
		}
	}
	for _, r := range resources.StackResources {
		addr := resourceAddr(formation.Event{ResourceType: r.LogicalResourceType, ResourceName: r.LogicalResourceName, ResourceKey: r.IndexKey})
		if inWorld[addr] != r.PhysicalResourceID || r.ResourceStatus != formation.ResourceCreationComplete {
			t.Errorf("stack resource %s (%s, %s); the world has id %q", addr, r.PhysicalResourceID, r.ResourceStatus, inWorld[addr])
		}
	}
	if out := ok(t, "-db", db, "resources", "web"); !regexp.MustCompile(`(?m)^huaweicloud_vpc_subnet\.subnet\[0\] +CREATION_COMPLETE +[0-9a-f-]{36} +fromfile-subnet-0 *$`).MatchString(out) {
		t.Errorf("resources printed:\n%s", out)
	}
	if out := ok(t, "-db", db, "sim", "list"); !regexp.MustCompile(`^TYPE +ADDRESS +ID\nhuaweicloud_vpc +huaweicloud_vpc\.vpc +` + inWorld["huaweicloud_vpc.vpc"] + `\n`).MatchString(out) {
		t.Errorf("sim list printed:\n%s", out)
	}

	outputs := decode[engine.OutputPage](t, ok(t, "-db", db, "-json", "outputs", "web"))
	if len(outputs.Outputs) != 1 || outputs.Outputs[0] != (formation.StackOutput{Name: "vpc_id", Description: "the VPC's id", Type: "string", Value: inWorld["huaweicloud_vpc.vpc"]}) {
		t.Errorf("outputs %+v", outputs)
	}
	if out := ok(t, "-db", db, "outputs", "web"); !regexp.MustCompile(`^NAME +TYPE +VALUE +DESCRIPTION\nvpc_id +string +[0-9a-f-]{36} +the VPC's id\n$`).MatchString(out) {
		t.Errorf("outputs printed:\n%s", out)
	}

	tpl := decode[engine.StackTemplate](t, ok(t, "-db", db, "-json", "template", "web"))
	if len(tpl.Files) != 2 || !strings.Contains(tpl.Files["main.tf"], `resource "huaweicloud_vpc" "vpc"`) ||
		tpl.VarsBody != "prefix = \"fromfile\"\n" || len(tpl.VarsStructure) != 1 || tpl.VarsStructure[0].VarKey != "subnets" {
		t.Errorf("template -json: %+v", tpl)
	}
	out = ok(t, "-db", db, "template", "web")
	for _, want := range []string{"==> main.tf <==\n# A VPC", "\n\n==> variables.tf <==\nvariable \"prefix\"", "\n\n==> vars_body <==\nprefix = \"fromfile\"\n", "\n\n==> vars_structure <==\nsubnets=1\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("template does not print %q:\n%s", want, out)
		}
	}

	// Deleting the stack deletes its resources from the world.
	ok(t, "-db", db, "stack", "delete", "web")
	if out := ok(t, "-db", db, "sim", "list"); out != "TYPE  ADDRESS  ID\n" {
		t.Errorf("sim list after the deletion printed:\n%s", out)
	}
	if out := ok(t, "-db", db, "-json", "sim", "list"); !strings.Contains(out, `"resources": []`) {
		t.Errorf("sim list -json of an empty world printed %s", out)
	}
}

func TestTemplateOfOneFile(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ok(t, "-db", db, "stack", "create", "solo", "-t", solo)
	want, err := readTemplate(solo, 0)
	if err != nil {
		t.Fatal(err)
	}
	if out := ok(t, "-db", db, "template", "solo"); out != string(want["vpc.tf.json"].Data) {
		t.Errorf("template printed %q, want the file as it is", out)
	}
}

func TestPlans(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ok(t, "-db", db, "stack", "create", "web")
	vars := []string{"-t", network, "-var", "prefix=p"}
	out := ok(t, append([]string{"-db", db, "plan", "create", "web", "p1", "-description", "first"}, vars...)...)
	for _, want := range []string{"execution_plan_name: p1\n", "status:              AVAILABLE\n", "summary:             3 to add, 0 to change, 0 to destroy\n",
		"\n  # huaweicloud_vpc.vpc will be created\n", "\nPlan: 3 to add, 0 to change, 0 to destroy.\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan create does not print %q:\n%s", want, out)
		}
	}
	doc := decode[shownPlan](t, ok(t, append([]string{"-db", db, "-json", "plan", "create", "web", "p2"}, vars...)...))
	if doc.Name != "p2" || doc.StackName != "web" || doc.Status != formation.PlanAvailable || len(doc.Items) != 3 || doc.Summary == nil || doc.Summary.ResourceAdd != 3 {
		t.Errorf("plan create -json: %+v", doc)
	}
	for _, it := range doc.Items {
		if it.Action != formation.ActionAdd || it.ProviderName != "huaweicloud" {
			t.Errorf("plan item %+v", it)
		}
	}
	if shown := decode[shownPlan](t, ok(t, "-db", db, "-json", "plan", "show", "web", "p2")); shown.ID != doc.ID || len(shown.Items) != 3 {
		t.Errorf("plan show -json: %+v", shown)
	}
	if shown := ok(t, "-db", db, "plan", "show", "web", "p1"); !strings.Contains(shown, "description:         first\n") || !strings.HasSuffix(shown, "Plan: 3 to add, 0 to change, 0 to destroy.\n") {
		t.Errorf("plan show printed:\n%s", shown)
	}
	page := decode[engine.PlanPage](t, ok(t, "-db", db, "-json", "plan", "list", "web"))
	if len(page.ExecutionPlans) != 2 || page.ExecutionPlans[0].Name != "p2" || page.ExecutionPlans[1].Description != "first" {
		t.Errorf("plan list -json: %+v", page)
	}
	if out := ok(t, "-db", db, "plan", "list", "web"); !regexp.MustCompile(`^NAME +STATUS +CREATED +APPLIED +DESCRIPTION\np2 +AVAILABLE +\S+ +\np1 +AVAILABLE +\S+ +first\n$`).MatchString(out) {
		t.Errorf("plan list printed:\n%s", out)
	}

	res := deployed(t, exitOK, "-db", db, "plan", "apply", "web", "p1")
	if res.Status != formation.StackDeploymentComplete {
		t.Errorf("plan apply: %+v", res)
	}
	if p := decode[shownPlan](t, ok(t, "-db", db, "-json", "plan", "show", "web", "p1")); p.Status != formation.PlanApplied || p.ApplyTime.IsZero() {
		t.Errorf("plan p1 after apply: %+v", p)
	}
	rejected(t, formation.CodePlanExpired, "-db", db, "plan", "apply", "web", "p2") // the stack moved on
	rejected(t, formation.CodePlanExpired, "-db", db, "plan", "apply", "web", "p1") // applied already

	// Nothing to change now.
	if out := ok(t, append([]string{"-db", db, "plan", "create", "web", "p3"}, vars...)...); !strings.HasSuffix(out, "\nNo changes. The infrastructure matches the template.\n") {
		t.Errorf("plan create of no changes printed:\n%s", out)
	}

	if out := ok(t, "-db", db, "plan", "delete", "web", "p2"); out != "Deleted execution plan p2 of stack web.\n" {
		t.Errorf("plan delete printed %q", out)
	}
	if d := decode[planDeleted](t, ok(t, "-db", db, "-json", "plan", "delete", "web", "p3")); d != (planDeleted{"web", "p3", "DELETED"}) {
		t.Errorf("plan delete -json: %+v", d)
	}
	rejected(t, formation.CodePlanNotFound, "-db", db, "plan", "show", "web", "p2")
}

// TestPlanCreationFailed: a plan that cannot be made is printed with its
// status message and exits 1.
func TestPlanCreationFailed(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ok(t, "-db", db, "stack", "create", "web", "-t", solo)
	r := cli(t, "-db", db, "-sim-fail", "huaweicloud_vpc.solo:read", "-json", "plan", "create", "web", "p", "-t", solo)
	if r.code != exitFailed || r.stderr != "" {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if doc := decode[planDocument](t, r.stdout); doc.Status != formation.PlanCreationFailed || !strings.Contains(doc.StatusMessage, "simulated read failure") || len(doc.Items) != 0 {
		t.Errorf("plan create -json: %+v", doc)
	}
}

func TestEvents(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ok(t, "-db", db, "stack", "create", "web", "-auto-rollback")
	failed := deployed(t, exitFailed, "-db", db, "deploy", "web", "-t", network, "-var", "prefix=p", "-sim-fail", "huaweicloud_vpc_subnet.subnet[1]:create")
	done := deployed(t, exitOK, "-db", db, "deploy", "web", "-t", solo)

	all := decode[engine.EventPage](t, ok(t, "-db", db, "-json", "events", "web"))
	if n := len(all.StackEvents); n < 10 || all.PageInfo.CurrentCount != n || all.StackEvents[0].Sequence != uint64(n) || all.StackEvents[n-1].Sequence != 1 {
		t.Fatalf("events -json: %d events, page info %+v, first %+v", n, all.PageInfo, all.StackEvents[0])
	}

	errs := decode[engine.EventPage](t, ok(t, "-db", db, "-json", "events", "web", "-filter", "event_type==ERROR"))
	if len(errs.StackEvents) != 1 || errs.StackEvents[0].EventMessage != "huaweicloud_vpc_subnet.subnet[1]: simulated create failure of huaweicloud_vpc_subnet.subnet[1] (attempt 1)" {
		t.Errorf("events -filter event_type==ERROR: %+v", errs)
	}
	out := ok(t, "-db", db, "events", "web", "-filter", "event_type==ERROR|event_type==SUMMARY", "-deployment", failed.DeploymentID)
	if !regexp.MustCompile(`^TIME +TYPE +RESOURCE +MESSAGE\n` +
		`\S+Z +SUMMARY +Apply complete! Resources: 0 added, 0 changed, 2 destroyed\.\n` +
		`\S+Z +SUMMARY +Apply failed\. Resources: 2 added, 0 changed, 0 destroyed\.\n` +
		`\S+Z +ERROR +huaweicloud_vpc_subnet\.subnet\[1\] +huaweicloud_vpc_subnet\.subnet\[1\]: simulated create failure .*\n$`).MatchString(out) {
		t.Errorf("events table:\n%s", out)
	}
	mine := decode[engine.EventPage](t, ok(t, "-db", db, "-json", "events", "web", "-deployment", done.DeploymentID, "-field", "event_message"))
	for _, ev := range mine.StackEvents {
		if ev.DeploymentID != done.DeploymentID || !ev.Time.IsZero() || ev.EventMessage == "" {
			t.Errorf("events -deployment -field event_message: %+v", ev)
		}
	}
}

// TestEventsFollowsMarkers: more events than one page are all listed.
func TestEventsFollowsMarkers(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ok(t, "-db", db, "-limits", "none", "stack", "create", "big", "-t", network, "-var", "prefix=p", "-var", "subnets=510")
	page := decode[engine.EventPage](t, ok(t, "-db", db, "-json", "events", "big"))
	if n := len(page.StackEvents); n <= engine.MaxListLimit || page.StackEvents[n-1].Sequence != 1 || page.StackEvents[0].Sequence != uint64(n) {
		t.Errorf("%d events, from %d to %d", n, page.StackEvents[0].Sequence, page.StackEvents[n-1].Sequence)
	}
}

// TestSimulatedTime: latency passes -time-scale times faster while events
// report simulated time. It runs in a synctest bubble: on the real clock
// every millisecond the loaded machine spends elsewhere is 100 simulated
// seconds, so only fake time makes the figures exact.
//
// Not parallel: it turns sharing the database off (the owner's socket
// would block in network I/O, which stops a bubble's clock).
func TestSimulatedTime(t *testing.T) {
	t.Setenv(shareEnv, "off")
	db := newDB(t)
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		// runContext, not run: run's signal handling cannot start in a bubble.
		var stdout, stderr bytes.Buffer
		if code := runContext(context.Background(), []string{"-db", db, "-sim-latency", "1h", "-time-scale", "100000", "stack", "create", "solo", "-t", solo}, &stdout, &stderr); code != exitOK {
			t.Fatalf("exit %d, stderr %q", code, stderr.String())
		}
		out := stdout.String()
		m := regexp.MustCompile(`huaweicloud_vpc\.solo: Creation complete after (\d+)s`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("stack create printed:\n%s", out)
		}
		if m[1] != "3600" {
			t.Errorf("the creation took %ss of simulated time, want 3600", m[1])
		}
		// An hour at 100,000 times is 36 ms; the bubble's clock moves
		// only while every goroutine waits, so nothing else counts.
		if elapsed := time.Since(start); elapsed != 36*time.Millisecond {
			t.Errorf("the creation took %v of the bubble's time, want 36ms", elapsed)
		}
	})
}

// interruptingWriter cancels a context the first time what it has been
// written contains a marker: Ctrl-C at a chosen point of the output.
type interruptingWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	marker string
	cancel context.CancelFunc
}

func (w *interruptingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.marker) {
		w.cancel()
	}
	return n, err
}

// TestInterruptedDeploymentResumes: Ctrl-C while following stops following
// with exit 2 and leaves the deployment in progress; the next engine
// opened on the database finishes it.
func TestInterruptedDeploymentResumes(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ok(t, "-db", db, "stack", "create", "web")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout := &interruptingWriter{marker: "huaweicloud_vpc.solo: Creating...", cancel: cancel}
	var stderr bytes.Buffer
	// The creation would take an hour: only the interruption ends it.
	code := runContext(ctx, []string{"-db", db, "-sim-latency", "1h", "deploy", "web", "-t", solo}, stdout, &stderr)
	m := regexp.MustCompile(`^RF\.10010002: interrupted while following deployment ([0-9a-f-]{36}) of stack web; what finished is stored, and formation wait web resumes the deployment and follows it to its end\n$`).FindStringSubmatch(stderr.String())
	if code != exitRejected || m == nil {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	if !strings.HasSuffix(stdout.buf.String(), "[0/1] huaweicloud_vpc.solo: Creating...\n") {
		t.Errorf("stdout %q", stdout.buf.String())
	}
	if stacks := dump(t, db)[store.Stacks]; !strings.Contains(stacks["web"], `"status":"DEPLOYMENT_IN_PROGRESS"`) {
		t.Errorf("stored stack after the interruption: %s", stacks["web"])
	}

	g := defaultGlobals()
	g.db = db
	s, err := g.openSimulation()
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(g.engineConfig(s))
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Wait(context.Background(), engine.DeploymentRef{DeploymentID: m[1]})
	if cerr := e.Close(); err == nil {
		err = cerr
	}
	if err != nil || res.Status != formation.StackDeploymentComplete {
		t.Fatalf("the resumed deployment: %+v, %v", res, err)
	}
	if out := ok(t, "-db", db, "sim", "list"); strings.Count(out, "huaweicloud_vpc.solo") != 1 {
		t.Errorf("the world after the resumed deployment:\n%s", out)
	}
}

// TestFollowOfAFinishedDeletion: a deletion may be over, its stack and
// events gone, before following starts; the result is still reported.
func TestFollowOfAFinishedDeletion(t *testing.T) {
	t.Parallel()
	g := defaultGlobals()
	g.db = newDB(t)
	s, err := g.openSimulation()
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(g.engineConfig(s))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	if _, err := e.CreateStack(ctx, engine.CreateStackRequest{Name: "web"}); err != nil {
		t.Fatal(err)
	}
	id, err := e.DeleteStack(ctx, engine.DeleteStackRequest{StackRef: engine.StackRef{Name: "web"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Wait(ctx, id); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err = follow(ctx, &invocation{out: newOutput(&out, false)}, local{e}, started{what: "Deleting stack web", stack: "web", deploymentID: id.DeploymentID})
	if err != nil || out.String() != "Deleting stack web (deployment "+id.DeploymentID+").\nStack web: DELETED\n" {
		t.Errorf("follow: %v, printed %q", err, out.String())
	}
}

// TestProgressLines pins the text of each kind of event.
func TestProgressLines(t *testing.T) {
	t.Parallel()
	for _, color := range []bool{false, true} {
		var b bytes.Buffer
		p := &progress{out: &output{w: &b, color: color}}
		for _, ev := range []formation.Event{
			{EventType: formation.EventLog, EventMessage: "Stack web is DEPLOYMENT_IN_PROGRESS."},
			{EventType: formation.EventCreationInProgress, EventMessage: "a.b: Creating..."},
			{EventType: formation.EventDrift, EventMessage: "c.d: changed outside"},
			{EventType: formation.EventUpdateInProgress, EventMessage: "c.d: Modifying..."},
			{EventType: formation.EventCreationComplete, EventMessage: "a.b: Creation complete after 8s [id=x]"},
			{EventType: formation.EventUpdateFailed, EventMessage: "c.d: Modification failed after 1s"},
			{EventType: formation.EventError, EventMessage: "c.d: quota\nexceeded"},
		} {
			if err := p.print(ev); err != nil {
				t.Fatal(err)
			}
		}
		want := "Stack web is DEPLOYMENT_IN_PROGRESS.\n[0/1] a.b: Creating...\nDrift: c.d: changed outside\n[0/2] c.d: Modifying...\n" +
			"[1/2] a.b: Creation complete after 8s [id=x]\n[2/2] c.d: Modification failed after 1s\nError: c.d: quota exceeded\n"
		if color {
			want = strings.NewReplacer("Drift: c.d: changed outside", "\x1b[33mDrift: c.d: changed outside\x1b[0m",
				"c.d: Modification failed after 1s", "\x1b[31mc.d: Modification failed after 1s\x1b[0m",
				"Error: c.d: quota exceeded", "\x1b[31mError: c.d: quota exceeded\x1b[0m").Replace(want)
		}
		if b.String() != want {
			t.Errorf("colour %v: printed\n%q\nwant\n%q", color, b.String(), want)
		}
	}
}

// TestResourceAddr: count indexes bare, for_each keys quoted.
func TestResourceAddr(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ key, want string }{
		{"", "t.n"}, {"0", "t.n[0]"}, {"12", "t.n[12]"}, {"a", `t.n["a"]`}, {"01", `t.n["01"]`}, {"-1", `t.n["-1"]`},
	} {
		if got := resourceAddr(formation.Event{ResourceType: "t", ResourceName: "n", ResourceKey: tc.key}); got != tc.want {
			t.Errorf("key %q: %q, want %q", tc.key, got, tc.want)
		}
	}
	if got := resourceAddr(formation.Event{}); got != "" {
		t.Errorf("no resource: %q", got)
	}
}
