package tfconform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// terraform runs cases with a terraform binary, offline: only the built-in
// terraform provider (terraform_data) is used, so no init is needed.
type terraform struct {
	bin, rc, dir string
	mu           sync.Mutex
	n            int
}

// batchSize is how many expression cases share one root module: running
// terraform costs about a second, and an expression that fails takes its
// batch back to one run per case, so errors stay attributable.
const batchSize = 40

// runAll runs every case, batching expression cases, four runs at a time.
func (tf *terraform) runAll(cases []Case) map[string]Result {
	var batches [][]Case
	var batch []Case
	for _, c := range cases {
		if c.Module != "" {
			batches = append(batches, []Case{c})
			continue
		}
		if batch = append(batch, c); len(batch) == batchSize {
			batches, batch = append(batches, batch), nil
		}
	}
	if len(batch) > 0 {
		batches = append(batches, batch)
	}
	results := map[string]Result{}
	var mu sync.Mutex
	work := make(chan []Case)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				got := tf.runBatch(b)
				mu.Lock()
				for k, v := range got {
					results[k] = v
				}
				mu.Unlock()
			}
		}()
	}
	for _, b := range batches {
		work <- b
	}
	close(work)
	wg.Wait()
	return results
}

// runBatch runs a batch of cases as one module, or each alone when the
// module fails.
func (tf *terraform) runBatch(b []Case) map[string]Result {
	out := map[string]Result{}
	if len(b) == 1 {
		out[b[0].Name] = tf.run(b[0].Files())
		return out
	}
	var src strings.Builder
	for _, c := range b {
		fmt.Fprintf(&src, "output %q {\n  value = %s\n}\n", caseID(c.Name), c.Expr)
	}
	res := tf.run(map[string]string{"main.tf": src.String()})
	if res.Failed() {
		for _, c := range b {
			out[c.Name] = tf.run(c.Files())
		}
		return out
	}
	for _, c := range b {
		o, ok := res.Outputs[caseID(c.Name)]
		if !ok {
			out[c.Name] = Result{Error: "terraform printed no output " + caseID(c.Name)}
			continue
		}
		out[c.Name] = Result{Outputs: map[string]Output{"v": o}}
	}
	return out
}

// run applies one root module (its files by path) in a fresh directory
// and reads its outputs.
func (tf *terraform) run(files map[string]string) Result {
	dir, err := tf.newDir()
	if err != nil {
		return Result{Error: err.Error()}
	}
	if err := tf.install(dir, files); err != nil {
		return Result{Error: err.Error()}
	}
	if _, stderr, err := tf.cmd(dir, "apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
		return Result{Error: firstError(stderr)}
	}
	outs, err := tf.outputJSON(dir)
	if err != nil {
		return Result{Error: err.Error()}
	}
	return Result{Outputs: outs}
}

// outputJSON reads what terraform output -json prints in dir; an error is
// terraform's first.
func (tf *terraform) outputJSON(dir string) (map[string]Output, error) {
	stdout, stderr, err := tf.cmd(dir, "output", "-json", "-no-color")
	if err != nil {
		return nil, errors.New(firstError(stderr))
	}
	outs := map[string]Output{}
	if err := json.Unmarshal(stdout, &outs); err != nil {
		return nil, fmt.Errorf("terraform output: %w", err)
	}
	return outs, nil
}

// install writes a root module's files (by path) into dir. A module that
// calls others is initialized: terraform installs even local modules.
func (tf *terraform) install(dir string, files map[string]string) error {
	for name, src := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			return err
		}
	}
	if len(files) > 1 {
		if _, stderr, err := tf.cmd(dir, "init", "-input=false", "-no-color"); err != nil {
			return errors.New(firstError(stderr))
		}
	}
	return nil
}

// newDir makes a fresh working directory for one run.
func (tf *terraform) newDir() (string, error) {
	tf.mu.Lock()
	tf.n++
	dir := filepath.Join(tf.dir, fmt.Sprint(tf.n))
	tf.mu.Unlock()
	return dir, os.MkdirAll(dir, 0o755)
}

func (tf *terraform) cmd(dir string, args ...string) ([]byte, string, error) {
	cmd := exec.Command(tf.bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+tf.rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.Bytes(), stderr.String(), err
}

// firstError is the summary of the first "Error: " line terraform printed.
func firstError(stderr string) string {
	for _, line := range strings.Split(stderr, "\n") {
		if s, ok := strings.CutPrefix(strings.TrimSpace(line), "Error: "); ok {
			return s
		}
	}
	if s := strings.TrimSpace(stderr); s != "" {
		return s
	}
	return "terraform failed"
}
