package etcd

import (
	"sync"
)

// readCache remembers, for the keys this Store's Updates last read (and
// wrote since), their stored value and ModRevision, so that an Update's Get of a key it knows
// costs no round trip to the cluster. A cached read is checked like any
// other: the commit compares the key's ModRevision with the one cached
// (its absence, for a key cached absent), so a key another process
// changed meanwhile fails the commit, which forgets the keys the attempt
// read and runs fn again. Only Updates use it (a View has no commit to
// check its reads, and must see every committed write), and an attempt
// that read through it returns an error, or commits nothing, only after a
// run that read none of it: decisions that are not committed must come
// from a snapshot.
//
// The engine's group commits read the same few keys again and again (the
// stack, its event sequence, the deployment), all of them written by the
// engine running the operation, which holds its stack's claim: the cache
// spares most of their reads.
type readCache struct {
	mu      sync.Mutex
	entries map[string]cached
}

type cached struct {
	raw []byte // as stored (escaped); nil: absent
	mod int64  // ModRevision; 0: absent
}

// maxCached bounds the cache; past it, it starts again empty.
const maxCached = 8192

func (c *readCache) get(k string) (cached, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	return e, ok
}

// put remembers k's stored value at revision mod. Manifests of large
// values are not remembered: their chunks go when the value is replaced.
func (c *readCache) put(k string, raw []byte, mod int64) {
	if _, ok := manifestID(raw); ok {
		c.forget(k)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= maxCached {
		c.entries = make(map[string]cached, 64)
	}
	c.entries[k] = cached{raw: raw, mod: mod}
}

// has reports whether k is cached. A commit remembers the keys it wrote
// only if it read them or they are cached already: the keys written blind
// (events, intents, index entries) are written once and not read by an
// Update again, and remembering them would cost a copy each and push out
// the keys that are (a stack's record, its event sequence).
func (c *readCache) has(k string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.entries[k]
	return ok
}

func (c *readCache) forget(keys ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		delete(c.entries, k)
	}
}
