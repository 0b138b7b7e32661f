package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/store"
)

func testBatch(t *testing.T, s store.Store) {
	const n = 64
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			errs <- s.Batch(ctx, func(tx store.Tx) error {
				return tx.Put(store.Journal, fmt.Appendf(nil, "k%03d", i), fmt.Appendf(nil, "v%d", i))
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Batch: %v", err)
		}
	}
	got := Dump(t, s)[store.Journal]
	if len(got) != n {
		t.Errorf("%d keys landed, want %d", len(got), n)
	}
	for i := range n {
		if v := got[fmt.Sprintf("k%03d", i)]; v != fmt.Sprint("v", i) {
			t.Errorf("k%03d = %q", i, v)
		}
	}
}

func testBatchError(t *testing.T, s store.Store) {
	const n = 32
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = s.Batch(ctx, func(tx store.Tx) error {
				if err := tx.Put(store.Journal, fmt.Appendf(nil, "k%03d", i), []byte("v")); err != nil {
					return err
				}
				if i%2 == 1 {
					return errBoom
				}
				return nil
			})
		})
	}
	wg.Wait()
	got := Dump(t, s)[store.Journal]
	for i, err := range errs {
		_, landed := got[fmt.Sprintf("k%03d", i)]
		if i%2 == 1 {
			if err != errBoom {
				t.Errorf("Batch %d = %v, want errBoom", i, err)
			}
			if landed {
				t.Errorf("Batch %d failed but its write landed", i)
			}
		} else if err != nil || !landed {
			t.Errorf("Batch %d = %v, landed %v; want nil, true", i, err, landed)
		}
	}
}

// testConcurrent runs Updates, Batches and Views at once. Every writer
// increments x and sets y to the same value in one transaction, so a View
// that ever sees x != y saw half a transaction, and a final x below the
// number of writes means a lost update.
func testConcurrent(t *testing.T, s store.Store) {
	const writers, batchers, readers, rounds = 4, 4, 4, 25
	put(t, s, store.Deployments, "x", "0", "y", "0")
	incr := func(tx store.Tx) error {
		var n int
		if _, err := fmt.Sscan(string(tx.Get(store.Deployments, []byte("x"))), &n); err != nil {
			return err
		}
		v := []byte(fmt.Sprint(n + 1))
		if err := tx.Put(store.Deployments, []byte("x"), v); err != nil {
			return err
		}
		return tx.Put(store.Deployments, []byte("y"), v)
	}
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for range rounds {
				if err := s.Update(ctx, incr); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for range batchers {
		wg.Go(func() {
			for range rounds {
				if err := s.Batch(ctx, incr); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for range readers {
		wg.Go(func() {
			for range rounds {
				err := s.View(ctx, func(tx store.Tx) error {
					x, y := tx.Get(store.Deployments, []byte("x")), tx.Get(store.Deployments, []byte("y"))
					if !bytes.Equal(x, y) {
						t.Errorf("View saw x=%s y=%s", x, y)
					}
					n := 0
					err := tx.Scan(store.Deployments, store.ScanOptions{}, func(_, _ []byte) (bool, error) {
						n++
						return true, nil
					})
					if n != 2 {
						t.Errorf("View scanned %d keys, want 2", n)
					}
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	want := fmt.Sprint((writers + batchers) * rounds)
	if x, _ := get(t, s, store.Deployments, "x"); x != want {
		t.Errorf("x = %s after all writes, want %s", x, want)
	}
}

func testCancelledContext(t *testing.T, s store.Store) {
	seed(t, s)
	before := Dump(t, s)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	expired, cancel2 := context.WithTimeout(ctx, -1)
	defer cancel2()
	for _, c := range []struct {
		name string
		ctx  context.Context
		want error
	}{{"cancelled", cancelled, context.Canceled}, {"expired", expired, context.DeadlineExceeded}} {
		for name, call := range map[string]func(context.Context, func(store.Tx) error) error{
			"View": s.View, "Update": s.Update, "Batch": s.Batch,
		} {
			called := false
			err := call(c.ctx, func(tx store.Tx) error {
				called = true
				return writeSome(tx)
			})
			if err != c.want {
				t.Errorf("%s with %s ctx = %v, want %v", name, c.name, err, c.want)
			}
			if called {
				t.Errorf("%s with %s ctx ran fn", name, c.name)
			}
		}
	}
	mustUnchanged(t, s, before)
}

func testClose(t *testing.T, s store.Store) {
	put(t, s, store.Stacks, "k", "v")
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for name, call := range map[string]func(context.Context, func(store.Tx) error) error{
		"View": s.View, "Update": s.Update, "Batch": s.Batch,
	} {
		called := false
		err := call(ctx, func(store.Tx) error { called = true; return nil })
		if !errors.Is(err, formation.ErrUnavailable) || !formation.HasCode(err, formation.CodeUnavailable) {
			t.Errorf("%s after Close = %v, want CodeUnavailable", name, err)
		}
		if called {
			t.Errorf("%s after Close ran fn", name)
		}
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
}

// testCloseWaits starts a View and an Update that block, calls Close and
// checks that it has not returned while they run, and that they finish
// normally. (Close may also not have started yet when checked; the test
// then proves less, but never fails wrongly.)
func testCloseWaits(t *testing.T, s store.Store) {
	put(t, s, store.Stacks, "k", "v")
	started, release := make(chan struct{}, 2), make(chan struct{})
	viewDone, updateDone := make(chan error, 1), make(chan error, 1)
	go func() {
		viewDone <- s.View(ctx, func(tx store.Tx) error {
			started <- struct{}{}
			<-release
			if v := tx.Get(store.Stacks, []byte("k")); string(v) != "v" {
				return fmt.Errorf("a View during Close read %q", v)
			}
			return nil
		})
	}()
	go func() {
		updateDone <- s.Update(ctx, func(tx store.Tx) error {
			started <- struct{}{}
			<-release
			return tx.Put(store.Stacks, []byte("k2"), []byte("v2"))
		})
	}()
	<-started
	<-started
	closeDone := make(chan error, 1)
	go func() { closeDone <- s.Close() }()
	select {
	case err := <-closeDone:
		t.Errorf("Close returned (%v) while transactions were running", err)
	default:
	}
	close(release)
	if err := <-viewDone; err != nil {
		t.Errorf("View: %v", err)
	}
	if err := <-updateDone; err != nil {
		t.Errorf("Update: %v", err)
	}
	if err := <-closeDone; err != nil {
		t.Errorf("Close: %v", err)
	}
}
