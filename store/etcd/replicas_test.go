package etcd_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store/etcd"
	"github.com/formation-engine/formation/store/etcd/etcdtest"
	"github.com/formation-engine/formation/template"
)

// replicaTTL is the claims' lease TTL in these tests: etcd's least.
const replicaTTL = 2 * time.Second

func openReplica(t *testing.T, endpoints []string, p *sim.Provider) (*engine.Engine, *etcd.Store) {
	t.Helper()
	return openReplicaWith(t, endpoints, "/replicas/"+t.Name()+"/", func(*etcd.Store) *sim.Provider { return p })
}

// openReplicaWith opens a replica (its own connection, as a separate process
// has) whose provider newProvider makes over the replica's store.
func openReplicaWith(t *testing.T, endpoints []string, prefix string, newProvider func(*etcd.Store) *sim.Provider) (*engine.Engine, *etcd.Store) {
	t.Helper()
	st, err := etcd.Open(context.Background(), etcd.Options{Endpoints: endpoints, Prefix: prefix, LeaseTTL: replicaTTL})
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(engine.Config{Store: st, DefaultProvider: newProvider(st), TemplateLimits: &template.Limits{},
		TakeoverInterval: 200 * time.Millisecond, RetryPause: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e, st
}

// Two engines on one etcd: the second refuses a mutation of the stack the
// first deploys, follows its events through the store, and when the first
// dies mid-deployment (its connection dropped, its lease left to expire)
// finishes the deployment from the journal: every resource exists once in
// the (shared, simulated) cloud and once in the stack, and the events have
// no gaps.
func TestReplicas_TakeOverADeadEnginesDeployment(t *testing.T) {
	ctx := context.Background()
	ms := etcdtest.Start(t, etcdtest.Options{NoFsync: true})
	const n = 40
	// Five creates go through before the first engine dies, the others
	// after: it dies mid-deployment whatever the machine's speed.
	gate := newCallGate()
	gate.allow(5)
	p, err := sim.New(sim.Config{UseCatalog: true, Seed: 1, Clock: gate,
		Latency: []sim.LatencyRule{{Match: sim.Match{Op: sim.OpCreate}, Duration: 50 * time.Millisecond}}})
	if err != nil {
		t.Fatal(err)
	}
	a, stA := openReplica(t, etcdtest.Endpoints(ms), p)
	b, _ := openReplica(t, etcdtest.Endpoints(ms), p)

	body := fmt.Sprintf("resource \"huaweicloud_vpc\" \"v\" {\n  count = %d\n  name = \"v${count.index}\"\n  cidr = \"10.0.0.0/16\"\n}\n", n)
	res, err := a.CreateStack(ctx, engine.CreateStackRequest{Name: "s", TemplateInput: engine.TemplateInput{TemplateBody: body}})
	if err != nil {
		t.Fatal(err)
	}
	ref := engine.StackRef{Name: "s"}
	if _, err := b.DeleteStack(ctx, engine.DeleteStackRequest{StackRef: ref}); !errors.Is(err, formation.ErrInvalidStatus) {
		t.Fatalf("DeleteStack on the other engine while the first deploys = %v, want the busy error", err)
	}
	stream, err := b.Follow(ctx, engine.FollowRequest{StackRef: ref, DeploymentID: res.DeploymentID})
	if err != nil {
		t.Fatal(err)
	}
	events := stream.Events
	var last uint64
	created := map[string]int{}
	next := func() bool {
		t.Helper()
		ev, ok := <-events
		if !ok {
			return false
		}
		if ev.Sequence != last+1 {
			t.Fatalf("event %d after %d: a gap", ev.Sequence, last)
		}
		last = ev.Sequence
		if ev.EventType == formation.EventCreationComplete {
			created[ev.ResourceName+"/"+ev.ResourceKey]++
		}
		return true
	}
	for len(created) < 5 {
		if !next() {
			t.Fatal("the follow ended before the deployment did")
		}
	}
	stA.Abandon() // the first engine dies
	gate.open()
	died := time.Now()

	out, err := b.Wait(ctx, res.DeploymentRef)
	if err != nil || out.Status != formation.StackDeploymentComplete {
		t.Fatalf("the deployment ended %+v, %v", out, err)
	}
	t.Logf("taken over and finished %v after the first engine died (lease TTL %v)", time.Since(died), replicaTTL)
	for next() {
		// The rest of the stream, checked as it comes.
	}
	if len(created) != n {
		t.Errorf("followed the creation of %d resources, want %d", len(created), n)
	}
	page, err := b.ListStackResources(ctx, engine.ListStackResourcesRequest{StackRef: ref})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, r := range page.StackResources {
		ids[r.PhysicalResourceID] = true
	}
	cloud := p.Resources()
	if len(page.StackResources) != n || len(ids) != n || len(cloud) != n {
		t.Fatalf("%d resources in the stack (%d ids), %d in the cloud; want %d of each", len(page.StackResources), len(ids), len(cloud), n)
	}
	for _, r := range cloud {
		if !ids[r.ID] {
			t.Errorf("the cloud's %s (%s) is not the stack's", r.Address, r.ID)
		}
	}
}

// Engines sharing a store keep its engine-wide rules together: of
// concurrent creations of one name exactly one wins, and the stack quota
// holds across them.
func TestReplicas_NamesAndQuotaAcrossEngines(t *testing.T) {
	ctx := context.Background()
	ms := etcdtest.Start(t, etcdtest.Options{NoFsync: true})
	p, err := sim.New(sim.Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var engines []*engine.Engine
	for range 2 {
		st, err := etcd.Open(ctx, etcd.Options{Endpoints: etcdtest.Endpoints(ms), Prefix: "/quota/"})
		if err != nil {
			t.Fatal(err)
		}
		e, err := engine.New(engine.Config{Store: st, DefaultProvider: p, StackQuota: 3})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = e.Close() })
		engines = append(engines, e)
	}
	create := func(names ...string) []error {
		errs := make([]error, len(names))
		var wg sync.WaitGroup
		for i, name := range names {
			wg.Go(func() {
				_, errs[i] = engines[i%2].CreateStack(ctx, engine.CreateStackRequest{Name: name})
			})
		}
		wg.Wait()
		return errs
	}
	won := 0
	for _, err := range create("same", "same", "same", "same") {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, formation.ErrConflict):
			t.Errorf("a losing creation of one name: %v, want a conflict", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d creations of one name succeeded, want 1", won)
	}
	won = 0
	for _, err := range create("a", "b", "c", "d", "e", "f") {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, formation.ErrQuotaExceeded):
			t.Errorf("a creation past the quota: %v, want the quota error", err)
		}
	}
	if won != 2 {
		t.Fatalf("%d more stacks created beside the first, want 2 (quota 3)", won)
	}
}

