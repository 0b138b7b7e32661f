package engine

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
)

// heldStore holds back, or fails, the commit of the holdAt-th transaction
// that writes intents. The first holds the intents of the operations that
// start at once; the next ones, those the executor commits while they run.
type heldStore struct {
	store.Store
	holdAt  int
	release chan struct{} // closed to let the held commit go on
	fail    error         // when set, the held commit fails with it instead
	seen    int           // transactions with intents so far
	held    bool
}

func (s *heldStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.Update(ctx, func(tx store.Tx) error {
		ct := &countingTx{Tx: tx}
		if err := fn(ct); err != nil {
			return err
		}
		if ct.intents == 0 || s.held {
			return nil
		}
		if s.seen++; s.seen < s.holdAt { // the intents' writer commits one at a time
			return nil
		}
		s.held = true
		<-s.release
		return s.fail
	})
}

type countingTx struct {
	store.Tx
	intents int
}

func (t *countingTx) Put(b store.Bucket, key, value []byte) error {
	if b == store.Journal && bytes.Contains(key, []byte("/i/")) {
		t.intents++ // not the creation generations the results advance
	}
	return t.Tx.Put(b, key, value)
}

// Fourteen independent creations at parallelism 2: two intents are
// committed before anything runs, the other twelve while those two run, in
// groups of 2, 4 and 6. None of the twelve may reach its provider before
// its intent is durable, and a held group does not hold up the ones
// before it.
func TestExecutor_LaterIntentsPrecedeTheirCalls(t *testing.T) {
	const fourteen = `
resource "sim_item" "i" {
  count = 14
  name  = "i-${count.index}"
}
`
	for _, tc := range []struct {
		holdAt, calls int // which intent transaction is held; calls made meanwhile
		fail          error
	}{
		{holdAt: 2, calls: 2},
		{holdAt: 3, calls: 4},
		{holdAt: 2, calls: 2, fail: errors.New("disk full")},
	} {
		synctest.Test(t, func(t *testing.T) {
			st := &heldStore{Store: store.NewMemory(), holdAt: tc.holdAt, release: make(chan struct{}), fail: tc.fail}
			let := sync.OnceFunc(func() { close(st.release) })
			t.Cleanup(let) // a failed check must not leave the bubble blocked
			e, p, _ := simTestEngine(t, sim.Config{Seed: 1}, Config{Store: st, Parallelism: 2})
			res, err := e.CreateStack(context.Background(), CreateStackRequest{Name: "s", TemplateInput: TemplateInput{TemplateBody: fourteen}})
			if err != nil {
				t.Fatal(err)
			}
			synctest.Wait()
			if !st.held {
				t.Fatal("no commit of later intents was held")
			}
			if n := len(p.Calls()); n != tc.calls {
				t.Fatalf("%d provider calls while intent transaction %d is held, want %d", n, tc.holdAt, tc.calls)
			}
			let()
			if tc.fail != nil {
				// The store failed: the later operations never run, and
				// the deployment is left for recovery.
				synctest.Wait()
				if n := len(p.Calls()); n != tc.calls {
					t.Fatalf("%d provider calls after the later intents failed to commit, want %d", n, tc.calls)
				}
				return
			}
			out, err := e.Wait(context.Background(), res.DeploymentRef)
			if err != nil || out.Status != formation.StackDeploymentComplete {
				t.Fatalf("deployment ended %+v, %v", out, err)
			}
			if n := len(p.Calls()); n != 14 {
				t.Fatalf("%d provider calls, want 14", n)
			}
		})
	}
}

// A resource is listed with its operation's IN_PROGRESS status while the
// operation runs, and with the outcome once it has finished: the start
// leaves the record to the result only when the result is already queued.
func TestExecutor_RecordInProgressWhileTheOperationRuns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		e, _, _ := simTestEngine(t, sim.Config{Seed: 1, Latency: []sim.LatencyRule{{Match: sim.Match{Address: "huaweicloud_vpc.slow"}, Duration: time.Minute}}}, Config{})
		res, err := e.CreateStack(ctx, CreateStackRequest{Name: "s", TemplateInput: TemplateInput{TemplateBody: `resource "huaweicloud_vpc" "slow" {
  name = "slow"
  cidr = "10.0.0.0/16"
}
resource "huaweicloud_vpc" "fast" {
  name = "fast"
  cidr = "10.1.0.0/16"
}
`}})
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second) // the fast creation and the slow one's start are committed
		statuses := func() map[string]formation.ResourceStatus {
			out := map[string]formation.ResourceStatus{}
			for _, r := range listResources(t, e, "s") {
				out[r.LogicalResourceName] = r.ResourceStatus
			}
			return out
		}
		if got := statuses(); got["slow"] != formation.ResourceCreationInProgress || got["fast"] != formation.ResourceCreationComplete {
			t.Fatalf("while the slow creation runs: %v", got)
		}
		if out, err := e.Wait(ctx, res.DeploymentRef); err != nil || out.Status != formation.StackCreationComplete && out.Status != formation.StackDeploymentComplete {
			t.Fatalf("deployment ended %+v, %v", out, err)
		}
		if got := statuses(); got["slow"] != formation.ResourceCreationComplete || got["fast"] != formation.ResourceCreationComplete {
			t.Fatalf("after the deployment: %v", got)
		}
	})
}
