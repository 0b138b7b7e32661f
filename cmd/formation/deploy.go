package main

import (
	"context"
	"flag"

	"github.com/formation-engine/formation/engine"
)

// Deployments: deploy a template to a stack (RFS DeployStack), continue a
// failed deployment (ContinueDeployStack) or a failed rollback
// (ContinueRollbackStack). Each follows its deployment live to the end.
func init() {
	register(&command{
		name:    "deploy",
		args:    []arg{stackArg},
		summary: "Deploy a template to a stack and follow the deployment",
		help: `Deploys the whole template: resources it no longer has are deleted. The
deployment runs in this process; its events are printed as they happen,
resource events with the count of finished over started operations
([finished/started]), then the stack's final status.

Exit status: 0 DEPLOYMENT_COMPLETE; 1 DEPLOYMENT_FAILED, or ROLLBACK_COMPLETE
with auto-rollback (the deployment failed even though the rollback
worked), or ROLLBACK_FAILED; 2 the request was refused. With -json: NDJSON,
one event per line, then {"result": …}. The first Ctrl-C stops the
deployment at a safe point (a second stops at once); formation wait NAME
resumes it.

On a terminal, deploy first shows the plan, as terraform apply does, and
goes ahead only if you answer yes; -auto-approve skips the question.
Without a terminal (scripts, CI, -json) it deploys without asking. A
successful deployment ends with the stack's outputs.`,
		setup: deployCommand,
	})
	register(&command{
		name:    "continue-deploy",
		args:    []arg{stackArg},
		summary: "Continue a stack's failed deployment and follow it",
		help: `Deploys again, from DEPLOYMENT_FAILED, the template and variables of the
failed deployment; operations that succeeded are not repeated. Output and
exit status as for deploy.`,
		setup: continueCommand(backend.ContinueDeployStack, "Continuing the deployment of stack", false),
	})
	register(&command{
		name:    "continue-rollback",
		args:    []arg{stackArg},
		summary: "Continue a stack's failed rollback and follow it",
		help: `Resumes, from ROLLBACK_FAILED, the rollback to the last stable state. Exit
status: 0 ROLLBACK_COMPLETE (what was asked for), 1 ROLLBACK_FAILED, 2 the
request was refused.`,
		setup: continueCommand(backend.ContinueRollbackStack, "Continuing the rollback of stack", true),
	})
}

func deployCommand(fs *flag.FlagSet) action {
	var (
		tmpl        templateFlags
		autoApprove bool
	)
	tmpl.register(fs)
	fs.BoolVar(&autoApprove, "auto-approve", false, "on a terminal, deploy without showing the plan and asking first")
	return func(ctx context.Context, inv *invocation) error {
		in, _, err := tmpl.load(ctx, &inv.g)
		if err != nil {
			return err
		}
		e, err := inv.engine()
		if err != nil {
			return err
		}
		name := inv.args[0]
		if err := inv.refreshing(ctx, e, name); err != nil {
			return err
		}
		total, err := inv.approveDeploy(ctx, e, name, in, autoApprove)
		if err != nil {
			return err
		}
		id, err := e.DeployStack(ctx, engine.DeployStackRequest{StackRef: engine.StackRef{Name: name}, TemplateInput: in})
		if err != nil {
			return err
		}
		return follow(ctx, inv, e, started{what: "Deploying stack " + name, stack: name, deploymentID: id.DeploymentID, total: total})
	}
}

// continueCommand is the setup of continue-deploy and continue-rollback:
// start the continuation, then follow it.
func continueCommand(start func(backend, context.Context, engine.ContinueRequest) (engine.DeploymentRef, error), what string, rollback bool) func(*flag.FlagSet) action {
	return func(*flag.FlagSet) action {
		return func(ctx context.Context, inv *invocation) error {
			e, err := inv.engine()
			if err != nil {
				return err
			}
			name := inv.args[0]
			id, err := start(e, ctx, engine.ContinueRequest{StackRef: engine.StackRef{Name: name}})
			if err != nil {
				return err
			}
			return follow(ctx, inv, e, started{what: what + " " + name, stack: name, deploymentID: id.DeploymentID, rollback: rollback})
		}
	}
}
