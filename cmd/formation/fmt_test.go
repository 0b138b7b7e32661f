package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// copyFmtInputs copies the inputs of testdata/fmt (not want/) into dir,
// under sub when sub is not "".
func copyFmtInputs(t *testing.T, dir, sub string) {
	t.Helper()
	for _, name := range []string{"messy.tf", "vars.tfvars"} {
		b, err := os.ReadFile(filepath.Join("testdata", "fmt", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, sub, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// sameAsWant fails unless every file of testdata/fmt/want has its twin,
// byte for byte, in dir/sub.
func sameAsWant(t *testing.T, dir, sub string) {
	t.Helper()
	for _, name := range []string{"messy.tf", "vars.tfvars"} {
		want, err := os.ReadFile(filepath.Join("testdata", "fmt", "want", name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(dir, sub, name))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s formatted:\n%s\nwant:\n%s", name, got, want)
		}
	}
}

func TestFmtRewritesToGolden(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	copyFmtInputs(t, dir, "")
	r := cli(t, "fmt", "-check", dir)
	if r.code != exitUnformatted || r.stdout != filepath.Join(dir, "messy.tf")+"\n"+filepath.Join(dir, "vars.tfvars")+"\n" {
		t.Errorf("fmt -check: exit %d, stdout %q, stderr %q; want exit 3 and both files listed", r.code, r.stdout, r.stderr)
	}
	if out := ok(t, "fmt", dir); !strings.Contains(out, "messy.tf") {
		t.Errorf("fmt listed %q", out)
	}
	sameAsWant(t, dir, "")
	if r := cli(t, "fmt", "-check", dir); r.code != exitOK || r.stdout != "" {
		t.Errorf("fmt -check after fmt: exit %d, stdout %q", r.code, r.stdout)
	}
}

func TestFmtRecursiveAndDiff(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	copyFmtInputs(t, dir, "sub")
	if out := ok(t, "fmt", dir); out != "" {
		t.Errorf("fmt without -recursive touched a subdirectory: %q", out)
	}
	r := cli(t, "fmt", "-check", "-diff", "-recursive", dir)
	path := filepath.Join(dir, "sub", "vars.tfvars")
	if r.code != exitUnformatted || !strings.Contains(r.stdout, "--- old/"+path+"\n+++ new/"+path+"\n") || !strings.Contains(r.stdout, "\n-bb  =   [1,2]\n") {
		t.Errorf("fmt -check -diff -recursive: exit %d, stdout:\n%s", r.code, r.stdout)
	}
	ok(t, "fmt", "-recursive", dir)
	sameAsWant(t, dir, "sub")
}

func TestFmtRefusesWhatDoesNotParse(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.tf")
	if err := os.WriteFile(bad, []byte("resource \"x\" {\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rejected(t, "RF.10011030", "fmt", dir)
	if b, _ := os.ReadFile(bad); string(b) != "resource \"x\" {\n" {
		t.Errorf("the file was changed: %q", b)
	}
	rejected(t, "RF.10011020", "fmt", filepath.Join("testdata", "vpc.tf.json"))
}

// TestFmtMatchesTerraform formats the same inputs with terraform fmt and
// with formation fmt and compares them byte for byte.
func TestFmtMatchesTerraform(t *testing.T) {
	tf := terraformBinary(t)
	theirs, ours := t.TempDir(), t.TempDir()
	copyFmtInputs(t, theirs, "")
	copyFmtInputs(t, ours, "")
	cmd := exec.Command(tf, "fmt", "-no-color", ".")
	cmd.Dir, cmd.Env = theirs, terraformEnv(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("terraform fmt: %v\n%s", err, out)
	}
	ok(t, "fmt", ours)
	for _, name := range []string{"messy.tf", "vars.tfvars"} {
		a, _ := os.ReadFile(filepath.Join(theirs, name))
		b, _ := os.ReadFile(filepath.Join(ours, name))
		if string(a) != string(b) {
			t.Errorf("%s: terraform fmt:\n%s\nformation fmt:\n%s", name, a, b)
		}
	}
}
