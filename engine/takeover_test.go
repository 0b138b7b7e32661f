package engine_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
)

// sharedMemory is one engine's view of a Memory that several engines in a
// test share (store.Shared), so that each takes over what no engine runs.
// Its claims are the Memory's: never lost. Its first Claim, if hold is
// set, says so on claiming and waits until the test closes resume.
type sharedMemory struct {
	*store.Memory
	name string

	hold     bool
	claiming chan struct{}
	resume   chan struct{}
	once     sync.Once
}

func (m *sharedMemory) Shared() string { return "test:" + m.name }

// Close leaves the Memory to the others.
func (m *sharedMemory) Close() error { return nil }

func (m *sharedMemory) Claim(ctx context.Context, name string) (store.Claim, error) {
	if m.hold {
		m.once.Do(func() {
			close(m.claiming)
			<-m.resume
		})
	}
	return m.Memory.Claim(ctx, name)
}

// An engine that finds a deployment in progress and claims its stack just
// after the engine running it ended it (the claim free again) finds it no
// longer running, and its Wait reports the deployment's end from the
// store: it was reported as failing, 'the stack is no longer running this
// deployment' (RF.10010002), which TestReplicas_EtcdMembersDieUnderLoad
// met under load, where the engine waiting was not the one that ended it.
func TestTakeover_OfADeploymentThatJustEnded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		mem := store.NewMemory()
		defer mem.Close()
		p, err := sim.New(sim.Config{Seed: 1, Latency: []sim.LatencyRule{{Match: sim.Match{Op: sim.OpCreate}, Duration: 10 * time.Second}}})
		if err != nil {
			t.Fatal(err)
		}
		a, err := engine.New(engine.Config{Store: &sharedMemory{Memory: mem, name: "a"}, DefaultProvider: p, TakeoverInterval: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		storeB := &sharedMemory{Memory: mem, name: "b", hold: true, claiming: make(chan struct{}), resume: make(chan struct{})}
		b, err := engine.New(engine.Config{Store: storeB, DefaultProvider: p, TakeoverInterval: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()

		const body = "resource \"sim_item\" \"i\" {\n  count = 3\n  name  = \"i${count.index}\"\n}\n"
		res, err := a.CreateStack(ctx, engine.CreateStackRequest{Name: "s", TemplateInput: engine.TemplateInput{TemplateBody: body}})
		if err != nil {
			t.Fatal(err)
		}
		<-storeB.claiming // b found the deployment in progress, and claims its stack
		if out, err := a.Wait(ctx, res.DeploymentRef); err != nil || !out.Succeeded() {
			t.Fatalf("the deployment on the engine running it: %+v, %v", out, err)
		}
		close(storeB.resume) // b's claim comes once a has let go of it
		synctest.Wait()
		out, err := b.Wait(ctx, res.DeploymentRef)
		if err != nil || out.Status != formation.StackDeploymentComplete {
			t.Fatalf("the deployment on the engine that claimed it after its end: %+v, %v; want DEPLOYMENT_COMPLETE", out, err)
		}
		if n := len(p.Resources()); n != 3 {
			t.Errorf("the cloud holds %d resources, want 3", n)
		}
	})
}
