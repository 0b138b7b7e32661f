package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/formation-engine/formation/template"
)

// varsTemplate declares the variables the precedence tests set: a string
// a and a list b.
const varsTemplate = `variable "a" {
  type = string
}

variable "b" {
  type    = list(string)
  default = []
}
`

// precedenceCase is a template directory's variables files, an
// environment and a command line, and the value of var.a they give.
type precedenceCase struct {
	name    string
	files   map[string]string
	env     []string
	cmdline []string // -var K=V or -var-file=F, F relative to the directory
	want    string
}

var precedenceCases = []precedenceCase{
	{"env alone", nil, []string{"TF_VAR_a=env"}, nil, "env"},
	{"terraform.tfvars over env", map[string]string{"terraform.tfvars": `a = "tfvars"`}, []string{"TF_VAR_a=env"}, nil, "tfvars"},
	{"tfvars.json over tfvars", map[string]string{"terraform.tfvars": `a = "tfvars"`, "terraform.tfvars.json": `{"a": "json"}`}, nil, nil, "json"},
	{"auto files in lexical order", map[string]string{
		"terraform.tfvars.json": `{"a": "json"}`, "b.auto.tfvars.json": `{"a": "b"}`, "z.auto.tfvars": `a = "z"`,
	}, nil, nil, "z"},
	{"auto .json after auto of the same stem", map[string]string{"x.auto.tfvars": `a = "hcl"`, "x.auto.tfvars.json": `{"a": "json"}`}, nil, nil, "json"},
	{"-var over auto files", map[string]string{"z.auto.tfvars": `a = "z"`}, nil, []string{"-var", "a=cli"}, "cli"},
	{"-var then -var-file: the file wins", map[string]string{"my.tfvars": `a = "file"`}, nil, []string{"-var", "a=cli", "-var-file=my.tfvars"}, "file"},
	{"-var-file then -var: -var wins", map[string]string{"my.tfvars": `a = "file"`}, nil, []string{"-var-file=my.tfvars", "-var", "a=cli"}, "cli"},
	{"undeclared values in files are ignored", map[string]string{"terraform.tfvars": "a = \"t\"\nc = 1\n"}, nil, nil, "t"},
}

// writeCase writes the case's directory: the template and its files.
func writeCase(t *testing.T, c precedenceCase) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{"main.tf": varsTemplate}
	for name, text := range c.files {
		files[name] = text
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// resolveVars resolves var.a and var.b as the CLI does, from dir.
func resolveVars(t *testing.T, dir string, env, cmdline []string) (a string, b cty.Value, warnings string) {
	t.Helper()
	var tf templateFlags
	fs := newFlagSet("test")
	tf.register(fs)
	args := append([]string{"-t", dir}, cmdline...)
	for i, arg := range args {
		if f, ok := strings.CutPrefix(arg, "-var-file="); ok {
			args[i] = "-var-file=" + filepath.Join(dir, f)
		}
	}
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	var warn bytes.Buffer
	g := defaultGlobals()
	g.environ, g.warnings = env, &warn
	_, cfg, err := tf.load(context.Background(), &g)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	vars := cfg.Variables()
	return vars["a"].AsString(), vars["b"], warn.String()
}

func TestVariablePrecedence(t *testing.T) {
	t.Parallel()
	for _, c := range precedenceCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, _, warnings := resolveVars(t, writeCase(t, c), c.env, c.cmdline)
			if got != c.want {
				t.Errorf("var.a = %q, want %q", got, c.want)
			}
			if undeclared := strings.Contains(c.files["terraform.tfvars"], "c = 1"); undeclared != strings.Contains(warnings, `variable named "c"`) {
				t.Errorf("warnings %q (want one about c: %v)", warnings, undeclared)
			}
		})
	}
}

// TestVariablePrecedenceMatchesTerraform runs each case through terraform
// console and compares var.a with what the CLI resolves.
func TestVariablePrecedenceMatchesTerraform(t *testing.T) {
	tf := terraformBinary(t)
	for _, c := range precedenceCases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeCase(t, c)
			args := []string{"console", "-no-color"}
			args = append(args, c.cmdline...)
			cmd := exec.Command(tf, args...)
			cmd.Dir = dir
			cmd.Env = append(terraformEnv(t), c.env...)
			cmd.Stdin = strings.NewReader("var.a\n")
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("terraform console: %v", err)
			}
			got, _, _ := resolveVars(t, dir, c.env, c.cmdline)
			// terraform prints warnings on stdout too: the value is the last line.
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			if want := lines[len(lines)-1]; want != `"`+got+`"` {
				t.Errorf("terraform: var.a = %s; formation: %q", want, got)
			}
		})
	}
}

// terraformBinary is the terraform the tests compare with, or a skip.
func terraformBinary(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("terraform is not installed; the comparison with Terraform is skipped")
	}
	return path
}

// terraformEnv is an environment in which terraform works offline: an
// empty CLI configuration, no checkpoint calls, no TF_VAR_ of the caller.
func terraformEnv(t *testing.T) []string {
	t.Helper()
	rc := filepath.Join(t.TempDir(), "empty.tfrc")
	if err := os.WriteFile(rc, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"TF_CLI_CONFIG_FILE=" + rc, "CHECKPOINT_DISABLE=1", "HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
	return env
}

func TestTFVarParsesComplexTypes(t *testing.T) {
	t.Parallel()
	dir := writeCase(t, precedenceCase{})
	_, b, _ := resolveVars(t, dir, []string{"TF_VAR_a=x", `TF_VAR_b=["p", "q"]`, "TF_VAR_undeclared=1"}, nil)
	if want := cty.ListVal([]cty.Value{cty.StringVal("p"), cty.StringVal("q")}); !b.RawEquals(want) {
		t.Errorf("var.b = %#v, want %#v", b, want)
	}
}

// TestVariablesOfSeveralFilesAreMerged: values from two files and the
// command line reach the engine as one vars_body and vars_structure, with
// no variable given twice.
func TestVariablesOfSeveralFilesAreMerged(t *testing.T) {
	t.Parallel()
	dir := writeCase(t, precedenceCase{files: map[string]string{
		"terraform.tfvars": `a = "t"`, "x.auto.tfvars": `b = ["from", "auto"]`,
	}})
	a, b, _ := resolveVars(t, dir, nil, nil)
	if a != "t" || b.LengthInt() != 2 {
		t.Errorf("var.a = %q, var.b = %#v", a, b)
	}
	files, err := readTemplate(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := template.ParseFS(files, template.Options{})
	if err != nil {
		t.Fatal(err)
	}
	body, structure, err := variableSources(tpl, []string{"TF_VAR_b=[]"}, dir, nil, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "a = \"t\"\nb = [\"from\", \"auto\"]\n"; body != want || len(structure) != 0 {
		t.Errorf("vars_body %q (want %q), vars_structure %v", body, want, structure)
	}
	// With a overridden, b's file is whole: its own text goes on.
	body, structure, err = variableSources(tpl, []string{"TF_VAR_a=env"}, dir, cliVars{{key: "a", value: "cli"}}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if body != `b = ["from", "auto"]` || len(structure) != 1 || structure[0].VarValue != "cli" {
		t.Errorf("vars_body %q, vars_structure %v", body, structure)
	}
}
