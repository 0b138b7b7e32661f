package formation_test

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
)

// crashKills is the campaign's length. The default keeps `go test ./...`
// quick; .ci/run runs the long campaign with an explicit count.
var crashKills = flag.Int("crash.kills", 20, "how many times TestCrash_KillAndRecover kills the engine's process (.ci/run: 200)")

// The crash test's templates: v1 builds a network, v2 adds a resource that
// always fails (so auto-rollback returns to v1), v3 changes attributes in
// place (the VPCs' names and cidrs), replaces subnets (force-new cidr)
// delete-then-create and a VPC (force-new region) create-before-destroy,
// and removes resources.
const (
	crashV1 = `
resource "huaweicloud_vpc" "vpc" {
  count = 2
  name  = "vpc-${count.index}"
  cidr  = "10.${count.index}.0.0/16"
}
resource "huaweicloud_vpc_subnet" "subnet" {
  count      = 4
  name       = "subnet-${count.index}"
  vpc_id     = huaweicloud_vpc.vpc[count.index % 2].id
  cidr       = cidrsubnet(huaweicloud_vpc.vpc[count.index % 2].cidr, 8, count.index)
  gateway_ip = cidrhost(cidrsubnet(huaweicloud_vpc.vpc[count.index % 2].cidr, 8, count.index), 1)
}
resource "huaweicloud_vpc" "edge" {
  name   = "edge"
  cidr   = "172.16.0.0/16"
  region = "cn-north-4"
  lifecycle {
    create_before_destroy = true
  }
}
resource "huaweicloud_networking_secgroup" "sg" {
  name = "web"
}
resource "huaweicloud_networking_secgroup_rule" "rule" {
  count             = 3
  security_group_id = huaweicloud_networking_secgroup.sg.id
  direction         = "ingress"
  ethertype         = "IPv4"
  protocol          = "tcp"
  ports             = tostring(8000 + count.index)
}
`
	crashV2 = crashV1 + `
resource "huaweicloud_networking_secgroup" "broken" {
  name       = "broken"
  depends_on = [huaweicloud_vpc_subnet.subnet]
}
`
)

var crashV3 = strings.NewReplacer(
	`name  = "vpc-${count.index}"`, `name  = "vpc-renamed-${count.index}"`,
	`cidr  = "10.${count.index}.0.0/16"`, `cidr  = "10.${count.index + 5}.0.0/16"`,
	`region = "cn-north-4"`, `region = "cn-north-9"`,
	"count             = 3", "count             = 1",
).Replace(crashV1)

// crashV4 renames v1's edge VPC and security group with moved blocks (the
// rules follow the group), and v5 adds to that the resource that always
// fails, so its rollback moves them back.
var (
	crashV4 = strings.NewReplacer(
		`resource "huaweicloud_vpc" "edge"`, `resource "huaweicloud_vpc" "border"`,
		`resource "huaweicloud_networking_secgroup" "sg"`, `resource "huaweicloud_networking_secgroup" "web"`,
		"huaweicloud_networking_secgroup.sg.id", "huaweicloud_networking_secgroup.web.id",
	).Replace(crashV1) + `
moved {
  from = huaweicloud_vpc.edge
  to   = huaweicloud_vpc.border
}
moved {
  from = huaweicloud_networking_secgroup.sg
  to   = huaweicloud_networking_secgroup.web
}
`
	crashV5 = crashV4 + `
resource "huaweicloud_networking_secgroup" "broken" {
  name       = "broken"
  depends_on = [huaweicloud_vpc_subnet.subnet]
}
`
)

var crashTemplates = map[string]string{"v1": crashV1, "v2": crashV2, "v3": crashV3, "v4": crashV4, "v5": crashV5}

const crashChildEnv = "FORMATION_CRASH_CHILD"

// crashEngine opens the engine as every process of the test does: the
// bbolt file holds both the engine's state and the simulated cloud.
func crashEngine(db string) (*engine.Engine, sim.WorldStore, error) {
	st, err := store.OpenBolt(db, store.BoltOptions{})
	if err != nil {
		return nil, nil, err
	}
	p, err := sim.New(sim.Config{
		Seed:       7,
		UseCatalog: true,
		World:      sim.StoreWorld{Store: st},
		// Written when the engine flushes, before it commits the results:
		// the campaign checks that a kill never loses a recorded resource.
		DeferWrites: true,
		Latency:     []sim.LatencyRule{{Duration: 200 * time.Microsecond, Jitter: 800 * time.Microsecond}},
		Faults:      []sim.Fault{{Match: sim.Match{Op: sim.OpCreate, Address: "huaweicloud_networking_secgroup.broken"}, Message: "broken on purpose"}},
	})
	if err != nil {
		_ = st.Close()
		return nil, nil, err
	}
	e, err := engine.New(engine.Config{Store: st, DefaultProvider: p, Parallelism: 4})
	return e, sim.StoreWorld{Store: st}, err
}

