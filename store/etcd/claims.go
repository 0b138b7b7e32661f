package etcd

import (
	"context"
	"sync"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/client/v3/concurrency"

	"github.com/formation-engine/formation/store"
)

// claim is a held claim: a key attached to the store's lease.
type claim struct {
	s    *Store
	name string
	key  string
	rev  int64 // the key's CreateRevision: identifies this holding
	sess *concurrency.Session

	once     sync.Once
	lost     chan struct{}
	released chan struct{} // closed by Release
}

func (c *claim) Name() string          { return c.name }
func (c *claim) Lost() <-chan struct{} { return c.lost }

func (c *claim) lose() { c.once.Do(func() { close(c.lost) }) }

// Release implements store.Claim: it deletes the claim's key if it is
// still this holding's.
func (c *claim) Release() error {
	c.s.mu.Lock()
	_, held := c.s.claims[c]
	delete(c.s.claims, c)
	c.s.mu.Unlock()
	if !held {
		return nil
	}
	close(c.released)
	select {
	case <-c.lost:
		return nil
	default:
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.s.ttl)
	defer cancel()
	_, err := c.s.cli.Txn(ctx).
		If(clientv3.Compare(clientv3.CreateRevision(c.key), "=", c.rev)).
		Then(clientv3.OpDelete(c.key)).
		Commit()
	if err != nil {
		// The lease ends the claim anyway, within its TTL.
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
	sess, err := s.lease(ctx)
	if err != nil {
		return nil, unavailable(op, err)
	}
	key := s.prefix + "claims/" + name
	resp, err := s.cli.Txn(ctx).
		If(clientv3.Compare(clientv3.CreateRevision(key), "=", 0)).
		Then(clientv3.OpPut(key, "", clientv3.WithLease(sess.Lease()))).
		Commit()
	if err != nil {
		return nil, unavailable(op, err)
	}
	if !resp.Succeeded {
		return nil, store.ErrorClaimed(name)
	}
	c := &claim{s: s, name: name, key: key, rev: resp.Header.Revision, sess: sess, lost: make(chan struct{}), released: make(chan struct{})}
	s.mu.Lock()
	s.claims[c] = struct{}{}
	s.mu.Unlock()
	go func() {
		// The lease ending (expired, revoked, or not renewed in time)
		// takes the key with it.
		select {
		case <-sess.Done():
			s.mu.Lock()
			delete(s.claims, c)
			s.mu.Unlock()
			c.lose()
		case <-c.released:
		}
	}()
	return c, nil
}

// lease returns the session whose lease claims are attached to, making a
// new one when there is none or the last one ended.
func (s *Store) lease(ctx context.Context) (*concurrency.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.session != nil {
		select {
		case <-s.session.Done():
		default:
			return s.session, nil
		}
	}
	ttl := int(s.ttl.Seconds())
	sess, err := concurrency.NewSession(s.cli, concurrency.WithTTL(ttl), concurrency.WithContext(context.Background()))
	if err != nil {
		return nil, err
	}
	s.session = sess
	return sess, nil
}
