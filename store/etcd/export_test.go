package etcd

import (
	"context"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/formation-engine/formation"
)

// Abandon drops the store's connection without revoking its lease, as a
// process killed with SIGKILL would: its claims stay until the lease's TTL
// runs out.
func (s *Store) Abandon() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	_ = s.cli.Close()
}

// Chunks counts the keys holding large values' chunks.
func (s *Store) Chunks(ctx context.Context) (int64, error) {
	resp, err := s.cli.Get(ctx, s.prefix+"chunks/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		return 0, err
	}
	return resp.Count, nil
}

// SetClock makes the store measure its claims' local deadlines on c. Call
// it before the first Claim.
func (s *Store) SetClock(c formation.Clock) { s.clock = c }

// Renewal is one keep-alive request of a lease.
type Renewal = func(context.Context, clientv3.LeaseID) (*clientv3.LeaseKeepAliveResponse, error)

// InterceptRenewals sends every renewal of the store's leases through f,
// given the real request. Call it before the first Claim.
func (s *Store) InterceptRenewals(f func(ctx context.Context, id clientv3.LeaseID, real Renewal) (*clientv3.LeaseKeepAliveResponse, error)) {
	real := s.renew
	s.renew = func(ctx context.Context, id clientv3.LeaseID) (*clientv3.LeaseKeepAliveResponse, error) {
		return f(ctx, id, real)
	}
}

// Client is the store's etcd client: a test may wrap its KV and Lease,
// before the store's first Claim, to make requests fail.
func (s *Store) Client() *clientv3.Client { return s.cli }
