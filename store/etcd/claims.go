package etcd

import (
	"context"
	"errors"
	"sync"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/formation-engine/formation/store"
)

// claim is a held claim: a key attached to a lease of its own.
type claim struct {
	s     *Store
	name  string
	key   string
	rev   int64 // the key's CreateRevision: identifies this holding
	lease *lease

	once     sync.Once
	lost     chan struct{}
	released chan struct{} // closed by Release
}

func (c *claim) Name() string          { return c.name }
func (c *claim) Lost() <-chan struct{} { return c.lost }

func (c *claim) lose() { c.once.Do(func() { close(c.lost) }) }

// Valid implements store.Claim: the lease's local deadline is at least the
// safety margin away.
func (c *claim) Valid(ctx context.Context) error {
	select {
	case <-c.lost:
		return store.ErrorClaimLost("store.Claim.Valid", c.name)
	case <-c.released:
		return store.ErrorClaimLost("store.Claim.Valid", c.name)
	default:
	}
	err := c.lease.valid(ctx)
	if errors.Is(err, errLeaseEnded) {
		return store.ErrorClaimLost("store.Claim.Valid", c.name)
	}
	return err
}

// Release implements store.Claim: it revokes the claim's lease, which
// takes the claim's key with it. Should the revocation fail, the lease is
// no longer renewed either, so etcd ends it, and the claim, within its TTL.
func (c *claim) Release() error {
	c.s.mu.Lock()
	_, held := c.s.claims[c]
	delete(c.s.claims, c)
	c.s.mu.Unlock()
	if !held {
		return nil
	}
	close(c.released)
	if err := c.lease.close(); err != nil {
		return unavailable("store.Release", err)
	}
	return nil
}

// Claim implements store.Store.
func (s *Store) Claim(ctx context.Context, name string) (store.Claim, error) {
	const op = "store.Claim"
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := store.CheckClaimNameIn(ctx, name); err != nil {
		return nil, err
	}
	if err := s.begin(op); err != nil {
		return nil, err
	}
	defer s.running.Done()
	key := s.prefix + "claims/" + name
	// A claim another holder has is refused without granting a lease for
	// it (engines look for operations to take over by claiming them).
	held, err := s.cli.Get(ctx, key, clientv3.WithCountOnly())
	if err != nil {
		return nil, unavailable(op, err)
	}
	if held.Count > 0 {
		return nil, store.ErrorClaimed(name)
	}
	// Each claim has a lease of its own, renewed only while the claim is
	// held: a claim its holder let go of in any way (released, or its
	// request's answer lost) ends within the TTL even though the process
	// lives on and renews its other claims.
	l, err := s.grant(ctx)
	if err != nil {
		return nil, unavailable(op, err)
	}
	resp, err := s.cli.Txn(ctx).
		If(clientv3.Compare(clientv3.CreateRevision(key), "=", 0)).
		Then(clientv3.OpPut(key, "", clientv3.WithLease(l.id))).
		Commit()
	if err != nil {
		// The put may have committed with its answer lost: ending the
		// lease ends the claim, whichever happened.
		l.lose()
		return nil, unavailable(op, err)
	}
	if !resp.Succeeded {
		l.lose()
		return nil, store.ErrorClaimed(name)
	}
	c := &claim{s: s, name: name, key: key, rev: resp.Header.Revision, lease: l, lost: make(chan struct{}), released: make(chan struct{})}
	s.mu.Lock()
	s.claims[c] = struct{}{}
	s.mu.Unlock()
	go func() {
		// The lease ending (expired, revoked, or its local deadline
		// passed) takes the key with it.
		select {
		case <-l.done:
			if isDone(c.released) {
				return // Release ended it
			}
			s.mu.Lock()
			delete(s.claims, c)
			s.mu.Unlock()
			c.lose()
		case <-c.released:
		}
	}()
	return c, nil
}
