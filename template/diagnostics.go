package template

import (
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/internal/suggest"
	"github.com/hashicorp/hcl/v2"
)

// diagExtra rides in hcl.Diagnostic.Extra. It marks problems that are
// Formation limitations rather than template mistakes, and carries the
// parsed files so that WriteDiagnostics can show source snippets even when
// no Template was returned. It wraps whatever Extra hcl had put there.
type diagExtra struct {
	unsupported bool
	overBudget  bool  // the evaluation budget was overrun (CodeTooLong)
	stopped     error // the evaluation's context was done: its Err
	files       map[string]*hcl.File
	inner       any
}

// UnwrapDiagnosticExtra lets hcl.DiagnosticExtra find hcl's own extras
// (function call details) behind ours.
func (x *diagExtra) UnwrapDiagnosticExtra() any { return x.inner }

func errorDiag(summary, detail string, subject *hcl.Range) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: subject}
}

// unsupportedDiag reports a feature Formation does not support yet (modules,
// moved blocks, …). When every error is of this kind the error code is
// CodeUnsupported instead of CodeInvalidTemplate.
func unsupportedDiag(summary, detail string, subject *hcl.Range) *hcl.Diagnostic {
	d := errorDiag(summary, detail, subject)
	d.Extra = &diagExtra{unsupported: true}
	return d
}

func rangePtr(r hcl.Range) *hcl.Range { return &r }

// attachFiles records files in every diagnostic's Extra, keeping what was
// there, so the diagnostics can be rendered with snippets later.
func attachFiles(diags hcl.Diagnostics, files map[string]*hcl.File) {
	for _, d := range diags {
		if x, ok := d.Extra.(*diagExtra); ok {
			if x.files == nil {
				x.files = files
			}
			continue
		}
		d.Extra = &diagExtra{files: files, inner: d.Extra}
	}
}

func isOverBudget(d *hcl.Diagnostic) bool {
	x, ok := d.Extra.(*diagExtra)
	return ok && x.overBudget
}

func isUnsupported(d *hcl.Diagnostic) bool {
	x, ok := d.Extra.(*diagExtra)
	return ok && x.unsupported
}

// errorsOnly returns the error diagnostics of diags, nil when there are none.
func errorsOnly(diags hcl.Diagnostics) hcl.Diagnostics {
	var out hcl.Diagnostics
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			out = append(out, d)
		}
	}
	return out
}

// warningsOnly returns the warnings of diags, nil when there are none.
func warningsOnly(diags hcl.Diagnostics) hcl.Diagnostics {
	var out hcl.Diagnostics
	for _, d := range diags {
		if d.Severity == hcl.DiagWarning {
			out = append(out, d)
		}
	}
	return out
}

// diagError turns the errors among diags into a *formation.Error whose Err
// is the hcl.Diagnostics (so errors.As finds them), and returns a literal nil
// when there are no errors (STYLE R6: never an empty Diagnostics as error).
// A template whose every error is a Formation limitation gets
// CodeUnsupported.
func diagError(op string, code formation.Code, diags hcl.Diagnostics, files map[string]*hcl.File) error {
	errs := errorsOnly(diags)
	if len(errs) == 0 {
		return nil
	}
	attachFiles(errs, files)
	if cause := stoppedBy(errs); cause != nil {
		return formation.ContextError(op, stoppedError{cause, errs})
	}
	msg := "the template is invalid"
	switch {
	case code == formation.CodeInvalidVariables:
		msg = "the variables are invalid"
	case code == formation.CodeInvalidTemplate && allUnsupported(errs):
		code = formation.CodeUnsupported
		msg = "the template uses something Formation does not support yet"
	case slices.ContainsFunc(errs, isOverBudget):
		code = formation.CodeTooLong
		msg = "the template asks for more than one evaluation may build"
	}
	return &formation.Error{Code: code, Op: op, Message: msg, Err: errs}
}

// stoppedBy returns the context error that stopped the evaluation of
// errs, nil if none did.
func stoppedBy(errs hcl.Diagnostics) error {
	for _, d := range errs {
		if x, ok := d.Extra.(*diagExtra); ok && x.stopped != nil {
			return x.stopped
		}
	}
	return nil
}

// stoppedError is the cause of an evaluation its context stopped: the
// context's error, for errors.Is, and the diagnostics that say where it
// stopped, for errors.As.
type stoppedError struct {
	ctxErr error
	diags  hcl.Diagnostics
}

func (e stoppedError) Error() string   { return e.diags.Error() }
func (e stoppedError) Unwrap() []error { return []error{e.ctxErr, e.diags} }

// DiagnosticsError is the error the diagnostics of an evaluation of c
// (Evaluate, Outputs, Providers, Postconditions, Checks,
// EvaluateExpression) amount to, for op about resource: nil when they
// hold no error; CodeCanceled or CodeTimeout when the evaluation's
// context stopped it (errors.Is sees context.Canceled or
// context.DeadlineExceeded); CodeTooLong when it went over its budget;
// CodeInvalidTemplate otherwise. errors.As finds the hcl.Diagnostics, and
// WriteDiagnostics shows them with the template's source.
func (c *Config) DiagnosticsError(op, resource string, diags hcl.Diagnostics) error {
	err := diagError(op, formation.CodeInvalidTemplate, diags, c.t.files)
	var fe *formation.Error
	if errors.As(err, &fe) {
		fe.Resource = resource
	}
	return err
}

func allUnsupported(errs hcl.Diagnostics) bool {
	for _, d := range errs {
		if !isUnsupported(d) {
			return false
		}
	}
	return true
}

// WriteDiagnostics renders the hcl diagnostics inside err — an error from
// Parse, ParseFS or Expand, or the hcl.Diagnostics of Evaluate, Outputs and
// Providers — one per paragraph with file, line, column and a source
// snippet, as terraform prints them. An error without diagnostics is written
// as one line; a nil error writes nothing.
func WriteDiagnostics(w io.Writer, err error) error {
	return writeDiagnostics(w, nil, err)
}

// WriteDiagnostics is the package-level WriteDiagnostics, also finding
// snippets in the template's files.
func (t *Template) WriteDiagnostics(w io.Writer, err error) error {
	return writeDiagnostics(w, t.files, err)
}

func writeDiagnostics(w io.Writer, files map[string]*hcl.File, err error) error {
	if err == nil {
		return nil
	}
	var diags hcl.Diagnostics
	if !errors.As(err, &diags) || len(diags) == 0 {
		_, werr := fmt.Fprintln(w, err.Error())
		return werr
	}
	all := make(map[string]*hcl.File, len(files))
	for name, f := range files {
		all[name] = f
	}
	for _, d := range diags {
		if x, ok := d.Extra.(*diagExtra); ok {
			for name, f := range x.files {
				if _, seen := all[name]; !seen {
					all[name] = f
				}
			}
		}
	}
	return hcl.NewDiagnosticTextWriter(w, all, 0, false).WriteDiagnostics(diags)
}

// didYouMean returns ` Did you mean "x"?` for the closest candidate within
// an edit distance of two, or "".
func didYouMean(given string, candidates []string) string {
	if s := suggest.Nearest(given, candidates, 2); s != "" {
		return fmt.Sprintf(" Did you mean %q?", s)
	}
	return ""
}
