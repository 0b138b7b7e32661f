package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
)

// output is where a command prints its result on stdout: JSON documents
// with -json, otherwise tables and "key: value" lines, in colour only on a
// terminal.
type output struct {
	w     io.Writer
	json  bool // -json: print JSON, never text
	color bool
}

// newOutput decides colour once: only when w is a terminal, -json is off
// and NO_COLOR (https://no-color.org) is unset or empty. A pipe or a file
// never gets escape codes.
func newOutput(w io.Writer, asJSON bool) *output {
	return &output{w: w, json: asJSON, color: !asJSON && os.Getenv("NO_COLOR") == "" && isTerminal(w)}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// printJSON writes v as one JSON document: indented, with <, > and & as
// they are (no HTML escaping), newline-terminated.
func (o *output) printJSON(v any) error {
	enc := json.NewEncoder(o.w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printJSONLine writes v as one line of NDJSON: compact, with <, > and &
// as they are.
func (o *output) printJSONLine(v any) error {
	enc := json.NewEncoder(o.w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// printf writes text output.
func (o *output) printf(format string, args ...any) error {
	_, err := fmt.Fprintf(o.w, format, args...)
	return err
}

// table writes header and rows as aligned columns. Cells are kept on one
// line, so a description with a newline or a tab cannot break the table.
func (o *output) table(header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(o.w, 0, 4, 2, ' ', 0)
	for _, row := range append([][]string{header}, rows...) {
		cells := make([]string, len(row))
		for i, c := range row {
			cells[i] = cellText(c)
		}
		if _, err := fmt.Fprintln(tw, strings.Join(cells, "\t")); err != nil {
			return err
		}
	}
	return tw.Flush()
}

// field is one "key: value" line.
type field struct{ key, value string }

// fields writes "key: value" lines with the values aligned.
func (o *output) fields(fs []field) error {
	tw := tabwriter.NewWriter(o.w, 0, 4, 1, ' ', 0)
	for _, f := range fs {
		if _, err := fmt.Fprintf(tw, "%s:\t%s\n", f.key, cellText(f.value)); err != nil {
			return err
		}
	}
	return tw.Flush()
}

// cellText replaces the tabs and line breaks tabwriter would act on.
func cellText(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r', '\v', '\f':
			return ' '
		}
		return r
	}, s)
}

// SGR colours. Every code is two digits, so every painted cell carries the
// same number of invisible bytes; see paint.
const (
	sgrDefault = 39
	sgrRed     = 31
	sgrGreen   = 32
	sgrYellow  = 33
)

// status renders a stack or plan status, coloured by what it means: red for
// failures (ROLLBACK_COMPLETE included: the deployment failed), yellow for
// work in progress, green for the rest.
//
// With colour on, every status is painted, even one that stays in the
// default colour: tabwriter counts escape bytes as width, and a column whose
// cells all carry the same number of them still lines up. A table's status
// column must therefore also paint its header (header).
func (o *output) status(s string) string {
	switch {
	case strings.HasSuffix(s, "_FAILED") || s == "ROLLBACK_COMPLETE":
		return o.paint(sgrRed, s)
	case strings.HasSuffix(s, "_IN_PROGRESS"):
		return o.paint(sgrYellow, s)
	}
	return o.paint(sgrGreen, s)
}

// header renders the header of a painted column (see status).
func (o *output) header(s string) string { return o.paint(sgrDefault, s) }

// paint wraps s in a two-digit SGR code and a reset when colour is on.
func (o *output) paint(code int, s string) string {
	if !o.color {
		return s
	}
	return fmt.Sprintf("\x1b[%02dm%s\x1b[0m", code, s)
}
