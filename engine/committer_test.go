package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/store/storetest"
)

// gatedStore holds its first Update until open is closed, so that commits
// queue up behind it.
type gatedStore struct {
	countingStore
	open    chan struct{}
	entered chan struct{}
	once    sync.Once
}

func (s *gatedStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	first := false
	s.once.Do(func() { first = true })
	if first {
		close(s.entered)
		<-s.open
	}
	return s.countingStore.Update(ctx, fn)
}

// Commits that queue up while one runs share the next transaction; each
// caller still gets its own outcome: a refusal rolls back its caller's
// writes only, and a caller sees the writes of those committed before it
// (the second claim of a name is refused, as if committed one by one).
func TestCommitter_CoalescesAndIsolatesFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := &gatedStore{countingStore: countingStore{Store: store.NewMemory()}, open: make(chan struct{}), entered: make(chan struct{})}
		e, _, _ := simTestEngine(t, sim.Config{Seed: 1}, Config{Store: st})
		st.commits.Store(0)
		ctx := context.Background()
		// claim takes a name for by, writing first what by tried (the
		// write a refusal must roll back) unless it checks first.
		claim := func(name, by string, checkFirst bool) func(*txn) error {
			return func(tx *txn) error {
				key := []byte("name/" + name)
				if !checkFirst {
					if err := tx.Put(store.Journal, []byte("by/"+by), []byte(name)); err != nil {
						return err
					}
				}
				if tx.Get(store.Journal, key) != nil {
					return formation.Errorf(formation.CodeNameConflict, "test", name, "taken")
				}
				return tx.Put(store.Journal, key, []byte(by))
			}
		}
		lead := make(chan error, 1)
		go func() { lead <- e.commitTx(ctx, claim("lead", "leader", false)) }()
		<-st.entered // the leader's transaction runs, held
		errs := make([]error, 6)
		var wg sync.WaitGroup
		for i := range errs {
			name := fmt.Sprintf("n%d", i)
			switch i {
			case 3:
				name = "n1" // taken by caller 1, queued before it
			case 4:
				name = "n2" // taken by caller 2, refused before writing
			}
			wg.Go(func() { errs[i] = e.commitTx(ctx, claim(name, fmt.Sprint(i), i == 4)) })
			synctest.Wait() // queued in this order
		}
		close(st.open)
		wg.Wait()
		if err := <-lead; err != nil {
			t.Fatal(err)
		}
		for i, err := range errs {
			if want := i == 3 || i == 4; formation.HasCode(err, formation.CodeNameConflict) != want || (!want && err != nil) {
				t.Errorf("caller %d: %v", i, err)
			}
		}
		got := storetest.Dump(t, st)[store.Journal]
		if got["name/n1"] != "1" || got["name/n2"] != "2" || got["by/3"] != "" || got["by/5"] != "n5" {
			t.Errorf("committed %v: want n1 by caller 1, n2 by caller 2, nothing of caller 3, the others' writes", got)
		}
		// The leader's, the group's (tried with caller 3, then again
		// without; caller 4 left out in both), and caller 3's alone (rolled
		// back).
		if n := st.commits.Load(); n != 4 {
			t.Errorf("%d store transactions, want 4", n)
		}
	})
}

// Queued commits beyond one transaction of the store (the memory store's
// 116 writes) are split into several, each within the limits, in order;
// a call too large to fit after others leads the next transaction, and one
// too large for any fails alone.
func TestCommitter_SplitsWithinLimits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := &gatedStore{countingStore: countingStore{Store: store.NewMemory()}, open: make(chan struct{}), entered: make(chan struct{})}
		e, _, _ := simTestEngine(t, sim.Config{Seed: 1}, Config{Store: st})
		lim := st.Limits()
		ctx := context.Background()
		puts := func(prefix string, n int) func(*txn) error {
			return func(tx *txn) error {
				for j := range n {
					if err := tx.Put(store.Journal, fmt.Appendf(nil, "%s/%03d", prefix, j), []byte("x")); err != nil {
						return err
					}
				}
				return nil
			}
		}
		lead := make(chan error, 1)
		go func() { lead <- e.commitTx(ctx, puts("lead", 1)) }()
		<-st.entered
		st.commits.Store(0)
		const callers = 60
		errs := make([]error, callers)
		var wg sync.WaitGroup
		for i := range callers {
			n := 3
			switch i {
			case 20:
				n = lim.MaxOps - 10 // fits only alone
			case 40:
				n = lim.MaxOps + 1 // fits nowhere
			}
			wg.Go(func() { errs[i] = e.commitTx(ctx, puts(fmt.Sprintf("c%02d", i), n)) })
			synctest.Wait()
		}
		close(st.open)
		wg.Wait()
		if err := <-lead; err != nil {
			t.Fatal(err)
		}
		for i, err := range errs {
			if (i == 40) != errors.Is(err, store.ErrTooLarge) {
				t.Errorf("caller %d: %v", i, err)
			}
		}
		keys := storetest.Dump(t, st)[store.Journal]
		if want := 1 + (callers-2)*3 + lim.MaxOps - 10; len(keys) != want {
			t.Errorf("%d keys committed, want %d", len(keys), want)
		}
		if n := st.commits.Load(); n < 4 || n > 10 { // attempts rolled back included
			t.Errorf("%d transactions for %d calls, want a few", n, callers)
		}
	})
}

// Calls appending events to many stacks share transactions that leave
// room for the records the commit adds at its end (each stack's newest
// event sequence), so a group is not cut down one call at a time.
func TestCommitter_LeavesRoomForEventSequences(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := &gatedStore{countingStore: countingStore{Store: store.NewMemory()}, open: make(chan struct{}), entered: make(chan struct{})}
		e, _, _ := simTestEngine(t, sim.Config{Seed: 1}, Config{Store: st})
		ctx := context.Background()
		lead := make(chan error, 1)
		go func() {
			lead <- e.commitTx(ctx, func(tx *txn) error { return tx.Put(store.Journal, []byte("lead"), nil) })
		}()
		<-st.entered
		st.commits.Store(0)
		const stacks = 150
		var wg sync.WaitGroup
		errs := make([]error, stacks)
		for i := range stacks {
			wg.Go(func() {
				errs[i] = e.commitTx(ctx, func(tx *txn) error {
					return tx.appendEvents(fmt.Sprintf("stack-%03d", i), e.logEvent("", "hello"))
				})
			})
		}
		synctest.Wait()
		close(st.open)
		wg.Wait()
		if err := errors.Join(append(errs, <-lead)...); err != nil {
			t.Fatal(err)
		}
		seqs := 0
		for k := range storetest.Dump(t, st)[store.Meta] {
			if len(k) > 10 && k[:10] == "event_seq/" {
				seqs++
			}
		}
		if seqs != stacks {
			t.Fatalf("%d stacks' sequences recorded, want %d", seqs, stacks)
		}
		if n := st.commits.Load(); n > 10 {
			t.Errorf("%d store transactions for %d stacks' events, want few", n, stacks)
		}
	})
}
