package template

import (
	"github.com/hashicorp/hcl/v2"
	"math"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// shallowFunctions do not walk their arguments (length, lookup, element
// read one value) or take expressions rather than values (try, can): their
// arguments are not charged (meter).
var shallowFunctions = map[string]bool{
	"can": true, "element": true, "ephemeralasnull": true, "issensitive": true, "length": true, "lookup": true, "nonsensitive": true,
	"one": true, "sensitive": true, "try": true,
}

// buildCosts estimate, from a function's arguments, what it builds beyond
// their size: the functions whose result can be much larger than what they
// are given, or whose work is. Each returns elements and bytes; the
// estimate errs high.
var buildCosts = map[string]func(args []cty.Value) (elements, bytes int64){
	"range":       rangeCost,
	"setproduct":  setProductCost,
	"format":      func(args []cty.Value) (int64, int64) { return 0, formatCost(args, 1) },
	"formatlist":  formatListCost,
	"join":        joinCost,
	"indent":      indentCost,
	"replace":     replaceCost,
	"split":       splitCost,
	"regex":       regexCost,
	"regexall":    regexAllCost,
	"jsondecode":  decodeCost,
	"csvdecode":   decodeCost,
	"chunklist":   func(args []cty.Value) (int64, int64) { return lengthOf(args[0]), 0 },
	"base64gzip":  func(args []cty.Value) (int64, int64) { return 0, stringLen(args[0]) },
	"cidrsubnets": func(args []cty.Value) (int64, int64) { return int64(len(args)), 0 },
}

// bind wraps f so that each call is charged to b before it runs, with its
// build cost (its arguments were charged as they were evaluated: meter).
// The wrapper passes every argument to f as given (unknown, null,
// marked): f's own checks, refinements and errors apply unchanged.
// Functions without a build cost are charged nothing here, but bound all
// the same, so that an overrun budget stops every call.
func (b *budget) bind(name string, f function.Function) function.Function {
	if shallowFunctions[name] {
		return f
	}
	cost := buildCosts[name]
	params := f.Params()
	for i := range params {
		params[i] = passThrough(params[i])
	}
	var varParam *function.Parameter
	if vp := f.VarParam(); vp != nil {
		p := passThrough(*vp)
		varParam = &p
	}
	// The call is charged when its type is asked for, before the
	// function's own checks, which walk marked arguments whole.
	return function.New(&function.Spec{
		Description: f.Description(),
		Params:      params,
		VarParam:    varParam,
		Type: func(args []cty.Value) (cty.Type, error) {
			if !b.chargeCall(args, cost) {
				return cty.NilType, errOverBudget
			}
			return f.ReturnTypeForValues(args)
		},
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) { return f.Call(args) },
	})
}

func passThrough(p function.Parameter) function.Parameter {
	p.AllowNull, p.AllowUnknown, p.AllowDynamicType, p.AllowMarked = true, true, true, true
	return p
}

// chargeCall charges one call with args; false when it would overrun.
func (b *budget) chargeCall(args []cty.Value, cost func([]cty.Value) (int64, int64)) bool {
	if cost == nil {
		return b.check(hcl.Range{})
	}
	elements, bytes := cost(args)
	return b.charge(elements, bytes, hcl.Range{})
}

