package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/formation-engine/formation"
)

// Errors of contract version 2, matched with errors.Is. The store returns
// them wrapped in a *formation.Error that carries the operation and the
// RFS-style code given with each.
var (
	// ErrTooLarge: a transaction's writes passed Limits (CodeInternal: the
	// caller should have split them).
	ErrTooLarge = errors.New("store: transaction is larger than the store's limits")
	// ErrClaimed: another holder has the claim (CodeConcurrentRequest).
	ErrClaimed = errors.New("store: claimed by another holder")
	// ErrClaimLost: an Update ran under a claim that is gone
	// (CodeUnavailable).
	ErrClaimLost = errors.New("store: the claim was lost")
)

// ErrorTooLarge is the error a write past limits returns, the same from
// every implementation.
func ErrorTooLarge(op string, b Bucket, l Limits) error {
	return &formation.Error{Code: formation.CodeInternal, Op: op, Resource: string(b), Err: ErrTooLarge,
		Message: fmt.Sprintf("a transaction writes at most %d keys and %d bytes, and a value holds at most %d bytes", l.MaxOps, l.MaxBytes, MaxValueSize)}
}

// ErrorClaimed is the error Claim returns for a claim another holder has.
func ErrorClaimed(name string) error {
	return &formation.Error{Code: formation.CodeConcurrentRequest, Op: "store.Claim", Resource: name,
		Message: "claimed by another holder", Err: ErrClaimed}
}

// ErrorClaimLost is the error an Update under a lost claim returns.
func ErrorClaimLost(op, name string) error {
	return &formation.Error{Code: formation.CodeUnavailable, Op: op, Resource: name,
		Message: "the claim was lost; another holder may have taken over", Err: ErrClaimLost}
}

// CheckClaimName refuses an empty or over-long claim name.
func CheckClaimName(name string) error { return checkClaimName(name, 0) }

// checkClaimName refuses an empty claim name, or one longer than
// MaxKeySize with room bytes of a view's prefix.
func checkClaimName(name string, room int) error {
	switch {
	case name == "":
		return formation.Errorf(formation.CodeInvalidParameter, "store.Claim", "", "empty claim name")
	case len(name)-room > MaxKeySize:
		return formation.Errorf(formation.CodeInvalidParameter, "store.Claim", "", "claim name longer than %d bytes", MaxKeySize)
	}
	return nil
}

type claimKey struct{}

// WithClaim returns a ctx that makes every Update and Batch run with it
// commit only while c is held: once c is lost they fail with an error
// matching ErrClaimLost and change nothing.
func WithClaim(ctx context.Context, c Claim) context.Context {
	return context.WithValue(ctx, claimKey{}, c)
}

// ClaimOf returns the claim WithClaim put in ctx, or nil.
func ClaimOf(ctx context.Context) Claim {
	c, _ := ctx.Value(claimKey{}).(Claim)
	return c
}

// checkHeld fails when ctx carries a claim that is no longer held.
func checkHeld(ctx context.Context, op string) error {
	c := ClaimOf(ctx)
	if c == nil {
		return nil
	}
	if lc, ok := c.(*localClaim); ok && !lc.held() {
		return ErrorClaimLost(op, c.Name())
	}
	select {
	case <-c.Lost():
		return ErrorClaimLost(op, c.Name())
	default:
	}
	return nil
}

// limiter counts a transaction function's writes against Limits.
type limiter struct {
	Limits
	ops, bytes int
}

func (l *limiter) add(op string, b Bucket, key, value []byte) error {
	l.ops++
	l.bytes += WriteBytes(key, value)
	if l.ops > l.MaxOps || l.bytes > l.MaxBytes || len(value) > MaxValueSize {
		return ErrorTooLarge(op, b, l.Limits)
	}
	return nil
}

// WriteBytes is what writing value at key counts against Limits.MaxBytes:
// the key and the value, a value over LargeValue as LargeValue (it is
// written apart from the transaction).
func WriteBytes(key, value []byte) int { return len(key) + min(len(value), LargeValue) }

