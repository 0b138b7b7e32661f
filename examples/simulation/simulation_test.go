package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
)

// These tests are unit-level simulations of deployments: an engine over an
// in-memory store, a seeded simulated cloud with hours of latency, and
// assertions on the stack events — the way you would test your own templates
// and the code that drives them.

func mustEngine(t *testing.T, s setup) (*engine.Engine, *sim.Provider) {
	t.Helper()
	e, cloud, err := newEngine(s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e, cloud
}

// createLatencies is how long each successful create took, by address, as
// the simulated cloud recorded it.
func createLatencies(t *testing.T, cloud *sim.Provider) map[string]time.Duration {
	t.Helper()
	out := map[string]time.Duration{}
	for _, c := range cloud.Calls() {
		if c.Op == sim.OpCreate && c.Err == nil {
			out[c.Address] = c.Latency
		}
	}
	return out
}

// events lists a stack's events, oldest first, optionally of one deployment
// and filtered with RFS's syntax.
func events(t *testing.T, e *engine.Engine, deployment, filter string) []formation.Event {
	t.Helper()
	page, err := e.ListStackEvents(context.Background(), engine.ListStackEventsRequest{
		StackRef: engine.StackRef{Name: "app"}, DeploymentID: deployment, Filter: filter,
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(page.StackEvents)
	return page.StackEvents
}

func addrOf(ev formation.Event) string {
	addr := ev.ResourceType + "." + ev.ResourceName
	if ev.ResourceKey != "" {
		addr += "[" + ev.ResourceKey + "]"
	}
	return addr
}

func createApp(t *testing.T, e *engine.Engine) string {
	t.Helper()
	created, err := e.CreateStack(context.Background(), engine.CreateStackRequest{
		Name: "app", EnableAutoRollback: true, TemplateInput: engine.TemplateInput{TemplateBody: rollout},
	})
	if err != nil {
		t.Fatal(err)
	}
	return created.DeploymentID
}

// Inside a synctest bubble the real clock is virtual: it moves only when
// every goroutine of the bubble is blocked, straight to the next timer. A
// rollout of almost five simulated hours takes milliseconds, and every
// duration the events report is exact.
func TestRolloutInVirtualTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, cloud := mustEngine(t, setup{Seed: 1})
		start := time.Now()
		dep := createApp(t, e)

		// 31 minutes in: the VPC (30 minutes) is done, the subnets are
		// being created.
		time.Sleep(31 * time.Minute)
		synctest.Wait()
		var done, running []string
		for _, ev := range events(t, e, dep, "event_type==CREATION_COMPLETE|event_type==CREATION_IN_PROGRESS") {
			if ev.EventType == formation.EventCreationComplete {
				done = append(done, addrOf(ev))
			} else {
				running = append(running, addrOf(ev))
			}
		}
		slices.Sort(running)
		if !slices.Equal(done, []string{"huaweicloud_vpc.vpc"}) ||
			!slices.Equal(running, []string{"huaweicloud_vpc.vpc", "huaweicloud_vpc_subnet.subnet[0]", "huaweicloud_vpc_subnet.subnet[1]"}) {
			t.Fatalf("after 31 minutes: complete %v, started %v", done, running)
		}
		meta, err := e.GetStackMetadata(context.Background(), engine.StackRef{Name: "app"})
		if err != nil || meta.Status != formation.StackDeploymentInProgress {
			t.Fatalf("stack after 31 minutes: %s, %v", meta.Status, err)
		}

		res, err := e.Wait(context.Background(), engine.DeploymentRef{DeploymentID: dep})
		if err != nil || res.Status != formation.StackDeploymentComplete {
			t.Fatalf("deployment ended %+v, %v", res, err)
		}
		took := time.Since(start)

		// The critical path: the VPC, the slower subnet, the instance.
		lat := createLatencies(t, cloud)
		if len(lat) != 4 || lat["huaweicloud_vpc.vpc"] != vpcLatency || lat["huaweicloud_compute_instance.app"] != instanceLatency {
			t.Fatalf("create latencies %v", lat)
		}
		for _, s := range []string{"huaweicloud_vpc_subnet.subnet[0]", "huaweicloud_vpc_subnet.subnet[1]"} {
			if lat[s] < subnetLatency || lat[s] >= subnetLatency+subnetJitter {
				t.Fatalf("%s took %v, want [%v, %v)", s, lat[s], subnetLatency, subnetLatency+subnetJitter)
			}
		}
		want := vpcLatency + max(lat["huaweicloud_vpc_subnet.subnet[0]"], lat["huaweicloud_vpc_subnet.subnet[1]"]) + instanceLatency
		if took != want {
			t.Fatalf("the rollout took %v of virtual time, want exactly %v", took, want)
		}

		// Every CREATION_COMPLETE event reports its resource's latency.
		completions := events(t, e, dep, "event_type==CREATION_COMPLETE")
		if len(completions) != 4 {
			t.Fatalf("%d CREATION_COMPLETE events, want 4", len(completions))
		}
		for _, ev := range completions {
			secs := int64(lat[addrOf(ev)] / time.Second)
			if ev.ElapsedSeconds != secs || !strings.Contains(ev.EventMessage, fmt.Sprintf(": Creation complete after %ds [id=", secs)) {
				t.Errorf("%s: elapsed_seconds %d, message %q; want %d", addrOf(ev), ev.ElapsedSeconds, ev.EventMessage, secs)
			}
		}

		// The SUMMARY event closes the deployment, stamped with virtual time
		// (the bubble's clock starts at midnight UTC, 2000-01-01).
		all := events(t, e, dep, "")
		summary := all[len(all)-2]
		if summary.EventType != formation.EventSummary || summary.EventMessage != "Apply complete! Resources: 4 added, 0 changed, 0 destroyed." {
			t.Fatalf("second to last event %+v, want the SUMMARY", summary)
		}
		if got, want := summary.Time, formation.NewTime(start.Add(want)); !got.Equal(want.Time) {
			t.Errorf("SUMMARY at %s, want %s", got, want)
		}
		if first := all[0]; first.Time.Sub(start) != 0 {
			t.Errorf("first event at %s, want %s", first.Time, formation.NewTime(start))
		}
	})
}

