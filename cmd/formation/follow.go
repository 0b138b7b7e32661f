package main

import (
	"context"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
)

// started is a deployment a command has started (a deployment, a
// continuation, a plan apply, a deletion), to follow to its end.
type started struct {
	// what says what the deployment does, for the line that introduces
	// it: "Deploying stack web".
	what         string
	stack        string
	deploymentID string
	// rollback marks a continued rollback: ending in ROLLBACK_COMPLETE is
	// then what was asked for, a success. After any other deployment it is
	// a failure that was undone.
	rollback bool
	// total is the number of resource operations the plan announced, for
	// a fixed [n/N]; 0 when it is not known (the count then grows).
	total int
	// deletion marks a stack deletion, whose summary says "Destroy".
	deletion bool
	// watching marks a deployment another command started: stopping
	// following leaves it running.
	watching bool
}

// follow is how every deploy-like command ends. The engine runs the
// deployment in this process, so the command follows it live to its end:
// one line per event as it is committed (a resource event with the
// progress count, errors highlighted), then the final status line; with
// -json, NDJSON: each event as one JSON object, then {"result": …}. In
// text, a line saying what runs and its deployment id comes first.
//
// It returns nil when the deployment succeeded, exitStatus 1 when it ended
// *_FAILED or rolled back, and an error when it was interrupted (Ctrl-C):
// what finished is stored, and the deployment resumes when a formation
// command next opens the database.
func follow(ctx context.Context, inv *invocation, e backend, d started) error {
	if !inv.out.json {
		if err := inv.out.printf("%s (deployment %s).\n", d.what, d.deploymentID); err != nil {
			return err
		}
	}
	events, err := e.FollowEvents(ctx, engine.FollowRequest{StackRef: engine.StackRef{Name: d.stack}, DeploymentID: d.deploymentID})
	switch {
	case formation.HasCode(err, formation.CodeStackNotFound), formation.HasCode(err, formation.CodeDeploymentNotFound):
		// A deletion can finish, taking the stack and its events with it,
		// before there is anything to follow: its result is all there is.
	case err != nil:
		return d.interrupted(ctx, err)
	default:
		p := newProgress(inv.out, d)
		if err := p.follow(events); err != nil {
			return err
		}
	}
	res, err := e.Wait(ctx, engine.StackRef{Name: d.stack}, engine.DeploymentRef{DeploymentID: d.deploymentID})
	if err != nil {
		return d.interrupted(ctx, err)
	}
	if d.deletion && res.Deleted && !inv.out.json {
		// The engine sums a deletion up in no event, and a deletion's
		// stream may end before its last events (they go with the stack):
		// the resources listed before it are what it destroyed.
		if err := inv.out.printf("Destroy complete! Resources: %d destroyed.\n", d.total); err != nil {
			return err
		}
	}
	if err := printResult(inv.out, res); err != nil {
		return err
	}
	if res.Status == formation.StackDeploymentComplete {
		return printOutputs(ctx, inv.out, e, d.stack)
	}
	if res.Succeeded() || (d.rollback && res.Status == formation.StackRollbackComplete) {
		return nil
	}
	return exitStatus(exitFailed)
}

// interrupted words err when ctx is done (Ctrl-C): following stopped, and
// the deployment resumes later. Any other err is returned as it is.
func (d started) interrupted(ctx context.Context, err error) error {
	if ctx.Err() == nil {
		return err
	}
	if d.watching {
		return formation.Errorf(formation.CodeCanceled, "", "",
			"stopped following deployment %s of stack %s; it goes on (formation wait %s)", d.deploymentID, d.stack, d.stack)
	}
	return formation.Errorf(formation.CodeUnavailable, "", "",
		"interrupted while following deployment %s of stack %s; what finished is stored, and formation wait %s resumes the deployment and follows it to its end",
		d.deploymentID, d.stack, d.stack)
}

// resultLine is the last line of a followed deployment with -json.
type resultLine struct {
	Result engine.Result `json:"result"`
}

// printResult prints how a deployment ended: {"result": …} as the last
// NDJSON line, or "Stack NAME: STATUS[: message]".
func printResult(out *output, res engine.Result) error {
	if res.Deleted {
		res.Status = "DELETED" // the CLI's word for a stack that is gone
	}
	if out.json {
		return out.printJSONLine(resultLine{res})
	}
	line := "Stack " + res.StackName + ": " + out.status(string(res.Status))
	if res.Message != "" {
		line += ": " + cellText(withoutOps(res.Message))
	}
	return out.printf("%s\n", line)
}
