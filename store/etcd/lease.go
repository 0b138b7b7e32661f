package etcd

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/formation-engine/formation"
)

// lease is the etcd lease of one claim (see Claim). The store renews it
// itself, one keep-alive request every third of the TTL, rather than
// through clientv3's KeepAlive: a claim's local deadline (store package
// doc, Fencing) counts from when each renewal was sent, which clientv3
// does not tell (its own deadline counts from the answer, which comes after
// etcd restarted the TTL, and has no margin).
type lease struct {
	s  *Store
	id clientv3.LeaseID

	mu      sync.Mutex
	until   time.Time     // the local deadline, on s.clock
	renewed chan struct{} // closed, and replaced, when until moves

	done chan struct{} // closed when the lease is lost or revoked
	end  sync.Once
	stop context.CancelFunc // ends the keep-alive and the deadline watch
}

// grant makes a new lease and starts renewing it.
func (s *Store) grant(ctx context.Context) (*lease, error) {
	sent := s.clock.Now()
	resp, err := s.cli.Grant(ctx, int64(s.ttl/time.Second))
	if err != nil {
		return nil, err
	}
	bg, stop := context.WithCancel(context.Background())
	l := &lease{s: s, id: resp.ID, renewed: make(chan struct{}), done: make(chan struct{}), stop: stop}
	l.extend(sent, time.Duration(resp.TTL)*time.Second)
	go l.keepAlive(bg)
	go l.watchDeadline(bg)
	return l, nil
}

// extend moves the local deadline to sent+ttl less the margin, if that is
// later.
func (l *lease) extend(sent time.Time, ttl time.Duration) {
	until := sent.Add(ttl - l.s.margin)
	l.mu.Lock()
	defer l.mu.Unlock()
	if until.After(l.until) {
		l.until = until
		close(l.renewed)
		l.renewed = make(chan struct{})
	}
}

// deadline returns the local deadline and a channel closed when it moves.
func (l *lease) deadline() (time.Time, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.until, l.renewed
}

// keepAlive renews the lease every third of its TTL, and sooner after a
// failed renewal, until it ends.
func (l *lease) keepAlive(ctx context.Context) {
	every := l.s.ttl / 3
	wait := every
	for {
		if l.s.clock.Sleep(ctx, wait) != nil {
			return
		}
		sent := l.s.clock.Now()
		resp, err := l.s.renew(ctx, l.id)
		switch {
		case errors.Is(err, rpctypes.ErrLeaseNotFound) || err == nil && resp.TTL <= 0:
			l.lose() // etcd let it expire
			return
		case err != nil:
			wait = every / 4 // cut off, or a member failing over: try again soon
		default:
			l.extend(sent, time.Duration(resp.TTL)*time.Second)
			wait = every
		}
	}
}

// keepAliveOnce is the store's renewal request, given up after timeout (an
// answer later than that is worth less than a new request).
func keepAliveOnce(cli *clientv3.Client, timeout time.Duration) func(context.Context, clientv3.LeaseID) (*clientv3.LeaseKeepAliveResponse, error) {
	return func(ctx context.Context, id clientv3.LeaseID) (*clientv3.LeaseKeepAliveResponse, error) {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		return cli.KeepAliveOnce(ctx, id)
	}
}

// watchDeadline loses the lease when its local deadline passes.
func (l *lease) watchDeadline(ctx context.Context) {
	for {
		until, _ := l.deadline()
		left := until.Sub(l.s.clock.Now())
		if left <= 0 {
			l.lose()
			return
		}
		if l.s.clock.Sleep(ctx, left) != nil {
			return
		}
	}
}

// valid waits until the lease's deadline is at least the margin away, or
// the lease ends (errLeaseEnded), or ctx ends.
func (l *lease) valid(ctx context.Context) error {
	for {
		select {
		case <-l.done:
			return errLeaseEnded
		default:
		}
		until, renewed := l.deadline()
		if until.Sub(l.s.clock.Now()) >= l.s.margin {
			return nil
		}
		select {
		case <-renewed:
		case <-l.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

var errLeaseEnded = errors.New("etcd: the lease ended")

// lose ends the lease where this process stands: its claim is lost. It
// revokes the lease too, in case etcd still keeps it (the deadline passed
// by this process's clock first, as the margin means it should): the
// claim's key then goes at once, and another holder need not wait out the
// TTL.
func (l *lease) lose() {
	l.end.Do(func() {
		close(l.done)
		l.stop()
		go func() { _ = l.revoke() }()
	})
}

// close ends the lease and revokes it, unless it had ended already
// (Release, Close). It returns the revocation's error: the lease then
// ends on etcd within its TTL, as it is no longer renewed.
func (l *lease) close() error {
	first := false
	l.end.Do(func() {
		first = true
		close(l.done)
		l.stop()
	})
	if !first {
		return nil
	}
	return l.revoke()
}

// revoke asks etcd to end the lease now. It gives up when the client
// closes (the process going away), as a revocation cannot reach etcd then.
func (l *lease) revoke() error {
	ctx, cancel := context.WithTimeout(l.s.cli.Ctx(), l.s.ttl)
	defer cancel()
	_, err := l.s.cli.Revoke(ctx, l.id)
	if errors.Is(err, rpctypes.ErrLeaseNotFound) {
		return nil // it expired already
	}
	return err
}

// checkMargin validates Options.SafetyMargin against the TTL.
func checkMargin(op string, ttl, margin time.Duration) error {
	if margin <= 0 || margin > ttl/3 {
		return formation.Errorf(formation.CodeInvalidParameter, op, "", "SafetyMargin %v must be positive and at most a third of LeaseTTL %v", margin, ttl)
	}
	return nil
}
