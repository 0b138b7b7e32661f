package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/formation-engine/formation"
	"github.com/zclconf/go-cty/cty"

	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/store/storetest"
)

// v1 is a stack with one VPC; v2 adds a second, x, whose creation the lost-
// creation tests interfere with.
const (
	v1 = `
resource "huaweicloud_vpc" "a" {
  name = "a"
  cidr = "10.0.0.0/16"
}
`
	v2 = v1 + `
resource "huaweicloud_vpc" "x" {
  name = "x"
  cidr = "10.1.0.0/16"
}
`
)

func simTestEngine(t *testing.T, sc sim.Config, cfg Config) (*Engine, *sim.Provider, store.Store) {
	t.Helper()
	sc.UseCatalog = true
	p, err := sim.New(sc)
	if err != nil {
		t.Fatal(err)
	}
	st := store.NewMemory()
	if cfg.Store == nil {
		cfg.Store = st
	}
	cfg.DefaultProvider = p
	if cfg.RetryPause == 0 {
		cfg.RetryPause = 1
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e, p, st
}

// newStackWithPlan creates an empty stack and an execution plan of body on
// it, waits until the plan is made, and returns the plan's reference.
func newStackWithPlan(t *testing.T, e *Engine, stack, body string) PlanRef {
	t.Helper()
	ctx := context.Background()
	if _, err := e.CreateStack(ctx, CreateStackRequest{Name: stack}); err != nil {
		t.Fatal(err)
	}
	ref := PlanRef{StackRef: StackRef{Name: stack}, PlanName: "p"}
	if _, err := e.CreateExecutionPlan(ctx, CreateExecutionPlanRequest{StackRef: ref.StackRef, PlanName: ref.PlanName, TemplateInput: TemplateInput{TemplateBody: body}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.WaitExecutionPlan(ctx, ref); err != nil {
		t.Fatal(err)
	}
	return ref
}

// An output that fails to evaluate with the applied values is reported as a
// failure (out.ok=false, message set) but the deployment still ends
// DEPLOYMENT_COMPLETE and the stack's outputs silently vanish.
func TestEngine_OutputFailureFailsTheDeployment(t *testing.T) {
	ctx := context.Background()
	e, _, _ := simTestEngine(t, sim.Config{}, Config{})
	body := `
resource "huaweicloud_vpc" "vpc" {
  name = "v"
  cidr = "10.0.0.0/16"
}
output "n" {
  value = tonumber(huaweicloud_vpc.vpc.id)
}
`
	res, err := e.CreateStack(ctx, CreateStackRequest{Name: "s", TemplateInput: TemplateInput{TemplateBody: body}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Wait(ctx, res.DeploymentRef)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := e.GetStackMetadata(ctx, StackRef{Name: "s"})
	t.Logf("result %+v; stack status %s message %q", out, st.Status, st.StatusMessage)
	if out.Message != "" && out.Status == formation.StackDeploymentComplete {
		t.Fatalf("deployment reported failure %q but ended %s", out.Message, out.Status)
	}
}

// unknownStateProvider returns a state with an unknown attribute from
// Create, so the engine cannot encode it.
type unknownStateProvider struct{ *sim.Provider }

func (p unknownStateProvider) Create(ctx context.Context, req provider.CreateRequest) (provider.CreateResponse, error) {
	resp, err := p.Provider.Create(ctx, req)
	if err != nil || req.Address != "huaweicloud_vpc.vpc" {
		return resp, err
	}
	m := resp.State.AsValueMap()
	m["name"] = cty.UnknownVal(cty.String)
	resp.State = cty.ObjectVal(m)
	return resp, nil
}

func (p unknownStateProvider) Configure(ctx context.Context, req provider.ConfigureRequest) (provider.Provider, error) {
	cp, err := p.Provider.Configure(ctx, req)
	if err != nil {
		return nil, err
	}
	return unknownStateProvider{cp.(*sim.Provider)}, nil
}

// succeed() records a failure when the result cannot be encoded, but
// perform() returns nil, so the scheduler counts the node done: dependents
// run and the deployment ends DEPLOYMENT_COMPLETE with a CREATION_FAILED
// resource (and the created object, its intent withdrawn, is unrecorded).
func TestEngine_UnrecordableResultFailsTheOperation(t *testing.T) {
	ctx := context.Background()
	p, err := sim.New(sim.Config{UseCatalog: true})
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(Config{Store: store.NewMemory(), DefaultProvider: unknownStateProvider{p}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	body := `
resource "huaweicloud_vpc" "vpc" {
  name = "v"
  cidr = "10.0.0.0/16"
}
`
	res, err := e.CreateStack(ctx, CreateStackRequest{Name: "s", TemplateInput: TemplateInput{TemplateBody: body}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Wait(ctx, res.DeploymentRef)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("result %+v", out)
	rs, err := e.ListStackResources(ctx, ListStackResourcesRequest{StackRef: StackRef{Name: "s"}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status == formation.StackDeploymentComplete && len(rs.StackResources) != len(p.Resources()) {
		t.Fatalf("deployment ended %s (message %q) with %d resource records, but the cloud holds %d object(s) it created",
			out.Status, out.Message, len(rs.StackResources), len(p.Resources()))
	}
}

// crashProvider stands in for a process killed in the middle of a provider
// call: on the Create of crashAt it performs the side effect, calls crash
// (which snapshots the durable store), and never answers. failReads makes
// the next Reads fail, as during a provider outage.
type crashProvider struct {
	*sim.Provider
	s *crashState
}

type crashState struct {
	crashAt   string // the address whose creation dies
	deleteAt  string // the object id whose deletion dies
	crash     func()
	once      sync.Once
	dead      atomic.Bool
	failReads atomic.Int32
}

func (p crashProvider) Configure(ctx context.Context, req provider.ConfigureRequest) (provider.Provider, error) {
	cp, err := p.Provider.Configure(ctx, req)
	if err != nil {
		return nil, err
	}
	return crashProvider{cp.(*sim.Provider), p.s}, nil
}

func (p crashProvider) Create(ctx context.Context, req provider.CreateRequest) (provider.CreateResponse, error) {
	if p.s.dead.Load() {
		<-ctx.Done()
		return provider.CreateResponse{}, ctx.Err()
	}
	resp, err := p.Provider.Create(ctx, req)
	if req.Address == p.s.crashAt {
		p.s.once.Do(func() { p.s.crash(); p.s.dead.Store(true) })
		<-ctx.Done()
		return provider.CreateResponse{}, ctx.Err()
	}
	return resp, err
}

func (p crashProvider) Delete(ctx context.Context, req provider.DeleteRequest) error {
	if req.ID == "" || req.ID != p.s.deleteAt {
		return p.Provider.Delete(ctx, req)
	}
	p.s.once.Do(func() { p.s.crash(); p.s.dead.Store(true) })
	<-ctx.Done()
	return ctx.Err()
}

func (p crashProvider) Read(ctx context.Context, req provider.ReadRequest) (provider.ReadResponse, error) {
	if p.s.failReads.Add(-1) >= 0 {
		return provider.ReadResponse{}, errors.New("service unavailable")
	}
	return p.Provider.Read(ctx, req)
}

// snapshot copies every committed key of src into a new memory store: what
// a file would hold if the process died now.
func snapshot(t *testing.T, src store.Store) store.Store {
	dst := store.NewMemory()
	err := src.View(context.Background(), func(stx store.Tx) error {
		return dst.Update(context.Background(), func(dtx store.Tx) error {
			for _, b := range store.Buckets() {
				err := stx.Scan(b, store.ScanOptions{}, func(k, v []byte) (bool, error) {
					if b == store.Meta && string(k) == store.SchemaVersionKey {
						return true, nil
					}
					return true, dtx.Put(b, append([]byte(nil), k...), append([]byte(nil), v...))
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		t.Error(err)
	}
	return dst
}

// A crash during a creation leaves an intent. Recovery deletes every intent
// (runPhase, first thing submitted) *before* it re-issues anything; if the
// resumed phase then does not re-issue the creation (planning fails, a
// fail-fast stop, a rollback), the object the lost creation made is
// recorded nowhere: the stack ends ROLLBACK_COMPLETE with an orphan in the
// cloud, and no journal entry is left to settle it.
func TestEngine_RecoverySettlesLostCreations(t *testing.T) {
	ctx := context.Background()
	world, err := sim.New(sim.Config{UseCatalog: true})
	if err != nil {
		t.Fatal(err)
	}
	st1 := store.NewMemory()
	var st2 store.Store
	cs := &crashState{crashAt: "huaweicloud_vpc.x"}
	cs.crash = func() { st2 = snapshot(t, st1) }
	e1, err := New(Config{Store: st1, DefaultProvider: crashProvider{world, cs}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e1.CreateStack(ctx, CreateStackRequest{Name: "s", EnableAutoRollback: true, TemplateInput: TemplateInput{TemplateBody: v1}})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := e1.Wait(ctx, res.DeploymentRef); err != nil || !out.Succeeded() {
		t.Fatal(out, err)
	}
	if _, err := e1.DeployStack(ctx, DeployStackRequest{StackRef: StackRef{Name: "s"}, TemplateInput: TemplateInput{TemplateBody: v2}}); err != nil {
		t.Fatal(err)
	}
	// Wait for the "crash" inside x's Create, then stop the dead process.
	for !cs.dead.Load() {
		time.Sleep(time.Millisecond)
	}
	_ = e1.Close()
	var intents int
	_ = st2.View(ctx, func(tx store.Tx) (err error) {
		intents, err = countKeys(tx, store.Journal, intentPrefix(res.StackID))
		return err
	})
	t.Logf("intents in the crashed store: %d; cloud objects: %d", intents, len(world.Resources()))

	// The next process: its first refresh hits a provider outage.
	cs2 := &crashState{}
	cs2.failReads.Store(1)
	e2, err := New(Config{Store: st2, DefaultProvider: crashProvider{world, cs2}})
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	s, err := e2.WaitStack(ctx, StackRef{Name: "s"})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := e2.ListStackResources(ctx, ListStackResourcesRequest{StackRef: StackRef{Name: "s"}})
	if err != nil {
		t.Fatal(err)
	}
	_ = e2.st.View(ctx, func(tx store.Tx) (err error) {
		intents, err = countKeys(tx, store.Journal, intentPrefix(res.StackID))
		return err
	})
	t.Logf("after recovery: stack %s (%s); %d resource record(s); %d intent(s) left; cloud objects: %d",
		s.Status, s.StatusMessage, len(rs.StackResources), intents, len(world.Resources()))
	if len(world.Resources()) != len(rs.StackResources) && intents == 0 {
		t.Fatalf("stack %s records %d resource(s) and no intent, but the cloud holds %d: the lost creation of x is orphaned",
			s.Status, len(rs.StackResources), len(world.Resources()))
	}
}

// A creation that fails after its side effect (the response was lost) is
// recorded with no id; the auto-rollback that follows plans against the
// records only, so it never deletes the object, and recordUnchanged then
// drops the failed record: ROLLBACK_COMPLETE with an unrecorded object.
func TestEngine_RollbackSettlesLostCreation(t *testing.T) {
	ctx := context.Background()
	e, p, st := simTestEngine(t, sim.Config{Faults: []sim.Fault{{
		// Every try of the deployment (3) loses its response; the rollback's
		// re-issue gets through.
		Match: sim.Match{Op: sim.OpCreate, Address: "huaweicloud_vpc.x"}, Times: 3, Transient: true, AfterEffect: true, Message: "response lost",
	}}}, Config{})
	res, err := e.CreateStack(ctx, CreateStackRequest{Name: "s", EnableAutoRollback: true, TemplateInput: TemplateInput{TemplateBody: v1}})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := e.Wait(ctx, res.DeploymentRef); err != nil || !out.Succeeded() {
		t.Fatal(out, err)
	}
	dep, err := e.DeployStack(ctx, DeployStackRequest{StackRef: StackRef{Name: "s"}, TemplateInput: TemplateInput{TemplateBody: v2}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Wait(ctx, dep)
	if err != nil {
		t.Fatal(err)
	}
	rs, _ := e.ListStackResources(ctx, ListStackResourcesRequest{StackRef: StackRef{Name: "s"}})
	if out.Status != formation.StackRollbackComplete || len(p.Resources()) != len(rs.StackResources) {
		t.Fatalf("%s with %d resource record(s), but the cloud holds %d objects", out.Status, len(rs.StackResources), len(p.Resources()))
	}
	if n := countIntents(t, st); n != 0 {
		t.Fatalf("%d intents left after the lost creation was settled", n)
	}
}

// A provider that loses every response cannot be settled; the lost
// creation's intent then stays, for a later deployment to settle, rather
// than being forgotten.
func TestEngine_UnsettleableCreationKeepsItsIntent(t *testing.T) {
	ctx := context.Background()
	e, p, st := simTestEngine(t, sim.Config{Faults: []sim.Fault{{
		Match: sim.Match{Op: sim.OpCreate, Address: "huaweicloud_vpc.x"}, Transient: true, AfterEffect: true, Message: "response lost",
	}}}, Config{})
	res, err := e.CreateStack(ctx, CreateStackRequest{Name: "s", EnableAutoRollback: true, TemplateInput: TemplateInput{TemplateBody: `
resource "huaweicloud_vpc" "x" {
  name = "x"
  cidr = "10.1.0.0/16"
}`}})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := e.Wait(ctx, res.DeploymentRef); err != nil || out.Status != formation.StackRollbackComplete {
		t.Fatalf("%+v, %v", out, err)
	}
	if len(p.Resources()) != 1 || countIntents(t, st) != 1 {
		t.Fatalf("cloud %d objects, %d intents: the unsettled creation must stay in the journal", len(p.Resources()), countIntents(t, st))
	}
}

func countIntents(t *testing.T, st store.Store) int {
	t.Helper()
	n := 0
	for k := range storetest.Dump(t, st)[store.Journal] {
		if strings.Contains(k, "/i/") {
			n++
		}
	}
	return n
}

// With KeepGoing, run() appends "the deployment timed out" every time a
// running operation finishes after the deadline while others are ready, so
// one timeout is counted as several failed operations.
func TestEngine_TimeoutCountedOnce(t *testing.T) {
	ctx := context.Background()
	e, _, _ := simTestEngine(t, sim.Config{Latency: []sim.LatencyRule{{Duration: 300 * time.Millisecond}}},
		Config{DeploymentTimeout: 50 * time.Millisecond})
	body := ""
	for i := range 6 {
		body += fmt.Sprintf("resource \"huaweicloud_vpc\" \"v%d\" {\n  name = \"v%d\"\n  cidr = \"10.%d.0.0/16\"\n}\n", i, i, i)
	}
	res, err := e.CreateStack(ctx, CreateStackRequest{Name: "s", TemplateInput: TemplateInput{TemplateBody: body},
		Options: DeployOptions{Parallelism: 3, KeepGoing: true}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Wait(ctx, res.DeploymentRef)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.Message, "timed out"); n > 1 || strings.HasPrefix(out.Message, "6 ") {
		t.Fatalf("status message: %q", out.Message)
	}
	t.Logf("status message: %q", out.Message)
}