// A scaled clock runs the same rollout 36000 times faster: an hour passes
// in 100ms. Events report simulated time. It runs in a synctest bubble, so
// the engine's own work takes no time and the figures are exact: on the
// real clock every millisecond a loaded machine spends elsewhere would be
// ten simulated minutes.
func TestRolloutWithScaledClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := formation.NewScaledClock(36000)
		e, cloud := mustEngine(t, setup{Clock: clock, Seed: 1})
		realStart, simStart := time.Now(), clock.Now()
		dep := createApp(t, e)
		res, err := e.Wait(context.Background(), engine.DeploymentRef{DeploymentID: dep})
		if err != nil || res.Status != formation.StackDeploymentComplete {
			t.Fatalf("deployment ended %+v, %v", res, err)
		}
		realTook, simTook := time.Since(realStart), clock.Now().Sub(simStart)

		lat := createLatencies(t, cloud)
		critical := vpcLatency + max(lat["huaweicloud_vpc_subnet.subnet[0]"], lat["huaweicloud_vpc_subnet.subnet[1]"]) + instanceLatency
		// The scaled clock reads the bubble's clock at the scale's
		// resolution: a simulated duration is exact to 36000ns.
		const resolution = 36 * time.Microsecond
		if simTook < critical-resolution || simTook > critical+resolution {
			t.Errorf("the rollout took %v of simulated time, want its critical path %v", simTook, critical)
		}
		if want := critical / 36000; realTook < want-time.Microsecond || realTook > want+time.Microsecond {
			t.Errorf("the rollout took %v of the bubble's time, want %v: the clock does not scale", realTook, want)
		}

		completions := events(t, e, dep, "event_type==CREATION_COMPLETE")
		if len(completions) != 4 {
			t.Fatalf("%d CREATION_COMPLETE events, want 4", len(completions))
		}
		for _, ev := range completions {
			got := time.Duration(ev.ElapsedSeconds) * time.Second
			if l := lat[addrOf(ev)]; got < l-time.Second || got > l+time.Second {
				t.Errorf("%s: elapsed_seconds %d, want %v", addrOf(ev), ev.ElapsedSeconds, l)
			}
		}
		all := events(t, e, dep, "")
		if span := all[len(all)-1].Time.Sub(all[0].Time.Time); span < critical-time.Second || span > critical+time.Second {
			t.Errorf("the events span %v of simulated time, want %v", span, critical)
		}
	})
}

