package plan

import (
	"errors"
	"strings"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/template"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// refused records a configuration the schema or the provider refuses. When
// the refusal names arguments (cty.PathError, as Schema.Coerce reports
// them; provider.ConstraintError), each becomes an hcl diagnostic on the
// argument or block in the template, as Terraform reports a provider's
// validation; the provider's error stays reachable with errors.Is.
func (p *planner) refused(s *slot, inst *template.Instance, err error) {
	var args []argumentError
	collectArgumentErrors(err, &args)
	if len(args) == 0 {
		s.invalid(inst.Addr, err)
		return
	}
	diags := make(hcl.Diagnostics, len(args))
	for i, a := range args {
		diags[i] = p.cfg.ArgumentDiagnostic(inst, a.path, a.summary,
			"The provider's schema for "+inst.Type+" refuses "+inst.Addr+": "+a.message+".")
	}
	s.fail(&formation.Error{Code: formation.CodeInvalidTemplate, Op: opMake, Resource: inst.Addr,
		Err: &refusal{diags: diags, cause: err}})
}

// refusal is a provider's refusal shown as diagnostics: errors.As finds the
// hcl.Diagnostics, errors.Is the provider's sentinel.
type refusal struct {
	diags hcl.Diagnostics
	cause error
}

func (r *refusal) Error() string   { return r.diags.Error() }
func (r *refusal) Unwrap() []error { return []error{r.diags, r.cause} }

// argumentError is a refusal of one argument: where, and in what words.
type argumentError struct {
	path             cty.Path
	summary, message string
}

// collectArgumentErrors gathers the refusals of arguments in err's tree.
func collectArgumentErrors(err error, out *[]argumentError) {
	var (
		ce *provider.ConstraintError
		pe cty.PathError
	)
	switch e := err.(type) {
	case nil:
		return
	case interface{ Unwrap() []error }:
		for _, inner := range e.Unwrap() {
			collectArgumentErrors(inner, out)
		}
		return
	}
	switch {
	case errors.As(err, &ce):
		*out = append(*out, argumentError{path: ce.Path, summary: ce.Summary(), message: ce.Error()})
	case errors.As(err, &pe):
		*out = append(*out, argumentError{path: pe.Path, summary: argumentSummary(pe.Error(), pe.Path), message: pe.Error()})
	}
}

// argumentSummary is the diagnostic's summary for a refusal of the
// argument or block at path, in Terraform's words ("Insufficient policies
// blocks", as hcldec says it).
func argumentSummary(msg string, path cty.Path) string {
	block := "blocks"
	if len(path) > 0 {
		if step, ok := path[len(path)-1].(cty.GetAttrStep); ok {
			block = step.Name + " blocks"
		}
	}
	switch {
	case strings.Contains(msg, "is not supported"):
		return "Unsupported argument"
	case strings.Contains(msg, "is required"):
		return "Missing required argument"
	case strings.HasPrefix(msg, "too many"):
		return "Too many " + block
	case strings.HasPrefix(msg, "insufficient"):
		return "Insufficient " + block
	case strings.Contains(msg, "computed and cannot be set"):
		return "Value for unconfigurable attribute"
	case strings.Contains(msg, "can't be updated"):
		return "Argument cannot be updated"
	}
	return "Incorrect attribute value type"
}
