//go:build etcd

package engine

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/store/etcd"
	"github.com/formation-engine/formation/store/etcd/etcdtest"
)

// The engine on etcd (go test -tags etcd ./engine -run 'ImportR|Drift_Many'),
// as the fencing test (fencing_etcd_test.go): they link etcd's server,
// hence the build tag; .ci/run runs them.

func openEtcd(t *testing.T) *etcd.Store {
	t.Helper()
	ms := etcdtest.Start(t, etcdtest.Options{NoFsync: true})
	st, err := etcd.Open(context.Background(), etcd.Options{Endpoints: etcdtest.Endpoints(ms)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func TestEngine_ImportRace_Etcd(t *testing.T) { testImportRace(t, openEtcd(t)) }

// barrierStore holds the first two transactions that write an ownership
// record at that write until both got there: each has read the record
// absent, and neither committed. etcd runs transactions optimistically,
// so both may; only its comparison of what each read lets one commit.
type barrierStore struct {
	*etcd.Store
	mu      sync.Mutex
	arrived int
	both    chan struct{}
}

func (s *barrierStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.Update(ctx, func(tx store.Tx) error { return fn(&barrierTx{Tx: tx, s: s}) })
}

func (s *barrierStore) Batch(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.Batch(ctx, func(tx store.Tx) error { return fn(&barrierTx{Tx: tx, s: s}) })
}

type barrierTx struct {
	store.Tx
	s *barrierStore
}

func (tx *barrierTx) Put(b store.Bucket, key, value []byte) error {
	if b == store.Meta && bytes.HasPrefix(key, []byte(ownerPrefix)) {
		tx.s.mu.Lock()
		tx.s.arrived++
		n := tx.s.arrived
		if n == 2 {
			close(tx.s.both)
		}
		tx.s.mu.Unlock()
		if n <= 2 {
			<-tx.s.both
		}
	}
	return tx.Tx.Put(b, key, value)
}

// Two stacks' deployments import one object at the same moment: both
// reservations read its ownership record absent before either commits.
// One commits; the other is run again, finds the object taken, and its
// deployment fails naming the first stack.
func TestEngine_ImportReservationRace_Etcd(t *testing.T) {
	ctx := context.Background()
	st := &barrierStore{Store: openEtcd(t), both: make(chan struct{})}
	e, p, _ := simTestEngine(t, sim.Config{}, Config{Store: st})
	vpc := outsideVPC(t, p)
	deps := map[string]DeploymentRef{}
	for _, name := range []string{"a", "b"} {
		if _, err := e.CreateStack(ctx, CreateStackRequest{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"a", "b"} {
		dep, err := e.DeployStack(ctx, DeployStackRequest{StackRef: StackRef{Name: name}, TemplateInput: TemplateInput{TemplateBody: importVPC("vpc", vpc.ID)}})
		if err != nil {
			t.Fatal(err)
		}
		deps[name] = dep
	}
	won := map[string]bool{}
	for name, dep := range deps {
		out, err := e.Wait(ctx, dep)
		if err != nil {
			t.Fatal(err)
		}
		other := map[string]string{"a": "b", "b": "a"}[name]
		switch {
		case out.Status == formation.StackDeploymentComplete:
			won[name] = true
		case out.Status != formation.StackDeploymentFailed || !strings.Contains(out.Message, `stack "`+other+`"`):
			t.Errorf("%s: %+v; want DEPLOYMENT_COMPLETE, or DEPLOYMENT_FAILED naming stack %s", name, out, other)
		}
	}
	if len(won) != 1 {
		t.Fatalf("stacks whose import succeeded: %v; want exactly one", won)
	}
	for name := range deps {
		recorded := false
		for _, r := range listResources(t, e, name) {
			recorded = recorded || r.PhysicalResourceID == vpc.ID
		}
		if recorded != won[name] {
			t.Errorf("%s records the VPC: %v; want %v", name, recorded, won[name])
		}
	}
}

func TestDrift_ManyResourcesReported_Etcd(t *testing.T) { testManyDrifted(t, openEtcd(t)) }