// Replicas as separate processes have each its own simulated provider,
// sharing the world the store keeps. The first dies mid-deployment; the
// second, opened before the first created anything, finishes it (replaying
// the creates whose outcome the first never recorded) and then deletes the
// stack: the cloud matches the stack exactly, then is empty.
func TestReplicas_TakeOverWithTheWorldInTheStore(t *testing.T) {
	ctx := context.Background()
	ms := etcdtest.Start(t, etcdtest.Options{NoFsync: true})
	const n = 30
	// Five creates go through before the first replica dies, the others
	// after: it dies mid-deployment whatever the machine's speed.
	gate := newCallGate()
	gate.allow(5)
	replica := func() (*engine.Engine, *etcd.Store) {
		return openReplicaWith(t, etcdtest.Endpoints(ms), "/world/", func(st *etcd.Store) *sim.Provider {
			p, err := sim.New(sim.Config{UseCatalog: true, Seed: 1, World: sim.StoreWorld{Store: st}, Clock: gate,
				Latency: []sim.LatencyRule{{Match: sim.Match{Op: sim.OpCreate}, Duration: 50 * time.Millisecond}}})
			if err != nil {
				t.Fatal(err)
			}
			return p
		})
	}
	a, stA := replica()
	b, stB := replica()

	body := fmt.Sprintf("resource \"huaweicloud_vpc\" \"v\" {\n  count = %d\n  name = \"v${count.index}\"\n  cidr = \"10.0.0.0/16\"\n}\n", n)
	res, err := a.CreateStack(ctx, engine.CreateStackRequest{Name: "s", TemplateInput: engine.TemplateInput{TemplateBody: body}})
	if err != nil {
		t.Fatal(err)
	}
	ref := engine.StackRef{Name: "s"}
	stream, err := b.Follow(ctx, engine.FollowRequest{StackRef: ref, DeploymentID: res.DeploymentID})
	if err != nil {
		t.Fatal(err)
	}
	for created := 0; created < 5; {
		ev, ok := <-stream.Events
		if !ok {
			t.Fatal("the follow ended before the deployment did")
		}
		if ev.EventType == formation.EventCreationComplete {
			created++
		}
	}
	stA.Abandon() // the first replica dies
	gate.open()
	if out, err := b.Wait(ctx, res.DeploymentRef); err != nil || out.Status != formation.StackDeploymentComplete {
		t.Fatalf("the deployment ended %+v, %v", out, err)
	}
	page, err := b.ListStackResources(ctx, engine.ListStackResourcesRequest{StackRef: ref})
	if err != nil {
		t.Fatal(err)
	}
	stack := map[string]bool{}
	for _, r := range page.StackResources {
		stack[r.PhysicalResourceID] = true
	}
	cloud, err := sim.ReadWorld(ctx, sim.StoreWorld{Store: stB})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.StackResources) != n || len(stack) != n || len(cloud) != n {
		t.Fatalf("%d resources in the stack (%d ids), %d in the cloud; want %d of each", len(page.StackResources), len(stack), len(cloud), n)
	}
	for _, r := range cloud {
		if !stack[r.ID] {
			t.Errorf("the cloud's %s (%s) is not the stack's", r.Address, r.ID)
		}
	}

	del, err := b.DeleteStack(ctx, engine.DeleteStackRequest{StackRef: ref})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Wait(ctx, del); err != nil {
		t.Fatal(err)
	}
	if cloud, err := sim.ReadWorld(ctx, sim.StoreWorld{Store: stB}); err != nil || len(cloud) != 0 {
		t.Fatalf("after the deletion the cloud holds %d resources (%v), want none", len(cloud), err)
	}
}

