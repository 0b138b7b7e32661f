package template_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/formation-engine/formation/template"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// terraformIn writes files into a directory and returns a runner of the
// terraform binary there, offline (an empty CLI configuration); a
// failure's output includes its stderr. It skips the test when no
// terraform binary is installed.
func terraformIn(t *testing.T, files map[string]string) func(args ...string) ([]byte, error) {
	t.Helper()
	bin, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("no terraform binary on PATH: the comparison with Terraform is skipped")
	}
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rc := filepath.Join(t.TempDir(), "terraformrc")
	if err := os.WriteFile(rc, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return func(args ...string) ([]byte, error) {
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
		out, err := cmd.Output()
		if ee, ok := err.(*exec.ExitError); ok {
			out = append(out, ee.Stderr...)
		}
		return out, err
	}
}

// tfModules is a layout Terraform can plan offline (terraform_data is
// built in): a module called with count and with for_each, calling a
// module of its own with count, and outputs that read them whole, by
// splat and by key.
var tfModules = map[string]string{
	"main.tf": `
resource "terraform_data" "root" {
  input = "r"
}
module "net" {
  source = "./modules/net"
  count  = 2
  name   = "n${count.index}"
}
module "each" {
  source   = "./modules/net"
  for_each = { a = "x", "b c" = "y" }
  name     = "${each.key}-${each.value}"
}
output "ids" {
  value = module.net[*].out
}
output "whole" {
  value = module.each
}
output "one" {
  value = module.each["b c"].sub
}
`,
	"modules/net/main.tf": `
variable "name" {
  type = string
}
resource "terraform_data" "v" {
  input = var.name
}
module "sub" {
  source = "./modules/sub"
  x      = terraform_data.v.input
}
output "out" {
  value = terraform_data.v.input
}
output "sub" {
  value = module.sub.y
}
output "path" {
  value = path.module
}
`,
	"modules/net/modules/sub/main.tf": `
variable "x" {}
resource "terraform_data" "s" {
  count = 2
  input = "${var.x}-${count.index}"
}
output "y" {
  value = terraform_data.s[*].input
}
`,
}

// TestModules_AgainstTerraform plans tfModules with terraform and
// compares the instance addresses, their order and the outputs with
// Formation's. It skips when no terraform binary is installed.
func TestModules_AgainstTerraform(t *testing.T) {
	run := terraformIn(t, tfModules)
	tf := func(args ...string) []byte {
		t.Helper()
		out, err := run(args...)
		if err != nil {
			t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	tf("init", "-input=false", "-no-color")
	tf("plan", "-input=false", "-no-color", "-out=plan.bin")
	var doc struct {
		ResourceChanges []struct {
			Address string `json:"address"`
		} `json:"resource_changes"`
		PlannedValues struct {
			Outputs map[string]struct {
				Value json.RawMessage `json:"value"`
			} `json:"outputs"`
		} `json:"planned_values"`
	}
	if err := json.Unmarshal(tf("show", "-json", "plan.bin"), &doc); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, rc := range doc.ResourceChanges {
		want = append(want, rc.Address)
	}

	if len(want) != 13 || len(doc.PlannedValues.Outputs) != 3 {
		t.Fatalf("terraform planned %d instances and %d outputs, want 13 and 3", len(want), len(doc.PlannedValues.Outputs))
	}
	cfg := mustExpand(t, mustParseFS(t, tfModules), template.Input{})
	if got := addrs(cfg); !reflect.DeepEqual(got, want) {
		t.Errorf("instances:\n%s\nterraform plans:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	_, k := evalAll(t, cfg)
	outs, diags := cfg.Outputs(context.Background(), k)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	for _, o := range outs {
		b, err := ctyjson.Marshal(o.Value, o.Value.Type())
		if err != nil {
			t.Fatalf("output %s: %v", o.Name, err)
		}
		var got, wantV any
		json.Unmarshal(b, &got)
		json.Unmarshal(doc.PlannedValues.Outputs[o.Name].Value, &wantV)
		if !reflect.DeepEqual(got, wantV) {
			t.Errorf("output %s = %s, terraform plans %s", o.Name, b, doc.PlannedValues.Outputs[o.Name].Value)
		}
	}
}
