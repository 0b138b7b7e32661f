package rfsapi_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/rfsapi"
	"github.com/formation-engine/formation/store"
)

// A deployment a shutdown interrupts resumes when the projects are opened
// again over the file, in its project, and makes nothing twice.
func TestProjects_ResumeAfterReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "formation.db")
	open := func(sc sim.Config) (*rfsapi.StoreProjects, *sim.Provider) {
		t.Helper()
		st, err := store.OpenBolt(path, store.BoltOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sc.UseCatalog, sc.World = true, sim.StoreWorld{Store: st}
		cloud, err := sim.New(sc)
		if err != nil {
			t.Fatal(err)
		}
		p, err := rfsapi.OpenProjects(ctx, st, engine.Config{DefaultProvider: cloud}, 0)
		if err != nil {
			t.Fatal(err)
		}
		return p, cloud
	}
	// The subnet's creation takes an hour: the shutdown comes first.
	slow := []sim.LatencyRule{{Match: sim.Match{Op: sim.OpCreate, Address: "huaweicloud_vpc_subnet.subnet"}, Duration: time.Hour}}
	projects, _ := open(sim.Config{Seed: 1, Latency: slow})
	e, err := projects.Engine(ctx, project)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.CreateStack(ctx, engine.CreateStackRequest{Name: "net", TemplateInput: engine.TemplateInput{TemplateBody: network}}); err != nil {
		t.Fatal(err)
	}
	if err := projects.Close(); err != nil {
		t.Fatal(err)
	}

	projects, cloud := open(sim.Config{Seed: 1})
	defer projects.Close()
	// The default project always runs: it is what the CLI sees.
	if got := projects.List(); !slices.Equal(got, []string{project, rfsapi.DefaultProject}) {
		t.Fatalf("reopened projects %v, want [%s %s]", got, project, rfsapi.DefaultProject)
	}
	e, err = projects.Engine(ctx, project)
	if err != nil {
		t.Fatal(err)
	}
	s, err := e.WaitStack(ctx, engine.StackRef{Name: "net"})
	if err != nil || s.Status != formation.StackDeploymentComplete {
		t.Fatalf("after reopening: %+v, %v", s, err)
	}
	if n := len(cloud.Resources()); n != 2 {
		t.Fatalf("the cloud holds %d resources, want 2", n)
	}
	other, err := projects.Engine(ctx, "another")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.GetStackMetadata(ctx, engine.StackRef{Name: "net"}); !formation.HasCode(err, formation.CodeStackNotFound) {
		t.Fatalf("another project sees the stack: %v", err)
	}
}
