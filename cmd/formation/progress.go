package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/plan"
)

// Progress people can read, as Terraform prints it: a fixed [n/N] from the
// plan, a heartbeat line for every operation still running every ten
// seconds ("Still creating... [10s elapsed]"), a rollback counted and
// summed up in its own words, a deletion summed up as a destroy.

// heartbeatEvery is how often the operations still running are reported.
const heartbeatEvery = 10 * time.Second

// progress prints a deployment's events and counts its resource
// operations: [finished/N] where N is what the plan announced. A failure
// skips operations and a rollback adds its own, so the count is per phase:
// the rollback's N is the operations that finished before it, each of
// which it undoes. When a phase runs more operations than announced (or
// nothing was announced), the count falls back to finished over started.
type progress struct {
	out              *output
	total            int
	started, settled int
	done             int    // operations that completed in the current phase
	phase            string // "Apply", "Rollback" or "Destroy": the summary's word
	running          []*runningOp
}

// runningOp is an operation that has started and not finished.
type runningOp struct {
	addr, verb string // verb: "creating", "modifying", "destroying"
	since      time.Time
	reported   time.Duration // the last heartbeat's elapsed time
}

func newProgress(out *output, d started) *progress {
	p := &progress{out: out, total: d.total, phase: "Apply"}
	switch {
	case d.deletion:
		p.phase = "Destroy"
	case d.rollback:
		p.phase = "Rollback"
	}
	return p
}

// follow prints events until the channel closes, and a heartbeat for the
// running operations every heartbeatEvery meanwhile (text only).
func (p *progress) follow(events <-chan formation.Event) (err error) {
	tick := time.NewTicker(heartbeatEvery)
	defer tick.Stop()
	// Lines are written in bursts, flushed whenever no event is waiting:
	// as live as line by line, without a write per line (20,000 of them
	// for a stack of 10,000 resources).
	buf := bufio.NewWriterSize(p.out.w, 32<<10)
	unbuffered := p.out.w
	p.out.w = buf
	defer func() {
		p.out.w = unbuffered
		err = errors.Join(err, buf.Flush())
	}()
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return nil
			}
			if err := p.print(ev); err != nil {
				return err
			}
			if len(events) == 0 {
				if err := buf.Flush(); err != nil {
					return err
				}
			}
		case now := <-tick.C:
			if err := p.heartbeat(now); err != nil {
				return err
			}
			if err := buf.Flush(); err != nil {
				return err
			}
		}
	}
}

// idSuffix is the " [id=…]" of an event message. A replacement's
// "Creating..." names the object it replaces; the new object has no id
// yet, so the line shows none, as Terraform's does.
var idSuffix = regexp.MustCompile(` \[id=[^\]]*\]$`)

// print writes one event, as text or as one line of NDJSON.
func (p *progress) print(ev formation.Event) error {
	if p.out.json {
		return p.out.printJSONLine(ev)
	}
	msg := cellText(withoutOps(ev.EventMessage))
	addr := resourceAddr(ev)
	switch ev.EventType {
	case formation.EventCreationInProgress, formation.EventUpdateInProgress, formation.EventDeletionInProgress:
		p.started++
		verb := map[formation.EventType]string{
			formation.EventCreationInProgress: "creating", formation.EventUpdateInProgress: "modifying", formation.EventDeletionInProgress: "destroying",
		}[ev.EventType]
		if ev.EventType == formation.EventCreationInProgress {
			msg = idSuffix.ReplaceAllString(msg, "")
		}
		p.running = append(p.running, &runningOp{addr: addr, verb: verb, since: time.Now()})
		return p.out.printf("%s %s\n", p.count(), msg)
	case formation.EventCreationComplete, formation.EventUpdateComplete, formation.EventDeletionComplete:
		p.finish(addr)
		p.done++
		return p.out.printf("%s %s\n", p.count(), msg)
	case formation.EventCreationFailed, formation.EventUpdateFailed, formation.EventDeletionFailed:
		p.finish(addr)
		return p.out.printf("%s %s\n", p.count(), p.out.paint(sgrRed, msg))
	case formation.EventError:
		return p.out.printf("%s\n", p.out.paint(sgrRed, "Error: "+msg))
	case formation.EventDrift:
		return p.out.printf("%s\n", p.out.paint(sgrYellow, "Drift: "+msg))
	case formation.EventSummary:
		return p.out.printf("%s\n", p.summary(msg))
	case formation.EventLog:
		if strings.Contains(msg, " is "+string(formation.StackRollbackInProgress)+".") {
			// The rollback undoes what completed: that is its count.
			p.total, p.started, p.settled, p.done, p.phase = p.done, 0, 0, 0, "Rollback"
		}
	}
	return p.out.printf("%s\n", msg)
}

// finish counts an operation as settled and forgets it.
func (p *progress) finish(addr string) {
	p.settled++
	for i, op := range p.running {
		if op.addr == addr {
			p.running = append(p.running[:i], p.running[i+1:]...)
			return
		}
	}
}

// summary words the engine's "Apply complete!" / "Apply failed." for
// the phase it ends: a rollback's and a deletion's say so.
func (p *progress) summary(msg string) string {
	if p.phase != "Apply" {
		msg = strings.Replace(msg, "Apply complete!", p.phase+" complete!", 1)
		msg = strings.Replace(msg, "Apply failed.", p.phase+" failed.", 1)
	}
	return msg
}

// heartbeat prints a line for each operation running for another ten
// seconds, oldest first.
func (p *progress) heartbeat(now time.Time) error {
	for _, op := range p.running {
		elapsed := now.Sub(op.since).Truncate(heartbeatEvery)
		if elapsed < heartbeatEvery || elapsed <= op.reported {
			continue
		}
		op.reported = elapsed
		if err := p.out.printf("%s %s: Still %s... [%s elapsed]\n", p.count(), op.addr, op.verb, elapsed); err != nil {
			return err
		}
	}
	return nil
}

func (p *progress) count() string {
	if p.total > 0 && p.started <= p.total {
		return fmt.Sprintf("[%d/%d]", p.settled, p.total)
	}
	return fmt.Sprintf("[%d/%d]", p.settled, p.started)
}

// refreshing says, before a deployment plans, that the stack's resources
// are read afresh first: with many resources or a slow cloud that takes
// a while, and the first change comes only after it. Text only.
func (inv *invocation) refreshing(ctx context.Context, e backend, stack string) error {
	if inv.out.json {
		return nil
	}
	all, err := stackResources(ctx, e, engine.StackRef{Name: stack})
	if err != nil || len(all) == 0 {
		return nil // nothing to refresh; a missing stack is the deployment's to refuse
	}
	return inv.out.printf("Refreshing the state of %d resources...\n", len(all))
}

// planOperations counts the resource operations applying p runs: one per
// create, update or delete, two per replacement.
func planOperations(p *plan.Plan) int {
	n := 0
	for _, c := range p.Changes {
		if c.Drifted || c.Mode == formation.ModeData {
			continue
		}
		switch c.Action {
		case formation.ActionAdd, formation.ActionUpdate, formation.ActionDelete:
			n++
		case formation.ActionDeleteThenAdd, formation.ActionAddThenDelete:
			n += 2
		}
	}
	return n
}
