package plan

import (
	"errors"
	"strconv"

	"github.com/formation-engine/formation"
	"github.com/hashicorp/hcl/v2"
)

// joinErrors returns nil, the one error, or for several a
// CodeInvalidTemplate *formation.Error joining them all (errors.As finds
// each cause, hcl.Diagnostics included).
func joinErrors(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	code := formation.CodeInvalidTemplate
	for _, err := range errs {
		if c := formation.CodeOf(err); c != formation.CodeInvalidTemplate {
			code = c // a failed provider read outranks template problems
			break
		}
	}
	return &formation.Error{Code: code, Op: opMake, Message: strconv.Itoa(len(errs)) + " problems", Err: errors.Join(errs...)}
}

// errorsOnly keeps the errors of diags.
func errorsOnly(diags hcl.Diagnostics) hcl.Diagnostics {
	var out hcl.Diagnostics
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			out = append(out, d)
		}
	}
	return out
}
