package formation_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
)

// Two engines on one store, each with its own simulated provider on the
// world the store keeps (as engine replicas have), both opened before
// anything was deployed: what one creates, the other updates and deletes,
// and the simulated cloud matches the stack at every step.
func TestWorld_TwoEnginesShareTheStoresWorld(t *testing.T) {
	st := store.NewMemory()
	open := func() *engine.Engine {
		p, err := sim.New(sim.Config{Seed: 1, UseCatalog: true, World: sim.StoreWorld{Store: st}})
		if err != nil {
			t.Fatal(err)
		}
		e, err := engine.New(engine.Config{Store: st, DefaultProvider: p, RetryPause: 1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = e.Close() })
		return e
	}
	a, b := open(), open()
	body := func(name string) string {
		return `resource "huaweicloud_vpc" "v" {
  count = 3
  name  = "` + name + `-${count.index}"
  cidr  = "10.0.0.0/16"
}
`
	}
	matches := func(when string, e *engine.Engine, name string) {
		t.Helper()
		cloud, err := sim.ReadWorld(context.Background(), sim.StoreWorld{Store: st})
		if err != nil {
			t.Fatal(err)
		}
		var inCloud, inStack []string
		for _, r := range cloud {
			inCloud = append(inCloud, r.ID+" "+r.State.GetAttr("name").AsString())
		}
		for _, r := range resources(t, e, "s") {
			inStack = append(inStack, r.PhysicalResourceID+" "+name+"-"+r.IndexKey)
		}
		slices.Sort(inCloud)
		slices.Sort(inStack)
		if !slices.Equal(inCloud, inStack) {
			t.Fatalf("%s: the cloud has\n%s\nthe stack\n%s", when, strings.Join(inCloud, "\n"), strings.Join(inStack, "\n"))
		}
	}

	created, err := a.CreateStack(context.Background(), engine.CreateStackRequest{Name: "s", TemplateInput: engine.TemplateInput{TemplateBody: body("web")}})
	if err != nil {
		t.Fatal(err)
	}
	if res := wait(t, a, created.DeploymentRef); res.Status != formation.StackDeploymentComplete {
		t.Fatalf("first engine's deployment: %+v", res)
	}
	matches("created by the first engine", a, "web")
	if res := deploy(t, b, "s", body("api")); res.Status != formation.StackDeploymentComplete {
		t.Fatalf("second engine's update: %+v", res)
	}
	matches("updated by the second engine", b, "api")

	dep, err := b.DeleteStack(context.Background(), engine.DeleteStackRequest{StackRef: engine.StackRef{Name: "s"}})
	if err != nil {
		t.Fatal(err)
	}
	wait(t, b, dep)
	cloud, err := sim.ReadWorld(context.Background(), sim.StoreWorld{Store: st})
	if err != nil || len(cloud) != 0 {
		t.Fatalf("after the second engine deleted the stack the cloud holds %+v (%v)", cloud, err)
	}
}

// checkedStore runs check after every commit, as if the process were
// killed right there and the next one looked at what is durable.
type checkedStore struct {
	store.Store
	check func()
}

func (s checkedStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	err := s.Store.Update(ctx, fn)
	s.check()
	return err
}

func (s checkedStore) Batch(ctx context.Context, fn func(store.Tx) error) error {
	err := s.Store.Batch(ctx, fn)
	s.check()
	return err
}

// With the world's writes deferred to the engine's flushes, a kill after any
// commit never leaves a recorded resource missing from the durable world
// (created, then recorded) nor a resource recorded as deleted alive in it
// (deleted, then recorded): checked after every commit of a deployment and
// a deletion.
func TestWorld_DeferredWritesPrecedeTheRecords(t *testing.T) {
	ctx := context.Background()
	mem := store.NewMemory()
	world := sim.StoreWorld{Store: mem}
	p, err := sim.New(sim.Config{Seed: 1, UseCatalog: true, World: world, DeferWrites: true,
		Latency: []sim.LatencyRule{{Duration: 100 * time.Microsecond, Jitter: 400 * time.Microsecond}}})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	deleting, checks := false, 0
	recordedEver := map[string]bool{}
	check := func() {
		mu.Lock()
		defer mu.Unlock()
		checks++
		var ids []string
		for _, c := range p.Calls() {
			if c.Op == sim.OpCreate && c.Err == nil {
				ids = append(ids, c.ID)
			}
		}
		recorded := map[string]bool{}
		_ = mem.View(ctx, func(tx store.Tx) error {
			return tx.Scan(store.Resources, store.ScanOptions{}, func(_, v []byte) (bool, error) {
				for _, id := range ids {
					if bytes.Contains(v, []byte(id)) {
						recorded[id] = true
					}
				}
				return true, nil
			})
		})
		cloud, err := sim.ReadWorld(ctx, world)
		if err != nil {
			t.Error(err)
			return
		}
		live := map[string]bool{}
		for _, r := range cloud {
			live[r.ID] = true
		}
		for id := range recorded {
			recordedEver[id] = true
			if !deleting && !live[id] {
				t.Errorf("resource %s is recorded but not in the durable world: a kill now would lose it", id)
			}
		}
		for id := range recordedEver {
			if deleting && !recorded[id] && live[id] {
				t.Errorf("resource %s is recorded as deleted but lives in the durable world: a kill now would orphan it", id)
			}
		}
	}
	e, err := engine.New(engine.Config{Store: checkedStore{Store: mem, check: check}, DefaultProvider: p, Parallelism: 8, RetryPause: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	body := "resource \"huaweicloud_vpc\" \"v\" {\n  count = 60\n  name  = \"v${count.index}\"\n  cidr  = \"10.0.0.0/16\"\n}\n"
	res, err := e.CreateStack(ctx, engine.CreateStackRequest{Name: "s", TemplateInput: engine.TemplateInput{TemplateBody: body}})
	if err != nil {
		t.Fatal(err)
	}
	if out := wait(t, e, res.DeploymentRef); out.Status != formation.StackDeploymentComplete {
		t.Fatalf("deployment: %+v", out)
	}
	mu.Lock()
	deleting = true
	mu.Unlock()
	dep, err := e.DeleteStack(ctx, engine.DeleteStackRequest{StackRef: engine.StackRef{Name: "s"}})
	if err != nil {
		t.Fatal(err)
	}
	wait(t, e, dep)
	mu.Lock()
	defer mu.Unlock()
	if len(recordedEver) != 60 || checks < 4 {
		t.Fatalf("checked %d commits, which recorded %d resources; want the 60 the deployment made", checks, len(recordedEver))
	}
	if cloud, _ := sim.ReadWorld(ctx, world); len(cloud) != 0 {
		t.Fatalf("after the deletion the durable world holds %d resources", len(cloud))
	}
}
