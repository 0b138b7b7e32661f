package plan

import (
	"errors"
	"strings"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/template"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// refused records a configuration the schema or the provider refuses. When
// the refusal names arguments (cty.PathError, as Schema.Coerce reports
// them), each becomes an hcl diagnostic on the argument or block in the
// template, as Terraform reports a provider's validation; the provider's
// error stays reachable with errors.Is.
func (p *planner) refused(s *slot, inst *template.Instance, err error) {
	var paths []cty.PathError
	collectPathErrors(err, &paths)
	if len(paths) == 0 {
		s.invalid(inst.Addr, err)
		return
	}
	diags := make(hcl.Diagnostics, len(paths))
	for i, pe := range paths {
		diags[i] = p.cfg.ArgumentDiagnostic(inst, pe.Path, argumentSummary(pe.Error()),
			"The provider's schema for "+inst.Type+" refuses "+inst.Addr+": "+pe.Error()+".")
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

// collectPathErrors gathers the cty.PathErrors in err's tree.
func collectPathErrors(err error, out *[]cty.PathError) {
	var pe cty.PathError
	switch e := err.(type) {
	case nil:
		return
	case cty.PathError:
		*out = append(*out, e)
		return
	case interface{ Unwrap() []error }:
		for _, inner := range e.Unwrap() {
			collectPathErrors(inner, out)
		}
		return
	}
	if errors.As(err, &pe) {
		*out = append(*out, pe)
	}
}

// argumentSummary is the diagnostic's summary for a refusal, in
// Terraform's words.
func argumentSummary(msg string) string {
	switch {
	case strings.Contains(msg, "is not supported"):
		return "Unsupported argument"
	case strings.Contains(msg, "is required"):
		return "Missing required argument"
	case strings.HasPrefix(msg, "too many"):
		return "Too many blocks"
	case strings.HasPrefix(msg, "insufficient"):
		return "Insufficient blocks"
	case strings.Contains(msg, "computed and cannot be set"):
		return "Value for unconfigurable attribute"
	case strings.Contains(msg, "can't be updated"):
		return "Argument cannot be updated"
	}
	return "Incorrect attribute value type"
}
