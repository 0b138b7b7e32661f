package engine

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
)

// gatedSim is the simulated provider whose creation of the resource at
// address gate waits, after signalling entered, until release is closed.
type gatedSim struct {
	*sim.Provider
	*gate
}

type gate struct {
	addr     string
	entered  chan struct{}
	release  chan struct{}
	released bool
}

// Configure keeps the gate on the configured provider.
func (g *gatedSim) Configure(ctx context.Context, req provider.ConfigureRequest) (provider.Provider, error) {
	cp, err := g.Provider.Configure(ctx, req)
	if err != nil {
		return nil, err
	}
	return &gatedSim{Provider: cp.(*sim.Provider), gate: g.gate}, nil
}

func (g *gatedSim) Create(ctx context.Context, req provider.CreateRequest) (provider.CreateResponse, error) {
	if req.Address == g.addr {
		close(g.entered)
		select {
		case <-g.release:
		case <-ctx.Done():
			return provider.CreateResponse{}, ctx.Err()
		}
	}
	return g.Provider.Create(ctx, req)
}

// testImportRace races two stacks importing one object: stack a's import
// waits for a creation the test holds, and stack b imports the object
// meanwhile. Checked before either recorded it, both imports passed, and
// both stacks recorded the object; the ownership record a's deployment
// writes when it starts makes b's import find the object taken.
func testImportRace(t *testing.T, st store.Store) {
	ctx := context.Background()
	sp, err := sim.New(sim.Config{UseCatalog: true})
	if err != nil {
		t.Fatal(err)
	}
	p := &gatedSim{Provider: sp, gate: &gate{addr: "huaweicloud_vpc.gate", entered: make(chan struct{}), release: make(chan struct{})}}
	e, err := New(Config{Store: st, DefaultProvider: p, RetryPause: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !p.released {
			close(p.release)
		}
		_ = e.Close()
	})
	vpc := outsideVPC(t, sp)
	for _, name := range []string{"a", "b"} {
		if _, err := e.CreateStack(ctx, CreateStackRequest{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	gated := `
resource "huaweicloud_vpc" "gate" {
  name = "gate"
  cidr = "10.1.0.0/16"
}
` + strings.Replace(importVPC("vpc", vpc.ID), `cidr = "10.0.0.0/16"`, "cidr = \"10.0.0.0/16\"\n  depends_on = [huaweicloud_vpc.gate]", 1)
	depA, err := e.DeployStack(ctx, DeployStackRequest{StackRef: StackRef{Name: "a"}, TemplateInput: TemplateInput{TemplateBody: gated}})
	if err != nil {
		t.Fatal(err)
	}
	aDone := make(chan Result, 1)
	go func() {
		out, _ := e.Wait(ctx, depA)
		aDone <- out
	}()
	select {
	case <-p.entered: // a's deployment runs, its import not recorded yet
	case out := <-aDone:
		t.Fatalf("a's deployment ended before creating the gate: %+v", out)
	}

	depB, err := e.DeployStack(ctx, DeployStackRequest{StackRef: StackRef{Name: "b"}, TemplateInput: TemplateInput{TemplateBody: importVPC("vpc", vpc.ID)}})
	switch {
	case formation.HasCode(err, formation.CodeImportConflict):
		// refused at once: a's deployment holds the object
	case err != nil:
		t.Fatal(err)
	default:
		out, err := e.Wait(ctx, depB)
		if err != nil || out.Status != formation.StackDeploymentFailed || !strings.Contains(out.Message, `stack "a"`) {
			t.Errorf("b imports the VPC a is importing: %+v, %v; want %s, or DEPLOYMENT_FAILED naming stack a", out, err, formation.CodeImportConflict)
		}
	}

	close(p.release)
	p.released = true
	if out, err := e.Wait(ctx, depA); err != nil || out.Status != formation.StackDeploymentComplete {
		t.Fatalf("a imports the VPC: %+v, %v", out, err)
	}
	for _, r := range listResources(t, e, "b") {
		if r.PhysicalResourceID == vpc.ID {
			t.Errorf("b records the VPC a imported: %+v", r)
		}
	}
	recorded := false
	for _, r := range listResources(t, e, "a") {
		recorded = recorded || r.PhysicalResourceID == vpc.ID
	}
	if !recorded {
		t.Error("a does not record the VPC it imported")
	}
}

func TestEngine_ImportRace(t *testing.T) {
	t.Run("memory", func(t *testing.T) { testImportRace(t, store.NewMemory()) })
	t.Run("bbolt", func(t *testing.T) {
		st, err := store.OpenBolt(filepath.Join(t.TempDir(), "f.db"), store.BoltOptions{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		testImportRace(t, st)
	})
}
