package main

import (
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBinary builds the real binary and runs a scenario through it, to
// prove that main hands run's exit status to the operating system.
func TestBinary(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "formation")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	db := filepath.Join(dir, "formation.db")
	for _, step := range []struct {
		args   []string
		code   int
		stdout string // prefix
		stderr string // prefix
	}{
		{[]string{"stack", "create", "web"}, 0, "Created stack web ", ""},
		{[]string{"stack", "show", "nope"}, 2, "", "RF.10014001: nope: stack does not exist\n"},
		{[]string{"stack", "create", "9lives"}, 2, "", "RF.10011010: "},
		{[]string{"stack", "delete", "web"}, 0, "Deleting stack web (deployment ", ""},
		{[]string{"nonsense"}, 2, "", "RF.10011020: formation: unknown command"},
	} {
		cmd := exec.Command(bin, append([]string{"-db", db}, step.args...)...)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit):
			code = exit.ExitCode()
		case err != nil:
			t.Fatal(err)
		}
		if code != step.code || !strings.HasPrefix(stdout.String(), step.stdout) || !strings.HasPrefix(stderr.String(), step.stderr) ||
			(step.stderr == "" && stderr.Len() > 0) {
			t.Errorf("formation %s: exit %d, stdout %q, stderr %q; want exit %d, stdout %q…, stderr %q…",
				strings.Join(step.args, " "), code, stdout.String(), stderr.String(), step.code, step.stdout, step.stderr)
		}
	}
}
