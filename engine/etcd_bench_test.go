//go:build etcd

package engine

import (
	"context"
	"testing"

	"github.com/formation-engine/formation/store/etcd"
	"github.com/formation-engine/formation/store/etcd/etcdtest"
)

// The benchmarks of issue 16 on a local one-member etcd with fsync on. They
// link etcd's server into the test binary, so they are behind the etcd
// build tag: go test -tags etcd ./engine -run '^$' -bench Etcd.

// BenchmarkEtcd_ListStackEvents_100k: the first page of a filtered
// ListStackEvents over a stack of 100,000 events. Target ≤ 20 ms.
func BenchmarkEtcd_ListStackEvents_100k(b *testing.B) {
	ms := etcdtest.Start(b, etcdtest.Options{})
	st, err := etcd.Open(context.Background(), etcd.Options{Endpoints: etcdtest.Endpoints(ms)})
	if err != nil {
		b.Fatal(err)
	}
	benchListStackEvents(b, st, 100_000)
}