func saturatingAdd(a, b int64) int64 {
	if b > 0 && a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

func saturatingMul(a, b int64) int64 {
	if a != 0 && b > math.MaxInt64/a {
		return math.MaxInt64
	}
	return a * b
}

// The cost functions read their arguments with these, which take an
// unknown, null or mistyped argument as empty: the function reports it.

func known(v cty.Value, ty cty.Type) (cty.Value, bool) {
	v, _ = v.Unmark()
	return v, v.IsKnown() && !v.IsNull() && v.Type() == ty
}

func number(v cty.Value) float64 {
	v, ok := known(v, cty.Number)
	if !ok {
		return 0
	}
	f, _ := v.AsBigFloat().Float64()
	return f
}

func stringLen(v cty.Value) int64 {
	v, ok := known(v, cty.String)
	if !ok {
		return 0
	}
	return int64(len(v.AsString()))
}

func str(v cty.Value) string {
	v, ok := known(v, cty.String)
	if !ok {
		return ""
	}
	return v.AsString()
}

func lengthOf(v cty.Value) int64 {
	v, _ = v.Unmark()
	if ty := v.Type(); v.IsKnown() && !v.IsNull() && (ty.IsCollectionType() || ty.IsTupleType()) {
		return int64(v.LengthInt())
	}
	return 0
}

// rangeCost is how many numbers range(start, limit, step) makes.
func rangeCost(args []cty.Value) (int64, int64) {
	start, limit, step := 0.0, 0.0, 1.0
	switch len(args) {
	case 1:
		limit = number(args[0])
	case 2:
		start, limit = number(args[0]), number(args[1])
		if limit < start {
			step = -1
		}
	default:
		start, limit, step = number(args[0]), number(args[1]), number(args[2])
	}
	if step == 0 {
		return 0, 0
	}
	n := math.Ceil((limit - start) / step)
	if n <= 0 || math.IsNaN(n) {
		return 0, 0
	}
	if n >= math.MaxInt64/2 {
		return math.MaxInt64, 0
	}
	return int64(n), 0
}

// setProductCost is the product's elements: one list per combination,
// plus its members.
func setProductCost(args []cty.Value) (int64, int64) {
	n := int64(1)
	for _, a := range args {
		n = saturatingMul(n, lengthOf(a))
	}
	return saturatingMul(n, int64(len(args))+1), 0
}

// formatCost bounds what format builds n times over: the format's text,
// each verb's width and precision (%.1000000f writes a million digits),
// and each verb as long as the longest argument.
func formatCost(args []cty.Value, n int64) int64 {
	if len(args) == 0 {
		return 0
	}
	spec := str(args[0])
	longest := int64(32) // a number or bool
	for _, a := range args[1:] {
		_, s := valueSize(a, math.MaxInt64, math.MaxInt64)
		longest = max(longest, s+32)
	}
	total := int64(len(spec))
	for i := 0; i < len(spec); i++ {
		if spec[i] != '%' {
			continue
		}
		verb := longest
		for i++; i < len(spec) && strings.IndexByte("+-# 0123456789.[]", spec[i]) >= 0; i++ {
			if spec[i] >= '1' && spec[i] <= '9' {
				j := i
				for j < len(spec) && spec[j] >= '0' && spec[j] <= '9' {
					j++
				}
				verb = saturatingAdd(verb, digits(spec[i:j]))
				i = j - 1
			}
		}
		total = saturatingAdd(total, verb)
	}
	return saturatingMul(total, n)
}

func digits(s string) int64 {
	var n int64
	for _, c := range s {
		n = saturatingAdd(saturatingMul(n, 10), int64(c-'0'))
	}
	return n
}

func formatListCost(args []cty.Value) (int64, int64) {
	n := int64(1)
	for _, a := range args[1:] {
		n = max(n, lengthOf(a))
	}
	return n, formatCost(args, n)
}

func joinCost(args []cty.Value) (int64, int64) {
	var n int64
	for _, a := range args[1:] {
		n += lengthOf(a)
	}
	return 0, saturatingMul(n, stringLen(args[0]))
}

func indentCost(args []cty.Value) (int64, int64) {
	lines := int64(strings.Count(str(args[1]), "\n") + 1)
	return 0, saturatingMul(lines, int64(max(number(args[0]), 0)))
}

// replaceCost bounds replace's result: each occurrence of substr gets the
// replacement; a regular expression may match at every position, and each
// $reference in the replacement may copy the whole string.
func replaceCost(args []cty.Value) (int64, int64) {
	s, sub, repl := str(args[0]), str(args[1]), str(args[2])
	var matches int64
	switch {
	case len(sub) > 1 && sub[0] == '/' && sub[len(sub)-1] == '/':
		matches = int64(len(s)) + 1
		refs := int64(strings.Count(repl, "$"))
		return 0, saturatingAdd(saturatingMul(matches, int64(len(repl))), saturatingMul(refs, int64(len(s)))) + regexWork(s, sub)
	case sub == "":
		matches = int64(utf8.RuneCountInString(s)) + 1
	default:
		matches = int64(strings.Count(s, sub))
	}
	return 0, saturatingMul(matches, int64(len(repl)))
}

func splitCost(args []cty.Value) (int64, int64) {
	sep, s := str(args[0]), str(args[1])
	if sep == "" {
		return int64(utf8.RuneCountInString(s)), 0
	}
	return int64(strings.Count(s, sep)) + 1, 0
}

// regexWork charges a regular expression's matching as bytes: Go's
// engine is linear, in the length of the string times the size of the
// pattern.
func regexWork(s, pattern string) int64 {
	return saturatingMul(int64(len(s)), int64(len(pattern))/8+1)
}

func regexCost(args []cty.Value) (int64, int64) {
	return 0, regexWork(str(args[1]), str(args[0]))
}

// regexAllCost counts the matches regexall will return (at most one per
// position of the string) as their capture groups.
func regexAllCost(args []cty.Value) (int64, int64) {
	pattern, s := str(args[0]), str(args[1])
	re, err := regexp.Compile(pattern)
	if err != nil {
		return 0, 0 // regexall reports it
	}
	matches := int64(len(s)) + 1
	return saturatingMul(matches, int64(re.NumSubexp())+1), regexWork(s, pattern)
}

// decodeCost bounds the elements a JSON or CSV document decodes to: at
// most one per separator or bracket.
func decodeCost(args []cty.Value) (int64, int64) {
	s := str(args[0])
	var n int64 = 1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', '[', '{', ':', '\n':
			n++
		}
	}
	return n, 0
}