// An execution plan being made is claimed like a deployment: an engine that
// opens meanwhile (and resumes what it finds unfinished) leaves it to the
// engine making it, and when that engine dies while making one another
// makes it: the dead engine's read is cancelled when its claim goes, and
// each plan is made with one read of the stack's one resource.
//
// The reads wait at a callGate, so that the second engine opens while the
// first plan's read is under way, and the first engine dies while the
// second plan's is, whatever the machine's speed. (With a second of
// latency instead, a loaded machine could start the first engine's read
// of the second plan before the test stopped it, or not: its claim is lost
// at its deadline, after the read, which then counted.)
func TestReplicas_PlansAreMadeOnce(t *testing.T) {
	ctx := context.Background()
	ms := etcdtest.Start(t, etcdtest.Options{NoFsync: true})
	// The reads wait at the gate (the deployment below reads nothing).
	gate := newCallGate()
	p, err := sim.New(sim.Config{UseCatalog: true, Seed: 1, Clock: gate, // any latency: the gate ends it
		Latency: []sim.LatencyRule{{Match: sim.Match{Op: sim.OpRead}, Duration: time.Second}}})
	if err != nil {
		t.Fatal(err)
	}
	reads := func() int {
		n := 0
		for _, c := range p.Calls() {
			if c.Op == sim.OpRead && c.Err == nil {
				n++
			}
		}
		return n
	}
	a, stA := openReplica(t, etcdtest.Endpoints(ms), p)
	const body = "resource \"huaweicloud_vpc\" \"v\" {\n  name = \"v\"\n  cidr = \"10.0.0.0/16\"\n}\n"
	res, err := a.CreateStack(ctx, engine.CreateStackRequest{Name: "s", TemplateInput: engine.TemplateInput{TemplateBody: body}})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := a.Wait(ctx, res.DeploymentRef); err != nil || !out.Succeeded() {
		t.Fatalf("deployment: %+v, %v", out, err)
	}
	ref := engine.StackRef{Name: "s"}
	plan := func(e *engine.Engine, name string) engine.PlanRef {
		t.Helper()
		pr, err := e.CreateExecutionPlan(ctx, engine.CreateExecutionPlanRequest{StackRef: ref, PlanName: name,
			TemplateInput: engine.TemplateInput{TemplateBody: strings.Replace(body, `"v"`, `"`+name+`"`, 2)}})
		if err != nil {
			t.Fatal(err)
		}
		return pr
	}

	base, at := reads(), gate.now()
	first := plan(a, "first")
	gate.drive(t, "the first plan's read", at.passed, func(c gateCounts) bool { return c.started > at.started })
	b, _ := openReplica(t, etcdtest.Endpoints(ms), p) // finds the plan CREATION_IN_PROGRESS
	gate.allow(at.passed + 1)
	if got, err := b.WaitExecutionPlan(ctx, first); err != nil || got.Status != formation.PlanAvailable {
		t.Fatalf("the plan made by the first engine: %+v, %v", got, err)
	}
	if n, started := reads()-base, gate.now().started-at.started; n != 1 || started != 1 {
		t.Errorf("the plan was made with %d reads of the stack's one resource (%d started), want 1: two engines made it %+v", n, started, p.Calls())
	}

	at = gate.now()
	second := plan(a, "second")
	gate.drive(t, "the second plan's read", at.passed, func(c gateCounts) bool { return c.started > at.started })
	stA.Abandon() // the first engine dies while making it
	gate.drive(t, "the second plan taken over", at.passed, func(c gateCounts) bool {
		return c.cancelled > at.cancelled && c.started > at.started+1
	})
	gate.open()
	if got, err := b.WaitExecutionPlan(ctx, second); err != nil || got.Status != formation.PlanAvailable {
		t.Fatalf("the plan the first engine left: %+v, %v", got, err)
	}
	if n, started := reads()-base, gate.now().started-at.started; n != 2 || started != 2 {
		t.Errorf("the plans were made with %d reads, want 2; %d reads of the second plan started, want 2 (the dead engine's, cancelled, and the other's)", n, started)
	}
}