// local is the claims and change feed of a store that one process owns
// (Bolt, Memory): both live in memory, since no other process can see the
// store.
type local struct {
	mu       sync.Mutex
	claims   map[string]*localClaim
	watchers map[*watcher]struct{}
	nwatch   atomic.Int32 // len(watchers), read without the lock on every commit
	closed   bool
}

type localClaim struct {
	l        *local
	name     string
	lost     chan struct{}
	released atomic.Bool
}

func (c *localClaim) Name() string          { return c.name }
func (c *localClaim) Lost() <-chan struct{} { return c.lost }

// Valid implements Claim: a local claim holds until it is released or
// its store closes.
func (c *localClaim) Valid(ctx context.Context) error {
	if !c.held() {
		return ErrorClaimLost("store.Claim.Valid", c.name)
	}
	return ctx.Err()
}

// held reports whether the claim is neither released nor lost.
func (c *localClaim) held() bool {
	select {
	case <-c.lost:
		return false
	default:
		return !c.released.Load()
	}
}

func (c *localClaim) Release() error {
	if c.released.Swap(true) {
		return nil
	}
	c.l.mu.Lock()
	defer c.l.mu.Unlock()
	if c.l.claims[c.name] == c {
		delete(c.l.claims, c.name)
	}
	return nil
}

func (l *local) claim(ctx context.Context, name string) (Claim, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := CheckClaimNameIn(ctx, name); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, errClosed("store.Claim")
	}
	if l.claims == nil {
		l.claims = map[string]*localClaim{}
	}
	if l.claims[name] != nil {
		return nil, ErrorClaimed(name)
	}
	c := &localClaim{l: l, name: name, lost: make(chan struct{})}
	l.claims[name] = c
	return c, nil
}

type watcher struct {
	b      Bucket
	prefix []byte
	ch     chan struct{}
}

func (l *local) watch(ctx context.Context, b Bucket, prefix []byte) (<-chan struct{}, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !knownBucket(b) {
		return nil, errUnknownBucket("store.Watch", b)
	}
	w := &watcher{b: b, prefix: bytes.Clone(prefix), ch: make(chan struct{}, 1)}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil, errClosed("store.Watch")
	}
	if l.watchers == nil {
		l.watchers = map[*watcher]struct{}{}
	}
	l.watchers[w] = struct{}{}
	l.nwatch.Add(1)
	go func() {
		<-ctx.Done()
		l.mu.Lock()
		defer l.mu.Unlock()
		if _, ok := l.watchers[w]; ok {
			delete(l.watchers, w)
			l.nwatch.Add(-1)
			close(w.ch)
		}
	}()
	return w.ch, nil
}

// watching reports whether a commit must collect its keys for notify.
func (l *local) watching() bool { return l.nwatch.Load() > 0 }

// notify signals the watchers of the keys a commit changed.
func (l *local) notify(changed map[Bucket][][]byte) {
	if len(changed) == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for w := range l.watchers {
		for _, k := range changed[w.b] {
			if bytes.HasPrefix(k, w.prefix) {
				select {
				case w.ch <- struct{}{}:
				default:
				}
				break
			}
		}
	}
}

// close loses every claim and ends every watch.
func (l *local) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	l.closed = true
	for _, c := range l.claims {
		close(c.lost)
	}
	l.claims = nil
	for w := range l.watchers {
		close(w.ch)
	}
	l.watchers = nil
	l.nwatch.Store(0)
}

// knownBuckets is allBuckets as a set: every Get, Put and Scan checks its
// bucket, and allBuckets builds a slice.
var knownBuckets = func() map[Bucket]bool {
	set := map[Bucket]bool{}
	for _, b := range allBuckets() {
		set[b] = true
	}
	return set
}()

func knownBucket(b Bucket) bool { return knownBuckets[b] }