// TestCrashChild is the child process: it is a no-op unless started by
// TestCrash_KillAndRecover. It opens the engine (recovering whatever a kill
// interrupted), waits for the stack to settle, then runs its action,
// printing one line per committed event so the parent can kill it at a
// random point.
func TestCrashChild(t *testing.T) {
	args := os.Getenv(crashChildEnv)
	if args == "" {
		t.Skip("run by TestCrash_KillAndRecover")
	}
	db, action, _ := strings.Cut(args, ";")
	if err := crashChild(db, action); err != nil {
		fmt.Println("ERROR", err)
		os.Exit(3)
	}
	fmt.Println("DONE")
	os.Exit(0)
}

func crashChild(db, action string) error {
	ctx := context.Background()
	e, world, err := crashEngine(db)
	if err != nil {
		return err
	}
	defer e.Close()
	ref := engine.StackRef{Name: "crash"}
	_, err = e.WaitStack(ctx, ref)
	exists := err == nil
	if err != nil && !errors.Is(err, formation.ErrNotFound) {
		return err
	}
	// What the previous (killed) process left, recovered: checked before
	// this process starts anything of its own.
	if err := checkCrashInvariants(e, world); err != nil {
		return err
	}
	fmt.Println("CHECKED")
	var dep engine.DeploymentRef
	switch {
	case action == "settle":
		return nil
	case action == "delete" && exists:
		dep, err = e.DeleteStack(ctx, engine.DeleteStackRequest{StackRef: ref})
	case action == "delete":
		return nil
	case strings.HasPrefix(action, "plan:") && exists:
		// A reviewed plan, applied: killed during the apply, the recovery
		// plans again against what was recorded.
		name := fmt.Sprintf("p%d", time.Now().UnixNano())
		pref := engine.PlanRef{StackRef: ref, PlanName: name}
		if _, err = e.CreateExecutionPlan(ctx, engine.CreateExecutionPlanRequest{StackRef: ref, PlanName: name,
			TemplateInput: engine.TemplateInput{TemplateBody: crashTemplates[strings.TrimPrefix(action, "plan:")]}}); err != nil {
			return err
		}
		if _, err = e.WaitExecutionPlan(ctx, pref); err != nil {
			return err
		}
		dep, err = e.ApplyExecutionPlan(ctx, engine.ApplyExecutionPlanRequest{PlanRef: pref})
	case strings.HasPrefix(action, "plan:"):
		return nil
	case !exists:
		var res engine.CreateStackResult
		res, err = e.CreateStack(ctx, engine.CreateStackRequest{Name: "crash", EnableAutoRollback: true,
			TemplateInput: engine.TemplateInput{TemplateBody: crashTemplates[action]}})
		dep = res.DeploymentRef
	default:
		dep, err = e.DeployStack(ctx, engine.DeployStackRequest{StackRef: ref, TemplateInput: engine.TemplateInput{TemplateBody: crashTemplates[action]}})
	}
	if err != nil {
		return err
	}
	stream, err := e.Follow(ctx, engine.FollowRequest{StackRef: ref, DeploymentID: dep.DeploymentID})
	if err != nil {
		return err
	}
	for ev := range stream.Events {
		fmt.Println("EV", ev.Sequence)
	}
	_, err = e.Wait(ctx, dep)
	return err
}

// TestCrash_KillAndRecover kills the engine's process at random points of
// deployments, plan applies, rollbacks and deletions, lets the next process
// recover, and checks every time that the store opens, the stack is
// terminal, the stored resources and the simulated cloud match exactly (no
// orphan, no duplicate, nothing lost), and the events are numbered without
// gaps.
func TestCrash_KillAndRecover(t *testing.T) {
	if os.Getenv(crashChildEnv) != "" {
		t.Skip("child")
	}
	kills := *crashKills
	db := filepath.Join(t.TempDir(), "crash.db")
	rng := rand.New(rand.NewPCG(1, 2))
	actions := []string{"v1", "v2", "v3", "delete", "v1", "plan:v3", "plan:v2", "delete", "v1", "v5", "v4", "v1", "plan:v4", "delete"}
	killed, runs := 0, 0
	for round := 0; killed < kills; round++ {
		action := actions[round%len(actions)]
		// Each child first recovers what the previous one left and checks
		// it, then starts its action and is killed after a random number
		// of committed events (0: at once, possibly before it recovered).
		if runCrashChild(t, db, action, rng.IntN(30)) {
			killed++
		}
		runs++
		if runs > 4*kills {
			t.Fatalf("only %d kills in %d rounds: children finish before they can be killed", killed, runs)
		}
	}
	runCrashChild(t, db, "settle", -1) // recovers and checks the last kill
	t.Logf("%d kills, %d rounds", killed, runs)
}

