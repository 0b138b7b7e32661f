package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/store"
)

// The tests of contract version 2: limits, claims, the change feed.

// testLimits: a transaction may write up to the limits, and the write past
// either of them fails with ErrTooLarge; returning that error rolls back.
func testLimits(t *testing.T, s store.Store) {
	l := s.Limits()
	if l.MaxOps < 1 || l.MaxBytes < 1024 || l.MaxOps > 1<<20 {
		t.Fatalf("Limits() = %+v: unbounded, or too small to use, or too large to test", l)
	}
	err := s.Update(ctx, func(tx store.Tx) error {
		for i := range l.MaxOps {
			if err := tx.Put(store.Journal, fmt.Appendf(nil, "k%04d", i), []byte("v")); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Update of MaxOps writes: %v", err)
	}
	before := Dump(t, s)
	err = s.Update(ctx, func(tx store.Tx) error {
		for i := range l.MaxOps + 1 {
			if err := tx.Delete(store.Journal, fmt.Appendf(nil, "k%04d", i)); err != nil {
				return err
			}
		}
		return nil
	})
	if !errors.Is(err, store.ErrTooLarge) {
		t.Fatalf("Update of MaxOps+1 writes = %v, want ErrTooLarge", err)
	}
	wantCode(t, "too many writes", err, formation.CodeInternal)
	mustUnchanged(t, s, before)

	half := strings.Repeat("x", l.MaxBytes/2)
	err = s.Batch(ctx, func(tx store.Tx) error {
		if err := tx.Put(store.Journal, []byte("a"), []byte(half)); err != nil {
			return err
		}
		return tx.Put(store.Journal, []byte("b"), []byte(half))
	})
	if !errors.Is(err, store.ErrTooLarge) {
		t.Fatalf("Batch of MaxBytes+2 bytes = %v, want ErrTooLarge", err)
	}
	mustUnchanged(t, s, before)
	err = s.Update(ctx, func(tx store.Tx) error { return tx.Put(store.Journal, []byte("a"), []byte(half)) })
	if err != nil {
		t.Fatalf("Update of MaxBytes/2 bytes: %v", err)
	}
}

// testClaims: a claim is exclusive until released; Update under a released
// claim changes nothing; Close loses the claims still held.
func testClaims(t *testing.T, s store.Store) {
	if _, err := s.Claim(ctx, ""); err == nil {
		t.Error("Claim of an empty name succeeded")
	}
	c, err := s.Claim(ctx, "stack-a")
	if err != nil {
		t.Fatal(err)
	}
	if c.Name() != "stack-a" {
		t.Errorf("Name() = %q", c.Name())
	}
	if _, err := s.Claim(ctx, "stack-a"); !errors.Is(err, store.ErrClaimed) {
		t.Fatalf("second Claim = %v, want ErrClaimed", err)
	} else {
		wantCode(t, "second claim", err, formation.CodeConcurrentRequest)
	}
	other, err := s.Claim(ctx, "stack-b")
	if err != nil {
		t.Fatalf("Claim of another name: %v", err)
	}
	held := store.WithClaim(ctx, c)
	if err := s.Update(held, func(tx store.Tx) error { return tx.Put(store.Stacks, []byte("a"), []byte("1")) }); err != nil {
		t.Fatalf("Update under a held claim: %v", err)
	}
	if err := c.Release(); err != nil {
		t.Fatal(err)
	}
	if err := c.Release(); err != nil {
		t.Errorf("second Release: %v", err)
	}
	before := Dump(t, s)
	err = s.Update(held, func(tx store.Tx) error { return tx.Put(store.Stacks, []byte("a"), []byte("2")) })
	if !errors.Is(err, store.ErrClaimLost) {
		t.Fatalf("Update under a released claim = %v, want ErrClaimLost", err)
	}
	mustUnchanged(t, s, before)
	again, err := s.Claim(ctx, "stack-a")
	if err != nil {
		t.Fatalf("Claim after Release: %v", err)
	}
	select {
	case <-again.Lost():
		t.Fatal("a held claim reports itself lost")
	default:
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []store.Claim{again, other} {
		select {
		case <-c.Lost():
		case <-time.After(10 * time.Second):
			t.Fatalf("claim %s not lost 10s after Close", c.Name())
		}
	}
}

// testWatch: a watch is signalled by commits under its prefix, not by
// others, and closed when its ctx ends.
func testWatch(t *testing.T, s store.Store) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch, err := s.Watch(wctx, store.Events, []byte("s1/"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Watch(ctx, store.Bucket("nope"), nil); err == nil {
		t.Error("Watch of an unknown bucket succeeded")
	}
	// A commit elsewhere, then one under the prefix: exactly one signal
	// must be pending after the second (signals coalesce), and it must
	// come from it, which the first check proves.
	put(t, s, store.Events, "s2/1", "x")
	put(t, s, store.Journal, "s1/1", "x")
	select {
	case <-ch:
		t.Fatal("signalled by a commit outside the watched prefix and bucket")
	default:
	}
	put(t, s, store.Events, "s1/1", "x", "s1/2", "y")
	put(t, s, store.Events, "s1/3", "z")
	waitSignal(t, ch)
	err = s.Update(ctx, func(tx store.Tx) error { return tx.Delete(store.Events, []byte("s1/2")) })
	if err != nil {
		t.Fatal(err)
	}
	waitSignal(t, ch)
	cancel()
	for range ch {
	}
}

// waitSignal waits for a watch signal. A remote store delivers it
// asynchronously; no signal within 10 seconds is a failure.
func waitSignal(t *testing.T, ch <-chan struct{}) {
	t.Helper()
	select {
	case _, ok := <-ch:
		if !ok {
			t.Fatal("watch channel closed early")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no watch signal 10s after a commit under the prefix")
	}
}
