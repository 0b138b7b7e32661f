package plan_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/template"
)

// The configuration block of the JSON plan is compared with Terraform's
// for the same template: testdata/tfconfig/NAME is a template of
// terraform_data resources and local modules, and NAME.terraform.json is
// the configuration `terraform show -json` writes for a plan of it
// (Terraform v1.11.4; go test ./plan -update rewrites it when terraform
// is installed). The only normalisation: a sensitive variable's default,
// which Terraform writes and Formation never does.
var tfConfigCases = []string{"modules", "json", "provisioners"}

func TestTerraformConfigurationMatchesTerraformsGolden(t *testing.T) {
	t.Parallel()
	for _, name := range tfConfigCases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			want, err := os.ReadFile(filepath.Join("testdata", "tfconfig", name+".terraform.json"))
			if err != nil {
				t.Fatal(err)
			}
			if got := formationConfiguration(t, filepath.Join("testdata", "tfconfig", name)); got != string(want) {
				t.Errorf("configuration differs from Terraform's:\n--- formation\n%s\n--- terraform\n%s", got, want)
			}
		})
	}
}

// TestTerraformConfigurationGoldenIsTerraforms runs Terraform on each
// template, offline, and checks the golden file is what it writes.
func TestTerraformConfigurationGoldenIsTerraforms(t *testing.T) {
	const tf = "/usr/local/bin/terraform"
	if _, err := os.Stat(tf); err != nil {
		t.Skip("terraform is not installed at " + tf)
	}
	for _, name := range tfConfigCases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "tfconfig", name))); err != nil {
				t.Fatal(err)
			}
			rc := filepath.Join(t.TempDir(), "empty.tfrc")
			if err := os.WriteFile(rc, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			run := func(args ...string) []byte {
				cmd := exec.Command(tf, args...)
				cmd.Dir = dir
				// No CLI configuration, no checkpoint call: offline.
				cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
				out, err := cmd.Output()
				if err != nil {
					t.Fatalf("terraform %v: %v", args, err)
				}
				return out
			}
			run("init", "-input=false", "-no-color")
			run("plan", "-input=false", "-no-color", "-out", "plan.bin")
			var doc struct{ Configuration any }
			if err := json.Unmarshal(run("show", "-json", "plan.bin"), &doc); err != nil {
				t.Fatal(err)
			}
			got := terraformConfiguration(t, doc.Configuration)
			golden := filepath.Join("testdata", "tfconfig", name+".terraform.json")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("terraform's configuration is not %s (run go test ./plan -update):\n%s", golden, got)
			}
		})
	}
}

// formationConfiguration is the configuration of Formation's JSON plan
// for the template in dir, indented with sorted keys.
func formationConfiguration(t *testing.T, dir string) string {
	t.Helper()
	tpl, err := template.ParseFS(os.DirFS(dir), template.Options{Limits: &template.Limits{}})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := tpl.Expand(context.Background(), template.Input{})
	if err != nil {
		t.Fatal(err)
	}
	js, err := (&plan.Plan{}).TerraformJSON(plan.TerraformJSONInput{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Configuration any }
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	return indent(t, doc.Configuration)
}

// terraformConfiguration is Terraform's configuration, normalised: the
// defaults of sensitive variables dropped, in every module.
func terraformConfiguration(t *testing.T, conf any) string {
	t.Helper()
	var dropSecrets func(mod map[string]any)
	dropSecrets = func(mod map[string]any) {
		vars, _ := mod["variables"].(map[string]any)
		for _, v := range vars {
			if v := v.(map[string]any); v["sensitive"] == true {
				delete(v, "default")
			}
		}
		calls, _ := mod["module_calls"].(map[string]any)
		for _, c := range calls {
			if m, ok := c.(map[string]any)["module"].(map[string]any); ok {
				dropSecrets(m)
			}
		}
	}
	dropSecrets(conf.(map[string]any)["root_module"].(map[string]any))
	return indent(t, conf)
}

func indent(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

// TestTerraformConfigurationNestedBlocks covers what terraform_data
// cannot show: a nested block, written as a list of its expressions (as
// Terraform writes list and set blocks), in a template given as one
// string; and meta-arguments left out of expressions.
func TestTerraformConfigurationNestedBlocks(t *testing.T) {
	t.Parallel()
	cfg := expand(t, `
resource "huaweicloud_x" "a" {
  name = "a"
  rule {
    port = 80
  }
  rule {
    port = huaweicloud_x.b.port
  }
  lifecycle {
    create_before_destroy = true
  }
}
resource "huaweicloud_x" "b" {
  name = "b"
}
`)
	js, err := (&plan.Plan{}).TerraformJSON(plan.TerraformJSONInput{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	var conf struct {
		Configuration struct {
			RootModule struct {
				Resources []struct {
					Address     string          `json:"address"`
					Expressions json.RawMessage `json:"expressions"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"configuration"`
	}
	if err := json.Unmarshal(js, &conf); err != nil {
		t.Fatal(err)
	}
	want := `{"name":{"constant_value":"a"},"rule":[{"port":{"constant_value":80}},{"port":{"references":["huaweicloud_x.b.port","huaweicloud_x.b"]}}]}`
	if rs := conf.Configuration.RootModule.Resources; len(rs) != 2 || rs[0].Address != "huaweicloud_x.a" || string(rs[0].Expressions) != want {
		t.Errorf("resources %s, want huaweicloud_x.a first with expressions %s", js, want)
	}
}
