package tfconform

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
)

const stepsGoldenPath = "testdata/moves_golden.json"

// knownStepDifferences lists the two-step cases where Formation does not
// agree with Terraform v1.11.4, each with its reason.
var knownStepDifferences = map[string]string{}

// TestMovedAndRemoved runs every two-step case (StepCases) in Formation
// and compares the second step with what Terraform gave
// (testdata/moves_golden.json): both fail, or both plan the same actions
// on the same addresses (with the same previous addresses) and end with
// the same outputs (terraform_data ids kept or new alike). -update-golden
// regenerates the file with terraform.
func TestMovedAndRemoved(t *testing.T) {
	if *updateGolden {
		regenerateSteps(t)
	}
	raw, err := os.ReadFile(stepsGoldenPath)
	if err != nil {
		t.Fatalf("%v (regenerate with -update-golden and terraform on PATH)", err)
	}
	var golden map[string]StepResult
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	agree := 0
	for _, c := range StepCases() {
		want, ok := golden[c.Name]
		if !ok {
			t.Errorf("%s: no golden result; run go test ./internal/tfconform -run TestMovedAndRemoved -update-golden with terraform on PATH", c.Name)
			continue
		}
		got := RunSteps(t.Context(), c)
		same := got.Failed() == want.Failed() && (got.Failed() || got.Same(want))
		reason, listed := knownStepDifferences[c.Name]
		switch {
		case same && listed:
			t.Errorf("%s agrees with Terraform now: remove it from knownStepDifferences", c.Name)
		case same:
			agree++
		case listed:
			t.Logf("%s: known difference: %s", c.Name, reason)
		case !got.Failed() && !want.Failed():
			t.Errorf("%s: silent wrong value\n  formation: %s\n  terraform: %s", c.Name, got, want)
		default:
			t.Errorf("%s: unlisted difference\n  formation: %s\n  terraform: %s", c.Name, got, want)
		}
	}
	t.Logf("moved and removed: %d two-step cases, %d agree with Terraform v1.11.4", len(StepCases()), agree)
}

// regenerateSteps runs every two-step case with terraform and writes the
// golden file.
func regenerateSteps(t *testing.T) {
	tf := newTerraform(t)
	cases := StepCases()
	results := map[string]StepResult{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4) // four terraform runs at a time
	for _, c := range cases {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			r := tf.runSteps(c)
			mu.Lock()
			results[c.Name] = r
			mu.Unlock()
			<-sem
		}()
	}
	wg.Wait()
	writeGolden(t, stepsGoldenPath, results)
	t.Logf("wrote %d two-step golden results with %s", len(cases), tf.bin)
}

// runSteps runs a two-step case with terraform: Before applied, After
// planned into a saved plan (whose JSON gives the changes) and applied.
func (tf *terraform) runSteps(c StepCase) StepResult {
	dir, err := tf.newDir()
	if err != nil {
		return StepResult{Error: err.Error()}
	}
	write := func(main string) error {
		files := map[string]string{"main.tf": main}
		for name, body := range c.Files {
			files[name] = body
		}
		return tf.install(dir, files)
	}
	if err := write(c.Before); err != nil {
		return StepResult{Error: "first step: " + err.Error()}
	}
	if _, stderr, err := tf.cmd(dir, "apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return StepResult{Error: "first step: " + firstError(stderr)}
	}
	first, err := tf.outputs(dir)
	if err != nil {
		return StepResult{Error: "first step: " + err.Error()}
	}
	if err := write(c.After); err != nil {
		return StepResult{Error: err.Error()}
	}
	if _, stderr, err := tf.cmd(dir, "plan", "-out=second.plan", "-input=false", "-no-color"); err != nil {
		return StepResult{Error: firstError(stderr)}
	}
	stdout, stderr, err := tf.cmd(dir, "show", "-json", "second.plan")
	if err != nil {
		return StepResult{Error: firstError(stderr)}
	}
	var doc struct {
		ResourceChanges []struct {
			Address         string `json:"address"`
			PreviousAddress string `json:"previous_address"`
			Mode            string `json:"mode"`
			Change          struct {
				Actions []string `json:"actions"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal(stdout, &doc); err != nil {
		return StepResult{Error: "terraform show: " + err.Error()}
	}
	r := StepResult{Changes: map[string]string{}}
	for _, rc := range doc.ResourceChanges {
		if rc.Mode != "managed" {
			continue
		}
		if text, ok := changeText(strings.Join(rc.Change.Actions, ","), rc.PreviousAddress); ok {
			r.Changes[rc.Address] = text
		}
	}
	if _, stderr, err := tf.cmd(dir, "apply", "-input=false", "-no-color", "second.plan"); err != nil {
		return StepResult{Error: firstError(stderr)}
	}
	second, err := tf.outputs(dir)
	if err != nil {
		return StepResult{Error: err.Error()}
	}
	r.Outputs = keepOrNew(first, second)
	return r
}

// outputs reads the string outputs terraform output -json prints.
func (tf *terraform) outputs(dir string) (map[string]string, error) {
	outs, err := tf.outputJSON(dir)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for name, o := range outs {
		var s string
		if err := json.Unmarshal(o.Value, &s); err != nil {
			return nil, fmt.Errorf("output %s is not a string: two-step cases use string outputs", name)
		}
		out[name] = s
	}
	return out, nil
}
