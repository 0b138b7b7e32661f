package etcd_test

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/store/etcd"
	"github.com/formation-engine/formation/store/etcd/etcdtest"
	"github.com/formation-engine/formation/store/storetest"
)

// One cluster serves every test; each store gets its own prefix, so each
// is new and empty.
func TestEtcd_Conformance(t *testing.T) {
	ms := etcdtest.Start(t, etcdtest.Options{NoFsync: true})
	var n atomic.Int64
	storetest.Run(t, func(t testing.TB) store.Store {
		s, err := etcd.Open(context.Background(), etcd.Options{
			Endpoints: etcdtest.Endpoints(ms),
			Prefix:    fmt.Sprintf("/conformance/%d/", n.Add(1)),
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// A large value's chunks live as long as the value: an overwrite drops
// the old value's, a deletion the last ones.
func TestEtcd_LargeValuesLeaveNoChunks(t *testing.T) {
	ctx := context.Background()
	ms := etcdtest.Start(t, etcdtest.Options{NoFsync: true})
	s, err := etcd.Open(ctx, etcd.Options{Endpoints: etcdtest.Endpoints(ms)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	step := func(what string, value []byte, want int64) {
		t.Helper()
		err := s.Update(ctx, func(tx store.Tx) error {
			if value == nil {
				return tx.Delete(store.PlanBodies, []byte("k"))
			}
			return tx.Put(store.PlanBodies, []byte("k"), value)
		})
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if n, err := s.Chunks(ctx); err != nil || n != want {
			t.Errorf("%s: %d chunks (%v), want %d", what, n, err, want)
		}
	}
	step("3 MiB written", make([]byte, 3<<20), 6)
	step("overwritten with 1 MiB", make([]byte, 1<<20), 2)
	step("overwritten with a small value", []byte("small"), 0)
	step("2 MiB written", make([]byte, 2<<20), 4)
	step("deleted", nil, 0)
}

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		url       string
		endpoints []string
		prefix    string
		ttl       time.Duration
		margin    time.Duration
		dial      time.Duration
		bad       bool
	}{
		{url: "etcd://127.0.0.1:2379", endpoints: []string{"127.0.0.1:2379"}},
		{url: "etcd://a:1,b:2,c:3/team/prod", endpoints: []string{"a:1", "b:2", "c:3"}, prefix: "/team/prod/"},
		{url: "etcd://a:1/", endpoints: []string{"a:1"}},
		{url: "etcd://a:1/p?lease_ttl=15s&safety_margin=2s", endpoints: []string{"a:1"}, prefix: "/p/", ttl: 15 * time.Second, margin: 2 * time.Second},
		{url: "etcd://a:1?dial_timeout=1m", endpoints: []string{"a:1"}, dial: time.Minute},
		{url: "etcd://a:1?lease_ttl=15", bad: true},
		{url: "etcd://a:1?lease_ttl=-5s", bad: true},
		{url: "etcd://a:1?lease_ttl=5s&lease_ttl=6s", bad: true},
		{url: "etcd://a:1?ttl=5s", bad: true},
		{url: "etcd://a:1?lease_ttl=%zz", bad: true},
		{url: "etcd://", bad: true},
		{url: "etcd://a:1,,b:2", bad: true},
		{url: "http://a:1", bad: true},
		{url: "/var/lib/formation.db", bad: true},
	} {
		opts, err := etcd.ParseURL(tc.url)
		if tc.bad {
			if err == nil {
				t.Errorf("ParseURL(%q) = %+v, want an error", tc.url, opts)
			}
			continue
		}
		if err != nil || !slices.Equal(opts.Endpoints, tc.endpoints) || opts.Prefix != tc.prefix ||
			opts.LeaseTTL != tc.ttl || opts.SafetyMargin != tc.margin || opts.DialTimeout != tc.dial {
			t.Errorf("ParseURL(%q) = %+v, %v; want endpoints %q, prefix %q, lease TTL %v, margin %v, dial timeout %v",
				tc.url, opts, err, tc.endpoints, tc.prefix, tc.ttl, tc.margin, tc.dial)
		}
	}
}
