package etcd

// Abandon drops the store's connection without revoking its lease, as a
// process killed with SIGKILL would: its claims stay until the lease's TTL
// runs out.
func (s *Store) Abandon() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	_ = s.cli.Close()
}
