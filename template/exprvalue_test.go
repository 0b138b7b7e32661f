package template

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// intString must agree with cty's conversion whenever it answers, and
// answer for the numbers evaluation meets most: counts, indexes, integer
// literals.
func TestIntString(t *testing.T) {
	number := func(prec uint, i int64) cty.Value {
		return cty.NumberVal(new(big.Float).SetPrec(prec).SetInt64(i))
	}
	var vals []cty.Value
	for i := int64(-1100); i <= 1100; i++ {
		vals = append(vals, cty.NumberIntVal(i))
	}
	for _, s := range []string{"0", "7", "-7", "1e3", "1000000", "0.1", "1.5", "-2.5", "1e30", "123456789012345678901234567890",
		"9223372036854775807", "-9223372036854775808", "9223372036854775808", "100000000000000000000"} {
		vals = append(vals, cty.MustParseNumberVal(s))
	}
	for _, f := range []float64{0, 0.5, 3, 1 << 53, 1 << 60, 1e20, math.MaxInt64, -(1 << 62), math.Copysign(0, -1)} {
		vals = append(vals, cty.NumberFloatVal(f))
	}
	for _, prec := range []uint{1, 2, 3, 4, 7, 10, 11, 63} {
		for _, i := range []int64{0, 1, 3, 5, 7, 8, 9, 10, 100, 999, 1000, 1023, 1024, 1025, 4095, 123456, -77, math.MaxInt64, math.MinInt64} {
			vals = append(vals, number(prec, i))
		}
	}
	vals = append(vals, cty.NumberVal(new(big.Float).Neg(new(big.Float))), cty.UnknownVal(cty.Number), cty.NullVal(cty.Number),
		cty.NumberIntVal(3).Mark("sensitive"), cty.StringVal("3"))
	answered := 0
	for _, v := range vals {
		got, ok := intString(v)
		if !ok {
			continue
		}
		answered++
		want, err := convert.Convert(v, cty.String)
		if err != nil || got != want.AsString() {
			f := v.AsBigFloat()
			t.Errorf("intString(%s, prec %d) = %q, cty converts to %#v (%v)", f.Text('g', 30), f.Prec(), got, want, err)
		}
	}
	for _, v := range []cty.Value{cty.NumberIntVal(0), cty.NumberIntVal(1023), cty.NumberIntVal(-5), cty.MustParseNumberVal("42"), cty.MustParseNumberVal("9223372036854775807")} {
		if _, ok := intString(v); !ok {
			t.Errorf("intString(%#v) did not answer", v)
		}
	}
	if answered < 2000 {
		t.Errorf("intString answered for %d values only", answered)
	}
}

// exprVars holds values of every kind exprValue treats apart.
func exprVars() map[string]cty.Value {
	obj := func(id cty.Value) cty.Value { return cty.ObjectVal(map[string]cty.Value{"id": id}) }
	return map[string]cty.Value{
		"count": cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(5)}),
		"big":   cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(1234567)}),
		"m":     cty.MapVal(map[string]cty.Value{"5": obj(cty.StringVal("m5"))}),
		"mu":    cty.MapVal(map[string]cty.Value{"5": obj(cty.UnknownVal(cty.String))}),
		"o":     cty.ObjectVal(map[string]cty.Value{"5": obj(cty.StringVal("o5")), "a": obj(cty.StringVal("oa"))}),
		"t": cty.TupleVal([]cty.Value{obj(cty.StringVal("t0")), obj(cty.StringVal("t1")), obj(cty.StringVal("t2")),
			obj(cty.StringVal("t3")), obj(cty.StringVal("t4")), obj(cty.StringVal("t5"))}),
		"n":      cty.ObjectVal(map[string]cty.Value{"inner": cty.MapVal(map[string]cty.Value{"5": cty.StringVal("deep")})}),
		"unk":    cty.UnknownVal(cty.String),
		"unknum": cty.UnknownVal(cty.Number),
		"dyn":    cty.DynamicVal,
		"secret": cty.StringVal("s").Mark("sensitive"),
		"sidx":   cty.NumberIntVal(5).Mark("sensitive"),
		"nul":    cty.NullVal(cty.String),
		"nums": cty.ObjectVal(map[string]cty.Value{
			"neg": cty.NumberIntVal(-12), "frac": cty.MustParseNumberVal("0.1"), "huge": cty.MustParseNumberVal("1e30"),
			"f53": cty.NumberFloatVal(1 << 60), "negzero": cty.NumberVal(new(big.Float).Neg(new(big.Float))),
		}),
		"b":    cty.True,
		"list": cty.ListVal([]cty.Value{cty.StringVal("x")}),
		"key":  cty.StringVal("a"),
	}
}

