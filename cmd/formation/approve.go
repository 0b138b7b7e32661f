package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"strings"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
)

// Approval, as terraform apply asks for it: on a terminal, deploy and plan
// apply show what they would do and proceed only after "yes". Without a
// terminal (a script, CI, a pipe) there is no one to ask, and they proceed
// as they always did; -auto-approve skips the question on a terminal too.

// interactive reports whether a person is at stdin and stdout. A variable,
// so that tests can stand in for a terminal.
var interactive = func(stdin io.Reader, stdout io.Writer) bool {
	f, ok := stdin.(*os.File)
	return ok && isTerminal(f) && isTerminal(stdout)
}

// errCancelled is the answer that was not "yes": nothing was done.
var errCancelled = exitStatus(exitFailed)

// approve asks whether to go ahead, after the plan text, unless there is
// nobody to ask or -auto-approve was given. It returns errCancelled for
// any answer but "yes", after saying so.
func (inv *invocation) approve(autoApprove bool, show func() error) error {
	if autoApprove || inv.out.json || !interactive(inv.stdin, inv.stdout) {
		return nil
	}
	if err := show(); err != nil {
		return err
	}
	if err := inv.out.printf("\nDo you want to perform these actions?\n  Formation will perform the actions described above.\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: "); err != nil {
		return err
	}
	answer, _ := bufio.NewReader(inv.stdin).ReadString('\n')
	if strings.TrimSpace(answer) != "yes" {
		_ = inv.out.printf("\nApply cancelled.\n")
		return errCancelled
	}
	return inv.out.printf("\n")
}

// approveDeploy plans deploying in to the stack when someone will see it:
// on a terminal to show it and ask, and in text to announce the
// deployment's operation count. It returns that count, 0 when not known.
//
// Without a terminal the plan is made only when it cannot change the
// deployment or delay it: with -sim-fail (a read failure it would use up)
// or -sim-latency (a refresh's worth of waiting) the count is left
// unknown and grows as operations start.
func (inv *invocation) approveDeploy(ctx context.Context, e backend, stack string, in engine.TemplateInput, autoApprove bool) (int, error) {
	asking := !autoApprove && !inv.out.json && interactive(inv.stdin, inv.stdout)
	counting := !inv.out.json && len(inv.g.simFaults) == 0 && inv.g.simLatency == 0
	if !asking && !counting {
		return 0, nil
	}
	p, err := e.PreviewStack(ctx, engine.PreviewStackRequest{StackRef: engine.StackRef{Name: stack}, TemplateInput: in})
	if err != nil {
		if asking {
			return 0, err
		}
		return 0, nil // the deployment reports it, as it always did
	}
	err = inv.approve(autoApprove, func() error { return inv.writePlanText(p) })
	return planOperations(p), err
}

// approvePlan shows a stored execution plan's text and asks; it returns
// the plan's operation count for the progress (0 in JSON).
func (inv *invocation) approvePlan(ctx context.Context, e backend, ref engine.PlanRef, autoApprove bool) (int, error) {
	if inv.out.json {
		return 0, nil
	}
	changes, err := e.GetPlannedChanges(ctx, ref)
	// Through another formation process holding the database the changes
	// are not to be had (RFS's API does not carry them), but the plan's
	// text is: show it and ask all the same, without a count.
	viaOwner := formation.HasCode(err, formation.CodeNotImplemented)
	if err != nil && !viaOwner {
		return 0, nil // the apply refuses it with the reason
	}
	err = inv.approve(autoApprove, func() error {
		items, err := e.GetExecutionPlan(ctx, ref)
		if err != nil {
			return err
		}
		return inv.out.printf("%s", inv.out.colourPlan(items.Text))
	})
	if viaOwner {
		return 0, err
	}
	return planOperations(changes.Plan), err
}

// printOutputs ends a successful deployment as terraform apply ends: the
// stack's outputs, when it has any. Text only: with -json the stream ends
// with its result line, and 'formation output -json' gives the outputs.
func printOutputs(ctx context.Context, out *output, e backend, stack string) error {
	if out.json {
		return nil
	}
	all, err := stackOutputs(ctx, e, engine.StackRef{Name: stack})
	if err != nil || len(all) == 0 {
		return err
	}
	if err := out.printf("\nOutputs:\n\n"); err != nil {
		return err
	}
	return printAllOutputs(out, all)
}
