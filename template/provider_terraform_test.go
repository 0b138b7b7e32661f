package template_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/template"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
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

// tfDeferredReads is a layout whose data sources Terraform reads during
// apply on a first plan, because they depend on resources with changes
// pending: by their own depends_on (module.net's z) or their module call's
// (module.after's w); the root's plain one it reads at once.
var tfDeferredReads = map[string]string{
	"state.tfstate": `{"version":4,"terraform_version":"1.11.4","serial":1,"lineage":"x","outputs":{"o":{"value":"v","type":"string"}},"resources":[]}`,
	"main.tf": `
resource "terraform_data" "root" {
  input = "r"
}
data "terraform_remote_state" "now" {
  backend = "local"
  config  = { path = "${path.root}/state.tfstate" }
}
module "net" {
  source = "./m"
}
module "after" {
  source     = "./m2"
  depends_on = [terraform_data.root]
}
`,
	"m/main.tf": `
resource "terraform_data" "v" {
  input = "v"
}
data "terraform_remote_state" "z" {
  backend    = "local"
  config     = { path = "${path.root}/state.tfstate" }
  depends_on = [terraform_data.v]
}
`,
	"m2/main.tf": `
data "terraform_remote_state" "w" {
  backend = "local"
  config  = { path = "${path.root}/state.tfstate" }
}
`,
}

