package engine

import (
	"context"
	"errors"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/store"
)

// heldClaim is a stack's claim held by a request of this engine.
type heldClaim struct {
	c          store.Claim // nil while it is being taken
	handedOver bool        // to the operation the request launched
}

// claim marks stack as operated by a request from now until release. A
// second mutating request for the same stack that arrives meanwhile is
// refused with CodeConcurrentRequest (409), RFS's "another request is
// operating this stack". Once a request has committed, the stack's status
// decides (a running deployment makes later requests CodeStackBusy, 403);
// the claim covers the moments before that: validation, parsing the
// template, the transaction.
//
// The claim is also taken in the store (claimName), so that engines
// sharing it exclude each other the same way; a request that launches an
// operation hands the store's claim over to it (launch), and the operation
// holds it until it ends. A stack claimed by another engine is busy (403)
// while it is *_IN_PROGRESS, and operated by another request (409) before.
func (e *Engine) claim(op, stack string) (release func(), err error) {
	e.mu.Lock()
	if e.claims[stack] != nil {
		e.mu.Unlock()
		return nil, formation.Errorf(formation.CodeConcurrentRequest, op, stack, "another request is operating this stack")
	}
	h := &heldClaim{}
	e.claims[stack] = h
	e.mu.Unlock()
	c, err := e.st.Claim(e.bg, claimName(stack))
	if err != nil {
		e.mu.Lock()
		delete(e.claims, stack)
		e.mu.Unlock()
		return nil, e.claimError(op, stack, err)
	}
	e.mu.Lock()
	h.c = c
	e.mu.Unlock()
	return func() {
		e.mu.Lock()
		delete(e.claims, stack)
		handed := h.handedOver
		e.mu.Unlock()
		if !handed {
			if err := c.Release(); err != nil {
				e.log.Warn("releasing a stack's claim", "stack", stack, "err", err)
			}
		}
	}, nil
}

// claimError is what a request gets when the store's claim of its stack
// could not be taken.
func (e *Engine) claimError(op, stack string, err error) error {
	if !errors.Is(err, store.ErrClaimed) {
		return typed(op, err)
	}
	var rec stackRecord
	var ok bool
	_ = e.st.View(e.bg, func(tx store.Tx) (err error) {
		ok, err = getJSON(tx, store.Stacks, stackKey(stack), &rec)
		return err
	})
	if ok && rec.Status.InProgress() {
		return formation.Errorf(formation.CodeStackBusy, op, stack, "stack is %s: another operation is running on it", rec.Status)
	}
	return formation.Errorf(formation.CodeConcurrentRequest, op, stack, "another request is operating this stack")
}

// claimOperation returns the store's claim under which an operation of the
// stack runs: the one a request of this engine holds for it, handed over,
// or a new one. It fails with ErrClaimed when another engine runs the
// stack's operation.
func (e *Engine) claimOperation(ctx context.Context, stack string) (store.Claim, error) {
	e.mu.Lock()
	if h := e.claims[stack]; h != nil && h.c != nil && !h.handedOver {
		h.handedOver = true
		e.mu.Unlock()
		return h.c, nil
	}
	e.mu.Unlock()
	return e.st.Claim(ctx, claimName(stack))
}

// claimName is the name of the store claim under which one engine operates
// a stack.
func claimName(stack string) string { return "stack/" + stack }

// admit is how a mutating request starts: its reference (stack or plan) is
// validated, then its stack claimed.
func (e *Engine) admit(op string, ref interface{ validate(string) error }, stack string) (release func(), err error) {
	if err := ref.validate(op); err != nil {
		return nil, err
	}
	return e.claim(op, stack)
}
