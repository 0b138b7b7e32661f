//go:build etcd

package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store/etcd"
	"github.com/formation-engine/formation/store/etcd/etcdtest"
)

// The fencing test on etcd (go test -tags etcd ./engine -run Fencing): it
// links etcd's server, hence the build tag; .ci/run runs it.

// A replica cut off from etcd by a network partition while a provider call
// of its runs loses its claim when its local deadline passes — before etcd
// can let the lease expire — and the call's ctx is cancelled then; it makes
// no call after. Another replica takes the deployment over once etcd lets
// the lease expire, re-issuing the cut-off creation with its token, after
// the old call was cancelled: the cloud holds each resource once.
func TestFencing_ClaimLostDuringAProviderCall_Etcd(t *testing.T) {
	ctx := context.Background()
	ms := etcdtest.Start(t, etcdtest.Options{NoFsync: true})
	proxy := etcdtest.NewProxy(t, ms[0])
	const ttl = 5 * time.Second
	open := func(endpoint string) *etcd.Store {
		st, err := etcd.Open(ctx, etcd.Options{Endpoints: []string{endpoint}, Prefix: "/fencing/", LeaseTTL: ttl})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	p, err := sim.New(sim.Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	old, replacement := newHangingProvider(p, true), newHangingProvider(p, false)
	a, err := engine.New(engine.Config{Store: open(proxy.Endpoint), DefaultProvider: old, TakeoverInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	t.Cleanup(proxy.Restore) // first: a closes without waiting out its requests
	b, err := engine.New(engine.Config{Store: open(ms[0].Endpoint), DefaultProvider: replacement, TakeoverInterval: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })

	res, err := a.CreateStack(ctx, engine.CreateStackRequest{Name: "s", TemplateInput: engine.TemplateInput{TemplateBody: fencedTemplate}})
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		<-old.created // all the old owner may do besides the slow creation
	}
	<-old.hung
	old.fence()
	cut := time.Now()
	proxy.Cut()
	select {
	case <-old.cancelled:
	case <-time.After(3 * ttl):
		t.Fatalf("the hanging call is not cancelled %v after its replica was cut off (lease TTL %v)", 3*ttl, ttl)
	}
	waitCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	out, err := b.Wait(waitCtx, res.DeploymentRef)
	if err != nil || out.Status != formation.StackDeploymentComplete {
		t.Fatalf("the deployment ended %+v, %v; want DEPLOYMENT_COMPLETE by the new owner", out, err)
	}
	old.mu.Lock()
	cancelled := old.cancelledAt
	old.mu.Unlock()
	replacement.mu.Lock()
	reissued := replacement.slowAt
	replacement.mu.Unlock()
	t.Logf("cut off; the call cancelled %v later, the creation re-issued by the new owner %v later (lease TTL %v)", cancelled.Sub(cut), reissued.Sub(cut), ttl)
	if reissued.IsZero() || !cancelled.Before(reissued) {
		t.Errorf("the new owner re-issued the creation at %v, before the old call was cancelled at %v", reissued.Sub(cut), cancelled.Sub(cut))
	}
	checkFencedTakeover(t, ctx, b, p, old)
}
