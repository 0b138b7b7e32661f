package template_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/formation-engine/formation/template"
	"github.com/hashicorp/hcl/v2"
)

// tfDiagnostic is the part of a diagnostic of `terraform validate -json`
// that Formation must give alike.
type tfDiagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	Range    *struct {
		Filename string `json:"filename"`
		Start    struct {
			Line   int `json:"line"`
			Column int `json:"column"`
		} `json:"start"`
	} `json:"range"`
}

// terraformErrors validates files with terraform and returns its errors.
func terraformErrors(t *testing.T, files map[string]string) []tfDiagnostic {
	t.Helper()
	run := terraformIn(t, files)
	_, _ = run("init", "-input=false", "-no-color", "-backend=false") // it reports the same errors; validate gives them as JSON
	out, _ := run("validate", "-json", "-no-color")
	var doc struct {
		Diagnostics []tfDiagnostic `json:"diagnostics"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("terraform validate -json: %v\n%s", err, out)
	}
	var errs []tfDiagnostic
	for _, d := range doc.Diagnostics {
		if d.Severity == "error" {
			errs = append(errs, d)
		}
	}
	return errs
}

// sameErrorAsTerraform parses layout with Formation and checks that it
// refuses them with terraform's one error: summary, detail and where.
func sameErrorAsTerraform(t *testing.T, layout map[string]string) {
	t.Helper()
	want := terraformErrors(t, layout)
	if len(want) != 1 || want[0].Range == nil {
		t.Fatalf("terraform's errors: %+v, want one with a range", want)
	}
	_, err := template.ParseFS(files(layout), template.Options{})
	var diags hcl.Diagnostics
	if !errors.As(err, &diags) {
		t.Fatalf("Formation: %v, want terraform's %q", err, want[0].Summary)
	}
	w := want[0]
	for _, d := range diags {
		if d.Severity == hcl.DiagError && d.Summary == w.Summary && d.Detail == w.Detail && d.Subject != nil &&
			d.Subject.Filename == w.Range.Filename && d.Subject.Start.Line == w.Range.Start.Line && d.Subject.Start.Column == w.Range.Start.Column {
			return
		}
	}
	t.Errorf("Formation's diagnostics:\n%s\nterraform's error: %s at %s:%d:%d\n%s", diags.Error(), w.Summary, w.Range.Filename, w.Range.Start.Line, w.Range.Start.Column, w.Detail)
}

// A module that declares configuration_aliases must be passed each of them.
func TestModules_ConfigurationAliases_AgainstTerraform(t *testing.T) {
	child := `
terraform {
  required_providers {
    terraform = {
      source                = "terraform.io/builtin/terraform"
      configuration_aliases = [terraform.x]
    }
  }
}
resource "terraform_data" "d" {
  provider = terraform.x
}
`
	sameErrorAsTerraform(t, map[string]string{"main.tf": "module \"a\" {\n  source = \"./a\"\n}\n", "a/main.tf": child})

	// Passed, the module plans with the configuration it is given.
	passed := map[string]string{
		"main.tf": "terraform {\n  required_providers {\n    terraform = { source = \"terraform.io/builtin/terraform\" }\n  }\n}\n" +
			"provider \"terraform\" {\n  alias = \"west\"\n}\nmodule \"a\" {\n  source    = \"./a\"\n  providers = { terraform.x = terraform.west }\n}\n",
		"a/main.tf": child,
	}
	if errs := terraformErrors(t, passed); len(errs) != 0 {
		t.Fatalf("terraform refuses the passed alias: %+v", errs)
	}
	cfg := mustExpand(t, mustParseFS(t, passed), template.Input{})
	if inst := cfg.Instance("module.a.terraform_data.d"); inst == nil || inst.ProviderAddr() != "terraform.west" {
		t.Fatalf("module.a.terraform_data.d: %+v", inst)
	}
}
