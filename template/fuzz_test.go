package template_test

import (
	"context"
	"io"
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
	f.Fuzz(func(t *testing.T, body, vars string) {
		limits := &template.Limits{MaxCount: 8, MaxForEach: 8, MaxTemplateBody: 4096, MaxVarsBody: 1024, MaxVarsStructure: 4, MaxFiles: 1, MaxFileSetBytes: 4096}
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
			v, diags := cfg.Evaluate(inst, values)
			if diags.HasErrors() {
				cfg.WriteDiagnostics(io.Discard, diags)
				continue
			}
			if v.Type().IsObjectType() && v.IsKnown() && !v.IsNull() {
				known[addr] = withUnknownID(v)
			}
		}
		cfg.Outputs(values)
		cfg.Providers(values)
		cfg.Graph().DOT()
		cfg.Graph().Mermaid()
	})
}
