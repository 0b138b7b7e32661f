package sim_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/zclconf/go-cty/cty"
)

// TestProvider_Concurrent drives every entry point from many goroutines, as
// the engine does, and checks the world and its persisted copy agree
// afterwards. Run it with -race.
func TestProvider_Concurrent(t *testing.T) {
	ctx := context.Background()
	store := sim.NewMemoryWorld()
	p := newSim(t, sim.Config{Seed: 8, UseCatalog: true, World: store, Faults: []sim.Fault{
		{Match: sim.Match{Op: sim.OpCreate}, Probability: 0.2, Transient: true, AfterEffect: true},
	}})
	schema, _ := p.Schema("huaweicloud_vpc")
	const workers, perWorker = 8, 40
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				address := fmt.Sprintf("huaweicloud_vpc.v[%d]", w*perWorker+i)
				planned, _ := schema.PlannedValue(vpc(address, "10.0.0.0/16"))
				req := provider.CreateRequest{TypeName: "huaweicloud_vpc", Address: address, Config: planned, Token: "dep/" + address}
				var resp provider.CreateResponse
				var err error
				for attempt := 1; attempt <= 10; attempt++ {
					req.Attempt = attempt
					if resp, err = p.Create(ctx, req); !errors.Is(err, provider.ErrTransient) {
						break
					}
				}
				if err != nil {
					t.Errorf("create %s: %v", address, err)
					return
				}
				if _, err := p.Read(ctx, provider.ReadRequest{TypeName: "huaweicloud_vpc", ID: resp.ID}); err != nil {
					t.Errorf("read %s: %v", address, err)
				}
				switch i % 4 {
				case 1:
					next, _ := schema.PlannedUpdate(resp.State, vpc("renamed", "10.0.0.0/16"))
					if _, err := p.Update(ctx, provider.UpdateRequest{TypeName: "huaweicloud_vpc", ID: resp.ID, Prior: resp.State, Planned: next}); err != nil {
						t.Errorf("update %s: %v", address, err)
					}
				case 2:
					if err := p.Delete(ctx, provider.DeleteRequest{TypeName: "huaweicloud_vpc", ID: resp.ID}); err != nil {
						t.Errorf("delete %s: %v", address, err)
					}
				case 3:
					if err := p.Drift(ctx, resp.ID, map[string]cty.Value{"description": cty.StringVal("drift")}); err != nil {
						t.Errorf("drift %s: %v", address, err)
					}
				}
				_ = p.Calls()
				_ = p.Resources()
			}
		}()
	}
	wg.Wait()

	live := p.Resources()
	if want := workers * perWorker * 3 / 4; len(live) != want {
		t.Fatalf("%d live resources, want %d", len(live), want)
	}
	reopened := newSim(t, sim.Config{Seed: 8, UseCatalog: true, World: store}).Resources()
	if len(reopened) != len(live) {
		t.Fatalf("persisted %d resources, memory has %d", len(reopened), len(live))
	}
	for i := range live {
		if live[i].ID != reopened[i].ID || !live[i].State.RawEquals(reopened[i].State) {
			t.Fatalf("resource %d differs after reopen:\n%#v\n%#v", i, live[i].State, reopened[i].State)
		}
	}
}
