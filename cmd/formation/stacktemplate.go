package main

import (
	"context"
	"flag"
	"maps"
	"slices"
	"strings"

	"github.com/formation-engine/formation/engine"
)

// template: the template and variables a stack last deployed (RFS
// GetStackTemplate, which answers with a download link; the content is
// here).
func init() {
	register(&command{
		name:    "template",
		args:    []arg{stackArg},
		summary: "Print the template a stack last deployed",
		help: `Prints the template of the stack's latest finished deployment (after a
rollback, the stable one rolled back to). A template of one file with no
variables is printed as it is, ready to redirect into a file; otherwise
each file, the -var-file text and the -var values follow a "==> NAME <=="
header. With -json, one document {"files": {…}, "vars_body": …,
"vars_structure": […], "vars_uri_content": …}. A stack never deployed has no template
(RF.10014004).`,
		setup: templateCommand,
	})
}

func templateCommand(*flag.FlagSet) action {
	return func(ctx context.Context, inv *invocation) error {
		e, err := inv.engine()
		if err != nil {
			return err
		}
		t, err := e.GetStackTemplate(ctx, engine.StackRef{Name: inv.args[0]})
		if err != nil {
			return err
		}
		if inv.out.json {
			return inv.out.printJSON(t)
		}
		return writeSections(inv.out, templateSections(t))
	}
}

// section is one titled part of a stack's template.
type section struct{ name, text string }

// templateSections splits a stack's template into its files (or its body)
// and its variables, in that order.
func templateSections(t engine.StackTemplate) []section {
	var out []section
	if t.TemplateBody != "" {
		out = append(out, section{"template_body", t.TemplateBody})
	}
	for _, name := range slices.Sorted(maps.Keys(t.Files)) {
		out = append(out, section{name, t.Files[name]})
	}
	if t.VarsBody != "" {
		out = append(out, section{"vars_body", t.VarsBody})
	}
	if t.VarsURIContent != "" {
		out = append(out, section{"vars_uri_content", t.VarsURIContent})
	}
	if len(t.VarsStructure) > 0 {
		var b strings.Builder
		for _, v := range t.VarsStructure {
			b.WriteString(v.VarKey + "=" + v.VarValue + "\n")
		}
		out = append(out, section{"vars_structure", b.String()})
	}
	return out
}

// writeSections prints one section as it is, or several each under a
// "==> NAME <==" header (as tail does), separated by blank lines. Every
// section ends with a newline.
func writeSections(out *output, sections []section) error {
	for i, s := range sections {
		text := s.text
		if !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		if len(sections) > 1 {
			sep := ""
			if i > 0 {
				sep = "\n"
			}
			text = sep + "==> " + s.name + " <==\n" + text
		}
		if err := out.printf("%s", text); err != nil {
			return err
		}
	}
	return nil
}
