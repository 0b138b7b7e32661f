package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/template"
)

// Exit statuses: the contract scripts rely on.
const (
	exitOK       = 0
	exitFailed   = 1 // a deployment ended *_FAILED or ROLLBACK_COMPLETE
	exitRejected = 2 // invalid usage or a rejected request
)

// exitStatus is an action's outcome that is not a success but is no error
// either: the action has already printed what happened (a deployment that
// ended in *_FAILED), and the tool only exits with the status.
type exitStatus int

func (s exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(s)) }

// helpText is what -h asks for. It travels as an error so the parsers can
// stop where they are; report prints it on stdout and exits 0.
type helpText string

func (h helpText) Error() string { return "help requested" }

// usageError is a mistake on the command line (unknown command or flag,
// missing argument). It carries an RFS code like every other error, so
// scripts parse one format, and a hint at the -h that explains the usage.
// topic is the command or group the hint points at; "" means the top level.
func usageError(code formation.Code, topic, format string, args ...any) error {
	prefix, hint := "formation", "formation -h"
	if topic != "" {
		prefix, hint = "formation "+topic, "formation "+topic+" -h"
	}
	return formation.Errorf(code, "", "", "%s: %s; run '%s' for usage", prefix, fmt.Sprintf(format, args...), hint)
}

// report turns the outcome of an invocation into its exit status, printing
// help on stdout and an error as one line on stderr (after the hcl
// diagnostics of a template error); with asJSON, the error as one JSON
// line (errjson.go), its diagnostics inside it.
func report(stdout, stderr io.Writer, err error, asJSON bool) int {
	var help helpText
	var status exitStatus
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &help):
		_, _ = io.WriteString(stdout, string(help))
		return exitOK
	case errors.As(err, &status):
		return int(status)
	}
	if asJSON {
		writeErrorJSON(stderr, err)
		return exitRejected
	}
	var diags hcl.Diagnostics
	if errors.As(err, &diags) && len(diags) > 0 {
		// A template or variables problem: the diagnostics first, each
		// with its file:line:col and source snippet as terraform validate
		// shows them, then the one line scripts read.
		_ = template.WriteDiagnostics(stderr, err)
	}
	_, _ = fmt.Fprintln(stderr, errorLine(err))
	return exitRejected
}

// errorLine renders err as "CODE: message" on one line: the code of the
// first *formation.Error in the chain (RF.10010001 for anything else), what
// it is about, its message and its cause. The operation name (engine.X) is
// left out: it names Go API, not anything the user typed; so are the
// operations of the errors it wraps.
func errorLine(err error) string {
	var fe *formation.Error
	if !errors.As(err, &fe) {
		return oneLine(string(formation.CodeOf(err)) + ": " + withoutOps(err.Error()))
	}
	var parts []string
	for _, p := range []string{fe.Resource, fe.Message} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if fe.Err != nil {
		parts = append(parts, fe.Err.Error())
	}
	return oneLine(string(fe.Code) + ": " + withoutOps(strings.Join(parts, ": ")))
}

// oneLine keeps a message on one line, so every error is exactly one line
// for scripts to read.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
