package engine

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/store/storetest"
)

// countingStore counts commits.
type countingStore struct {
	store.Store
	commits atomic.Int32
}

func (s *countingStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	s.commits.Add(1)
	return s.Store.Update(ctx, fn)
}

func TestWriter_Spacing(t *testing.T) {
	put := func(key string) func(*txn) error {
		return func(tx *txn) error { return tx.Put(store.Meta, []byte(key), []byte("x")) }
	}
	setup := func(t *testing.T) (*writer, *countingStore) {
		st := &countingStore{Store: store.NewMemory()}
		e, _, _ := simTestEngine(t, sim.Config{Seed: 1}, Config{Store: st})
		w := newWriter(context.Background(), e, "test")
		t.Cleanup(func() { _ = w.close() })
		// A first commit, so that what follows comes soon after one.
		first := make(chan error, 1)
		w.then(put("first"), func(err error) { first <- err })
		if err := <-first; err != nil {
			t.Fatal(err)
		}
		st.commits.Store(0)
		return w, st
	}

	t.Run("results soon after a commit share the next one", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			w, st := setup(t)
			start := time.Now()
			w.submit(put("a"))
			synctest.Wait()
			if n := st.commits.Load(); n != 0 {
				t.Fatalf("a result right after a commit was committed at once (%d commits)", n)
			}
			w.submit(put("b"))
			w.submit(put("c"))
			if err := w.close(); err != nil {
				t.Fatal(err)
			}
			if n := st.commits.Load(); n != 1 {
				t.Fatalf("three results in %d commits, want 1", n)
			}
			if held := time.Since(start); held > commitSpacing {
				t.Fatalf("held %v, longer than the spacing %v", held, commitSpacing)
			}
		})
	})

	t.Run("a write that is waited for is not held", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			w, st := setup(t)
			start := time.Now()
			w.submit(put("a"))
			done := make(chan error, 1)
			w.then(put("intent"), func(err error) { done <- err })
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if held := time.Since(start); held != 0 {
				t.Fatalf("a waited-for write was held %v", held)
			}
			if n := st.commits.Load(); n != 1 {
				t.Fatalf("%d commits, want the two writes in one", n)
			}
		})
	})

	t.Run("a write that is waited for ends its group", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			w, st := setup(t)
			first, second := make(chan error, 1), make(chan error, 1)
			w.submit(put("result"))
			w.then(put("a"), func(err error) { first <- err })
			w.then(put("b"), func(err error) { second <- err })
			if err := errors.Join(<-first, <-second); err != nil {
				t.Fatal(err)
			}
			if n := st.commits.Load(); n != 2 {
				t.Fatalf("a result and two waited-for writes in %d commits, want 2 (the result with the first)", n)
			}
		})
	})

	t.Run("a result long after the last commit is not held", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			w, st := setup(t)
			time.Sleep(commitSpacing)
			start := time.Now()
			w.submit(put("a"))
			synctest.Wait()
			if n := st.commits.Load(); n != 1 || time.Since(start) != 0 {
				t.Fatalf("%d commits after %v, want 1 at once", n, time.Since(start))
			}
		})
	})
}

// A group larger than one transaction of the store commits in several, each
// within store.Limits (the memory store refuses more), all in order; a write
// too large for any transaction fails alone, and so does everything after it.
func TestWriter_GroupsWithinLimits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := &countingStore{Store: store.NewMemory()}
		e, _, _ := simTestEngine(t, sim.Config{Seed: 1}, Config{Store: st})
		w := newWriter(context.Background(), e, "test")
		lim := st.Limits()
		st.commits.Store(0) // before the first write: the writer commits while they are queued
		const n = 1000
		// Writes of 1 to 7 puts, so that a group's end falls mid-write.
		for i := range n {
			w.submit(func(tx *txn) error {
				for j := range i%7 + 1 {
					if err := tx.Put(store.Journal, fmt.Appendf(nil, "%04d/%d", i, j), []byte("x")); err != nil {
						return err
					}
				}
				return nil
			})
		}
		if err := w.close(); err != nil {
			t.Fatal(err)
		}
		keys := storetest.Dump(t, st)[store.Journal]
		want := 0
		for i := range n {
			want += i%7 + 1
		}
		if len(keys) != want {
			t.Fatalf("%d keys committed, want %d", len(keys), want)
		}
		if c, least := int(st.commits.Load()), want/lim.MaxOps; c < least || c > 3*least {
			t.Errorf("%d writes in %d commits, want between %d and %d", want, c, least, 3*least)
		}

		w = newWriter(context.Background(), e, "test")
		huge := make(chan error, 1)
		w.then(func(tx *txn) error {
			for i := range lim.MaxOps + 1 {
				if err := tx.Put(store.Journal, fmt.Appendf(nil, "huge/%d", i), nil); err != nil {
					return err
				}
			}
			return nil
		}, func(err error) { huge <- err })
		if err := <-huge; !errors.Is(err, store.ErrTooLarge) {
			t.Fatalf("a write of MaxOps+1 puts = %v, want ErrTooLarge", err)
		}
		if err := w.close(); !errors.Is(err, store.ErrTooLarge) {
			t.Fatalf("close = %v, want the failed commit's error", err)
		}
	})
}
