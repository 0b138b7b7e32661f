// Package recent keeps the values a process worked out recently, by key,
// within a bound: what a server computes again and again from the same
// input (a template redeployed, a type read from every stored resource)
// is worked out once.
package recent

import "sync"

// Cache holds up to about twice its bound of values, the most recently
// used. It keeps two generations: values are added to the current one, and
// when that reaches the bound it becomes the previous one and the old
// previous one is dropped. A value found in the previous generation moves
// to the current one, so what is in use stays. Lookups and additions are
// O(1); a Cache is safe for concurrent use, and a nil Cache keeps nothing
// (a one-off user, such as a preview's engine, needs none). Values are
// shared by every caller that finds them: they must be immutable.
type Cache[K comparable, V any] struct {
	mu        sync.Mutex
	maxCost   int
	cost      int // of the current generation
	cur, prev map[K]entry[V]
}

type entry[V any] struct {
	v    V
	cost int
}

// New returns a Cache whose generations each hold values of at most
// maxCost in all, as the caller counts cost (1 a value, or its size).
func New[K comparable, V any](maxCost int) *Cache[K, V] {
	return &Cache[K, V]{maxCost: maxCost, cur: map[K]entry[V]{}}
}

// Get returns the value kept for k.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	var zero V
	if c == nil {
		return zero, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.cur[k]; ok {
		return e.v, true
	}
	e, ok := c.prev[k]
	if !ok {
		return zero, false
	}
	delete(c.prev, k)
	c.add(k, e)
	return e.v, true
}

// Put keeps v for k, at the given cost. A value costing more than the
// bound is not kept.
func (c *Cache[K, V]) Put(k K, v V, cost int) {
	if c == nil || cost > c.maxCost {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.cur[k]; ok {
		c.cost -= old.cost
	}
	c.add(k, entry[V]{v: v, cost: cost})
}

// add puts e in the current generation, starting a new one first if e
// would take it over the bound.
func (c *Cache[K, V]) add(k K, e entry[V]) {
	if c.cost+e.cost > c.maxCost {
		c.prev, c.cur, c.cost = c.cur, map[K]entry[V]{}, 0
	}
	c.cur[k] = e
	c.cost += e.cost
}