// Faults: the instance's create fails for good (a quota), so the deployment
// fails and the engine rolls back — deleting what it created, each deletion
// taking its ten simulated minutes. On the way, one subnet's create loses its
// response (a transient fault after the side effect): the engine retries
// with the same idempotency token, and the simulated cloud hands back the
// subnet it already made instead of a second one.
func TestFaultRollsBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e, cloud := mustEngine(t, setup{Seed: 2, Faults: []sim.Fault{
			{
				Match:   sim.Match{Op: sim.OpCreate, Type: "huaweicloud_compute_instance"},
				Message: "Quota exceeded for resources: instances",
			},
			{
				Match:     sim.Match{Op: sim.OpCreate, Address: "huaweicloud_vpc_subnet.subnet[0]"},
				Times:     1,
				Message:   "connection reset by peer",
				Transient: true, AfterEffect: true,
			},
		}})
		start := time.Now()
		dep := createApp(t, e)
		res, err := e.Wait(context.Background(), engine.DeploymentRef{DeploymentID: dep})
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != formation.StackRollbackComplete || res.Succeeded() || !strings.Contains(res.Message, "Quota exceeded for resources: instances") {
			t.Fatalf("deployment ended %+v, want ROLLBACK_COMPLETE for the quota", res)
		}

		// Exactly one ERROR event: the permanent failure, on the instance.
		errs := events(t, e, dep, "event_type==ERROR")
		if len(errs) != 1 {
			t.Fatalf("ERROR events %+v, want one", errs)
		}
		if ev := errs[0]; addrOf(ev) != "huaweicloud_compute_instance.app" ||
			ev.EventMessage != "huaweicloud_compute_instance.app: Quota exceeded for resources: instances" {
			t.Errorf("ERROR event %+v", ev)
		}
		failed := events(t, e, dep, "event_type==CREATION_FAILED")
		if len(failed) != 1 || failed[0].ElapsedSeconds != int64(instanceLatency/time.Second) {
			t.Errorf("CREATION_FAILED events %+v: want the instance's, after its 3h", failed)
		}

		// The transient fault: a LOG event about the retry, two calls with
		// one token, the second replayed — and one subnet[0], not two.
		var retried bool
		for _, ev := range events(t, e, dep, "event_type==LOG") {
			retried = retried || strings.HasPrefix(ev.EventMessage, "huaweicloud_vpc_subnet.subnet[0]: connection reset by peer; retrying in 1m0s (attempt 2 of 3)")
		}
		if !retried {
			t.Error("no LOG event announces the retry of subnet[0]")
		}
		var tries []sim.Call
		for _, c := range cloud.Calls() {
			if c.Op == sim.OpCreate && c.Address == "huaweicloud_vpc_subnet.subnet[0]" {
				tries = append(tries, c)
			}
		}
		if len(tries) != 2 || tries[0].Err == nil || tries[1].Err != nil || !tries[1].Replayed ||
			tries[0].Token != tries[1].Token || tries[0].ID != tries[1].ID {
			t.Errorf("creates of subnet[0]: %+v; want a failed one and a replay of it", tries)
		}

		// The rollback deleted all three resources the deployment made, and
		// the events say so, with the deletions' simulated latency.
		deleted := events(t, e, dep, "event_type==DELETION_COMPLETE")
		var gone []string
		for _, ev := range deleted {
			gone = append(gone, addrOf(ev))
			if ev.ElapsedSeconds != int64(deleteLatency/time.Second) {
				t.Errorf("%s deleted after %ds, want %v", addrOf(ev), ev.ElapsedSeconds, deleteLatency)
			}
		}
		slices.Sort(gone)
		if !slices.Equal(gone, []string{"huaweicloud_vpc.vpc", "huaweicloud_vpc_subnet.subnet[0]", "huaweicloud_vpc_subnet.subnet[1]"}) {
			t.Errorf("DELETION_COMPLETE for %v", gone)
		}
		if n := len(cloud.Resources()); n != 0 {
			t.Errorf("%d resources left in the simulated cloud after the rollback", n)
		}
		page, err := e.ListStackResources(context.Background(), engine.ListStackResourcesRequest{StackRef: engine.StackRef{Name: "app"}})
		if err != nil || len(page.StackResources) != 0 {
			t.Errorf("stack resources after rolling back the first deployment: %+v, %v", page.StackResources, err)
		}

		// The order of it all: the failure, the turn to ROLLBACK_IN_PROGRESS,
		// the deletions, ROLLBACK_COMPLETE.
		var story []string
		for _, ev := range events(t, e, dep, "event_type==ERROR|event_type==SUMMARY|event_type==LOG") {
			if ev.EventType != formation.EventLog || strings.HasPrefix(ev.EventMessage, "Stack app is") {
				story = append(story, string(ev.EventType)+" "+ev.EventMessage)
			}
		}
		wantStory := []string{
			"LOG Stack app is DEPLOYMENT_IN_PROGRESS.",
			"ERROR huaweicloud_compute_instance.app: Quota exceeded for resources: instances",
			"SUMMARY Apply failed. Resources: 3 added, 0 changed, 0 destroyed.",
			"LOG Stack app is ROLLBACK_IN_PROGRESS. Rolling back to the last stable state.",
			"SUMMARY Apply complete! Resources: 0 added, 0 changed, 3 destroyed.",
			"LOG Stack app is ROLLBACK_COMPLETE. 1 resource operation failed: huaweicloud_compute_instance.app: Quota exceeded for resources: instances",
		}
		if !slices.Equal(story, wantStory) {
			t.Errorf("events:\n  %s\nwant:\n  %s", strings.Join(story, "\n  "), strings.Join(wantStory, "\n  "))
		}

		// The subnets are deleted together, then the VPC: 20 minutes.
		lat := createLatencies(t, cloud)
		sub0 := tries[0].Latency + time.Minute + tries[1].Latency // the lost response, the pause, the replay
		want := vpcLatency + max(sub0, lat["huaweicloud_vpc_subnet.subnet[1]"]) + instanceLatency + 2*deleteLatency
		if took := time.Since(start); took != want {
			t.Errorf("deployment and rollback took %v of virtual time, want %v", took, want)
		}
	})
}

