package etcd

import (
	"context"

	clientv3 "go.etcd.io/etcd/client/v3"
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
