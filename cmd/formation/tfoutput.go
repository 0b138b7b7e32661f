package main

import (
	"context"
	"encoding/json"
	"flag"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
)

// output: Terraform's output command, for one stack.
func init() {
	register(&command{
		name:    "output",
		args:    []arg{stackArg, {name: "OUTPUT", optional: true}},
		summary: "Print a stack's outputs as terraform output does",
		help: `Without OUTPUT, prints every output of the stack's last successful
deployment as NAME = VALUE (HCL syntax); with OUTPUT, that output's value.
-json prints them as terraform output -json does: {"NAME": {"sensitive",
"type", "value"}}, or the one output's value as JSON. -raw prints one
output's value as it is, with no quotes and no newline, for shell
scripts; it needs OUTPUT, and a string, number or bool. RFS never returns a
sensitive output's value: it reads <sensitive>, and -raw refuses it.`,
		setup: outputCommand,
	})
}

// outputJSON is one output as terraform output -json prints it.
type outputJSON struct {
	Sensitive bool `json:"sensitive"`
	Type      any  `json:"type"`
	Value     any  `json:"value"`
}

// ctyType is a type in cty's JSON form ("string", ["list", "string"]).
func ctyType(ty cty.Type) json.RawMessage {
	b, err := ctyjson.MarshalType(ty)
	if err != nil {
		return json.RawMessage(`"dynamic"`)
	}
	return b
}

// ctyValue is a known value as plain JSON.
func ctyValue(v cty.Value) json.RawMessage {
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}

func outputCommand(fs *flag.FlagSet) action {
	var raw bool
	fs.BoolVar(&raw, "raw", false, "print one output's value as it is, for scripts (needs OUTPUT)")
	return func(ctx context.Context, inv *invocation) error {
		name := ""
		if len(inv.args) > 1 {
			name = inv.args[1]
		}
		switch {
		case raw && name == "":
			return usageError(formation.CodeMissingParameter, "output", "-raw needs an OUTPUT name")
		case raw && inv.out.json:
			return usageError(formation.CodeInvalidParameter, "output", "-raw and -json exclude each other")
		}
		e, err := inv.engine()
		if err != nil {
			return err
		}
		ref := engine.StackRef{Name: inv.args[0]}
		all, err := stackOutputs(ctx, e, ref)
		if err != nil {
			return err
		}
		if name == "" {
			return printAllOutputs(inv.out, all)
		}
		var names []string
		for _, o := range all {
			if o.Name == name {
				return printOneOutput(inv.out, o, raw)
			}
			names = append(names, o.Name)
		}
		return formation.Errorf(formation.CodeInvalidParameter, "", name, "stack %s has no output named %q%s", ref.Name, name, didYouMean(name, names))
	}
}

// stackOutputs lists every output of a stack, following the pages.
func stackOutputs(ctx context.Context, e backend, ref engine.StackRef) ([]formation.StackOutput, error) {
	return allPages(func(opts engine.ListOptions) ([]formation.StackOutput, string, error) {
		page, err := e.ListStackOutputs(ctx, engine.ListStackOutputsRequest{StackRef: ref, ListOptions: opts})
		return page.Outputs, page.PageInfo.NextMarker, err
	})
}

// outputValue rebuilds an output's value from RFS's rendering: a string as
// it is, anything else as JSON of its type. A sensitive output has none.
func outputValue(o formation.StackOutput) (cty.Value, error) {
	if o.Sensitive {
		return cty.NilVal, formation.Errorf(formation.CodeInvalidParameter, "", o.Name, "the output is sensitive; RFS does not return its value")
	}
	ty := cty.DynamicPseudoType
	if expr, diags := hclsyntax.ParseExpression([]byte(o.Type), "type", hcl.InitialPos); !diags.HasErrors() {
		if t, diags := typeexpr.TypeConstraint(expr); !diags.HasErrors() {
			ty = t
		}
	}
	switch {
	case ty == cty.String, ty == cty.DynamicPseudoType:
		return cty.StringVal(o.Value), nil
	case ty.IsPrimitiveType():
		v, err := ctyjson.Unmarshal([]byte(o.Value), ty)
		if err == nil {
			return v, nil
		}
		return cty.StringVal(o.Value), nil
	}
	v, err := ctyjson.Unmarshal([]byte(o.Value), ty)
	if err != nil {
		return cty.NilVal, formation.Errorf(formation.CodeInternal, "", o.Name, "the output's value %q does not read as its type %s: %v", o.Value, o.Type, err)
	}
	return v, nil
}

// hclText renders a value in HCL syntax, as terraform output shows it.
func hclText(v cty.Value) string {
	return strings.TrimSpace(string(hclwrite.TokensForValue(v).Bytes()))
}

func printAllOutputs(out *output, all []formation.StackOutput) error {
	if out.json {
		doc := map[string]outputJSON{}
		for _, o := range all {
			oj := outputJSON{Sensitive: o.Sensitive, Type: "string", Value: formation.SensitiveValue}
			if v, err := outputValue(o); err == nil {
				oj.Type, oj.Value = ctyType(v.Type()), ctyValue(v)
			}
			doc[o.Name] = oj
		}
		return out.printJSON(doc)
	}
	for _, o := range all {
		text := formation.SensitiveValue
		if v, err := outputValue(o); err == nil {
			text = hclText(v)
		}
		if err := out.printf("%s = %s\n", o.Name, text); err != nil {
			return err
		}
	}
	return nil
}

func printOneOutput(out *output, o formation.StackOutput, raw bool) error {
	v, err := outputValue(o)
	switch {
	case err != nil && (raw || out.json):
		return err
	case err != nil:
		return out.printf("%s\n", formation.SensitiveValue)
	case out.json:
		return out.printJSON(ctyValue(v))
	case !raw:
		return out.printf("%s\n", hclText(v))
	case !v.Type().IsPrimitiveType() || v.IsNull():
		return formation.Errorf(formation.CodeInvalidParameter, "", o.Name, "-raw prints only a string, number or bool; this output is a %s: use -json", o.Type)
	case v.Type() == cty.String:
		return out.printf("%s", v.AsString())
	}
	return out.printf("%s", hclText(v))
}