// run is one whole simulated deployment in its own bubble; it returns what
// must be reproducible: the ids, and every event with its time.
func runOnce(t *testing.T, seed int64) (ids []string, evs []string) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) {
		e, _ := mustEngine(t, setup{Seed: seed})
		dep := createApp(t, e)
		if res, err := e.Wait(context.Background(), engine.DeploymentRef{DeploymentID: dep}); err != nil || !res.Succeeded() {
			t.Fatalf("deployment ended %+v, %v", res, err)
		}
		meta, err := e.GetStackMetadata(context.Background(), engine.StackRef{Name: "app"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, "stack "+meta.ID, "deployment "+dep)
		page, err := e.ListStackResources(context.Background(), engine.ListStackResourcesRequest{StackRef: engine.StackRef{Name: "app"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.StackResources {
			ids = append(ids, r.LogicalResourceType+"."+r.LogicalResourceName+"["+r.IndexKey+"] "+r.PhysicalResourceID)
		}
		for _, ev := range events(t, e, "", "") {
			// Events that happen at the same virtual instant (the two
			// subnets starting) may be stored in either order; compare them
			// without their sequence numbers.
			evs = append(evs, fmt.Sprintf("%s %s %s %d", ev.Time, ev.EventType, ev.EventMessage, ev.ElapsedSeconds))
		}
		slices.Sort(evs)
	})
	return ids, evs
}

// The same seeds give the same ids and the same events, at the same
// (virtual) times; another seed gives other ids.
func TestSameSeedsSameRun(t *testing.T) {
	ids1, evs1 := runOnce(t, 1)
	ids2, evs2 := runOnce(t, 1)
	if len(ids1) != 2+4 {
		t.Fatalf("ids %v", ids1)
	}
	if !slices.Equal(ids1, ids2) {
		t.Errorf("two runs with seed 1 made different ids:\n%v\n%v", ids1, ids2)
	}
	if !slices.Equal(evs1, evs2) {
		t.Errorf("two runs with seed 1 had different events:\n%s\n---\n%s", strings.Join(evs1, "\n"), strings.Join(evs2, "\n"))
	}
	ids3, _ := runOnce(t, 2)
	for i := range ids1 {
		if ids1[i] == ids3[i] {
			t.Errorf("seed 1 and seed 2 both made %q", ids1[i])
		}
	}
}

// The program itself runs, on the scaled clock.
func TestRun(t *testing.T) {
	if err := run(context.Background()); err != nil {
		t.Fatal(err)
	}
}
