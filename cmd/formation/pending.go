package main

import "flag"

// The commands whose engine operation does not exist yet. They are in the
// table with their final names, arguments and flags, so -h documents them
// and scripts can be written against them; run, each refuses with
// RF.10011099 "formation CMD is not available yet: …" and exit 2.
//
// To implement one: delete its entry here and register it from its own file
// with a setup that returns its action (see stack.go). Leaving it in both
// places panics at start-up (register refuses a name twice).
func init() {
	for _, c := range []*command{
		{
			name:    "preview",
			summary: "Plan a template offline, against an empty state or a stored stack's (-stack)",
			setup:   flagsOnly(templateAnd(stackFlag)),
			pending: "the planner (offline execution plans)",
		},
		{
			name:    "deploy",
			args:    []arg{stackArg},
			summary: "Deploy a template to a stack and follow the deployment",
			setup:   flagsOnly(templateAnd()),
			pending: "deployments (Engine.DeployStack and the executor)",
		},
		{
			name:    "continue-deploy",
			args:    []arg{stackArg},
			summary: "Continue a stack's failed deployment and follow it",
			pending: "Engine.ContinueDeployStack",
		},
		{
			name:    "continue-rollback",
			args:    []arg{stackArg},
			summary: "Continue a stack's failed rollback and follow it",
			pending: "Engine.ContinueRollbackStack",
		},
		{
			name:    "plan create",
			args:    []arg{stackArg, planArg},
			summary: "Create an execution plan of a template for a stack",
			setup:   flagsOnly(templateAnd(descriptionFlag)),
			pending: "execution plans (Engine.CreateExecutionPlan)",
		},
		{
			name:    "plan list",
			args:    []arg{stackArg},
			summary: "List a stack's execution plans",
			pending: "Engine.ListExecutionPlans",
		},
		{
			name:    "plan show",
			args:    []arg{stackArg, planArg},
			summary: "Show an execution plan and its changes",
			pending: "Engine.GetExecutionPlan",
		},
		{
			name:    "plan apply",
			args:    []arg{stackArg, planArg},
			summary: "Apply an execution plan and follow the deployment",
			pending: "Engine.ApplyExecutionPlan",
		},
		{
			name:    "plan delete",
			args:    []arg{stackArg, planArg},
			summary: "Delete an execution plan",
			pending: "Engine.DeleteExecutionPlan",
		},
		{
			name:    "events",
			args:    []arg{stackArg},
			summary: "List a stack's events, newest first",
			setup:   flagsOnly(eventsFlags),
			pending: "Engine.ListStackEvents",
		},
		{
			name:    "resources",
			args:    []arg{stackArg},
			summary: "List a stack's resources",
			pending: "Engine.ListStackResources",
		},
		{
			name:    "outputs",
			args:    []arg{stackArg},
			summary: "List a stack's outputs",
			pending: "Engine.ListStackOutputs",
		},
		{
			name:    "template",
			args:    []arg{stackArg},
			summary: "Print the template a stack last deployed",
			pending: "Engine.GetStackTemplate",
		},
		{
			name:    "vars",
			summary: "List a template's variables",
			setup:   flagsOnly(templateAnd()),
			pending: "template variable parsing (RFS ParseTemplateVariables)",
		},
		{
			name:    "sim list",
			summary: "List the simulated world's resources",
			pending: "the simulated provider's world persisted in the database",
		},
		{
			name:    "graph",
			summary: "Print a template's dependency graph",
			setup:   flagsOnly(templateAnd(formatFlag)),
			pending: "the template's dependency graph",
		},
	} {
		register(c)
	}
}

// flagsOnly is the setup of a pending command: it defines the command's
// flags, for -h and for parsing, and has no action yet.
func flagsOnly(define func(fs *flag.FlagSet)) func(fs *flag.FlagSet) action {
	return func(fs *flag.FlagSet) action {
		define(fs)
		return nil
	}
}

// templateAnd defines -t, -var and -var-file, then the extra flags.
func templateAnd(extra ...func(fs *flag.FlagSet)) func(fs *flag.FlagSet) {
	return func(fs *flag.FlagSet) {
		var t templateFlags
		t.register(fs)
		for _, define := range extra {
			define(fs)
		}
	}
}

func stackFlag(fs *flag.FlagSet) {
	fs.String("stack", "", "plan against the stored state of the stack `NAME` instead of an empty state")
}

func descriptionFlag(fs *flag.FlagSet) {
	fs.String("description", "", "the plan's `DESCRIPTION` (at most 1024 characters)")
}

func formatFlag(fs *flag.FlagSet) { diagramFormat(fs) }

func eventsFlags(fs *flag.FlagSet) {
	fs.String("deployment", "", "only the events of the deployment `ID`")
	fs.String("filter", "", "RFS filter `EXPR`, e.g. event_type==LOG,event_type==ERROR")
	fs.String("field", "", "the event fields to show, a comma-separated `LIST`")
}
