package etcd_test

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

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

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		url       string
		endpoints []string
		prefix    string
		bad       bool
	}{
		{url: "etcd://127.0.0.1:2379", endpoints: []string{"127.0.0.1:2379"}},
		{url: "etcd://a:1,b:2,c:3/team/prod", endpoints: []string{"a:1", "b:2", "c:3"}, prefix: "/team/prod/"},
		{url: "etcd://a:1/", endpoints: []string{"a:1"}},
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
		if err != nil || !slices.Equal(opts.Endpoints, tc.endpoints) || opts.Prefix != tc.prefix {
			t.Errorf("ParseURL(%q) = %+v, %v; want endpoints %q, prefix %q", tc.url, opts, err, tc.endpoints, tc.prefix)
		}
	}
}
