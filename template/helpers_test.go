package template_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/template"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

func mustParse(t testing.TB, src string) *template.Template {
	t.Helper()
	tpl, err := template.Parse(src, template.Options{})
	if err != nil {
		var b strings.Builder
		template.WriteDiagnostics(&b, err)
		t.Fatalf("Parse: %v\n%s", err, b.String())
	}
	return tpl
}

func mustExpand(t testing.TB, tpl *template.Template, in template.Input) *template.Config {
	t.Helper()
	cfg, err := tpl.Expand(context.Background(), in)
	if err != nil {
		var b strings.Builder
		tpl.WriteDiagnostics(&b, err)
		t.Fatalf("Expand: %v\n%s", err, b.String())
	}
	return cfg
}

// known is a Values made of a map, counting versions per block.
type known struct {
	m        map[string]cty.Value
	versions map[string]uint64
}

func newKnown() *known { return &known{m: map[string]cty.Value{}, versions: map[string]uint64{}} }

func (k *known) Value(addr string) cty.Value { return k.m[addr] }

func (k *known) Version(block string) uint64 { return k.versions[block] }

func (k *known) set(inst *template.Instance, v cty.Value) {
	k.m[inst.Addr] = v
	k.versions[inst.Resource]++
}

// withUnknownID returns obj with an unknown id, as a planner would plan a
// new resource.
func withUnknownID(obj cty.Value) cty.Value {
	m := obj.AsValueMap()
	if m == nil {
		m = map[string]cty.Value{}
	}
	m["id"] = cty.UnknownVal(cty.String)
	return cty.ObjectVal(m)
}

// evalAll evaluates every instance in topological order, recording each
// as its configuration plus an unknown id; it returns the configurations.
func evalAll(t testing.TB, cfg *template.Config) (map[string]cty.Value, *known) {
	t.Helper()
	k := newKnown()
	out := map[string]cty.Value{}
	for _, addr := range cfg.Graph().TopologicalOrder() {
		inst := cfg.Instance(addr)
		v, diags := cfg.Evaluate(context.Background(), inst, k)
		if diags.HasErrors() {
			t.Fatalf("Evaluate %s: %s", addr, diags.Error())
		}
		out[addr] = v
		k.set(inst, withUnknownID(v))
	}
	return out, k
}

// wantDiag checks err is a *formation.Error with code carrying an error
// diagnostic whose summary contains summary, whose detail contains detail,
// and whose subject starts at file:line:col (line 0: no subject expected).
func wantDiag(t testing.TB, err error, code formation.Code, summary, detail, file string, line, col int) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s %q", code, summary)
	}
	if got := formation.CodeOf(err); got != code {
		t.Errorf("code = %s, want %s (%v)", got, code, err)
	}
	var diags hcl.Diagnostics
	if !errors.As(err, &diags) {
		t.Fatalf("no hcl.Diagnostics in %v", err)
	}
	checkDiags(t, diags, summary, detail, file, line, col)
}

func checkDiags(t testing.TB, diags hcl.Diagnostics, summary, detail, file string, line, col int) {
	t.Helper()
	for _, d := range diags {
		if d.Severity != hcl.DiagError || !strings.Contains(d.Summary, summary) || !strings.Contains(d.Detail, detail) {
			continue
		}
		if line == 0 {
			return
		}
		if d.Subject == nil {
			t.Fatalf("diagnostic %q has no subject, want %s:%d:%d", d.Summary, file, line, col)
		}
		if d.Subject.Filename != file || d.Subject.Start.Line != line || d.Subject.Start.Column != col {
			t.Fatalf("diagnostic %q at %s:%d:%d, want %s:%d:%d", d.Summary, d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column, file, line, col)
		}
		return
	}
	t.Fatalf("no error diagnostic with summary %q and detail %q in:\n%s", summary, detail, diagsText(diags))
}

func diagsText(diags hcl.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Error() + "\n")
	}
	return b.String()
}
