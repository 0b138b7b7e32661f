package main

import (
	"regexp"
	"strings"

	"github.com/formation-engine/formation/internal/suggest"
)

// didYouMean returns " (did you mean X?)" for the candidate nearest to
// typed, when one is near enough to be a typo: an edit distance of at most
// a third of the word (at least 1; ties go to the first in
// alphabetical order), as Terraform and git suggest. It
// returns "" when nothing is near.
func didYouMean(typed string, candidates []string) string {
	best := suggest.Nearest(typed, candidates, max(1, len(typed)/3))
	if best == "" {
		return ""
	}
	return " (did you mean " + best + "?)"
}

// commandWords are the first words of every command: the commands
// without a group and the group names.
func commandWords() []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range sortedCommands() {
		w, _, _ := strings.Cut(c.name, " ")
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// subcommandNames are the names of the commands of group ("stack list").
func subcommandNames(group string) []string {
	var out []string
	for _, c := range groupCommands(group) {
		out = append(out, c.name)
	}
	return out
}

// undefinedFlag matches the flag package's error for an unknown flag.
var undefinedFlag = regexp.MustCompile(`^flag provided but not defined: -+(.+)$`)

// internalOp matches the Go operation an error names before its RFS code
// ("plan.Make: RF.10011030: …"): it names Go API, nothing the user typed,
// so messages leave it out.
var internalOp = regexp.MustCompile(`\b[a-z]+\.[A-Za-z]+: (RF\.\d{8})`)

// withoutOps removes the Go operation names from a message.
func withoutOps(s string) string { return internalOp.ReplaceAllString(s, "$1") }