var exprSeeds = []string{
	`"l0-${count.index}"`, `"${count.index}"`, `count.index`, `"${big.index}-${count.index}"`,
	`m[count.index].id`, `"p-${m[count.index].id}"`, `m[count.index]`, `m[5].id`, `m["5"].id`, `m[sidx].id`,
	`mu[count.index].id`, `"p-${mu[count.index].id}-s"`, `o[count.index].id`, `o[key].id`, `o.a.id`,
	`t[count.index].id`, `t[1].id`, `t["2"].id`, `n.inner[count.index]`, `"${n.inner[count.index]}"`,
	`"a${unk}b"`, `"${unk}"`, `"${unknum}"`, `m[unknum]`, `t[unknum]`, `dyn[count.index]`, `dyn.x`,
	`"s=${secret}"`, `"${nul}"`, `"${list}"`, `"${b}"`, `"${true}"`, `"${1.5}"`, `"${-3}"`,
	`"${nums.neg}|${nums.frac}|${nums.huge}|${nums.f53}|${nums.negzero}"`, `m[missing]`, `m[nul]`,
	`"a${unk}"`, `"a${unknum}"`, `"a${secret}"`, `"a${nul}"`, `"a${list}"`, `"a${b}"`, `"a${1.5}"`, `"a${dyn}"`, `"a${count}"`,
	`m[6]`, `m[big.index]`, `o[count.index + 1]`, `t[9]`, `t[-1]`, `t[0.5]`, `missing.x`, `m.nope`, `count.nope`,
	`nul.x`, `list.x`, `"${missing}"`, `upper("a-${count.index}")`, `"${t[*].id}"`, `[for x in t : x.id]`,
	`"%{if b}yes-${count.index}%{endif}"`, `"${count.index}${count.index}"`, `"\u00e9-${count.index}"`, `"e\u0301"`,
	`"plain"`, `""`, `"a${"b"}c${"d"}e${count.index}f${"g"}"`, `"${"x"}"`,
}

// exprContexts are evaluation contexts over exprVars: with functions, as
// a parent, shadowed by a child, empty, and nil.
func exprContexts() []*hcl.EvalContext {
	vars := exprVars()
	shadow := (&hcl.EvalContext{Variables: vars}).NewChild()
	shadow.Variables = map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(2)})}
	return []*hcl.EvalContext{
		{Variables: vars, Functions: map[string]function.Function{"upper": stdlib.UpperFunc}},
		(&hcl.EvalContext{Variables: vars}).NewChild(),
		shadow,
		{},
		nil,
	}
}

// sameAsHCL checks that exprValue gives exactly what hcl gives for src in
// every context: the same value (marks and refinements included) and the
// same diagnostics.
func sameAsHCL(t *testing.T, src string, ctxs []*hcl.EvalContext) {
	t.Helper()
	expr, diags := hclsyntax.ParseExpression([]byte(src), "test.tf", hcl.InitialPos)
	if diags.HasErrors() {
		return
	}
	for _, ctx := range ctxs {
		want, wantDiags := expr.Value(ctx)
		got, gotDiags := exprValue(expr, ctx, nil)
		if !got.RawEquals(want) {
			t.Errorf("%s: got %#v, hcl gives %#v", src, got, want)
		}
		if diagText(gotDiags) != diagText(wantDiags) {
			t.Errorf("%s: got diagnostics %s, hcl gives %s", src, gotDiags, wantDiags)
		}
	}
}

// hclSuggestion is hcl's suggestion of a variable name: any of the closest
// names, as map iteration meets them first.
var hclSuggestion = regexp.MustCompile(` Did you mean "[^"]*"\?`)

func diagText(diags hcl.Diagnostics) string {
	return hclSuggestion.ReplaceAllString(fmt.Sprint(diags), "")
}

func TestExprValueAsHCL(t *testing.T) {
	ctxs := exprContexts()
	for _, src := range exprSeeds {
		if _, diags := hclsyntax.ParseExpression([]byte(src), "test.tf", hcl.InitialPos); diags.HasErrors() {
			t.Fatalf("%s: %s", src, diags)
		}
		sameAsHCL(t, src, ctxs)
	}
}

// FuzzExprValue compares exprValue with hcl on any expression; run with
//
//	go test ./template -run '^$' -fuzz FuzzExprValue -fuzztime 60s
func FuzzExprValue(f *testing.F) {
	for _, src := range exprSeeds {
		f.Add(src)
	}
	ctxs := exprContexts()
	f.Fuzz(func(t *testing.T, src string) { sameAsHCL(t, src, ctxs) })
}
