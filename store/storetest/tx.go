package storetest

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/store"
)

func testBuckets(t *testing.T, s store.Store) {
	err := s.Update(ctx, func(tx store.Tx) error {
		for _, b := range store.Buckets() {
			if err := tx.Put(b, []byte("k"), []byte(b)); err != nil {
				return fmt.Errorf("put in %s: %w", b, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, func(tx store.Tx) error {
		for _, b := range store.Buckets() {
			if got := string(tx.Get(b, []byte("k"))); got != string(b) {
				t.Errorf("Get(%s, k) = %q, want %q", b, got, b)
			}
			if got := keys(t, tx, b, store.ScanOptions{Prefix: []byte("k")}); !slices.Equal(got, []string{"k"}) {
				t.Errorf("Scan(%s, k) = %q, want [k]", b, got)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	dump := Dump(t, s)
	if len(dump) != len(store.Buckets()) {
		t.Errorf("Dump has %d buckets, want %d", len(dump), len(store.Buckets()))
	}
}

func testSchemaVersion(t *testing.T, s store.Store) {
	v, ok := get(t, s, store.Meta, store.SchemaVersionKey)
	want := string(binary.BigEndian.AppendUint64(nil, store.SchemaVersion))
	if !ok || v != want {
		t.Errorf("Meta/%s = %q (present %v), want %q", store.SchemaVersionKey, v, ok, want)
	}
}

func testGetMissing(t *testing.T, s store.Store) {
	put(t, s, store.Stacks, "a", "1")
	check := func(tx store.Tx) error {
		for _, k := range []string{"b", "a\x00", "", "A"} {
			if v := tx.Get(store.Stacks, []byte(k)); v != nil {
				t.Errorf("Get(%q) = %q, want nil", k, v)
			}
		}
		if v := tx.Get(store.Stacks, nil); v != nil {
			t.Errorf("Get(nil) = %q, want nil", v)
		}
		if v := tx.Get(store.Plans, []byte("a")); v != nil {
			t.Errorf("Get(plans, a) = %q, want nil (other bucket)", v)
		}
		return nil
	}
	if err := s.View(ctx, check); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, check); err != nil {
		t.Fatal(err)
	}
}

func testGetReturnsCopy(t *testing.T, s store.Store) {
	put(t, s, store.Stacks, "a", "value")
	mutate := func(tx store.Tx, key string) {
		v := tx.Get(store.Stacks, []byte(key))
		for i := range v {
			v[i] = 'X'
		}
		_ = append(v[:0:0], 'Y') // appending must not matter either
		if got := string(tx.Get(store.Stacks, []byte(key))); strings.Contains(got, "X") {
			t.Errorf("Get(%q) after mutating an earlier result = %q", key, got)
		}
	}
	if err := s.View(ctx, func(tx store.Tx) error { mutate(tx, "a"); return nil }); err != nil {
		t.Fatal(err)
	}
	err := s.Update(ctx, func(tx store.Tx) error {
		mutate(tx, "a")
		if err := tx.Put(store.Stacks, []byte("b"), []byte("own")); err != nil {
			return err
		}
		mutate(tx, "b") // a write of this transaction
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"a": "value", "b": "own"} {
		if got, _ := get(t, s, store.Stacks, k); got != want {
			t.Errorf("after commit %q = %q, want %q", k, got, want)
		}
	}
}

func testPutCopiesArguments(t *testing.T, s store.Store) {
	key, val := []byte("key"), []byte("val")
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.Put(store.Stacks, key, val); err != nil {
			return err
		}
		copy(key, "KEY")
		copy(val, "VAL")
		if got := string(tx.Get(store.Stacks, []byte("key"))); got != "val" {
			t.Errorf("in tx, Get(key) = %q after changing Put's arguments, want val", got)
		}
		if got := tx.Get(store.Stacks, []byte("KEY")); got != nil {
			t.Errorf("in tx, Get(KEY) = %q, want nil", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	copy(val, "vvv")
	if got, _ := get(t, s, store.Stacks, "key"); got != "val" {
		t.Errorf("after commit Get(key) = %q, want val", got)
	}
	if _, ok := get(t, s, store.Stacks, "KEY"); ok {
		t.Error("after commit KEY exists")
	}
}

func testEmptyValue(t *testing.T, s store.Store) {
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.Put(store.Stacks, []byte("nil"), nil); err != nil {
			return err
		}
		if err := tx.Put(store.Stacks, []byte("empty"), []byte{}); err != nil {
			return err
		}
		for _, k := range []string{"nil", "empty"} {
			if v := tx.Get(store.Stacks, []byte(k)); v == nil || len(v) != 0 {
				t.Errorf("in tx, Get(%q) = %#v, want non-nil empty", k, v)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, func(tx store.Tx) error {
		for _, k := range []string{"nil", "empty"} {
			if v := tx.Get(store.Stacks, []byte(k)); v == nil || len(v) != 0 {
				t.Errorf("Get(%q) = %#v, want non-nil empty", k, v)
			}
		}
		if got := keys(t, tx, store.Stacks, store.ScanOptions{}); !slices.Equal(got, []string{"empty", "nil"}) {
			t.Errorf("Scan = %q, want [empty nil]", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testEmptyKeyRefused(t *testing.T, s store.Store) {
	before := Dump(t, s)
	err := s.Update(ctx, func(tx store.Tx) error {
		for _, k := range [][]byte{nil, {}} {
			wantCode(t, fmt.Sprintf("Put(%#v)", k), tx.Put(store.Stacks, k, []byte("v")), formation.CodeInvalidParameter)
			wantCode(t, fmt.Sprintf("Delete(%#v)", k), tx.Delete(store.Stacks, k), formation.CodeInvalidParameter)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	mustUnchanged(t, s, before)
}

func testKeyTooLarge(t *testing.T, s store.Store) {
	long := bytes.Repeat([]byte("k"), store.MaxKeySize+1)
	err := s.Update(ctx, func(tx store.Tx) error {
		wantCode(t, "Put(MaxKeySize+1)", tx.Put(store.Stacks, long, nil), formation.CodeInvalidParameter)
		return tx.Put(store.Stacks, long[:store.MaxKeySize], []byte("v"))
	})
	if err != nil {
		t.Fatalf("Put(MaxKeySize): %v", err)
	}
	if got, _ := get(t, s, store.Stacks, string(long[:store.MaxKeySize])); got != "v" {
		t.Errorf("Get(MaxKeySize) = %q, want v", got)
	}
}

func testUnknownBucket(t *testing.T, s store.Store) {
	const nope store.Bucket = "no_such_bucket"
	before := Dump(t, s)
	err := s.Update(ctx, func(tx store.Tx) error {
		wantCode(t, "Put", tx.Put(nope, []byte("k"), []byte("v")), formation.CodeInvalidParameter)
		wantCode(t, "Delete", tx.Delete(nope, []byte("k")), formation.CodeInvalidParameter)
		err := tx.Scan(nope, store.ScanOptions{}, func(_, _ []byte) (bool, error) { return true, nil })
		wantCode(t, "Scan", err, formation.CodeInvalidParameter)
		if v := tx.Get(nope, []byte("k")); v != nil {
			t.Errorf("Get = %q, want nil", v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	mustUnchanged(t, s, before)
}

func testReadYourWrites(t *testing.T, s store.Store) {
	put(t, s, store.Resources, "a", "1", "b", "2", "c", "3")
	err := s.Update(ctx, func(tx store.Tx) error {
		for _, op := range []struct{ key, val string }{
			{"b", ""}, {"d", "4"}, {"a", "one"}, {"e", "5"}, {"e", ""}, {"c", ""}, {"c", "three"},
		} {
			var err error
			if op.val == "" {
				err = tx.Delete(store.Resources, []byte(op.key))
			} else {
				err = tx.Put(store.Resources, []byte(op.key), []byte(op.val))
			}
			if err != nil {
				return err
			}
		}
		want := map[string]string{"a": "one", "c": "three", "d": "4"}
		for _, k := range []string{"a", "b", "c", "d", "e"} {
			got := tx.Get(store.Resources, []byte(k))
			if w, ok := want[k]; (got != nil) != ok || string(got) != w {
				t.Errorf("in tx, Get(%q) = %q, want %q (present %v)", k, got, w, ok)
			}
		}
		if got := keys(t, tx, store.Resources, store.ScanOptions{}); !slices.Equal(got, []string{"a", "c", "d"}) {
			t.Errorf("in tx, Scan = %q, want [a c d]", got)
		}
		if got := keys(t, tx, store.Resources, store.ScanOptions{Reverse: true}); !slices.Equal(got, []string{"d", "c", "a"}) {
			t.Errorf("in tx, reverse Scan = %q, want [d c a]", got)
		}
		// A View running beside this Update (in another goroutine: do not
		// nest transactions in one) sees none of it.
		seen := make(chan string)
		go func() {
			v, _ := get(t, s, store.Resources, "a")
			seen <- v
		}()
		if v := <-seen; v != "1" {
			t.Errorf("View during Update sees a = %q, want 1", v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": "one", "c": "three", "d": "4"}
	if got := Dump(t, s)[store.Resources]; !reflect.DeepEqual(got, want) {
		t.Errorf("after commit %q, want %q", got, want)
	}
}

func testUpdateRollbackOnError(t *testing.T, s store.Store) {
	seed(t, s)
	before := Dump(t, s)
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := writeSome(tx); err != nil {
			return err
		}
		return errBoom
	})
	if err != errBoom {
		t.Errorf("Update = %v, want fn's error unchanged", err)
	}
	mustUnchanged(t, s, before)
}

func testUpdatePanicRollsBack(t *testing.T, s store.Store) {
	seed(t, s)
	before := Dump(t, s)
	for name, call := range map[string]func(context.Context, func(store.Tx) error) error{
		"Update": s.Update, "Batch": s.Batch,
	} {
		func() {
			defer func() {
				if p := recover(); p != errBoom {
					t.Errorf("%s: recovered %v, want the panic value re-raised", name, p)
				}
			}()
			_ = call(ctx, func(tx store.Tx) error {
				if err := writeSome(tx); err != nil {
					return err
				}
				panic(errBoom)
			})
			t.Errorf("%s returned; want the panic re-raised", name)
		}()
		mustUnchanged(t, s, before)
	}
	// The store is still usable: locks were released.
	put(t, s, store.Stacks, "after", "panic")
	if v, _ := get(t, s, store.Stacks, "after"); v != "panic" {
		t.Errorf("Update after a panic did not land: %q", v)
	}
}

func testViewCannotWrite(t *testing.T, s store.Store) {
	seed(t, s)
	before := Dump(t, s)
	err := s.View(ctx, func(tx store.Tx) error {
		wantCode(t, "Put in View", tx.Put(store.Stacks, []byte("new"), []byte("x")), formation.CodeInternal)
		wantCode(t, "Delete in View", tx.Delete(store.Stacks, []byte("old")), formation.CodeInternal)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	mustUnchanged(t, s, before)
}

func testDelete(t *testing.T, s store.Store) {
	put(t, s, store.Plans, "a", "1", "b", "2", "c", "3")
	err := s.Update(ctx, func(tx store.Tx) error {
		for _, k := range []string{"b", "missing", "b"} {
			if err := tx.Delete(store.Plans, []byte(k)); err != nil {
				return fmt.Errorf("delete %q: %w", k, err)
			}
		}
		if v := tx.Get(store.Plans, []byte("b")); v != nil {
			t.Errorf("in tx, deleted b = %q", v)
		}
		// Put then Delete, and Delete then Put, of one key in one tx.
		if err := tx.Put(store.Plans, []byte("d"), []byte("4")); err != nil {
			return err
		}
		if err := tx.Delete(store.Plans, []byte("d")); err != nil {
			return err
		}
		if err := tx.Delete(store.Plans, []byte("c")); err != nil {
			return err
		}
		return tx.Put(store.Plans, []byte("c"), []byte("again"))
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": "1", "c": "again"}
	if got := Dump(t, s)[store.Plans]; !reflect.DeepEqual(got, want) {
		t.Errorf("after deletes %q, want %q", got, want)
	}
	// Deleting everything leaves an empty, usable bucket.
	err = s.Update(ctx, func(tx store.Tx) error {
		for _, k := range []string{"a", "c"} {
			if err := tx.Delete(store.Plans, []byte(k)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := Dump(t, s)[store.Plans]; len(got) != 0 {
		t.Errorf("after deleting all %q, want empty", got)
	}
	put(t, s, store.Plans, "z", "26")
	if v, _ := get(t, s, store.Plans, "z"); v != "26" {
		t.Errorf("Put after emptying = %q", v)
	}
}

func testTxAfterReturn(t *testing.T, s store.Store) {
	put(t, s, store.Stacks, "k", "v")
	var kept []store.Tx
	if err := s.View(ctx, func(tx store.Tx) error { kept = append(kept, tx); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, func(tx store.Tx) error { kept = append(kept, tx); return nil }); err != nil {
		t.Fatal(err)
	}
	before := Dump(t, s)
	for i, tx := range kept {
		if err := tx.Put(store.Stacks, []byte("late"), []byte("x")); err == nil {
			t.Errorf("tx %d: Put after return succeeded", i)
		}
		if err := tx.Delete(store.Stacks, []byte("k")); err == nil {
			t.Errorf("tx %d: Delete after return succeeded", i)
		}
		if err := tx.Scan(store.Stacks, store.ScanOptions{}, func(_, _ []byte) (bool, error) { return true, nil }); err == nil {
			t.Errorf("tx %d: Scan after return succeeded", i)
		}
		if v := tx.Get(store.Stacks, []byte("k")); v != nil {
			t.Errorf("tx %d: Get after return = %q, want nil", i, v)
		}
	}
	mustUnchanged(t, s, before)
}
