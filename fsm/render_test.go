package fsm_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/formation-engine/formation/fsm"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

func TestRender_Golden(t *testing.T) {
	for _, tc := range []struct {
		file string
		got  string
	}{
		{"stack.mmd.golden", fsm.StackMermaid()},
		{"stack.dot.golden", fsm.StackDOT()},
		{"plan.mmd.golden", fsm.PlanMermaid()},
		{"plan.dot.golden", fsm.PlanDOT()},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", tc.file)
			if *update {
				if err := os.WriteFile(path, []byte(tc.got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if tc.got != string(want) {
				t.Errorf("output differs from %s (run go test -update if the change is intended):\n%s", path, tc.got)
			}
		})
	}
}

// Every row of the tables appears in the diagrams, and nothing else does.
func TestRender_FromTables(t *testing.T) {
	edges := 0
	for _, tr := range fsm.StackTransitions() {
		edges += len(tr.From)
	}
	lines := strings.Split(strings.TrimSpace(fsm.StackMermaid()), "\n")
	if lines[0] != "stateDiagram-v2" || len(lines)-1 != edges {
		t.Errorf("StackMermaid has %d edge lines, the table %d", len(lines)-1, edges)
	}
	if got := strings.Count(fsm.StackDOT(), " -> "); got != edges {
		t.Errorf("StackDOT has %d edges, the table %d", got, edges)
	}
	for _, want := range []string{
		"    [*] --> CREATION_COMPLETE: create\n",
		"    DELETION_IN_PROGRESS --> [*]: delete_succeeded\n",
		"    DEPLOYMENT_COMPLETE --> DEPLOYMENT_COMPLETE: update\n",
	} {
		if !strings.Contains(fsm.StackMermaid(), want) {
			t.Errorf("StackMermaid lacks %q", want)
		}
	}
	if strings.Contains(fsm.StackMermaid(), "DELETED") || strings.Contains(fsm.PlanMermaid(), "DELETED") {
		t.Error("the end pseudo-state is drawn as a status")
	}
}
