package engine

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
)

// releasingStore refuses the first claim of a deploy as if the previous
// operation of the stack still held it, and that operation had released
// it by the time launch looked (the interleaving the HTTP load test met
// once in 14,000 deployments).
type releasingStore struct {
	store.Store
	refuse atomic.Bool
}

func (s *releasingStore) Claim(ctx context.Context, name string) (store.Claim, error) {
	if s.refuse.CompareAndSwap(true, false) {
		return nil, store.ErrorClaimed(name)
	}
	return s.Store.Claim(ctx, name)
}

// A deployment whose stack's claim its engine's previous operation
// released between the refusal and launch's look at what it holds is
// claimed again and runs: accepted, it must not be lost.
func TestLaunch_ClaimReleasedMeanwhile(t *testing.T) {
	st := &releasingStore{Store: store.NewMemory()}
	e, _, _ := simTestEngine(t, sim.Config{Seed: 1}, Config{Store: st})
	ctx := context.Background()
	if _, err := e.CreateStack(ctx, CreateStackRequest{Name: "s"}); err != nil {
		t.Fatal(err)
	}
	st.refuse.Store(true)
	dep, err := e.DeployStack(ctx, DeployStackRequest{StackRef: StackRef{Name: "s"},
		TemplateInput: TemplateInput{TemplateBody: `resource "sim_item" "i" { name = "a" }`}})
	if err != nil {
		t.Fatal(err)
	}
	if st.refuse.Load() {
		t.Fatal("the deployment never asked for the claim")
	}
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	res, err := e.Wait(wait, dep)
	if err != nil || res.Status != formation.StackDeploymentComplete {
		t.Fatalf("the deployment ended %+v, %v; want DEPLOYMENT_COMPLETE", res, err)
	}
}
