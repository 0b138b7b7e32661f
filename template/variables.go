package template

import (
	"encoding/json"
	"fmt"
	"maps"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/formation-engine/formation"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Variable describes one variable block, as ParseTemplateVariables returns
// it (spec §1.3): the JSON form has RFS's field names.
type Variable struct {
	Name string `json:"name"`
	// Type is the type constraint as written ("string", "list(string)",
	// "object({…})"); empty when the variable declares none (any type).
	Type        string `json:"type,omitempty"`
	Description string `json:"description,omitempty"`
	// Default is the default value as JSON, converted to the type; nil when
	// the variable has no default (and is therefore required).
	Default   json.RawMessage `json:"default,omitempty"`
	Sensitive bool            `json:"sensitive"`
	Nullable  bool            `json:"nullable"`
	// Ephemeral is the variable's ephemeral argument (Terraform v1.10),
	// which RFS's listing does not have.
	Ephemeral   bool         `json:"-"`
	Validations []Validation `json:"validations,omitempty"`

	// TypeConstraint is the parsed type, cty.DynamicPseudoType for any.
	TypeConstraint cty.Type `json:"-"`
	// DefaultValue is Default as a cty value, cty.NilVal without a default.
	DefaultValue cty.Value `json:"-"`
	// Required is set when the variable has no default.
	Required bool `json:"-"`
	// DeclRange is where the variable block is declared.
	DeclRange hcl.Range `json:"-"`
}

// Validation is one validation block of a variable, as written.
type Validation struct {
	Condition    string `json:"condition"`
	ErrorMessage string `json:"error_message"`
}

// Variables lists the template's variables in declaration order (file by
// file): the equivalent of ParseTemplateVariables.
func (t *Template) Variables() []Variable {
	var out []Variable
	for _, n := range t.m.variables {
		v := n.variable
		tv := Variable{
			Name: v.name, Type: v.typeText, Description: v.description,
			Sensitive: v.sensitive, Nullable: v.nullable, Ephemeral: v.ephemeral,
			TypeConstraint: v.typ, DefaultValue: v.def, Required: v.def == cty.NilVal, DeclRange: n.rng,
		}
		if v.def != cty.NilVal {
			if b, err := ctyjson.Marshal(v.def, v.def.Type()); err == nil {
				tv.Default = b
			}
		}
		for _, val := range v.validations {
			tv.Validations = append(tv.Validations, Validation{Condition: val.conditionText, ErrorMessage: val.messageText})
		}
		out = append(out, tv)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].DeclRange, out[j].DeclRange
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		return a.Start.Byte < b.Start.Byte
	})
	return out
}

// given is one variable value as the caller gave it.
type given struct {
	channel string     // "vars_body", "vars_uri", "vars_structure" or "values"
	value   cty.Value  // for vars_structure: a string, converted later
	raw     bool       // a vars_structure string to convert to the declared type
	rng     *hcl.Range // where in vars_body or vars_uri, nil otherwise
}

