package tfconform

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

var (
	updateGolden = flag.Bool("update-golden", false, "run the cases with the terraform binary on PATH and rewrite testdata/golden.json")
	goldenCases  = flag.String("golden-cases", "", "with -update-golden, run only the cases whose names match this regular expression (and those without a golden result), keeping the others' results")
)

const goldenPath = "testdata/golden.json"

// TestConformance runs every case in Formation and compares it with the
// result Terraform gave (testdata/golden.json). A case agrees when both
// fail, or both succeed with the same outputs. A case that disagrees
// must be listed in knownDifferences with its reason, and none of those
// may be a silent wrong value (both succeed, with different outputs); a
// listed case that agrees must leave the list.
func TestConformance(t *testing.T) {
	cases := Cases()
	if *updateGolden {
		regenerate(t, cases)
	}
	golden := readGolden(t)
	var agree, differ, silent int
	var unlisted, stale []string
	for _, c := range cases {
		want, ok := golden[c.Name]
		if !ok {
			t.Errorf("%s: no golden result; run go test ./internal/tfconform -update-golden with terraform on PATH", c.Name)
			continue
		}
		got := Run(t.Context(), c)
		if c.Module != "" {
			want = asStackOutputs(want) // a deployed module's outputs are the stack's
		}
		same := got.Failed() == want.Failed() && (got.Failed() || got.Same(want))
		reason, listed := knownDifferences[c.Name]
		switch {
		case same && listed:
			stale = append(stale, c.Name)
			agree++
		case same:
			agree++
		default:
			differ++
			if !got.Failed() && !want.Failed() {
				silent++
				t.Errorf("%s: silent wrong value\n  source: %s\n  formation: %s\n  terraform: %s", c.Name, oneLine(c), got, want)
				continue
			}
			if !listed {
				unlisted = append(unlisted, fmt.Sprintf("%s\n  source: %s\n  formation: %s\n  terraform: %s", c.Name, oneLine(c), got, want))
				continue
			}
			t.Logf("%s: known difference: %s", c.Name, reason)
		}
	}
	for _, u := range unlisted {
		t.Errorf("unlisted difference: %s", u)
	}
	for _, s := range stale {
		t.Errorf("%s agrees with Terraform now: remove it from knownDifferences", s)
	}
	for name := range knownDifferences {
		if _, ok := golden[name]; !ok {
			t.Errorf("knownDifferences lists %s, which is no case", name)
		}
	}
	total := len(cases)
	pct := 100 * float64(agree) / float64(total)
	t.Logf("conformance: %d cases, %d agree with Terraform v1.11.4 (%.1f%%), %d differ (%d silent wrong values)", total, agree, pct, differ, silent)
	if total < 1000 {
		t.Errorf("%d cases, want at least 1000", total)
	}
	if pct < 99 {
		t.Errorf("%.1f%% of cases agree, want at least 99%%", pct)
	}
}

func oneLine(c Case) string {
	return strings.ReplaceAll(strings.TrimSpace(c.Source()), "\n", "⏎ ")
}

func readGolden(t *testing.T) map[string]Result {
	t.Helper()
	b, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatalf("%v (regenerate with -update-golden and terraform on PATH)", err)
	}
	var golden map[string]Result
	if err := json.Unmarshal(b, &golden); err != nil {
		t.Fatal(err)
	}
	return golden
}

// regenerate runs every case with terraform and writes the golden file.
func regenerate(t *testing.T, cases []Case) {
	tf := newTerraform(t)
	results := map[string]Result{}
	if *goldenCases != "" {
		re, err := regexp.Compile(*goldenCases)
		if err != nil {
			t.Fatalf("-golden-cases: %v", err)
		}
		old := readGolden(t)
		var run []Case
		for _, c := range cases {
			if r, ok := old[c.Name]; ok && !re.MatchString(c.Name) {
				results[c.Name] = r
			} else {
				run = append(run, c)
			}
		}
		cases = run
	}
	for name, r := range tf.runAll(cases) {
		results[name] = r
	}
	writeGolden(t, goldenPath, results)
	t.Logf("wrote %d golden results (%d run) with %s", len(results), len(cases), tf.bin)
}

// newTerraform is a runner of the terraform binary on PATH, offline (an
// empty CLI configuration); the test is skipped without one.
func newTerraform(t *testing.T) *terraform {
	bin, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("-update-golden needs a terraform binary on PATH")
	}
	rc := filepath.Join(t.TempDir(), "empty.tfrc")
	if err := os.WriteFile(rc, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return &terraform{bin: bin, rc: rc, dir: t.TempDir()}
}

// writeGolden writes results to path as a JSON object, one case a line,
// sorted by name, so that a regeneration diffs by case.
func writeGolden[R any](t *testing.T, path string, results map[string]R) {
	names := make([]string, 0, len(results))
	for name := range results {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("{\n")
	for i, name := range names {
		line, err := json.Marshal(results[name])
		if err != nil {
			t.Fatal(err)
		}
		key, _ := json.Marshal(name)
		fmt.Fprintf(&b, "%s: %s", key, line)
		if i < len(names)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
