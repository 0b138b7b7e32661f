package engine

import (
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
)

// heldStore holds back, or fails, the commit of the first transaction that
// writes at least threshold intents: the group of intents the executor
// commits while the first operations run.
type heldStore struct {
	store.Store
	threshold int
	release   chan struct{} // closed to let the held commit go on
	fail      error         // when set, the held commit fails with it instead
	held      bool
}

func (s *heldStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.Update(ctx, func(tx store.Tx) error {
		ct := &countingTx{Tx: tx}
		if err := fn(ct); err != nil {
			return err
		}
		if ct.intents < s.threshold || s.held {
			return nil
		}
		s.held = true // Update calls are serialised by the writer
		<-s.release
		return s.fail
	})
}

type countingTx struct {
	store.Tx
	intents int
}

func (t *countingTx) Put(b store.Bucket, key, value []byte) error {
	if b == store.Journal {
		t.intents++
	}
	return t.Tx.Put(b, key, value)
}

// Six independent creations at parallelism 2: two intents are committed
// before anything runs, the other four while those two run. None of the
// four may reach its provider before its intent is durable.
func TestExecutor_LaterIntentsPrecedeTheirCalls(t *testing.T) {
	const six = `
resource "sim_item" "i" {
  count = 6
  name  = "i-${count.index}"
}
`
	for _, fail := range []error{nil, errors.New("disk full")} {
		synctest.Test(t, func(t *testing.T) {
			st := &heldStore{Store: store.NewMemory(), threshold: 4, release: make(chan struct{}), fail: fail}
			let := sync.OnceFunc(func() { close(st.release) })
			t.Cleanup(let) // a failed check must not leave the bubble blocked
			e, p, _ := simTestEngine(t, sim.Config{Seed: 1}, Config{Store: st, Parallelism: 2})
			res, err := e.CreateStack(context.Background(), CreateStackRequest{Name: "s", Template: TemplateInput{TemplateBody: six}})
			if err != nil {
				t.Fatal(err)
			}
			synctest.Wait()
			if !st.held {
				t.Fatal("no commit of four intents was held")
			}
			if n := len(p.Calls()); n != 2 {
				t.Fatalf("%d provider calls while the later intents are not committed, want the 2 first ones", n)
			}
			let()
			if fail != nil {
				// The store failed: the later operations never run, and
				// the deployment is left for recovery.
				synctest.Wait()
				if n := len(p.Calls()); n != 2 {
					t.Fatalf("%d provider calls after the later intents failed to commit, want 2", n)
				}
				return
			}
			out, err := e.Wait(context.Background(), res.DeploymentID)
			if err != nil || out.Status != formation.StackDeploymentComplete {
				t.Fatalf("deployment ended %+v, %v", out, err)
			}
			if n := len(p.Calls()); n != 6 {
				t.Fatalf("%d provider calls, want 6", n)
			}
		})
	}
}
