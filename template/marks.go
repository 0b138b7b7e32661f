package template

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// valueMark is the type of the marks Formation puts on values.
type valueMark string

// Sensitive marks a sensitive value, as Terraform's marks.Sensitive does:
// sensitive variables and sensitive() give values that carry it, and cty
// carries it on through operators, functions, for expressions,
// conditionals and templates.
// Configuration objects returned by Evaluate keep it where their values
// are sensitive (SensitivePaths finds them), and values given back
// through Values may carry it where the planner knows an attribute is
// sensitive (MarkSensitive).
const Sensitive = valueMark("sensitive")

// Ephemeral marks an ephemeral value (Terraform v1.10): an ephemeral
// variable's, terraform.applying, a called module's ephemeral output.
// Such values are never recorded: a resource's or data source's
// configuration, a root output, count and for_each refuse them, and
// ephemeralasnull turns them into null.
const Ephemeral = valueMark("ephemeral")

// SensitivePaths returns v without marks and the paths of its sensitive
// parts, nil when there are none: what the planner records of a
// configuration before a provider sees it (providers never see marks).
func SensitivePaths(v cty.Value) (cty.Value, []cty.Path) {
	if !containsMarked(v) {
		return v, nil
	}
	plain, pvms := v.UnmarkDeepWithPaths()
	var paths []cty.Path
	for _, pvm := range pvms {
		if _, ok := pvm.Marks[Sensitive]; ok {
			paths = append(paths, pvm.Path)
		}
	}
	return plain, paths
}

// containsMarked is cty's Value.ContainsMarked without its allocations
// (a path per element): every configuration the planner evaluates goes
// through it, and almost none is marked. A set's elements are never
// marked (cty moves their marks to the set).
func containsMarked(v cty.Value) bool { return containsMark(v, nil) }

// containsMark reports whether v or a value inside it carries mark (any
// mark when mark is nil), walking v as containsMarked does.
func containsMark(v cty.Value, mark any) bool {
	if mark == nil && v.IsMarked() || mark != nil && v.HasMark(mark) {
		return true
	}
	ty := v.Type()
	v, _ = v.Unmark()
	if ty.IsPrimitiveType() || ty.IsSetType() || !v.IsKnown() || v.IsNull() {
		return false
	}
	if ty.IsObjectType() {
		for name := range ty.AttributeTypes() {
			if containsMark(v.GetAttr(name), mark) {
				return true
			}
		}
		return false
	}
	if ty.IsListType() || ty.IsMapType() || ty.IsTupleType() {
		for it := v.ElementIterator(); it.Next(); {
			if _, e := it.Element(); containsMark(e, mark) {
				return true
			}
		}
	}
	return false
}

// MarkSensitive marks the parts of v at paths as sensitive; paths that v
// does not have (an attribute a planned object lacks) are left alone.
func MarkSensitive(v cty.Value, paths []cty.Path) cty.Value {
	if len(paths) == 0 {
		return v
	}
	pvms := make([]cty.PathValueMarks, 0, len(paths))
	for _, p := range paths {
		if _, err := p.Apply(v); err == nil {
			pvms = append(pvms, cty.PathValueMarks{Path: p, Marks: cty.NewValueMarks(Sensitive)})
		}
	}
	return v.MarkWithPaths(pvms)
}

// markVariable marks the value of a variable as its declaration says:
// sensitive, ephemeral.
func markVariable(v cty.Value, decl *variable) cty.Value {
	if decl.sensitive {
		v = v.Mark(Sensitive)
	}
	if decl.ephemeral {
		v = v.Mark(Ephemeral)
	}
	return v
}

// sensitivityParam is the one parameter of sensitive, nonsensitive,
// issensitive and ephemeralasnull: any value, marks and all.
var sensitivityParam = []function.Parameter{{
	Name: "value", Type: cty.DynamicPseudoType,
	AllowNull: true, AllowUnknown: true, AllowDynamicType: true, AllowMarked: true,
}}

// sensitiveFunc is Terraform's sensitive: its argument, marked sensitive.
var sensitiveFunc = function.New(&function.Spec{
	Description: "Returns its argument marked as sensitive.",
	Params:      sensitivityParam,
	Type:        func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return args[0].Mark(Sensitive), nil
	},
})

// nonsensitiveFunc is Terraform's nonsensitive: its argument without the
// sensitive mark at its top level (parts inside stay marked). As in
// Terraform v1.11, a value that is not sensitive is returned as it is,
// not refused.
var nonsensitiveFunc = function.New(&function.Spec{
	Description: "Returns its argument without its sensitive mark.",
	Params:      sensitivityParam,
	Type:        func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v, marks := args[0].Unmark()
		delete(marks, Sensitive)
		return v.WithMarks(marks), nil
	},
})

// issensitiveFunc is Terraform's issensitive: whether its argument is
// marked sensitive at its top level; unknown for an unknown value not
// marked, since what it will be may be.
var issensitiveFunc = function.New(&function.Spec{
	Description: "Returns whether its argument is sensitive.",
	Params:      sensitivityParam,
	Type:        function.StaticReturnType(cty.Bool),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		switch v := args[0]; {
		case v.HasMark(Sensitive):
			return cty.True, nil
		case !v.IsKnown():
			return cty.UnknownVal(cty.Bool), nil
		}
		return cty.False, nil
	},
})

// sensitiveOutput is Terraform's refusal of a root module output whose
// value is sensitive without sensitive = true: nil when there is none.
func sensitiveOutput(o *output, v cty.Value, ectx *hcl.EvalContext) *hcl.Diagnostic {
	if o.sensitive || !containsMark(v, Sensitive) {
		return nil
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError, Summary: "Output refers to sensitive values",
		Detail: "To reduce the risk of accidentally exporting sensitive data that was intended to be only internal, " +
			"Formation requires that any root module output containing sensitive data be explicitly marked as sensitive, to confirm your intent.\n\n" +
			"If you do intend to export this data, annotate the output value as sensitive by adding the following argument:\n    sensitive = true",
		Subject: rangePtr(o.expr.Range()), Expression: o.expr, EvalContext: ectx,
	}
}

// ephemeralAsNullFunc is Terraform's ephemeralasnull: its argument with
// every ephemeral part null (other marks kept).
var ephemeralAsNullFunc = function.New(&function.Spec{
	Description: "Returns its argument with every ephemeral value replaced by null.",
	Params:      sensitivityParam,
	Type:        func(args []cty.Value) (cty.Type, error) { return args[0].Type(), nil },
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.Transform(args[0], func(_ cty.Path, v cty.Value) (cty.Value, error) {
			plain, marks := v.Unmark()
			if _, ok := marks[Ephemeral]; !ok {
				return v, nil
			}
			delete(marks, Ephemeral)
			return cty.NullVal(plain.Type()).WithMarks(marks), nil
		})
	},
})

// ephemeralDiag is Terraform's refusal of an ephemeral value where values
// are recorded: nil when v carries none.
func ephemeralDiag(v cty.Value, summary, detail string, expr hcl.Expression, ectx *hcl.EvalContext) *hcl.Diagnostic {
	if !containsMark(v, Ephemeral) {
		return nil
	}
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail,
		Subject: rangePtr(expr.Range()), Expression: expr, EvalContext: ectx}
}
