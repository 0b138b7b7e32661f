package formation_test

import (
	"context"
	"slices"
	"strings"
	"testing"

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
