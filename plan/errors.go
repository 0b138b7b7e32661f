package plan

import (
	"fmt"
	"strconv"
	"strings"

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
	return &formation.Error{Code: code, Op: opMake, Message: strconv.Itoa(len(errs)) + " problems", Err: problems(errs)}
}

// problems is several errors: all of them reachable with errors.Is and
// errors.As, the first few rendered. A template with count = 2000 and one
// mistake has 2000 problems, and a message of them all helps nobody.
type problems []error

// shownProblems is how many problems Error renders.
const shownProblems = 10

func (p problems) Error() string {
	var b strings.Builder
	for i, err := range p[:min(len(p), shownProblems)] {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(err.Error())
	}
	if len(p) > shownProblems {
		fmt.Fprintf(&b, "\n(and %d more)", len(p)-shownProblems)
	}
	return b.String()
}

func (p problems) Unwrap() []error { return p }

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
