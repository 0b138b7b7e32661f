package storetest

import (
	"bytes"
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

	// Values of LargeValue bytes count whole: MaxBytes/LargeValue of them
	// (keys aside) fit, one more does not.
	large := []byte(strings.Repeat("x", store.LargeValue))
	fits := l.MaxBytes/store.WriteBytes([]byte("l00000"), large) - 1
	err = s.Batch(ctx, func(tx store.Tx) error {
		for i := range fits + 2 {
			if err := tx.Put(store.Journal, fmt.Appendf(nil, "l%05d", i), large); err != nil {
				return err
			}
		}
		return nil
	})
	if !errors.Is(err, store.ErrTooLarge) {
		t.Fatalf("Batch of more than MaxBytes bytes = %v, want ErrTooLarge", err)
	}
	mustUnchanged(t, s, before)
	err = s.Update(ctx, func(tx store.Tx) error {
		for i := range fits {
			if err := tx.Put(store.Journal, fmt.Appendf(nil, "l%05d", i), large); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Update of fewer than MaxBytes bytes: %v", err)
	}
}

// testLargeValues: values past LargeValue, up to MaxValueSize, are kept
// whole, however many a transaction writes; replaced and deleted, they
// leave nothing behind; past MaxValueSize they are refused.
func testLargeValues(t *testing.T, s store.Store) {
	value := func(n int, seed byte) []byte {
		v := make([]byte, n)
		for i := range v {
			v[i] = seed + byte(i*7) + byte(i>>12)
		}
		return v
	}
	// Three values of 3 MiB in one transaction (more than MaxBytes, more
	// than etcd takes in one request), and small ones of any first bytes.
	want := map[string][]byte{
		"big1": value(3<<20, 1), "big2": value(3<<20, 2), "big3": value(3<<20+17, 3),
		"edge": value(store.LargeValue+1, 4), "tag": {0xff, 'c', 'x'}, "tag2": {0xff, 0xff}, "small": []byte("v"),
	}
	check := func(what string) {
		t.Helper()
		got := map[string][]byte{}
		err := s.View(ctx, func(tx store.Tx) error {
			for k := range want {
				if v := tx.Get(store.PlanBodies, []byte(k)); v != nil {
					got["get "+k] = v
				}
			}
			return tx.Scan(store.PlanBodies, store.ScanOptions{}, func(k, v []byte) (bool, error) {
				got["scan "+string(k)] = bytes.Clone(v)
				return true, nil
			})
		})
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if len(got) != 2*len(want) {
			t.Errorf("%s: read %d values by Get and Scan, want %d", what, len(got), 2*len(want))
		}
		for k, v := range want {
			for _, how := range []string{"get ", "scan "} {
				if !bytes.Equal(got[how+k], v) {
					t.Errorf("%s: %s%s: %d bytes, not the %d written", what, how, k, len(got[how+k]), len(v))
				}
			}
		}
	}
	write := func(what string) {
		t.Helper()
		err := s.Update(ctx, func(tx store.Tx) error {
			for k, v := range want {
				if err := tx.Put(store.PlanBodies, []byte(k), v); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		check(what)
	}
	write("written")
	want["big1"], want["big2"] = value(2<<20, 9), []byte("now small")
	write("replaced")
	err := s.Update(ctx, func(tx store.Tx) error {
		for k := range want {
			if err := tx.Delete(store.PlanBodies, []byte(k)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want = map[string][]byte{}
	check("deleted")

	err = s.Update(ctx, func(tx store.Tx) error {
		return tx.Put(store.PlanBodies, []byte("huge"), make([]byte, store.MaxValueSize+1))
	})
	if !errors.Is(err, store.ErrTooLarge) {
		t.Errorf("Put of MaxValueSize+1 bytes = %v, want ErrTooLarge", err)
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
	if err := c.Valid(ctx); err != nil {
		t.Fatalf("Valid of a held claim: %v", err)
	}
	done, cancel := context.WithCancel(ctx)
	cancel()
	if err := c.Valid(done); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("Valid with a done ctx = %v, want nil or the ctx's error", err)
	}
	if err := c.Release(); err != nil {
		t.Fatal(err)
	}
	if err := c.Release(); err != nil {
		t.Errorf("second Release: %v", err)
	}
	if err := c.Valid(ctx); !errors.Is(err, store.ErrClaimLost) {
		t.Fatalf("Valid of a released claim = %v, want ErrClaimLost", err)
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
		if err := c.Valid(ctx); !errors.Is(err, store.ErrClaimLost) {
			t.Errorf("Valid of claim %s after Close = %v, want ErrClaimLost", c.Name(), err)
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
