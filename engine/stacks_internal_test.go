package engine

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/fsm"
	"github.com/formation-engine/formation/store"
)

// seedStatus rewrites a stack's stored status, standing in for a deployment
// that is running or has failed (which later issues make reachable through
// the API).
func seedStatus(t *testing.T, st store.Store, name string, status formation.StackStatus) {
	t.Helper()
	err := st.Update(context.Background(), func(tx store.Tx) error {
		var rec stackRecord
		if _, err := getJSON(tx, store.Stacks, stackKey(name), &rec); err != nil {
			return err
		}
		rec.Status = status
		return putJSON(tx, store.Stacks, stackKey(name), &rec)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func newMemEngine(t *testing.T) (*Engine, store.Store) {
	t.Helper()
	st := store.NewMemory()
	e, err := New(Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e, st
}

func TestEngine_MutationsRefusedWhileInProgress(t *testing.T) {
	ctx := context.Background()
	for _, status := range []formation.StackStatus{formation.StackDeploymentInProgress, formation.StackRollbackInProgress, formation.StackDeletionInProgress} {
		t.Run(string(status), func(t *testing.T) {
			e, st := newMemEngine(t)
			if _, err := e.CreateStack(ctx, CreateStackRequest{Name: "s"}); err != nil {
				t.Fatal(err)
			}
			seedStatus(t, st, "s", status)
			_, err := e.UpdateStack(ctx, UpdateStackRequest{StackRef: StackRef{Name: "s"}, Description: new("x")})
			if !formation.HasCode(err, formation.CodeStackBusy) || !errors.Is(err, formation.ErrInvalidStatus) {
				t.Fatalf("UpdateStack while %s: %v, want RF.10012519", status, err)
			}
			_, err = e.DeleteStack(ctx, DeleteStackRequest{StackRef: StackRef{Name: "s"}})
			if !formation.HasCode(err, formation.CodeStackBusy) {
				t.Fatalf("DeleteStack while %s: %v, want RF.10012519", status, err)
			}
			var fe *formation.Error
			if errors.As(err, &fe); fe.Resource != "s" || fe.HTTPStatus() != 403 {
				t.Fatalf("refusal names %q with HTTP %d", fe.Resource, fe.HTTPStatus())
			}
		})
	}
}

func TestEngine_UpdateStack_AutoRollbackInFailedStatuses(t *testing.T) {
	ctx := context.Background()
	for _, status := range []formation.StackStatus{formation.StackDeploymentFailed, formation.StackRollbackFailed, formation.StackDeletionFailed} {
		t.Run(string(status), func(t *testing.T) {
			e, st := newMemEngine(t)
			if _, err := e.CreateStack(ctx, CreateStackRequest{Name: "s"}); err != nil {
				t.Fatal(err)
			}
			seedStatus(t, st, "s", status)
			_, err := e.UpdateStack(ctx, UpdateStackRequest{StackRef: StackRef{Name: "s"}, EnableAutoRollback: new(true)})
			if !formation.HasCode(err, formation.CodeAutoRollback) {
				t.Fatalf("enabling auto-rollback in %s: %v, want RF.10012546", status, err)
			}
			// Other fields may change in a failed status.
			if _, err := e.UpdateStack(ctx, UpdateStackRequest{StackRef: StackRef{Name: "s"}, Description: new("fixing")}); err != nil {
				t.Fatalf("description update in %s: %v", status, err)
			}
			got, _ := e.GetStackMetadata(ctx, StackRef{Name: "s"})
			if got.Status != status || got.EnableAutoRollback {
				t.Fatalf("after updates: %+v", got)
			}
		})
	}
}

func TestEngine_DeleteStack_FromFailedStatus(t *testing.T) {
	ctx := context.Background()
	e, st := newMemEngine(t)
	if _, err := e.CreateStack(ctx, CreateStackRequest{Name: "s"}); err != nil {
		t.Fatal(err)
	}
	seedStatus(t, st, "s", formation.StackDeploymentFailed)
	dep, err := e.DeleteStack(ctx, DeleteStackRequest{StackRef: StackRef{Name: "s"}})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := e.Wait(ctx, dep); err != nil || !res.Deleted {
		t.Fatalf("Wait = %+v, %v", res, err)
	}
}

// A crash after DeleteStack committed DELETION_IN_PROGRESS leaves the stack
// in that status; the next engine over the store finishes the deletion.
func TestEngine_RecoversInterruptedDeletion(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	e, err := New(Config{Store: nopCloser{st}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.CreateStack(ctx, CreateStackRequest{Name: "s"})
	if err != nil {
		t.Fatal(err)
	}
	// Commit the start of a deletion exactly as DeleteStack does, without
	// launching it: the process "dies" here.
	dep := deploymentRecord{ID: e.ids.New(), Kind: kindDelete}
	err = e.update(ctx, "test", func(tx *txn) error {
		rec, err := loadStack(tx, "test", StackRef{Name: "s"})
		if err != nil {
			return err
		}
		return e.begin(ctx, "test", tx, rec, &dep, fsm.StackDelete, fsm.StackFacts{})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	e2, err := New(Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	got, err := e2.Wait(ctx, DeploymentRef{DeploymentID: dep.ID})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Deleted || got.StackID != res.StackID {
		t.Fatalf("recovered deletion ended %+v", got)
	}
	if _, err := e2.GetStackMetadata(ctx, StackRef{Name: "s"}); !errors.Is(err, formation.ErrNotFound) {
		t.Fatalf("stack after recovered deletion: %v", err)
	}
}

// nopCloser keeps a memory store alive across an engine's Close, standing in
// for a file that outlives a process.
type nopCloser struct{ store.Store }

func (nopCloser) Close() error { return nil }

// A long-running engine keeps only the latest finished operations in
// memory; Wait answers for older ones from their stored records.
func TestEngine_ForgetsOldFinishedOperations(t *testing.T) {
	ctx := context.Background()
	e, _ := newMemEngine(t)
	if _, err := e.CreateStack(ctx, CreateStackRequest{Name: "s"}); err != nil {
		t.Fatal(err)
	}
	seedStatus(t, e.st, "s", formation.StackDeploymentFailed)
	// A real, finished deployment whose record stays in the store.
	dep, err := e.DeployStack(ctx, DeployStackRequest{StackRef: StackRef{Name: "s"}, TemplateInput: TemplateInput{TemplateBody: "# nothing\n"}})
	if err != nil {
		t.Fatal(err)
	}
	first, err := e.Wait(ctx, dep)
	if err != nil {
		t.Fatal(err)
	}
	for i := range maxFinished + 10 {
		id := fmt.Sprintf("%08d-0000-4000-8000-000000000000", i)
		e.mu.Lock()
		e.ops[id] = &operation{done: make(chan struct{})}
		e.mu.Unlock()
		e.keepFinished(id)
	}
	e.mu.Lock()
	n, kept := len(e.ops), e.ops[dep.DeploymentID] != nil
	e.mu.Unlock()
	if n > maxFinished || kept {
		t.Fatalf("%d operations in memory (deployment kept: %v), want at most %d and the oldest gone", n, kept, maxFinished)
	}
	again, err := e.Wait(ctx, dep)
	if err != nil || again != first {
		t.Fatalf("Wait for a forgotten deployment: %+v, %v; want %+v from its record", again, err, first)
	}
}