// resolveVariables binds every declared variable from in, in this order of
// checks: sizes (CodeTooLong; CodeVarsURITooLarge for the vars_uri file),
// vars_structure items (CodeEmptyVarValue, CodeUnsupported for
// KMS-encrypted values), then undeclared, duplicated (one variable in two
// of vars_body, vars_uri, vars_structure and the Go values), missing and
// mistyped variables and failed validations (CodeInvalidVariables, with
// diagnostics).
func (t *Template) resolveVariables(op string, in Input, b *budget) (map[string]cty.Value, hcl.Diagnostics, error) {
	if n := utf8.RuneCountInString(in.VarsBody); exceeds(n, t.limits.MaxVarsBody) {
		return nil, nil, formation.Errorf(formation.CodeTooLong, op, "", "vars_body is %d characters long, more than %d", n, t.limits.MaxVarsBody)
	}
	if n := int64(len(in.VarsURIContent)); exceeds(n, t.limits.MaxVarsURIContent) {
		return nil, nil, formation.Errorf(formation.CodeVarsURITooLarge, op, "",
			"the size of the file obtained from vars_uri exceeds the upper limit: %d bytes, more than %d", n, t.limits.MaxVarsURIContent)
	}
	if n := len(in.VarsStructure); exceeds(n, t.limits.MaxVarsStructure) {
		return nil, nil, formation.Errorf(formation.CodeTooLong, op, "", "vars_structure has %d items, more than %d", n, t.limits.MaxVarsStructure)
	}
	for i, vs := range in.VarsStructure {
		switch {
		case vs.Encryption != nil:
			return nil, nil, formation.Errorf(formation.CodeUnsupported, op, vs.VarKey,
				"vars_structure[%d] is KMS-encrypted; Formation has no KMS, pass the plain value", i)
		case vs.VarValue == "":
			return nil, nil, formation.Errorf(formation.CodeEmptyVarValue, op, vs.VarKey, "vars_structure[%d] (%q): var value is empty", i, vs.VarKey)
		case exceeds(utf8.RuneCountInString(vs.VarValue), t.limits.MaxVarsBody):
			// RFS publishes no limit of its own for one value, and sends
			// large ones to vars_uri: a value may be as long as a vars_body.
			return nil, nil, formation.Errorf(formation.CodeTooLong, op, vs.VarKey,
				"vars_structure[%d] (%q): var value is more than %d characters long", i, vs.VarKey, t.limits.MaxVarsBody)
		}
	}
	var diags hcl.Diagnostics
	values := map[string]*given{}
	put := func(name string, g *given) {
		if n := t.m.variables[name]; n == nil {
			var names []string
			for v := range t.m.variables {
				names = append(names, v)
			}
			diags = append(diags, errorDiag("Value for undeclared variable",
				fmt.Sprintf("%s sets a variable named %q, but the template declares no such variable.%s", g.channel, name, didYouMean(name, names)), g.rng))
			return
		}
		if prev := values[name]; prev != nil {
			diags = append(diags, errorDiag("Variable given twice",
				fmt.Sprintf("The variable %q is given in both %s and %s; give each variable once.", name, prev.channel, g.channel), g.rng))
			return
		}
		values[name] = g
	}
	varsFiles := map[string]*hcl.File{}
	for _, text := range [...]struct{ channel, body string }{{varsBodyFile, in.VarsBody}, {varsURIFile, in.VarsURIContent}} {
		f, d := parseTFVars(text.channel, text.body, b, func(name string, v cty.Value, rng hcl.Range) {
			put(name, &given{channel: text.channel, value: v, rng: rangePtr(rng)})
		})
		diags = append(diags, d...)
		if f != nil {
			varsFiles[text.channel] = f
		}
	}
	seen := map[string]bool{}
	for _, vs := range in.VarsStructure {
		if seen[vs.VarKey] {
			diags = append(diags, errorDiag("Variable given twice",
				fmt.Sprintf("vars_structure gives the variable %q more than once.", vs.VarKey), nil))
			continue
		}
		seen[vs.VarKey] = true
		put(vs.VarKey, &given{channel: "vars_structure", value: cty.StringVal(vs.VarValue), raw: true})
	}
	names := make([]string, 0, len(in.Values))
	for name := range in.Values {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		put(name, &given{channel: "values", value: in.Values[name]})
	}

	vars := make(map[string]cty.Value, len(t.m.variables))
	for _, name := range sortedKeys(t.m.variables) {
		n := t.m.variables[name]
		v, d := bindVariable(n, values[name], b)
		diags = append(diags, d...)
		vars[name] = v
	}
	if !diags.HasErrors() {
		diags = append(diags, t.validateVariables(vars, b)...)
	}
	diags = b.result(diags)
	files := t.files
	if len(varsFiles) > 0 {
		maps.Copy(varsFiles, t.files)
		files = varsFiles
	}
	if err := diagError(op, formation.CodeInvalidVariables, diags, files); err != nil {
		return nil, nil, err
	}
	return vars, warningsOnly(diags), nil
}

// parseTFVars reads tfvars text (HCL, or JSON when it starts with '{'),
// named channel in diagnostics, and hands each variable it sets to put, in
// name order. Blank text sets nothing and has no file.
func parseTFVars(channel, text string, b *budget, put func(name string, v cty.Value, rng hcl.Range)) (*hcl.File, hcl.Diagnostics) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	isJSON := looksJSON(text)
	if d := checkNesting([]byte(text), channel, isJSON); d != nil {
		return nil, d
	}
	p := hclparse.NewParser()
	var f *hcl.File
	var diags hcl.Diagnostics
	if isJSON {
		f, diags = p.ParseJSON([]byte(text), channel)
	} else {
		f, diags = p.ParseHCL([]byte(text), channel)
	}
	if diags.HasErrors() {
		return f, diags
	}
	if body, ok := f.Body.(*hclsyntax.Body); ok {
		meter(body, b, nil)
	}
	attrs, d := f.Body.JustAttributes()
	diags = append(diags, d...)
	for _, name := range sortedAttrNames(attrs) {
		attr := attrs[name]
		v, d := attr.Expr.Value(nil)
		diags = append(diags, d...)
		if !d.HasErrors() {
			put(name, v, attr.NameRange)
		}
	}
	return f, diags
}

