package recent

import (
	"fmt"
	"sync"
	"testing"
)

func TestCacheKeepsWhatIsUsed(t *testing.T) {
	c := New[string, int](3)
	for i := range 3 {
		c.Put(fmt.Sprint(i), i, 1)
	}
	// The fourth value starts a new generation; 0, 1 and 2 are the
	// previous one.
	c.Put("3", 3, 1)
	if v, ok := c.Get("0"); !ok || v != 0 {
		t.Fatalf("Get(0) = %d, %v; want 0 from the previous generation", v, ok)
	}
	// 0 moved to the current generation (3, 0); a fifth and sixth value
	// fill it and 1 and 2, never used again, are dropped with the old one.
	c.Put("4", 4, 1)
	c.Put("5", 5, 1)
	for _, k := range []string{"1", "2"} {
		if _, ok := c.Get(k); ok {
			t.Errorf("Get(%s) found a value two generations old", k)
		}
	}
	for _, k := range []string{"0", "3", "4", "5"} {
		if _, ok := c.Get(k); !ok {
			t.Errorf("Get(%s) lost a recent value", k)
		}
	}
}

func TestCacheBoundsCost(t *testing.T) {
	c := New[string, string](10)
	c.Put("big", "x", 11)
	if _, ok := c.Get("big"); ok {
		t.Error("a value costing more than the bound was kept")
	}
	c.Put("a", "a", 6)
	c.Put("a", "a2", 6) // replaces, does not count twice
	c.Put("b", "b", 4)
	if v, ok := c.Get("a"); !ok || v != "a2" {
		t.Errorf("Get(a) = %q, %v; want a2 in the current generation", v, ok)
	}
	c.mu.Lock()
	cost, n := c.cost, len(c.cur)
	c.mu.Unlock()
	if cost != 10 || n != 2 {
		t.Errorf("current generation costs %d with %d values; want 10 with 2", cost, n)
	}
}

func TestCacheConcurrent(t *testing.T) {
	c := New[int, int](16)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				k := (g*31 + i) % 40
				if v, ok := c.Get(k); ok && v != k*k {
					t.Errorf("Get(%d) = %d", k, v)
					return
				}
				c.Put(k, k*k, 1)
			}
		})
	}
	wg.Wait()
}

func TestNilCacheKeepsNothing(t *testing.T) {
	var c *Cache[string, int]
	c.Put("a", 1, 1)
	if v, ok := c.Get("a"); ok {
		t.Errorf("a nil Cache found %d", v)
	}
}
