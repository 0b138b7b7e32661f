package store

import (
	"bytes"
	"slices"
)

// chunkMax is the most entries a chunk holds. Inserting into a full chunk
// splits it; appending past the last key starts a new chunk instead, so
// sequentially keyed buckets (events) fill their chunks completely.
const chunkMax = 512

// entry is one key and its value. In a transaction's write set a nil value
// records a deletion; stored values are never nil (joinKV).
type entry struct {
	key, value []byte
}

// sortedList is an ordered map from keys to values kept as a list of sorted
// chunks of at most chunkMax entries (a two-level B-tree). Lookup is two
// binary searches, O(log n); appending after the last key is O(1)
// amortised; inserting or deleting elsewhere moves at most chunkMax entries
// plus one chunk pointer per chunkMax keys (2,000 pointers at 1,000,000
// keys). It is not safe for concurrent mutation; Memory locks around it.
type sortedList struct {
	chunks [][]entry // every chunk is non-empty; chunks are in key order
	n      int
}

// pos addresses one entry: chunk ci, index i. Positions outside the list are
// valid values that at reports as absent.
type pos struct{ ci, i int }

func (l *sortedList) len() int { return l.n }

// search returns the position of the first key >= key and whether it equals
// key. Past the end, the position is {len(chunks), 0}.
func (l *sortedList) search(key []byte) (pos, bool) {
	// The first chunk whose last key is >= key holds the answer.
	ci, _ := slices.BinarySearchFunc(l.chunks, key, func(c []entry, k []byte) int {
		return bytes.Compare(c[len(c)-1].key, k)
	})
	if ci == len(l.chunks) {
		return pos{ci, 0}, false
	}
	i, found := slices.BinarySearchFunc(l.chunks[ci], key, func(e entry, k []byte) int {
		return bytes.Compare(e.key, k)
	})
	return pos{ci, i}, found
}

// get returns the entry at key.
func (l *sortedList) get(key []byte) (entry, bool) {
	if l.n == 0 {
		return entry{}, false
	}
	p, found := l.search(key)
	if !found {
		return entry{}, false
	}
	return l.chunks[p.ci][p.i], true
}

// lastKey returns the greatest key, or nil when the list is empty.
func (l *sortedList) lastKey() []byte {
	if l.n == 0 {
		return nil
	}
	c := l.chunks[len(l.chunks)-1]
	return c[len(c)-1].key
}

// set inserts e or replaces the entry with e's key. The list keeps e's
// slices; the caller must not change them afterwards.
func (l *sortedList) set(e entry) {
	if l.n == 0 || bytes.Compare(e.key, l.lastKey()) > 0 {
		l.append(e)
		return
	}
	p, found := l.search(e.key)
	if found {
		l.chunks[p.ci][p.i] = e
		return
	}
	// p.ci < len(chunks): e.key is not past the last key.
	c := l.chunks[p.ci]
	if len(c) < chunkMax {
		l.chunks[p.ci] = slices.Insert(c, p.i, e)
		l.n++
		return
	}
	// Split the full chunk in half; the right half gets its own array.
	half := len(c) / 2
	right := make([]entry, len(c)-half, chunkMax)
	copy(right, c[half:])
	clear(c[half:])
	left := c[:half]
	if p.i <= half {
		left = slices.Insert(left, p.i, e)
	} else {
		right = slices.Insert(right, p.i-half, e)
	}
	l.chunks[p.ci] = left
	l.chunks = slices.Insert(l.chunks, p.ci+1, right)
	l.n++
}

// append adds e after the last entry; e.key must be greater than every key.
func (l *sortedList) append(e entry) {
	if last := len(l.chunks) - 1; last >= 0 && len(l.chunks[last]) < chunkMax {
		l.chunks[last] = append(l.chunks[last], e)
	} else {
		// The first chunk grows as needed, so small buckets and write sets
		// stay small; once one chunk is full, keys are evidently being
		// appended in bulk and the next chunk gets its full size at once.
		size := 8
		if last >= 0 {
			size = chunkMax
		}
		c := make([]entry, 1, size)
		c[0] = e
		l.chunks = append(l.chunks, c)
	}
	l.n++
}

