package main

import (
	"context"
	"flag"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
)

// timeline: a Gantt chart of a deployment, from its events.
func init() {
	register(&command{
		name:    "timeline",
		args:    []arg{stackArg},
		summary: "Draw a deployment's resource operations as a Gantt chart (SVG)",
		help: `Reads the events of the stack's latest deployment (or of -deployment ID) and
draws every resource operation as a bar from its *_IN_PROGRESS event to
the event that ended it, on the deployment's simulated time: green when it
completed, red when it failed, amber when it never finished. The rollback
after a failure is shaded, and the critical path — the chain of
operations each of which ended last before the next one started, which
decided how long the deployment took — is outlined. Writes the SVG to -o
FILE ("-" for stdout); open it in a browser.`,
		setup: timelineCommand,
	})
}

// operation is one resource operation of a deployment: a bar.
type operation struct {
	addr       string
	verb       string // create, update or delete
	start, end time.Time
	outcome    string // complete, failed or unfinished
	rollback   bool   // started during the rollback
	critical   bool
}

// deploymentTimeline is what the chart shows of one deployment.
type deploymentTimeline struct {
	stack, deploymentID string
	status              string // the stack status the deployment ended in, "" while it runs
	start, end          time.Time
	rollbackStart       time.Time // zero without a rollback
	ops                 []*operation
}

func timelineCommand(fs *flag.FlagSet) action {
	var deployment, outPath string
	fs.StringVar(&deployment, "deployment", "", "draw the deployment `ID` (default the stack's latest)")
	fs.StringVar(&outPath, "o", "", "write the SVG to `FILE` (\"-\" for stdout); required")
	return func(ctx context.Context, inv *invocation) error {
		if outPath == "" {
			return usageError(formation.CodeMissingParameter, "timeline", "-o FILE is required")
		}
		e, err := inv.engine()
		if err != nil {
			return err
		}
		req := engine.ListStackEventsRequest{StackRef: engine.StackRef{Name: inv.args[0]}, DeploymentID: deployment}
		events, err := allPages(func(opts engine.ListOptions) ([]formation.Event, string, error) {
			req.ListOptions = opts
			page, err := e.ListStackEvents(ctx, req)
			return page.StackEvents, page.PageInfo.NextMarker, err
		})
		if err != nil {
			return err
		}
		tl, err := buildTimeline(inv.args[0], events)
		if err != nil {
			return err
		}
		svg := tl.svg()
		if outPath == "-" {
			return inv.out.printf("%s", svg)
		}
		if err := os.WriteFile(outPath, []byte(svg), 0o644); err != nil {
			return formation.Errorf(formation.CodeInvalidParameter, "", outPath, "cannot write the chart: %v", err)
		}
		return inv.out.printf("Wrote %s: %d resource operations of deployment %s over %s.\n",
			outPath, len(tl.ops), tl.deploymentID, tl.end.Sub(tl.start))
	}
}

// buildTimeline pairs a deployment's events into operations. events are
// a stack's events newest first, as RFS lists them; without a deployment
// filter, the newest event's deployment is drawn.
func buildTimeline(stack string, events []formation.Event) (*deploymentTimeline, error) {
	tl := &deploymentTimeline{stack: stack}
	var mine []formation.Event
	for _, ev := range events {
		if ev.DeploymentID == "" {
			continue
		}
		if tl.deploymentID == "" {
			tl.deploymentID = ev.DeploymentID
		}
		if ev.DeploymentID == tl.deploymentID {
			mine = append(mine, ev)
		}
	}
	if len(mine) == 0 {
		return nil, formation.Errorf(formation.CodeDeploymentNotFound, "", stack, "the stack has no deployment to draw")
	}
	slices.SortFunc(mine, func(a, b formation.Event) int { return int(a.Sequence) - int(b.Sequence) })
	tl.start, tl.end = mine[0].Time.Time, mine[len(mine)-1].Time.Time
	running := map[string]*operation{}
	for _, ev := range mine {
		addr := resourceAddr(ev)
		switch ev.EventType {
		case formation.EventCreationInProgress, formation.EventUpdateInProgress, formation.EventDeletionInProgress:
			op := &operation{addr: addr, verb: verbOf(ev.EventType), start: ev.Time.Time, end: tl.end, outcome: "unfinished", rollback: !tl.rollbackStart.IsZero()}
			running[addr] = op
			tl.ops = append(tl.ops, op)
		case formation.EventCreationComplete, formation.EventUpdateComplete, formation.EventDeletionComplete,
			formation.EventCreationFailed, formation.EventUpdateFailed, formation.EventDeletionFailed:
			if op := running[addr]; op != nil {
				op.end, op.outcome = ev.Time.Time, "complete"
				if strings.HasSuffix(string(ev.EventType), "_FAILED") {
					op.outcome = "failed"
				}
				delete(running, addr)
			}
		case formation.EventLog:
			if status, ok := stackStatusOf(stack, ev.EventMessage); ok {
				tl.status = status
				if status == string(formation.StackRollbackInProgress) {
					tl.rollbackStart = ev.Time.Time
				}
			}
		}
	}
	if len(running) > 0 {
		tl.status = "" // still running, or interrupted
	}
	markCriticalPath(tl.ops)
	return tl, nil
}

func verbOf(t formation.EventType) string {
	switch t {
	case formation.EventUpdateInProgress:
		return "update"
	case formation.EventDeletionInProgress:
		return "delete"
	}
	return "create"
}

// stackStatusOf reads the status from the engine's "Stack NAME is STATUS."
// log events.
func stackStatusOf(stack, msg string) (string, bool) {
	rest, ok := strings.CutPrefix(msg, "Stack "+stack+" is ")
	if !ok {
		return "", false
	}
	status, _, ok := strings.Cut(rest, ".")
	return status, ok
}

// markCriticalPath marks the chain that decided the deployment's length:
// from the operation that ended last, back through the operation that
// ended last at or before each one started. Events name no dependencies,
// so this is the path the schedule shows, which is the dependency chain
// whenever operations start as soon as what they wait for ends.
func markCriticalPath(ops []*operation) {
	var last *operation
	for _, op := range ops {
		if last == nil || op.end.After(last.end) {
			last = op
		}
	}
	for op := last; op != nil; {
		op.critical = true
		var prev *operation
		for _, p := range ops {
			if p != op && !p.end.After(op.start) && !p.critical && (prev == nil || p.end.After(prev.end)) {
				prev = p
			}
		}
		op = prev
	}
}
