package main

import (
	"context"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
)

// await waits for a deployment the command started (a deletion today;
// deployments, rollbacks and plan applies as the engine grows) and prints
// how it ended: engine.Result as JSON, or "Stack NAME: STATUS[: message]".
// It returns exitStatus 1 unless the deployment succeeded (a failure, or
// ROLLBACK_COMPLETE), so the tool exits 0 only for a success.
func await(ctx context.Context, inv *invocation, e *engine.Engine, deploymentID string) error {
	res, err := e.Wait(ctx, deploymentID)
	if err != nil {
		if ctx.Err() != nil {
			// Interrupted (Ctrl-C): what finished is stored, and the
			// operation resumes when an engine next opens the database.
			return formation.Errorf(formation.CodeUnavailable, "", "",
				"interrupted while waiting for deployment %s; it resumes the next time the database is opened", deploymentID)
		}
		return err
	}
	if inv.out.json {
		err = inv.out.printJSON(res)
	} else {
		line := "Stack " + res.StackName + ": " + inv.out.status(string(res.Status))
		if res.Message != "" {
			line += ": " + cellText(res.Message)
		}
		err = inv.out.printf("%s\n", line)
	}
	if err != nil {
		return err
	}
	if !res.Succeeded() {
		return exitStatus(exitFailed)
	}
	return nil
}
