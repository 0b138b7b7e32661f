package main

import (
	"encoding/json"
	"errors"
	"io"

	"github.com/hashicorp/hcl/v2"

	"github.com/formation-engine/formation"
)

// errorDocument is an error as -json prints it on stderr: one line, shaped
// as RFS's error body (error_code, error_msg), with the template's
// diagnostics as terraform validate -json gives them.
type errorDocument struct {
	Code        string           `json:"error_code"`
	Message     string           `json:"error_msg"`
	Diagnostics []diagnosticJSON `json:"diagnostics,omitempty"`
}

// diagnosticJSON is one diagnostic in Terraform's machine-readable shape
// (terraform validate -json).
type diagnosticJSON struct {
	Severity string     `json:"severity"`
	Summary  string     `json:"summary"`
	Detail   string     `json:"detail,omitempty"`
	Range    *rangeJSON `json:"range,omitempty"`
}

type rangeJSON struct {
	Filename string  `json:"filename"`
	Start    posJSON `json:"start"`
	End      posJSON `json:"end"`
}

type posJSON struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// diagnosticsJSON converts hcl diagnostics; never nil.
func diagnosticsJSON(diags hcl.Diagnostics) []diagnosticJSON {
	out := make([]diagnosticJSON, 0, len(diags))
	for _, d := range diags {
		dj := diagnosticJSON{Severity: "error", Summary: d.Summary, Detail: d.Detail}
		if d.Severity == hcl.DiagWarning {
			dj.Severity = "warning"
		}
		if r := d.Subject; r != nil {
			dj.Range = &rangeJSON{
				Filename: r.Filename,
				Start:    posJSON{r.Start.Line, r.Start.Column, r.Start.Byte},
				End:      posJSON{r.End.Line, r.End.Column, r.End.Byte},
			}
		}
		out = append(out, dj)
	}
	return out
}

// writeErrorJSON writes err on w as one errorDocument line.
func writeErrorJSON(w io.Writer, err error) {
	line := errorLine(err)
	code, msg := string(formation.CodeOf(err)), line
	if len(line) > len(code)+2 && line[:len(code)] == code {
		msg = line[len(code)+2:]
	}
	doc := errorDocument{Code: code, Message: msg}
	var diags hcl.Diagnostics
	if errors.As(err, &diags) {
		doc.Diagnostics = diagnosticsJSON(diags)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(doc)
}