// runCrashChild runs one child with action and kills it (SIGKILL) after it
// reported killAfter events; -1 lets it finish. It reports whether the
// child was killed.
func runCrashChild(t *testing.T, db, action string, killAfter int) bool {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	// Under -race a process sleeps a second at exit unless told not to.
	cmd.Env = append(os.Environ(), crashChildEnv+"="+db+";"+action, "GORACE=atexit_sleep_ms=0 "+os.Getenv("GORACE"))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	seen, killed, done := 0, false, false
	var errLine string
	if killAfter == 0 {
		_ = cmd.Process.Kill()
		killed = true
	}
	for lines.Scan() {
		line := lines.Text()
		switch {
		case strings.HasPrefix(line, "EV "):
			seen++
			if !killed && killAfter > 0 && seen >= killAfter {
				_ = cmd.Process.Kill()
				killed = true
			}
		case line == "DONE":
			done = true
		case strings.HasPrefix(line, "ERROR"):
			errLine = line
		}
	}
	werr := cmd.Wait()
	switch {
	case errLine != "":
		t.Fatalf("child %s: %s", action, errLine)
	case killed:
		return !done
	case errLine != "" || werr != nil || !done:
		t.Fatalf("child %s failed: %v %s", action, werr, errLine)
	}
	return false
}

// checkCrashInvariants checks a settled stack against the simulated cloud:
// the objects the stack lists (live and deposed, by type and id) are
// exactly the cloud's, and a complete stack lists one complete object per
// address. Objects are matched by id, not address: the cloud knows an
// object by the address it was created at, and a moved block renames it
// in the stack only.
func checkCrashInvariants(e *engine.Engine, ws sim.WorldStore) error {
	ctx := context.Background()
	ref := engine.StackRef{Name: "crash"}
	s, err := e.GetStackMetadata(ctx, ref)
	// The world as the file holds it: what a kill would leave.
	cloud, werr := sim.ReadWorld(ctx, ws)
	if werr != nil {
		return werr
	}
	world := map[string]string{} // type/id → the address it was created at
	for _, r := range cloud {
		world[r.Type+"/"+r.ID] = r.Address
	}
	if errors.Is(err, formation.ErrNotFound) {
		if len(world) != 0 {
			return fmt.Errorf("stack deleted but the cloud still has %v", world)
		}
		return nil
	}
	if err != nil {
		return err
	}
	if !s.Status.Terminal() {
		return fmt.Errorf("stack is %s after recovery", s.Status)
	}
	page, err := e.ListStackResources(ctx, engine.ListStackResourcesRequest{StackRef: ref})
	if err != nil {
		return err
	}
	stored := map[string][]string{} // address → ids
	listed := map[string]string{}   // type/id → address
	for _, r := range page.StackResources {
		if r.PhysicalResourceID == "" {
			continue // a creation that failed
		}
		addr := r.LogicalResourceType + "." + r.LogicalResourceName
		if r.IndexKey != "" {
			addr += "[" + r.IndexKey + "]"
		}
		stored[addr] = append(stored[addr], r.PhysicalResourceID)
		key := r.LogicalResourceType + "/" + r.PhysicalResourceID
		if prev, ok := listed[key]; ok {
			return fmt.Errorf("(%s) the stack lists %s at both %s and %s", s.Status, key, prev, addr)
		}
		listed[key] = addr
	}
	for key, addr := range world {
		if _, ok := listed[key]; !ok {
			return fmt.Errorf("(%s) the cloud has %s, created at %s, which the stack does not list (orphan)\nstored %v\nworld %v", s.Status, key, addr, listed, world)
		}
	}
	for key, addr := range listed {
		if _, ok := world[key]; !ok {
			return fmt.Errorf("(%s) the stack lists %s at %s, which the cloud does not have (lost)", s.Status, key, addr)
		}
	}
	if s.Status == formation.StackDeploymentComplete || s.Status == formation.StackRollbackComplete {
		for addr, ids := range stored {
			if len(ids) > 1 {
				return fmt.Errorf("%s leaves %s with objects %v: a superseded one was not deleted", s.Status, addr, ids)
			}
		}
		for _, r := range page.StackResources {
			if r.PhysicalResourceID == "" || !strings.HasSuffix(string(r.ResourceStatus), "_COMPLETE") {
				return fmt.Errorf("%s leaves resource %+v", s.Status, r)
			}
		}
	}
	var seqs []uint64
	req := engine.ListStackEventsRequest{StackRef: ref}
	for {
		ev, err := e.ListStackEvents(ctx, req)
		if err != nil {
			return err
		}
		for _, x := range ev.StackEvents {
			seqs = append(seqs, x.Sequence)
		}
		if ev.PageInfo.NextMarker == "" {
			break
		}
		req.Marker = ev.PageInfo.NextMarker
	}
	slices.Reverse(seqs)
	for i, q := range seqs {
		if q != uint64(i+1) {
			return fmt.Errorf("events are not contiguous: position %d has sequence %d", i, q)
		}
	}
	return nil
}