// Data sources that depend on resources, through their own depends_on or
// their module call's, are not read when the template is expanded: the
// plan decides, as Terraform does, whether those resources change. On a
// first plan Terraform reads them during apply.
func TestModules_DeferredReads_AgainstTerraform(t *testing.T) {
	run := terraformIn(t, tfDeferredReads)
	for _, args := range [][]string{{"init", "-input=false", "-no-color"}, {"plan", "-input=false", "-no-color", "-out=plan.bin"}} {
		if out, err := run(args...); err != nil {
			t.Fatalf("terraform %v: %v\n%s", args, err, out)
		}
	}
	out, err := run("show", "-json", "plan.bin")
	if err != nil {
		t.Fatalf("terraform show: %v\n%s", err, out)
	}
	var doc struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Mode    string `json:"mode"`
			Change  struct {
				Actions []string `json:"actions"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	var want []string // the data sources terraform reads during apply
	for _, rc := range doc.ResourceChanges {
		if rc.Mode == "data" && len(rc.Change.Actions) == 1 && rc.Change.Actions[0] == "read" {
			want = append(want, rc.Address)
		}
	}
	if len(want) != 2 {
		t.Fatalf("terraform reads %q during apply, want module.after's and module.net's data sources", want)
	}
	tpl := mustParseFS(t, tfDeferredReads)
	cfg, err := tpl.Expand(context.Background(), template.Input{DataSource: func(context.Context, template.DataRequest) (cty.Value, error) {
		return cty.ObjectVal(map[string]cty.Value{"outputs": cty.EmptyObjectVal}), nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string // the data sources Expand leaves to the plan
	for _, inst := range cfg.Instances() {
		if inst.Mode == formation.ModeData && inst.DataResult == cty.NilVal {
			got = append(got, inst.Addr)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Expand leaves %q unread; terraform reads %q during apply", got, want)
	}
	if w := cfg.Instance("module.after.data.terraform_remote_state.w"); w == nil || !slices.Contains(w.DependsOn, "terraform_data.root") {
		t.Errorf("module.after's data source does not depend on what its call's depends_on names: %+v", w)
	}
}

// A module may configure a provider itself (a legacy module): its
// resources, and the modules below it that are passed nothing, use that
// configuration; Terraform then refuses count, for_each and depends_on on
// the calls above it.
func TestModules_LegacyProviderBlocks_AgainstTerraform(t *testing.T) {
	for _, meta := range []string{"count = 2", `for_each = { a = 1 }`, "depends_on = [terraform_data.r]"} {
		t.Run(meta, func(t *testing.T) {
			sameErrorAsTerraform(t, map[string]string{
				"main.tf":   "resource \"terraform_data\" \"r\" {}\nmodule \"a\" {\n  source = \"./a\"\n  " + meta + "\n}\n",
				"a/main.tf": "provider \"terraform\" {\n  foo = 1\n}\nresource \"terraform_data\" \"d\" {}\n",
			})
		})
	}
	layout := map[string]string{
		"main.tf":     "module \"a\" {\n  source = \"./a\"\n  region = \"cn-east-3\"\n}\n",
		"a/main.tf":   "variable \"region\" {}\nprovider \"huaweicloud\" {\n  region = var.region\n}\nprovider \"huaweicloud\" {\n  alias  = \"west\"\n  region = \"cn-west-1\"\n}\nresource \"huaweicloud_vpc\" \"v\" {}\nresource \"huaweicloud_vpc\" \"w\" {\n  provider = huaweicloud.west\n}\nmodule \"b\" {\n  source = \"./b\"\n}\n",
		"a/b/main.tf": "resource \"huaweicloud_vpc\" \"x\" {}\n",
	}
	cfg := mustExpand(t, mustParseFS(t, layout), template.Input{})
	for addr, want := range map[string]string{
		"module.a.huaweicloud_vpc.v":          "huaweicloud.module.a",
		"module.a.huaweicloud_vpc.w":          "huaweicloud.module.a.west",
		"module.a.module.b.huaweicloud_vpc.x": "huaweicloud.module.a",
	} {
		if inst := cfg.Instance(addr); inst == nil || inst.ProviderAddr() != want {
			t.Errorf("%s: %+v, want provider %s", addr, inst, want)
		}
	}
	confs, diags := cfg.Providers(context.Background(), nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var got []string
	for _, pc := range confs {
		got = append(got, pc.Addr()+" "+pc.Config.GoString())
	}
	want := []string{
		`huaweicloud.module.a cty.ObjectVal(map[string]cty.Value{"region":cty.StringVal("cn-east-3")})`,
		`huaweicloud.module.a.west cty.ObjectVal(map[string]cty.Value{"region":cty.StringVal("cn-west-1")})`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("providers\n got %q\nwant %q", got, want)
	}
}

// An empty provider block in a module configures nothing: Terraform warns
// that it is redundant, and the module may be called with count.
func TestModules_ProxyProviderBlock(t *testing.T) {
	tpl := mustParseFS(t, map[string]string{
		"main.tf":   "module \"a\" {\n  source = \"./a\"\n  count  = 2\n}\n",
		"a/main.tf": "provider \"huaweicloud\" {\n  alias = \"east\"\n}\nresource \"huaweicloud_vpc\" \"v\" {}\n",
	})
	if w := tpl.Warnings(); len(w) != 1 || w[0].Summary != "Redundant empty provider block" {
		t.Errorf("warnings %v", w)
	}
	cfg := mustExpand(t, tpl, template.Input{})
	if inst := cfg.Instance("module.a[1].huaweicloud_vpc.v"); inst == nil || inst.ProviderAddr() != "huaweicloud" {
		t.Errorf("module.a[1].huaweicloud_vpc.v: %+v", inst)
	}
}

// A legacy module's own configuration cannot be overridden by its call.
func TestModules_CannotOverrideProvider_AgainstTerraform(t *testing.T) {
	required := "terraform {\n  required_providers {\n    terraform = { source = \"terraform.io/builtin/terraform\" }\n  }\n}\n"
	sameErrorAsTerraform(t, map[string]string{
		"main.tf":   required + "provider \"terraform\" {\n  alias = \"west\"\n}\nmodule \"a\" {\n  source    = \"./a\"\n  providers = { terraform = terraform.west }\n}\n",
		"a/main.tf": required + "provider \"terraform\" {\n  foo = 1\n}\nresource \"terraform_data\" \"d\" {}\n",
	})
}
