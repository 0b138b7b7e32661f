package engine_test

import (
	"context"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
)

// TestShutdown: Shutdown lets the provider call in flight finish and
// records it, starts nothing more, and leaves the rest to the next open;
// Close, and a Shutdown whose context ends first, cancel the call in
// flight instead. Either way the deployment resumes to its end with each
// resource created once. In a synctest bubble, each creation takes exactly
// ten simulated seconds and the shutdown begins five seconds into the
// first one.
func TestShutdown(t *testing.T) {
	const creation = 10 * time.Second
	for _, c := range []struct {
		name     string
		stop     func(*engine.Engine) error
		took     time.Duration // from the start of the shutdown to its end
		finished int           // creations the interrupted engine finished
	}{
		{"Shutdown", func(e *engine.Engine) error { return e.Shutdown(context.Background()) }, creation / 2, 1},
		{"Close", (*engine.Engine).Close, 0, 0},
		{"ShutdownDeadline", func(e *engine.Engine) error {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			return e.Shutdown(ctx)
		}, time.Second, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				db := filepath.Join(t.TempDir(), "s.db")
				p, err := sim.New(sim.Config{Latency: []sim.LatencyRule{{Duration: creation}}})
				if err != nil {
					t.Fatal(err)
				}
				ctx := context.Background()
				e, err := engine.Open(db, engine.Config{DefaultProvider: p, Parallelism: 1})
				if err != nil {
					t.Fatal(err)
				}
				body := ""
				for _, name := range []string{"a", "b", "c"} {
					body += `resource "huaweicloud_vpc" "` + name + `" {
  name = "` + name + `"
  cidr = "10.0.0.0/16"
}
`
				}
				if _, err := e.CreateStack(ctx, engine.CreateStackRequest{Name: "web", TemplateInput: engine.TemplateInput{TemplateBody: body}}); err != nil {
					t.Fatal(err)
				}
				time.Sleep(creation / 2)
				start := time.Now()
				if err := c.stop(e); err != nil {
					t.Fatal(err)
				}
				if took := time.Since(start); took != c.took {
					t.Errorf("stopping took %s, want %s", took, c.took)
				}
				if _, err := e.ListStacks(ctx, engine.ListStacksRequest{}); !formation.HasCode(err, formation.CodeUnavailable) {
					t.Errorf("a call after stopping: %v, want %s", err, formation.CodeUnavailable)
				}
				if got := len(p.Resources()); got != c.finished {
					t.Fatalf("after stopping the cloud has %d resources, want %d", got, c.finished)
				}

				e, err = engine.Open(db, engine.Config{DefaultProvider: p, Parallelism: 1})
				if err != nil {
					t.Fatal(err)
				}
				defer e.Close()
				s, err := e.WaitStack(ctx, engine.StackRef{Name: "web"})
				if err != nil || s.Status != formation.StackCreationComplete && s.Status != formation.StackDeploymentComplete {
					t.Fatalf("after reopening: %s, %v", s.Status, err)
				}
				if got := len(p.Resources()); got != 3 {
					t.Errorf("the resumed deployment left %d resources in the cloud, want 3", got)
				}
				page, err := e.ListStackResources(ctx, engine.ListStackResourcesRequest{StackRef: engine.StackRef{Name: "web"}})
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range page.StackResources {
					if r.ResourceStatus != formation.ResourceCreationComplete {
						t.Errorf("%s is %s", r.LogicalResourceName, r.ResourceStatus)
					}
				}
				if len(page.StackResources) != 3 {
					t.Errorf("%d resources recorded, want 3", len(page.StackResources))
				}
			})
		})
	}
}

// TestShutdown_AbandonsTheRefresh: a shutdown during a deployment's
// refresh does not wait for the reads (they change nothing), and the
// deployment resumes to its end at the next open. Reads take ten
// simulated seconds each; the shutdown comes five seconds in.
func TestShutdown_AbandonsTheRefresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "s.db")
		world := sim.NewMemoryWorld()
		cloud := func(read time.Duration) *sim.Provider {
			p, err := sim.New(sim.Config{World: world, Latency: []sim.LatencyRule{{Match: sim.Match{Op: sim.OpRead}, Duration: read}}})
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		ctx := context.Background()
		body := func(cidr string) string {
			return `resource "huaweicloud_vpc" "a" {
  name = "a"
  cidr = "` + cidr + `"
}
`
		}
		e, err := engine.Open(db, engine.Config{DefaultProvider: cloud(0)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.CreateStack(ctx, engine.CreateStackRequest{Name: "web", TemplateInput: engine.TemplateInput{TemplateBody: body("10.0.0.0/16")}}); err != nil {
			t.Fatal(err)
		}
		if s, err := e.WaitStack(ctx, engine.StackRef{Name: "web"}); err != nil || s.Status != formation.StackCreationComplete && s.Status != formation.StackDeploymentComplete {
			t.Fatalf("creating: %s, %v", s.Status, err)
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}

		e, err = engine.Open(db, engine.Config{DefaultProvider: cloud(10 * time.Second)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.DeployStack(ctx, engine.DeployStackRequest{StackRef: engine.StackRef{Name: "web"}, TemplateInput: engine.TemplateInput{TemplateBody: body("10.1.0.0/16")}}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Second)
		start := time.Now()
		if err := e.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took != 0 {
			t.Errorf("the shutdown waited %s for the refresh", took)
		}

		e, err = engine.Open(db, engine.Config{DefaultProvider: cloud(0)})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		s, err := e.WaitStack(ctx, engine.StackRef{Name: "web"})
		if err != nil || s.Status != formation.StackDeploymentComplete {
			t.Fatalf("after reopening: %s (%s), %v", s.Status, s.StatusMessage, err)
		}
	})
}
