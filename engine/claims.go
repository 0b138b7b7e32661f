package engine

import "github.com/formation-engine/formation"

// claim marks stack as operated by a request from now until release. A
// second mutating request for the same stack that arrives meanwhile is
// refused with CodeConcurrentRequest (409), RFS's "another request is
// operating this stack". Once a request has committed, the stack's status
// decides (a running deployment makes later requests CodeStackBusy, 403);
// the claim covers the moments before that: validation, parsing the
// template, the transaction.
func (e *Engine) claim(op, stack string) (release func(), err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.claims[stack] {
		return nil, formation.Errorf(formation.CodeConcurrentRequest, op, stack, "another request is operating this stack")
	}
	e.claims[stack] = true
	return func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		delete(e.claims, stack)
	}, nil
}

// admit is how a mutating request starts: its reference (stack or plan) is
// validated, then its stack claimed.
func (e *Engine) admit(op string, ref interface{ validate(string) error }, stack string) (release func(), err error) {
	if err := ref.validate(op); err != nil {
		return nil, err
	}
	return e.claim(op, stack)
}

// claimName is the name of the store claim under which one engine runs a
// stack's operation (see launch). Requests do not take it: among engines
// sharing a store, a second mutation of a stack is refused by its status,
// which transactions read and write atomically (optimistically, retried on
// conflict), as within one engine.
func claimName(stack string) string { return "stack/" + stack }
