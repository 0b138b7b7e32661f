package etcd_test

import (
	"context"
	"fmt"
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
