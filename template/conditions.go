package template

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// condition is one custom condition: a precondition or postcondition block
// of a resource's lifecycle or of an output.
type condition struct {
	cond, message hcl.Expression
}

var conditionSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "condition", Required: true}, {Name: "error_message", Required: true}},
}

// condition decodes a precondition or postcondition block.
func (d *decoder) condition(b *hcl.Block) *condition {
	content, diags := b.Body.Content(conditionSchema)
	d.add(diags)
	if diags.HasErrors() {
		return nil
	}
	return &condition{cond: content.Attributes["condition"].Expr, message: content.Attributes["error_message"].Expr}
}

// What a failed condition is called, as Terraform names it in the
// diagnostic's summary.
const (
	resourcePrecondition  = "Resource precondition"
	resourcePostcondition = "Resource postcondition"
	outputPrecondition    = "Module output value precondition"
)

// checkConditions evaluates conditions in ectx, as Terraform does: a
// condition not yet known is left for later (it is checked again when the
// values it depends on are known, at apply), a false one is an error of
// severity sev carrying its error message, and a null or non-boolean one
// is an error in the template.
func checkConditions(conds []*condition, ectx *hcl.EvalContext, lz *lazyGroups, what string, sev hcl.DiagnosticSeverity) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, c := range conds {
		v, d := exprValue(c.cond, ectx, lz)
		diags = append(diags, d...)
		if d.HasErrors() || !v.IsKnown() {
			continue
		}
		invalid := func(detail string) {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid condition result", Detail: detail,
				Subject: rangePtr(c.cond.Range()), Expression: c.cond, EvalContext: ectx})
		}
		if v.IsNull() {
			invalid("Condition expression must return either true or false, not null.")
			continue
		}
		b, err := convert.Convert(v, cty.Bool)
		if err != nil {
			invalid(fmt.Sprintf("Invalid condition result value: %s.", err))
			continue
		}
		if b, _ = b.Unmark(); b.True() {
			continue
		}
		msg, d := errorMessage(c.message, ectx)
		diags = append(diags, d...)
		if msg == "" {
			msg = "This check failed, but has an invalid error message as described in the other accompanying messages."
		}
		diags = append(diags, &hcl.Diagnostic{Severity: sev, Summary: what + " failed", Detail: msg,
			Subject: rangePtr(c.cond.Range()), Expression: c.cond, EvalContext: ectx})
	}
	return diags
}

// errorMessage evaluates a condition's error message: a string, not null;
// "" when it cannot be shown (unknown, sensitive, or invalid, which the
// diagnostics explain).
func errorMessage(expr hcl.Expression, ectx *hcl.EvalContext) (string, hcl.Diagnostics) {
	v, diags := expr.Value(ectx)
	if diags.HasErrors() {
		return "", diags
	}
	invalid := func(detail string) (string, hcl.Diagnostics) {
		return "", append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid error message", Detail: detail,
			Subject: rangePtr(expr.Range()), Expression: expr, EvalContext: ectx})
	}
	v, err := convert.Convert(v, cty.String)
	switch {
	case err != nil:
		return invalid(fmt.Sprintf("Unsuitable value for error message: %s.", err))
	case !v.IsKnown():
		return "", diags
	case v.IsNull():
		return invalid("Unsuitable value for error message: must not be null.")
	}
	if v.IsMarked() {
		return "", append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Error message refers to sensitive values",
			Detail:  "The error expression used to explain this condition refers to sensitive values, so Formation will not display the resulting message.\n\nYou can correct this by removing references to sensitive values, or by carefully using the nonsensitive() function if the expression will not reveal the sensitive data.",
			Subject: rangePtr(expr.Range()), Expression: expr, EvalContext: ectx})
	}
	return strings.TrimSpace(v.AsString()), diags
}

// Postconditions checks the postconditions of inst against self, the
// instance's object as planned (computed attributes unknown) or as applied
// or read. A postcondition that depends on what is not known yet is left
// for later: the executor checks again with the applied object. Values
// gives what the conditions read of other instances, as in Evaluate.
func (c *Config) Postconditions(ctx context.Context, inst *Instance, values Values, self cty.Value) hcl.Diagnostics {
	if inst == nil || c.byAddr[inst.Addr] != inst {
		return hcl.Diagnostics{errorDiag("Unknown instance", "Postconditions was given an instance that does not belong to this Config.", nil)}
	}
	r := inst.node.res
	if len(r.post) == 0 {
		return nil
	}
	ev := c.evaluator(ctx, values, inst.mi)
	it := inst.iter()
	ectx, diags := ev.context(&r.postScope, &it, nil)
	ectx.Variables["self"] = self
	diags = ev.budget().result(append(diags, checkConditions(r.post, ectx, nil, resourcePostcondition, hcl.DiagError)...))
	attachFiles(diags, c.t.files)
	return diags
}

