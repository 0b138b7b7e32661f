package etcd_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/store/etcd"
	"github.com/formation-engine/formation/store/etcd/etcdtest"
)

// manualClock is a clock that moves only when the test advances it.
// Sleepers wake when it passes their time; the test can wait until a
// number of goroutines sleep on it, so that it advances past what they
// wait for, never before they started waiting.
type manualClock struct {
	mu       sync.Mutex
	now      time.Time
	sleepers map[chan struct{}]time.Time
	changed  chan struct{} // closed, and replaced, when sleepers change
}

func newManualClock() *manualClock {
	return &manualClock{now: time.Unix(1_000_000, 0), sleepers: map[chan struct{}]time.Time{}, changed: make(chan struct{})}
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	if d <= 0 {
		c.mu.Unlock()
		return ctx.Err()
	}
	wake := make(chan struct{})
	c.sleepers[wake] = c.now.Add(d)
	c.notify()
	c.mu.Unlock()
	select {
	case <-wake:
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.sleepers, wake)
		c.notify()
		c.mu.Unlock()
		return ctx.Err()
	}
}

// notify wakes waitSleepers; the caller holds mu.
func (c *manualClock) notify() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// advance moves the clock by d, waking the sleepers whose time came.
func (c *manualClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	for wake, at := range c.sleepers {
		if !at.After(c.now) {
			close(wake)
			delete(c.sleepers, wake)
		}
	}
	c.notify()
}

// waitSleepers waits until n goroutines sleep on the clock.
func (c *manualClock) waitSleepers(t *testing.T, n int) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		c.mu.Lock()
		have, changed := len(c.sleepers), c.changed
		c.mu.Unlock()
		if have >= n {
			return
		}
		select {
		case <-changed:
		case <-timeout:
			t.Fatalf("%d goroutines sleep on the clock after 10s, want %d", have, n)
		}
	}
}

// A claim's local deadline counts from when its last successful renewal
// was sent, not from when the answer came: while renewals hang, Valid
// waits once the deadline is less than the safety margin away, and the
// claim is lost at the deadline; the lease is then revoked, so another
// store takes the claim at once, and an Update under the lost claim
// commits nothing.
func TestClaim_LocalDeadlineCountsFromTheSending(t *testing.T) {
	ctx := context.Background()
	ms := etcdtest.Start(t, etcdtest.Options{NoFsync: true})
	const ttl, margin = 10 * time.Second, 2 * time.Second
	open := func() *etcd.Store {
		st, err := etcd.Open(ctx, etcd.Options{Endpoints: etcdtest.Endpoints(ms), Prefix: "/lease/", LeaseTTL: ttl, SafetyMargin: margin})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		return st
	}
	st, other := open(), open()
	clock := newManualClock()
	st.SetClock(clock)
	sent := make(chan time.Time)
	answer := make(chan struct{})
	st.InterceptRenewals(func(ctx context.Context, id clientv3.LeaseID, real etcd.Renewal) (*clientv3.LeaseKeepAliveResponse, error) {
		select {
		case sent <- clock.Now():
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		select {
		case <-answer: // the answer comes when the test says
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return real(ctx, id)
	})
	granted := clock.Now()
	c, err := st.Claim(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Valid(ctx); err != nil {
		t.Fatalf("Valid of a new claim: %v", err)
	}
	clock.waitSleepers(t, 2) // the keep-alive and the deadline's watch
	clock.advance(ttl / 3)
	renewal := <-sent // hangs until answered
	if renewal.Sub(granted) != ttl/3 {
		t.Fatalf("renewed %v after the grant, want %v", renewal.Sub(granted), ttl/3)
	}

	// Past the grant's deadline less the margin: work may not start.
	clock.advance(ttl - 2*margin - ttl/3 + time.Second)
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := c.Valid(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Valid 1s before the grant's deadline (margin %v) = %v, want it to wait", margin, err)
	}
	valid := make(chan error, 1)
	go func() { valid <- c.Valid(ctx) }()
	answer <- struct{}{} // the renewal answers now, late
	if err := <-valid; err != nil {
		t.Fatalf("Valid after the renewal: %v", err)
	}
	select {
	case <-c.Lost():
		t.Fatal("the claim was lost although renewed")
	default:
	}

	// The renewal moved the deadline to its sending plus the TTL less the
	// margin; the next renewals hang, so the claim is lost then, not later.
	deadline := renewal.Add(ttl - margin)
	clock.waitSleepers(t, 2)
	clock.advance(deadline.Sub(clock.Now()) - time.Millisecond)
	<-sent // the next renewal, which hangs
	select {
	case <-c.Lost():
		t.Fatalf("the claim was lost before its deadline")
	default:
	}
	clock.advance(time.Millisecond)
	select {
	case <-c.Lost():
	case <-time.After(10 * time.Second):
		t.Fatalf("the claim is not lost 10s after its deadline (its renewal sent at %v)", renewal.Sub(granted))
	}
	if err := c.Valid(ctx); !errors.Is(err, store.ErrClaimLost) {
		t.Fatalf("Valid of the lost claim = %v, want ErrClaimLost", err)
	}
	err = st.Update(store.WithClaim(ctx, c), func(tx store.Tx) error { return tx.Put(store.Stacks, []byte("k"), []byte("v")) })
	if !errors.Is(err, store.ErrClaimLost) {
		t.Fatalf("Update under the lost claim = %v, want ErrClaimLost", err)
	}
	// The lease was revoked: the other store takes the claim well before
	// the TTL would have run out on etcd.
	taken := time.Now()
	for {
		_, err := other.Claim(ctx, "a")
		if err == nil {
			break
		}
		if !errors.Is(err, store.ErrClaimed) || time.Since(taken) > ttl/2 {
			t.Fatalf("the other store's Claim after the loss: %v (after %v)", err, time.Since(taken))
		}
		time.Sleep(10 * time.Millisecond) // polling for the revocation, not timing
	}
}

// A claim whose lease etcd ended (revoked here, as when it expired while
// the holder was cut off) is lost at the holder's next renewal.
func TestClaim_LostWhenEtcdEndsTheLease(t *testing.T) {
	ctx := context.Background()
	ms := etcdtest.Start(t, etcdtest.Options{NoFsync: true})
	st, err := etcd.Open(ctx, etcd.Options{Endpoints: etcdtest.Endpoints(ms), Prefix: "/ended/", LeaseTTL: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c, err := st.Claim(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	cli, err := clientv3.New(clientv3.Config{Endpoints: etcdtest.Endpoints(ms)})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	leases, err := cli.Leases(ctx)
	if err != nil || len(leases.Leases) != 1 {
		t.Fatalf("leases: %+v, %v; want the store's one", leases, err)
	}
	if _, err := cli.Revoke(ctx, leases.Leases[0].ID); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.Lost():
	case <-time.After(10 * time.Second):
		t.Fatal("the claim is not lost 10s after etcd ended its lease")
	}
	if err := c.Valid(ctx); !errors.Is(err, store.ErrClaimLost) {
		t.Fatalf("Valid = %v, want ErrClaimLost", err)
	}
	// A new claim gets a new lease.
	if _, err := st.Claim(ctx, "a"); err != nil {
		t.Fatalf("Claim after the lease ended: %v", err)
	}
}