// Engines keep working while etcd members die one after another: each
// member of a three-member cluster is stopped in turn while deployments
// run on two engines, and the deployments go on (the clients move to the
// live members, claims and commits go on): with the member stopped, new
// creates start and the stacks record more resources created. Then all
// complete with every resource once in the stack and in the cloud.
//
// The deployments' progress is the test's to drive, not the machine's
// speed: the creates' latency ends when the test lets them through
// (callGate). None ends before every deployment has its creates under
// way, each deployment's last one not before the last member is back, and
// the others only as many as the test needs with each member stopped, so
// the deployments are still running, with creates to start, when each
// member stops, on an idle machine as on a loaded one. (A second of latency per create, as before, raced
// the member stops: an idle machine finished 300 ms creates before the
// third member stopped; a loaded one could be slower to stop and restart
// members than the creates were to end.)
func TestReplicas_EtcdMembersDieUnderLoad(t *testing.T) {
	ctx := context.Background()
	ms := etcdtest.Start(t, etcdtest.Options{Members: 3, NoFsync: true})
	gate := newCallGate()
	const stacks, n = 4, 150
	p, err := sim.New(sim.Config{UseCatalog: true, Seed: 1, Clock: gate, Latency: []sim.LatencyRule{
		// Each deployment's last resource waits until the gate opens: none
		// ends before the last member is back.
		{Match: sim.Match{Op: sim.OpCreate, Address: fmt.Sprintf("huaweicloud_vpc.v[%d]", n-1)}, Duration: heldLatency},
		{Match: sim.Match{Op: sim.OpCreate}, Duration: time.Second}, // any latency: the gate ends it
	}})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := openReplica(t, etcdtest.Endpoints(ms), p)
	b, _ := openReplica(t, etcdtest.Endpoints(ms), p)
	engines := []*engine.Engine{a, b}
	var deps []engine.DeploymentRef
	for i := range stacks {
		body := fmt.Sprintf("resource \"huaweicloud_vpc\" \"v\" {\n  count = %d\n  name = \"s%d-${count.index}\"\n  cidr = \"10.0.0.0/16\"\n}\n", n, i)
		res, err := engines[i%2].CreateStack(ctx, engine.CreateStackRequest{Name: fmt.Sprintf("s%d", i), TemplateInput: engine.TemplateInput{TemplateBody: body}})
		if err != nil {
			t.Fatal(err)
		}
		deps = append(deps, res.DeploymentRef)
	}
	// created counts the resources the stacks record as created, each
	// stack read by the engine that started it, through its own client.
	created := func() int {
		t.Helper()
		total := 0
		for i := range stacks {
			page, err := engines[i%2].ListStackResources(ctx, engine.ListStackResourcesRequest{StackRef: engine.StackRef{Name: fmt.Sprintf("s%d", i)}})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page.StackResources {
				if r.ResourceStatus == formation.ResourceCreationComplete {
					total++
				}
			}
		}
		return total
	}
	// Every deployment has its first creates under way, none let through.
	gate.drive(t, "the deployments' first creates", 0, func(c gateCounts) bool { return c.started >= stacks*engine.DefaultParallelism })
	// With a member stopped, perStop creates start and the stacks record
	// perStop more resources created. The creates under way when it
	// stopped and perStop more go through, and then one more at each poll
	// while the stacks have not recorded enough: those a lost claim
	// stopped are made again (replayed by their tokens) by the engine that
	// takes over, and must go through again. So creates are left for the
	// next member's stop.
	const perStop = 10
	for _, m := range ms {
		before := created()
		m.Stop()
		at := gate.now()
		waiting := at.started - at.passed - at.cancelled
		gate.drive(t, "member "+m.Name+" stopped", at.passed+waiting+perStop, func(c gateCounts) bool {
			if c.started >= at.started+perStop && created() >= before+perStop {
				return true
			}
			if c.passed >= at.passed+waiting+perStop {
				gate.another()
			}
			return false
		})
		m.Restart(t)
	}
	gate.open()
	waitCtx, cancel := context.WithTimeout(ctx, progressBound)
	defer cancel()
	for i, dep := range deps {
		e := engines[i%2]
		if out, err := e.Wait(waitCtx, dep); err != nil || !out.Succeeded() {
			t.Fatalf("stack s%d: %+v, %v", i, out, err)
		}
		page, err := e.ListStackResources(ctx, engine.ListStackResourcesRequest{StackRef: engine.StackRef{Name: fmt.Sprintf("s%d", i)}})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.StackResources) != n {
			t.Errorf("stack s%d holds %d resources, want %d", i, len(page.StackResources), n)
		}
	}
	if got := len(p.Resources()); got != stacks*n {
		t.Errorf("the cloud holds %d resources, want %d", got, stacks*n)
	}
}

