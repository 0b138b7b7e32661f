package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/zclconf/go-cty/cty"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/internal/valuejson"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/store"
)

// A creation whose outcome is unknown — it kept failing with transient
// errors (a lost response looks like that), or the process died during the
// call — leaves its intent behind. The next phase settles it:
//
//   - if the phase creates the same address, the executor re-issues the
//     creation with the same token (the creation generation has not
//     advanced), and the provider returns what it made;
//   - otherwise (a rollback, a deletion, a template that dropped the
//     resource) settleCreations re-issues it here with the same token and
//     deletes what it gets, so nothing is left behind unrecorded.

// leftoverCreations reads the creation intents an earlier run left.
func leftoverCreations(tx store.Tx, stackID string) (map[string]intentRecord, error) {
	out := map[string]intentRecord{}
	err := tx.Scan(storeJournal, store.ScanOptions{Prefix: intentPrefix(stackID)}, func(_, v []byte) (bool, error) {
		var in intentRecord
		if err := decode(v, &in); err != nil {
			return false, err
		}
		if in.Op == opCreate.String() {
			out[in.Addr] = in
		}
		return true, nil
	})
	return out, err
}

// settleCreations settles the leftover creations this phase does not make
// again, and withdraws every other leftover intent (updates and deletions
// are settled by planning again: both are idempotent). A settlement that
// fails keeps its intent for the next phase; it does not fail this one.
func (x *execution) settleCreations(ctx context.Context, leftovers map[string]intentRecord) {
	if len(leftovers) == 0 {
		return
	}
	creates := map[string]bool{}
	for _, c := range x.plan.Changes {
		if !c.Drifted && c.Deposed == "" && (c.Action == formation.ActionAdd || c.Action.Replaces()) {
			creates[c.Addr] = true
		}
	}
	for addr, in := range leftovers {
		if creates[addr] {
			continue // the executor re-issues it with the same token
		}
		msg, err := x.settle(ctx, in)
		key := childKey(x.stack.ID, "i/"+addr+"#create")
		x.w.submit(func(tx *txn) error {
			ev := x.e.logEvent(x.dep.ID, msg)
			if err != nil {
				return tx.appendEvents(x.stack.ID, ev)
			}
			if err := advanceGeneration(tx, x.stack.ID, addr, x.generations[addr]); err != nil {
				return err
			}
			if err := tx.Delete(storeJournal, key); err != nil {
				return err
			}
			return tx.appendEvents(x.stack.ID, ev)
		})
	}
}

// settle re-issues one lost creation with its token and deletes what the
// provider returns.
func (x *execution) settle(ctx context.Context, in intentRecord) (string, error) {
	id, err := x.reissue(ctx, in)
	if err != nil {
		return fmt.Sprintf("%s: a creation whose outcome is unknown could not be settled yet (%s); it is tried again by the next deployment", in.Addr, err), err
	}
	return fmt.Sprintf("%s: a creation whose outcome was unknown was settled: re-issued with its token and deleted [id=%s]", in.Addr, id), nil
}

// reissue makes settle's two calls, each once the stack's claim allows
// (fence), and returns the id of the object deleted.
func (x *execution) reissue(ctx context.Context, in intentRecord) (string, error) {
	p, err := x.provs.forResource(in.ProviderName, in.ProviderAlias, in.Addr)
	if err != nil {
		return "", err
	}
	config, err := decodeValue(plan.NewValueDecoder(), in.Config)
	if err != nil {
		return "", err
	}
	if config == cty.NilVal {
		config = cty.EmptyObjectVal
	}
	if err := fence(ctx); err != nil {
		return "", err
	}
	resp, err := p.Create(ctx, provider.CreateRequest{TypeName: in.Type, Address: in.Addr, Config: config, Token: in.Token})
	if err != nil {
		return "", err
	}
	if err := fence(ctx); err != nil {
		return "", err
	}
	err = p.Delete(ctx, provider.DeleteRequest{TypeName: in.Type, Address: in.Addr, ID: resp.ID, State: resp.State})
	if err != nil && !errors.Is(err, provider.ErrNotFound) {
		return "", err
	}
	return resp.ID, nil
}

// settleConfig is what a creation intent keeps of the planned object to
// re-issue it: unknown parts become null (the provider computes them).
func settleConfig(v cty.Value) json.RawMessage {
	if v == cty.NilVal || v.IsNull() {
		return nil
	}
	raw, err := valuejson.MarshalKnown(v, cty.DynamicPseudoType)
	if err != nil {
		return nil
	}
	return raw
}
