package main

import (
	"context"
	"errors"
	"flag"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
)

// wait: let a stack's running operation finish. An operation a killed or
// interrupted formation left behind resumes when a command opens the
// database, and stops again when that command ends; wait keeps the database
// open until it is done.
func init() {
	register(&command{
		name:    "wait",
		args:    []arg{stackArg},
		summary: "Wait until a stack's running operation (or an interrupted one) finishes",
		help: `Opens the database — which resumes an operation an earlier formation left
unfinished — and waits until the stack is no longer *_IN_PROGRESS, then
follows its events to the end as deploy does, then prints its status.
Through another formation process holding the database, it follows the
deployment that process runs.

Exit status: 0 *_COMPLETE (but ROLLBACK_COMPLETE), or the stack was deleted;
1 *_FAILED or ROLLBACK_COMPLETE; 2 the request was refused.`,
		setup: func(*flag.FlagSet) action { return waitStack },
	})
}

func waitStack(ctx context.Context, inv *invocation) error {
	e, err := inv.engine()
	if err != nil {
		return err
	}
	inv.resume()
	name := inv.args[0]
	ref := engine.StackRef{Name: name}
	cur, err := e.GetStackMetadata(ctx, ref)
	if err != nil {
		return err // a stack that does not exist is not waited for
	}
	if cur.Status.InProgress() {
		// Show what it does while it runs, as deploy would.
		return followRunning(ctx, inv, e, ref, "")
	}
	s, err := e.WaitStack(ctx, ref) // settled meanwhile
	res := engine.Result{StackName: name, StackID: s.ID, Status: s.Status, Message: s.StatusMessage}
	switch {
	case errors.Is(err, formation.ErrNotFound):
		res.Status, res.Deleted = "", true // it was being deleted, and now it is gone
	case err != nil:
		return err
	}
	if err := printResult(inv.out, res); err != nil {
		return err
	}
	if res.Succeeded() || res.Status == formation.StackCreationComplete {
		return nil
	}
	return exitStatus(exitFailed)
}