// delete removes key and reports whether it was there.
func (l *sortedList) delete(key []byte) bool {
	if l.n == 0 {
		return false
	}
	p, found := l.search(key)
	if !found {
		return false
	}
	c := slices.Delete(l.chunks[p.ci], p.i, p.i+1)
	l.n--
	if len(c) == 0 {
		l.chunks = slices.Delete(l.chunks, p.ci, p.ci+1)
		return true
	}
	l.chunks[p.ci] = c
	// Merge a chunk that has shrunk into a neighbour while the result stays
	// at most half full, so deletes cannot leave a long tail of tiny chunks.
	if len(c) < chunkMax/4 {
		switch {
		case p.ci+1 < len(l.chunks) && len(c)+len(l.chunks[p.ci+1]) <= chunkMax/2:
			l.chunks[p.ci] = append(c, l.chunks[p.ci+1]...)
			l.chunks = slices.Delete(l.chunks, p.ci+1, p.ci+2)
		case p.ci > 0 && len(c)+len(l.chunks[p.ci-1]) <= chunkMax/2:
			l.chunks[p.ci-1] = append(l.chunks[p.ci-1], c...)
			l.chunks = slices.Delete(l.chunks, p.ci, p.ci+1)
		}
	}
	return true
}

// at returns the entry at p, or false when p is outside the list. It checks
// bounds on every call, so a cursor over a list that changed under it (a
// Scan callback that broke the no-write rule) misbehaves but cannot panic.
func (l *sortedList) at(p pos) (entry, bool) {
	if p.ci < 0 || p.ci >= len(l.chunks) || p.i < 0 || p.i >= len(l.chunks[p.ci]) {
		return entry{}, false
	}
	return l.chunks[p.ci][p.i], true
}

func (l *sortedList) next(p pos) pos {
	if p.ci < 0 || p.ci >= len(l.chunks) {
		return pos{len(l.chunks), 0}
	}
	p.i++
	if p.i >= len(l.chunks[p.ci]) {
		p.ci, p.i = p.ci+1, 0
	}
	return p
}

func (l *sortedList) prev(p pos) pos {
	if p.ci > len(l.chunks) {
		p = pos{len(l.chunks), 0}
	}
	p.i--
	for p.i < 0 {
		p.ci--
		if p.ci < 0 {
			return pos{-1, 0}
		}
		p.i = len(l.chunks[p.ci]) - 1
	}
	return p
}

// first positions a scan of r: the first key to visit, before checking the
// prefix.
func (l *sortedList) first(r *scanRange) pos {
	if l.n == 0 {
		return pos{-1, 0}
	}
	if !r.reverse {
		if r.from == nil {
			return pos{0, 0}
		}
		p, _ := l.search(r.from)
		return p
	}
	if r.upTo == nil {
		return l.prev(pos{len(l.chunks), 0})
	}
	p, found := l.search(r.upTo)
	if found && r.inclusive {
		return p
	}
	return l.prev(p)
}

// cursor walks a sortedList through one scanRange.
type cursor struct {
	l *sortedList
	r *scanRange
	p pos
}

func newCursor(l *sortedList, r *scanRange) cursor {
	if l == nil {
		l = &sortedList{}
	}
	return cursor{l: l, r: r, p: l.first(r)}
}

// entry returns the current entry, or false once the cursor has left the
// list or the prefix.
func (c *cursor) entry() (entry, bool) {
	e, ok := c.l.at(c.p)
	if !ok || !bytes.HasPrefix(e.key, c.r.prefix) {
		return entry{}, false
	}
	return e, true
}

func (c *cursor) advance() {
	if c.r.reverse {
		c.p = c.l.prev(c.p)
	} else {
		c.p = c.l.next(c.p)
	}
}