// callGate is a simulated provider's clock (or several providers') on
// which calls' latency ends when the test lets them through, not after a
// time, so that how far engines have got is the test's to say, whatever
// the machine's speed.
type callGate struct {
	mu     sync.Mutex
	counts gateCounts
	// allowed is how many calls may have gone through in all.
	allowed int
	opened  bool          // every call goes through, those of heldLatency too
	changed chan struct{} // closed, and replaced, when counts or allowed move
}

// heldLatency marks calls that wait at a callGate until it opens, however
// many others it lets through.
const heldLatency = time.Hour

type gateCounts struct {
	started   int // calls that reached the gate
	passed    int // calls let through
	cancelled int // calls whose ctx ended at the gate (their claim lost)
}

func newCallGate() *callGate { return &callGate{changed: make(chan struct{})} }

func (g *callGate) Now() time.Time { return time.Now() }

// Sleep waits until the call may go through, or its ctx ends.
func (g *callGate) Sleep(ctx context.Context, d time.Duration) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.counts.started++
	g.notify()
	for !g.opened && (d >= heldLatency || g.counts.passed >= g.allowed) {
		changed := g.changed
		g.mu.Unlock()
		select {
		case <-changed:
			g.mu.Lock()
		case <-ctx.Done():
			g.mu.Lock()
			g.counts.cancelled++
			g.notify()
			return ctx.Err()
		}
	}
	g.counts.passed++
	g.notify()
	return nil
}

