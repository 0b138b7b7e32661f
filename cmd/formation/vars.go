package main

import (
	"context"
	"flag"

	"github.com/formation-engine/formation/template"
)

// vars: a template's variables (RFS ParseTemplateVariables), offline.
func init() {
	register(&command{
		name:    "vars",
		summary: "List a template's variables",
		help: `Prints the variables the template declares, in declaration order: name,
type, default ((required) when there is none) and description. With -json,
RFS's ParseTemplateVariables response: {"variables": [{name, type,
description, default, sensitive, nullable, validations}]}, or {} when the
template declares none. Needs no database.`,
		setup: varsCommand,
	})
}

// varsDocument is vars' -json output, shaped as RFS's response.
type varsDocument struct {
	Variables []template.Variable `json:"variables,omitempty"`
}

func varsCommand(fs *flag.FlagSet) action {
	var tmpl templateFlags
	tmpl.registerPath(fs)
	return func(_ context.Context, inv *invocation) error {
		tpl, _, err := tmpl.parse(&inv.g)
		if err != nil {
			return err
		}
		vars := tpl.Variables()
		if inv.out.json {
			return inv.out.printJSON(varsDocument{vars})
		}
		rows := make([][]string, len(vars))
		for i, v := range vars {
			typ, def := v.Type, string(v.Default)
			if typ == "" {
				typ = "any"
			}
			switch {
			case v.Required:
				def = "(required)"
			case v.Sensitive:
				def = "(sensitive)"
			}
			rows[i] = []string{v.Name, typ, def, v.Description}
		}
		return inv.out.table([]string{"NAME", "TYPE", "DEFAULT", "DESCRIPTION"}, rows)
	}
}
