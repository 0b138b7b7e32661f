package etcd

import (
	"context"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/formation-engine/formation/store"
)

// Watch implements store.Store with an etcd watch on the prefix, from the
// revision current when Watch is called. When the watch breaks (its
// revision compacted, the cluster unreachable for long) the receiver is
// signalled, since it may have missed a change, and the watch resumes from
// the current revision.
func (s *Store) Watch(ctx context.Context, b store.Bucket, prefix []byte) (<-chan struct{}, error) {
	const op = "store.Watch"
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !store.KnownBucket(b) {
		return nil, store.ErrorUnknownBucket(op, b)
	}
	if err := s.begin(op); err != nil {
		return nil, err
	}
	defer s.running.Done()
	key := s.key(b, prefix)
	resp, err := s.cli.Get(ctx, key, clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		return nil, unavailable(op, err)
	}
	rev := resp.Header.Revision
	out := make(chan struct{}, 1)
	signal := func() {
		select {
		case out <- struct{}{}:
		default:
		}
	}
	go func() {
		defer close(out)
		for ctx.Err() == nil {
			wctx := clientv3.WithRequireLeader(ctx)
			for wr := range s.cli.Watch(wctx, key, clientv3.WithPrefix(), clientv3.WithRev(rev+1)) {
				if err := wr.Err(); err != nil {
					break
				}
				if len(wr.Events) > 0 {
					rev = wr.Header.Revision
					signal()
				}
			}
			if ctx.Err() != nil || s.cli.Ctx().Err() != nil {
				return // done, or the store closed
			}
			signal()
			if r, err := s.cli.Get(ctx, key, clientv3.WithPrefix(), clientv3.WithCountOnly()); err == nil {
				rev = r.Header.Revision
			} else {
				t := time.NewTimer(100 * time.Millisecond) // the cluster is unreachable: do not spin
				select {
				case <-ctx.Done():
				case <-t.C:
				}
				t.Stop()
			}
		}
	}()
	return out, nil
}