// notify wakes the waiters; g.mu is held.
func (g *callGate) notify() {
	close(g.changed)
	g.changed = make(chan struct{})
}

func (g *callGate) now() gateCounts {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.counts
}

func (g *callGate) allow(n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.allowed = n
	g.notify()
}

// another lets one more call through than have gone through so far, if
// fewer are allowed.
func (g *callGate) another() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.allowed = max(g.allowed, g.counts.passed+1)
	g.notify()
}

// open lets every call through.
func (g *callGate) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.opened = true
	g.notify()
}

// progressBound is how long a test on a callGate waits for progress that
// comes within the lease TTL and a takeover: it only tells a stuck engine
// from a slow one.
const progressBound = 2 * time.Minute

// drive lets calls through, up to limit in all, until done holds (it is
// polled: it may read the store), and then lets no more through.
func (g *callGate) drive(t *testing.T, what string, limit int, done func(gateCounts) bool) {
	t.Helper()
	g.allow(limit)
	deadline := time.Now().Add(progressBound)
	for {
		c := g.now()
		if done(c) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no progress in %v (%d calls started, %d let through of %d, %d cancelled)", what, progressBound, c.started, c.passed, limit, c.cancelled)
		}
		time.Sleep(10 * time.Millisecond) // polls progress
	}
	g.allow(g.now().passed) // no more until the next stage
}

// A plan larger than etcd takes in one request (its items, text and
// encoding: one value) is kept whole.
func TestReplicas_LargePlan(t *testing.T) {
	ctx := context.Background()
	ms := etcdtest.Start(t, etcdtest.Options{NoFsync: true})
	p, err := sim.New(sim.Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	e, _ := openReplica(t, etcdtest.Endpoints(ms), p)
	ref := engine.StackRef{Name: "s"}
	if _, err := e.CreateStack(ctx, engine.CreateStackRequest{Name: ref.Name}); err != nil {
		t.Fatal(err)
	}
	const n = 4000
	body := fmt.Sprintf("resource \"sim_item\" \"i\" {\n  count = %d\n  name = \"item-${count.index}\"\n}\n", n)
	pr, err := e.CreateExecutionPlan(ctx, engine.CreateExecutionPlanRequest{StackRef: ref, PlanName: "p", TemplateInput: engine.TemplateInput{TemplateBody: body}})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := e.WaitExecutionPlan(ctx, pr); err != nil || got.Status != formation.PlanAvailable {
		t.Fatalf("plan: %+v, %v", got, err)
	}
	items, err := e.GetExecutionPlan(ctx, pr)
	if err != nil {
		t.Fatal(err)
	}
	if len(items.Items) != n {
		t.Errorf("the plan holds %d items, want %d", len(items.Items), n)
	}
}
