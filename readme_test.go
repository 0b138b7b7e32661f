package formation_test

import (
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/formation-engine/formation/fsm"
)

var updateReadme = flag.Bool("update-readme", false, "rewrite README.md's status diagrams from the fsm tables")

// The README's diagrams are generated from the fsm tables; this test keeps
// them from drifting (go test -run TestREADME -update-readme . rewrites them).
func TestREADME_StatusDiagramsMatchTheMachines(t *testing.T) {
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```mermaid\n(.*?)```").FindAllStringSubmatchIndex(string(raw), -1)
	if len(blocks) != 2 {
		t.Fatalf("README.md has %d mermaid blocks, want 2 (stack, plan)", len(blocks))
	}
	want := []string{fsm.StackMermaid(), fsm.PlanMermaid()}
	text := string(raw)
	var out strings.Builder
	last := 0
	for i, b := range blocks {
		got := text[b[2]:b[3]]
		if strings.TrimSpace(got) != strings.TrimSpace(want[i]) && !*updateReadme {
			t.Errorf("README.md diagram %d is out of date with package fsm; run: go test -run TestREADME -update-readme .", i+1)
		}
		out.WriteString(text[last:b[2]])
		out.WriteString(strings.TrimSpace(want[i]) + "\n")
		last = b[3]
	}
	out.WriteString(text[last:])
	if *updateReadme {
		if err := os.WriteFile("README.md", []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
