package template_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/formation-engine/formation/template"
	"github.com/zclconf/go-cty/cty"
)

// FuzzParseExpand parses, expands and evaluates any template with any vars
// body: whatever the input, nothing may panic. The seed corpus is in
// testdata/fuzz/FuzzParseExpand; run with
//
//	go test ./template -run '^$' -fuzz FuzzParseExpand -fuzztime 60s
func FuzzParseExpand(f *testing.F) {
	f.Add(seedHCL, "")
	f.Add(seedJSON, `{"vpc_name": "x"}`)
	f.Add(variablesSrc, "name = \"n\"\n")
	f.Add(layeredTemplate(3, 3), "")
	// The shapes that once exhausted memory, time or the stack: each must
	// be refused within the budget.
	f.Add(`locals { x = [for a in range(1000): [for b in range(1000): [for c in range(1000): c]]] }`, "")
	f.Add(`locals { x = setproduct(range(1000), range(1000), range(1000)) }`, "")
	f.Add(`resource "a_b" "c" { for_each = toset([for i in range(10000000): tostring(i)]) }`, "")
	f.Add("locals {\n  a = \"0123456789\"\n  b = \"${local.a}${local.a}\"\n  c = \"${local.b}${local.b}\"\n  d = regexall(\".\", format(\"%1000000s\", local.c))\n}", "")
	f.Add("locals {\n  a = range(100)\n  b = [local.a, local.a, local.a, local.a]\n  c = [local.b, local.b, local.b, local.b]\n  d = local.c == local.c ? jsonencode(local.c) : \"\"\n}", "")
	f.Add("locals { x = "+strings.Repeat("(", 1000)+"1"+strings.Repeat(")", 1000)+" }", "")
	f.Add("locals { x = "+strings.Repeat(`"${`, 600)+"1"+strings.Repeat(`}"`, 600)+" }", "")
	f.Add(`{"locals": {"x": `+strings.Repeat("[", 1000)+strings.Repeat("]", 1000)+`}}`, "")
	f.Add(`{"locals": {"r": "${range(100)}", "x": ["${[for a in local.r: [for b in local.r: [for c in local.r: c]]]}"], "k": {"${local.r[0]}": "%{ for i in local.r }${i}%{ endfor }"}}}`, "")
	f.Add(`{"locals": {"a": "0123456789", "b": "${local.a}${local.a}", "c": "${local.b}${local.b}"}, "resource": {"a_b": {"c": {"v": "${local.c}"}}}}`, "")
	f.Add("locals {\n  t = \"%%{for a in range(100)}%%{for b in range(100)}x%%{endfor}%%{endfor}\"\n  x = templatestring(local.t, {})\n}", "")
	f.Add(`variable "x" {}`, "x = [for a in [1,2,3,4,5,6,7,8,9,10]: [for b in [1,2,3,4,5,6,7,8,9,10]: [for c in [1,2,3,4,5,6,7,8,9,10]: [for d in [1,2,3,4,5,6,7,8,9,10]: d]]]]")
	f.Add(`variable "x" {}`, "x = "+strings.Repeat("[", 500)+strings.Repeat("]", 500))
	f.Fuzz(func(t *testing.T, body, vars string) {
		limits := &template.Limits{MaxCount: 8, MaxForEach: 8, MaxTemplateBody: 4096, MaxVarsBody: 1024, MaxVarsStructure: 4, MaxFiles: 1, MaxFileSetBytes: 4096,
			MaxElements: 5000, MaxStringBytes: 1 << 20}
		tpl, err := template.Parse(body, template.Options{Limits: limits})
		if err != nil {
			template.WriteDiagnostics(io.Discard, err)
			return
		}
		tpl.Variables()
		tpl.RequiredProviders()
		cfg, err := tpl.Expand(context.Background(), template.Input{
			VarsBody: vars,
			DataSource: func(_ context.Context, req template.DataRequest) (cty.Value, error) {
				return req.Config, nil
			},
		})
		if err != nil {
			tpl.WriteDiagnostics(io.Discard, err)
			return
		}
		known := map[string]cty.Value{}
		values := template.ValuesFunc(func(addr string) cty.Value { return known[addr] })
		for _, addr := range cfg.Graph().TopologicalOrder() {
			inst := cfg.Instance(addr)
			v, diags := cfg.Evaluate(context.Background(), inst, values)
			if diags.HasErrors() {
				cfg.WriteDiagnostics(io.Discard, diags)
				continue
			}
			if v.Type().IsObjectType() && v.IsKnown() && !v.IsNull() {
				known[addr] = withUnknownID(v)
			}
		}
		cfg.Outputs(context.Background(), values)
		cfg.Providers(context.Background(), values)
		cfg.Graph().DOT()
		cfg.Graph().Mermaid()
	})
}
