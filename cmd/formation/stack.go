package main

import (
	"context"
	"flag"
	"strconv"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
)

// The stack group: the stack lifecycle (RFS CreateStack, ListStacks,
// GetStackMetadata, UpdateStack, DeleteStack).
func init() {
	register(&command{
		name:    "stack create",
		args:    []arg{stackArg},
		summary: "Create a stack; with -t, create it and deploy the template",
		help: `NAME starts with a letter (or a Han character) and holds letters, digits,
'_' and '-', at most 128 characters. Without -t the stack is created empty,
in CREATION_COMPLETE. With -t the stack is created and the template
deployed, followed live as deploy does, with the same output and exit
status.`,
		setup: stackCreate,
	})
	register(&command{
		name:    "stack list",
		summary: "List the stacks, newest first",
		setup:   stackList,
	})
	register(&command{
		name:    "stack show",
		args:    []arg{stackArg},
		summary: "Show a stack's metadata",
		setup:   stackShow,
	})
	register(&command{
		name:    "stack update",
		args:    []arg{stackArg},
		summary: "Change a stack's description, auto-rollback or deletion protection",
		help: `Only the flags given are changed; giving none, or only values the stack
already has, is refused (RF.10011084). Turning auto-rollback on is refused
while the stack is in a *_FAILED status.`,
		setup: stackUpdate,
	})
	register(&command{
		name:    "stack delete",
		args:    []arg{stackArg},
		summary: "Delete a stack and its resources, following the deletion",
		help: `Deletes the stack's resources from the (simulated) cloud, then the stack,
following the deletion as deploy follows a deployment: exit status 0 once
the stack is gone, 1 if it ends DELETION_FAILED. Refused while the stack
is busy (*_IN_PROGRESS) or deletion-protected: turn protection off first
with 'formation stack update NAME -deletion-protection=false'.`,
		setup: stackDelete,
	})
}

func stackCreate(fs *flag.FlagSet) action {
	var (
		req  engine.CreateStackRequest
		tmpl templateFlags
	)
	fs.StringVar(&req.Description, "description", "", "the stack's `DESCRIPTION` (at most 1024 characters)")
	fs.BoolVar(&req.EnableAutoRollback, "auto-rollback", false, "roll back automatically when a deployment fails")
	fs.BoolVar(&req.EnableDeletionProtection, "deletion-protection", false, "refuse to delete the stack until protection is turned off")
	tmpl.register(fs)
	return func(ctx context.Context, inv *invocation) error {
		var err error
		req.Name = inv.args[0]
		if tmpl.given() {
			if req.TemplateInput, _, err = tmpl.load(ctx, &inv.g); err != nil {
				return err
			}
		} else if _, err = tmpl.input(0); err != nil {
			return err // -var without -t
		}
		e, err := inv.engine()
		if err != nil {
			return err
		}
		res, err := e.CreateStack(ctx, req)
		if err != nil {
			return err
		}
		if res.DeploymentID != "" {
			what := "Created stack " + req.Name + " (id " + res.StackID + "); deploying it"
			total := 0
			if !inv.out.json { // a new stack: the plan against nothing, in memory, is the deployment's
				if p, err := previewOffline(ctx, &inv.g, req.TemplateInput); err == nil {
					total = planOperations(p)
				}
			}
			return follow(ctx, inv, e, started{what: what, stack: req.Name, deploymentID: res.DeploymentID, total: total})
		}
		if inv.out.json {
			return inv.out.printJSON(res)
		}
		return inv.out.printf("Created stack %s (id %s).\n", req.Name, res.StackID)
	}
}

func stackList(*flag.FlagSet) action {
	return func(ctx context.Context, inv *invocation) error {
		e, err := inv.engine()
		if err != nil {
			return err
		}
		all, err := listAllStacks(ctx, e)
		if err != nil {
			return err
		}
		if inv.out.json {
			// One document with every stack: the shape of one page, the
			// page being the whole list.
			return inv.out.printJSON(engine.StackPage{Stacks: all, PageInfo: engine.PageInfo{CurrentCount: len(all)}})
		}
		rows := make([][]string, len(all))
		for i, s := range all {
			rows[i] = []string{s.Name, inv.out.status(string(s.Status)), s.CreateTime.String(), s.UpdateTime.String(), s.Description}
		}
		return inv.out.table([]string{"NAME", inv.out.header("STATUS"), "CREATED", "UPDATED", "DESCRIPTION"}, rows)
	}
}

