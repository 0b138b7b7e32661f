package etcd

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/store"
)

// Large values (over store.LargeValue bytes) do not fit etcd's requests
// (1.5 MiB by default), so they are stored apart: their bytes in chunks
// under PREFIX + "chunks/" + ID + "/", written before the transaction's
// commit, and at their key a manifest, written by the commit. The chunks
// are new keys nothing else names until the commit makes the manifest
// visible, so a reader sees the whole value or the one before it; it reads
// the chunks at its snapshot's revision, which a later overwrite does not
// change. An overwrite or a deletion drops the chunks after its commit; a
// commit that fails drops those it wrote.
//
// A stored value that begins with tag is not the value itself: tag, tag
// is a value that began with tag (escaped), tag, 'c' a manifest.
const (
	tag        = 0xff
	manifested = 'c'
	chunkSize  = 512 << 10
	// chunksPerWrite chunks go in one request, well within etcd's limit.
	chunksPerWrite = 2
)

func (s *Store) chunkPrefix(id string) string { return s.prefix + "chunks/" + id + "/" }

// stored returns what to store at a key for value: the value, escaped if
// need be, or, for a large value, a manifest, after writing its chunks
// (named id).
func (s *Store) stored(ctx context.Context, value []byte) (raw string, id string, err error) {
	switch {
	case len(value) > store.LargeValue:
	case len(value) > 0 && value[0] == tag:
		return string([]byte{tag}) + string(value), "", nil
	default:
		return string(value), "", nil
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	id = hex.EncodeToString(b[:])
	p := s.chunkPrefix(id)
	for n, off := 0, 0; off < len(value); {
		ops := make([]clientv3.Op, 0, chunksPerWrite)
		for ; len(ops) < chunksPerWrite && off < len(value); n++ {
			end := min(off+chunkSize, len(value))
			ops = append(ops, clientv3.OpPut(fmt.Sprintf("%s%08d", p, n), string(value[off:end])))
			off = end
		}
		if _, err := s.cli.Txn(ctx).Then(ops...).Commit(); err != nil {
			s.dropChunks(id)
			return "", "", err
		}
	}
	return string([]byte{tag, manifested}) + id + ":" + strconv.Itoa(len(value)), id, nil
}

// value returns the value stored as raw at a key, read at revision rev.
func (s *Store) value(ctx context.Context, raw []byte, rev int64) ([]byte, error) {
	if len(raw) == 0 || raw[0] != tag {
		return raw, nil
	}
	if len(raw) > 1 && raw[1] == tag {
		return raw[1:], nil
	}
	id, size, ok := strings.Cut(string(raw[min(2, len(raw)):]), ":")
	total, err := strconv.Atoi(size)
	if len(raw) < 2 || raw[1] != manifested || !ok || err != nil {
		return nil, formation.Errorf(formation.CodeInternal, "store.Get", s.prefix, "a stored value begins with %q, which is neither an escape nor a manifest", raw[:min(2, len(raw))])
	}
	out := make([]byte, 0, total)
	from, end := s.chunkPrefix(id), clientv3.GetPrefixRangeEnd(s.chunkPrefix(id))
	for {
		resp, err := s.cli.Get(ctx, from, clientv3.WithRange(end), clientv3.WithRev(rev), clientv3.WithLimit(8))
		if err != nil {
			return nil, err
		}
		for _, kv := range resp.Kvs {
			out = append(out, kv.Value...)
		}
		if !resp.More || len(resp.Kvs) == 0 {
			break
		}
		from = string(resp.Kvs[len(resp.Kvs)-1].Key) + "\x00"
	}
	if len(out) != total {
		return nil, formation.Errorf(formation.CodeInternal, "store.Get", s.prefix, "a large value's chunks hold %d of its %d bytes", len(out), total)
	}
	return out, nil
}

// dropChunks deletes a large value's chunks, once nothing names them. A
// failure leaves them behind, unreferenced: they take room, nothing else.
func (s *Store) dropChunks(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), s.ttl)
	defer cancel()
	_, _ = s.cli.Delete(ctx, s.chunkPrefix(id), clientv3.WithPrefix())
}

// manifestID returns the chunks' id if raw is a manifest.
func manifestID(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != tag || raw[1] != manifested {
		return "", false
	}
	id, _, ok := strings.Cut(string(raw[2:]), ":")
	return id, ok
}