// checkBlock is a check block: assertions about the whole configuration,
// which Terraform reports as warnings, never errors.
type checkBlock struct {
	name    string
	asserts []*condition
	data    []*scopedData // its own data sources, only its assertions read
	scope   scope
	rng     hcl.Range
}

var checkSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{{Type: "assert"}, {Type: "data", LabelNames: []string{"type", "name"}}},
}

// check decodes a check block.
func (d *decoder) check(b *hcl.Block) {
	if !d.validName(b, 0, "check block") {
		return
	}
	content, diags := b.Body.Content(checkSchema)
	d.add(diags)
	ck := &checkBlock{name: b.Labels[0], rng: b.DefRange}
	asserts := 0
	for _, blk := range content.Blocks {
		if blk.Type == "data" {
			if sd := d.scopedData(blk, ck); sd != nil {
				ck.data = append(ck.data, sd)
			}
			continue
		}
		asserts++
		if c := d.condition(blk); c != nil {
			ck.asserts = append(ck.asserts, c)
		}
	}
	if asserts == 0 {
		d.errorf(b.DefRange, "Zero assert blocks", "Check blocks must have at least one assert block.")
		return
	}
	for _, prev := range d.m.checks {
		if prev.name == ck.name {
			d.errorf(b.DefRange, "Duplicate check block", "A check block named %q was already declared at %s.", ck.name, prev.rng)
			return
		}
	}
	d.m.checks = append(d.m.checks, ck)
}

// checks analyses the check blocks: an assertion must refer to something,
// or it would check nothing.
func (a *analyzer) checks() {
	rl := rules{what: "a check block"}
	for _, ck := range a.m.checks {
		for _, sd := range ck.data {
			a.shape(&sd.scope, sd.body, rules{what: "a data source"}, nil)
		}
		a.scoped = ck.data
		for _, c := range ck.asserts {
			var own scope
			hits := a.scopedHits
			a.expr(&own, c.cond, rl, nil)
			if len(own.refs) == 0 && a.scopedHits == hits {
				a.errorf(c.cond.Range(), "Invalid assert expression",
					"The condition expression must refer to at least one object from elsewhere in the configuration, or else its result would not be checking anything.")
			}
		}
		a.conditions(&ck.scope, ck.asserts, rl)
		a.scoped = nil
	}
}

// Checks evaluates the check blocks of every module instance with what
// values knows and returns their findings, all warnings as in Terraform:
// a failed assertion, an assertion that cannot be evaluated, and a
// scoped data source (a data block inside the check) that cannot be
// read, each summary prefixed with the check's address (check.NAME,
// module.net.check.NAME). read reads the scoped data sources (nil: they
// are unknown); an assertion not yet known is left for later.
func (c *Config) Checks(ctx context.Context, values Values, read func(context.Context, DataRequest) (cty.Value, error)) hcl.Diagnostics {
	ev := c.evaluator(ctx, values, c.root)
	var diags hcl.Diagnostics
	for _, m := range c.t.mods {
		if len(m.checks) == 0 {
			continue
		}
		for _, mi := range c.insts[m.index] {
			mev := ev.at(mi)
			for _, ck := range m.checks {
				ectx, d := mev.context(&ck.scope, nil, nil)
				if len(ck.data) > 0 {
					d = append(d, mev.readScoped(ctx, ck, ectx, read)...)
				}
				d = append(d, checkConditions(ck.asserts, ectx, nil, "Check block assertion", hcl.DiagWarning)...)
				for _, diag := range d {
					diag.Severity = hcl.DiagWarning
					diag.Summary = mi.prefix + "check." + ck.name + ": " + diag.Summary
				}
				diags = append(diags, d...)
			}
		}
	}
	if diags = ev.budget().result(diags); len(diags) > 0 {
		attachFiles(diags, c.t.files)
	}
	return diags
}