// listAllStacks follows the list's markers to its end.
func listAllStacks(ctx context.Context, e backend) ([]formation.Stack, error) {
	return allPages(func(opts engine.ListOptions) ([]formation.Stack, string, error) {
		page, err := e.ListStacks(ctx, engine.ListStacksRequest{ListOptions: opts})
		return page.Stacks, page.PageInfo.NextMarker, err
	})
}

func stackShow(*flag.FlagSet) action {
	return func(ctx context.Context, inv *invocation) error {
		e, err := inv.engine()
		if err != nil {
			return err
		}
		return showStack(ctx, inv, e, inv.args[0])
	}
}

// showStack prints a stack's metadata: the formation.Stack as JSON, or one
// "key: value" line per field, keyed by the RFS JSON names so text and
// JSON read alike.
func showStack(ctx context.Context, inv *invocation, e backend, name string) error {
	s, err := e.GetStackMetadata(ctx, engine.StackRef{Name: name})
	if err != nil {
		return err
	}
	if inv.out.json {
		return inv.out.printJSON(s)
	}
	fs := []field{
		{"stack_name", s.Name},
		{"stack_id", s.ID},
		{"status", inv.out.status(string(s.Status))},
	}
	if s.StatusMessage != "" {
		fs = append(fs, field{"status_message", s.StatusMessage})
	}
	fs = append(fs,
		field{"description", s.Description},
		field{"enable_deletion_protection", strconv.FormatBool(s.EnableDeletionProtection)},
		field{"enable_auto_rollback", strconv.FormatBool(s.EnableAutoRollback)},
	)
	for _, a := range s.Agencies {
		agency := "agency_name=" + a.AgencyName // exactly one of name and URN is set
		if a.AgencyURN != "" {
			agency = "agency_urn=" + a.AgencyURN
		}
		fs = append(fs, field{"agency", "provider_name=" + a.ProviderName + " " + agency})
	}
	for _, v := range s.VarsStructure {
		fs = append(fs, field{"var", v.VarKey + "=" + v.VarValue})
	}
	if s.VarsBody != "" {
		fs = append(fs, field{"vars_body", strconv.Quote(s.VarsBody)})
	}
	if s.VarsURIContent != "" {
		fs = append(fs, field{"vars_uri_content", strconv.Quote(s.VarsURIContent)})
	}
	fs = append(fs, field{"create_time", s.CreateTime.String()}, field{"update_time", s.UpdateTime.String()})
	return inv.out.fields(fs)
}

func stackUpdate(fs *flag.FlagSet) action {
	var (
		description           string
		autoRollback, protect bool
	)
	fs.StringVar(&description, "description", "", "the new `DESCRIPTION` (at most 1024 characters; \"\" clears it)")
	fs.BoolVar(&autoRollback, "auto-rollback", false, "`BOOL`: roll back automatically when a deployment fails")
	fs.BoolVar(&protect, "deletion-protection", false, "`BOOL`: refuse to delete the stack until protection is turned off")
	return func(ctx context.Context, inv *invocation) error {
		req := engine.UpdateStackRequest{StackRef: engine.StackRef{Name: inv.args[0]}}
		// Only what the user wrote is sent: a flag left out leaves its
		// field as it is, and -auto-rollback=false is a change.
		fs.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "description":
				req.Description = &description
			case "auto-rollback":
				req.EnableAutoRollback = &autoRollback
			case "deletion-protection":
				req.EnableDeletionProtection = &protect
			}
		})
		e, err := inv.engine()
		if err != nil {
			return err
		}
		if _, err := e.UpdateStack(ctx, req); err != nil {
			return err
		}
		return showStack(ctx, inv, e, req.Name)
	}
}

func stackDelete(fs *flag.FlagSet) action {
	var req engine.DeleteStackRequest
	fs.BoolVar(&req.RetainAllResources, "retain-resources", false, "keep the stack's resources in the (simulated) cloud; forget only Formation's records of them")
	return func(ctx context.Context, inv *invocation) error {
		req.Name = inv.args[0]
		e, err := inv.engine()
		if err != nil {
			return err
		}
		total := 0 // one deletion per resource, unless they are kept
		if !inv.out.json && !req.RetainAllResources {
			if all, err := stackResources(ctx, e, req.StackRef); err == nil {
				total = len(all)
			}
		}
		id, err := e.DeleteStack(ctx, req)
		if err != nil {
			return err
		}
		return follow(ctx, inv, e, started{what: "Deleting stack " + req.Name, stack: req.Name, deploymentID: id.DeploymentID, total: total, deletion: true})
	}
}