// bindVariable converts what was given for one variable (or its default)
// to the declared type.
func bindVariable(n *node, g *given, b *budget) (cty.Value, hcl.Diagnostics) {
	v := n.variable
	subject := rangePtr(n.rng)
	invalid := func(format string, args ...any) (cty.Value, hcl.Diagnostics) {
		return cty.DynamicVal, hcl.Diagnostics{errorDiag("Invalid value for variable",
			fmt.Sprintf("The variable %q: ", v.name)+fmt.Sprintf(format, args...), subject)}
	}
	if g == nil {
		if v.def == cty.NilVal {
			return cty.DynamicVal, hcl.Diagnostics{errorDiag("No value for required variable",
				fmt.Sprintf("The variable %q is required (it has no default), but no value was given for it in vars_body, vars_uri, vars_structure or the Go values.", v.name), subject)}
		}
		return v.def, nil
	}
	if g.rng != nil {
		subject = g.rng
	}
	val := g.value
	if g.raw {
		parsed, err := parseRawValue(val.AsString(), v.typ, b)
		if err != nil {
			return invalid("vars_structure gives %q, which is not a valid %s: %s.", val.AsString(), typeName(v), err)
		}
		val = parsed
	}
	if !val.IsWhollyKnown() {
		return invalid("the value must be known; it is not.")
	}
	if val.IsNull() {
		switch {
		case !v.nullable && v.def != cty.NilVal:
			return v.def, nil
		case !v.nullable:
			return invalid("the value must not be null (nullable = false).")
		}
		return cty.NullVal(v.typ), nil
	}
	if v.defaults != nil {
		val = v.defaults.Apply(val)
	}
	cv, err := convert.Convert(val, v.typ)
	if err != nil {
		return invalid("a %s is required, but %s", typeName(v), convertErrText(err))
	}
	return cv, nil
}

func typeName(v *variable) string {
	if v.typeText != "" {
		return v.typeText
	}
	return v.typ.FriendlyName()
}

// parseRawValue converts a vars_structure string: taken literally for a
// primitive type or any, parsed as an HCL expression (as terraform -var
// does) for a collection or object type.
func parseRawValue(s string, ty cty.Type, b *budget) (cty.Value, error) {
	if ty.IsPrimitiveType() || ty == cty.DynamicPseudoType {
		v, err := convert.Convert(cty.StringVal(s), ty)
		if err != nil {
			return cty.NilVal, err
		}
		return v, nil
	}
	if checkExprNesting([]byte(s), "vars_structure") != nil {
		return cty.NilVal, fmt.Errorf("it nests more than %d levels deep", MaxNesting)
	}
	expr, diags := hclsyntax.ParseExpression([]byte(s), "vars_structure", hcl.InitialPos)
	if diags.HasErrors() {
		return cty.NilVal, fmt.Errorf("it does not parse as an HCL expression")
	}
	meter(expr, b, nil)
	v, diags := expr.Value(nil)
	if diags.HasErrors() {
		return cty.NilVal, fmt.Errorf("it must be a constant HCL value")
	}
	return v, nil
}

// validateVariables evaluates every validation block with all variables
// bound.
func (t *Template) validateVariables(vars map[string]cty.Value, b *budget) hcl.Diagnostics {
	var diags hcl.Diagnostics
	obj := objectOrEmpty(vars)
	for _, name := range sortedKeys(t.m.variables) {
		diags = append(diags, checkValidations(t.m.variables[name].variable, obj, b)...)
	}
	return diags
}

// checkValidations evaluates the validation blocks of one variable, with
// vars as the var object.
func checkValidations(v *variable, vars cty.Value, b *budget) hcl.Diagnostics {
	if len(v.validations) == 0 {
		return nil // binding every function to the budget is most of an expansion's allocations
	}
	var diags hcl.Diagnostics
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{"var": vars, budgetVar: b.val}, Functions: b.allFunctions()}
	name := v.name
	for _, val := range v.validations {
		res, d := val.condition.Value(ctx)
		diags = append(diags, d...)
		res, _ = res.Unmark() // a condition on a sensitive variable may still decide
		if d.HasErrors() || !res.IsKnown() {
			continue
		}
		if res.IsNull() || res.Type() != cty.Bool {
			diags = append(diags, errorDiag("Invalid validation result",
				fmt.Sprintf("The condition of a validation of variable %q must be true or false.", name), rangePtr(val.condition.Range())))
			continue
		}
		if res.True() {
			continue
		}
		msg := val.messageText
		if m, d := val.message.Value(ctx); !d.HasErrors() && m.Type() == cty.String && m.IsKnown() && !m.IsNull() {
			if msg = "The error message included a sensitive value, so it will not be displayed."; !m.IsMarked() {
				msg = m.AsString()
			}
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail: fmt.Sprintf("The variable %q: %s\n\nThis was checked by the validation rule at %s.",
				name, msg, val.condition.Range()),
			Subject: rangePtr(val.condition.Range()), Expression: val.condition, EvalContext: ctx,
		})
	}
	return diags
}

func objectOrEmpty(m map[string]cty.Value) cty.Value {
	if len(m) == 0 {
		return cty.EmptyObjectVal
	}
	return cty.ObjectVal(m)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
