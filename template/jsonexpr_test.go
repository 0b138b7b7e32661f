package template

import (
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// TestJSONExprAsHCL checks that a converted JSON expression evaluates as
// hcl's json package evaluates it: values and error summaries, with and
// without an evaluation context.
func TestJSONExprAsHCL(t *testing.T) {
	ctx := &hcl.EvalContext{
		Variables: map[string]cty.Value{"v": cty.ObjectVal(map[string]cty.Value{
			"s": cty.StringVal("k"), "n": cty.NumberIntVal(2), "u": cty.UnknownVal(cty.String), "z": cty.NullVal(cty.String),
		})},
		Functions: map[string]function.Function{"upper": stdlib.UpperFunc},
	}
	for _, src := range []string{
		`"plain"`, `"${v.s}-x"`, `"${v.n}"`, `1.5`, `true`, `null`, `[]`, `{}`,
		`["a", "${upper(v.s)}", [1, {"b": "${v.n}"}]]`,
		`{"${v.s}": 1, "lit": "%{ if v.n > 1 }big%{ endif }"}`,
		`{"a": 1, "a": 2}`, `{"${v.s}": 1, "k": 2}`, `{"${v.u}": 1}`, `{"${v.z}": 1}`, `{"${[1]}": 1}`,
		`"${v.missing}"`, `"${"`, `{"k": "${"}`,
	} {
		f, diags := json.Parse([]byte(`{"x": `+src+`}`), "t.json")
		if diags.HasErrors() {
			t.Fatalf("%s: %s", src, diags)
		}
		attrs, _ := f.Body.JustAttributes()
		orig := attrs["x"].Expr
		conv := convertJSON(orig)
		for _, c := range []*hcl.EvalContext{nil, ctx} {
			want, wantDiags := orig.Value(c)
			got, gotDiags := conv.Value(c)
			if !got.RawEquals(want) {
				t.Errorf("%s (context %v): got %#v, want %#v", src, c != nil, got, want)
			}
			if summaries(gotDiags) != summaries(wantDiags) {
				t.Errorf("%s (context %v): got diagnostics %q, want %q", src, c != nil, summaries(gotDiags), summaries(wantDiags))
			}
		}
		if ol, cl := orig.(exprLister).ExprList(), conv.ExprList(); len(ol) != len(cl) || (ol == nil) != (cl == nil) {
			t.Errorf("%s: ExprList gives %d, want %d", src, len(cl), len(ol))
		}
		if om, cm := orig.(exprMapper).ExprMap(), conv.ExprMap(); len(om) != len(cm) || (om == nil) != (cm == nil) {
			t.Errorf("%s: ExprMap gives %d, want %d", src, len(cm), len(om))
		}
	}
}

func summaries(diags hcl.Diagnostics) string {
	s := ""
	for _, d := range diags {
		s += d.Summary + "@" + d.Subject.String() + ";"
	}
	return s
}
