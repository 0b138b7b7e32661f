package main

import (
	"context"
	"errors"
	"flag"

	"github.com/hashicorp/hcl/v2"
)

// validate: Terraform's validate, offline.
func init() {
	register(&command{
		name:    "validate",
		summary: "Check that a template is valid, as terraform validate does",
		help: `Parses the template (-t, default the current directory) and checks it as
terraform validate does, without variable values and without the
database: syntax, blocks and arguments, references to what is declared,
functions, and RFS's template limits. Values (count, for_each, variable
validations) are checked when the template is planned or deployed.

Prints "Success! The configuration is valid." or the diagnostics; with
-json, terraform validate -json's document: {"format_version", "valid",
"error_count", "warning_count", "diagnostics"}. Exit status 0 when valid,
2 otherwise.`,
		setup: validateCommand,
	})
}

// validateDocument is validate's -json output, terraform validate -json's
// shape.
type validateDocument struct {
	FormatVersion string           `json:"format_version"`
	Valid         bool             `json:"valid"`
	ErrorCount    int              `json:"error_count"`
	WarningCount  int              `json:"warning_count"`
	Diagnostics   []diagnosticJSON `json:"diagnostics"`
}

func validateCommand(fs *flag.FlagSet) action {
	var tmpl templateFlags
	tmpl.registerPath(fs)
	return func(_ context.Context, inv *invocation) error {
		if tmpl.path == "" {
			tmpl.path = "."
		}
		tpl, _, err := tmpl.parse(&inv.g)
		var diags hcl.Diagnostics
		switch {
		case err == nil:
			diags = tpl.Warnings()
		case errors.As(err, &diags):
		default:
			return err // no template there: not a verdict on one
		}
		doc := validateDocument{FormatVersion: "1.0", Valid: err == nil, Diagnostics: diagnosticsJSON(diags)}
		for _, d := range diags {
			if d.Severity == hcl.DiagError {
				doc.ErrorCount++
			} else {
				doc.WarningCount++
			}
		}
		if inv.out.json {
			if perr := inv.out.printJSON(doc); perr != nil {
				return perr
			}
			if err != nil {
				return exitStatus(exitRejected)
			}
			return nil
		}
		if err != nil {
			return err // the diagnostics, then the error line
		}
		if len(diags) > 0 {
			if werr := tpl.WriteDiagnostics(inv.g.warnings, diags); werr != nil {
				return werr
			}
		}
		return inv.out.printf("Success! The configuration is valid.\n")
	}
}
