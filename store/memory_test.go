package store_test

import (
	"context"
	"encoding/binary"
	"reflect"
	"sync/atomic"
	"testing"

	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/store/storetest"
)

func TestMemory_Conformance(t *testing.T) {
	storetest.Run(t, func(t testing.TB) store.Store {
		s := store.NewMemory()
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

func TestMemory_CtxEndsWhileWaiting(t *testing.T) {
	s := store.NewMemory()
	defer s.Close()
	testCtxEndsWhileWaiting(t, s)
}

// endingCtx is a context whose first Err call reports it live and every
// later one cancelled: it ends after the entry check, while the call waits
// for its transaction.
type endingCtx struct {
	context.Context
	calls atomic.Int32
}

func (c *endingCtx) Err() error {
	if c.calls.Add(1) == 1 {
		return nil
	}
	return context.Canceled
}

// testCtxEndsWhileWaiting checks that a ctx ending between the call and the
// start of its transaction is honoured: fn does not run.
func testCtxEndsWhileWaiting(t *testing.T, s store.Store) {
	before := storetest.Dump(t, s)
	for name, call := range map[string]func(context.Context, func(store.Tx) error) error{
		"View": s.View, "Update": s.Update, "Batch": s.Batch,
	} {
		called := false
		err := call(&endingCtx{Context: context.Background()}, func(tx store.Tx) error {
			called = true
			return tx.Put(store.Stacks, []byte("k"), []byte("v"))
		})
		if err != context.Canceled || called {
			t.Errorf("%s = %v, fn called %v; want context.Canceled, false", name, err, called)
		}
	}
	if after := storetest.Dump(t, s); !reflect.DeepEqual(before, after) {
		t.Errorf("store changed: %q, want %q", after, before)
	}
}

// seqKey is prefix followed by the big-endian sequence number, the shape of
// event keys.
func seqKey(prefix []byte, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(prefix, seq)
}

const (
	benchKeys   = 1_000_000
	benchPerTx  = 10_000
	benchValue  = 64
	benchStacks = 10
)

// appendSeq appends n sequential keys to s.Events, perTx puts per Update,
// or as many as the store's limits allow in one.
func appendSeq(b *testing.B, s store.Store, n, perTx int) {
	b.Helper()
	perTx = min(perTx, s.Limits().MaxOps)
	value := make([]byte, benchValue)
	for i := 0; i < n; i += perTx {
		err := s.Update(context.Background(), func(tx store.Tx) error {
			for j := i; j < i+perTx && j < n; j++ {
				if err := tx.Put(store.Events, seqKey(nil, uint64(j)), value); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// fillStacks writes benchKeys keys to s.Events, benchKeys/benchStacks under
// each of benchStacks prefixes, in key order.
func fillStacks(b *testing.B, s store.Store) {
	b.Helper()
	value := make([]byte, benchValue)
	per := benchKeys / benchStacks
	perTx := min(benchPerTx, s.Limits().MaxOps)
	for st := range benchStacks {
		prefix := []byte{'s', byte('0' + st), '/'}
		for i := 0; i < per; i += perTx {
			err := s.Update(context.Background(), func(tx store.Tx) error {
				for j := i; j < i+perTx && j < per; j++ {
					if err := tx.Put(store.Events, seqKey(prefix, uint64(j)), value); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// newest100 scans the newest 100 keys of a stack in the middle of the
// bucket, so a reverse scan must seek past the prefix's end.
func newest100(b *testing.B, s store.Store) {
	prefix := []byte("s4/")
	for b.Loop() {
		n := 0
		err := s.View(context.Background(), func(tx store.Tx) error {
			return tx.Scan(store.Events, store.ScanOptions{Prefix: prefix, Reverse: true},
				func(k, _ []byte) (bool, error) {
					n++
					return n < 100, nil
				})
		})
		if err != nil || n != 100 {
			b.Fatalf("scan: %d keys, %v", n, err)
		}
	}
}

func BenchmarkMemory_Append1M(b *testing.B) {
	for b.Loop() {
		s := store.NewMemory()
		appendSeq(b, s, benchKeys, benchPerTx)
		_ = s.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchKeys, "ns/key")
}

// BenchmarkMemory_Append1MOnePerTx is the engine's pattern: one Update per
// event.
func BenchmarkMemory_Append1MOnePerTx(b *testing.B) {
	for b.Loop() {
		s := store.NewMemory()
		appendSeq(b, s, benchKeys, 1)
		_ = s.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchKeys, "ns/key")
}

func BenchmarkMemory_ReverseScanNewest100(b *testing.B) {
	s := store.NewMemory()
	defer s.Close()
	fillStacks(b, s)
	newest100(b, s)
}
