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
prints its status. See the events with formation events NAME.

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
	name := inv.args[0]
	ref := engine.StackRef{Name: name}
	if _, err := e.GetStackMetadata(ctx, ref); err != nil {
		return err // a stack that does not exist is not waited for
	}
	s, err := e.WaitStack(ctx, ref)
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
