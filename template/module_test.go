package template_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/template"
	"github.com/zclconf/go-cty/cty"
)

// files makes a file set from path → body.
func files(m map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, body := range m {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return fsys
}

func mustParseFS(t testing.TB, m map[string]string) *template.Template {
	t.Helper()
	tpl, err := template.ParseFS(files(m), template.Options{})
	if err != nil {
		var b strings.Builder
		template.WriteDiagnostics(&b, err)
		t.Fatalf("ParseFS: %v\n%s", err, b.String())
	}
	return tpl
}

// netModules is the layout of the Terraform comparison in
// TestModules_AddressesAsTerraform: a module called with count and with
// for_each, which calls a module of its own.
var netModules = map[string]string{
	"main.tf": `
resource "huaweicloud_vpc" "root" {
  name = "r"
}
module "net" {
  source = "./modules/net"
  count  = 2
  name   = "n${count.index}"
}
module "each" {
  source   = "./modules/net"
  for_each = toset(["a", "b"])
  name     = each.key
}
output "ids" {
  value = module.net[*].out
}
output "whole" {
  value = module.each
}
`,
	"modules/net/main.tf": `
variable "name" {
  type = string
}
resource "huaweicloud_vpc" "v" {
  name = var.name
}
module "sub" {
  source = "./modules/sub"
  x      = huaweicloud_vpc.v.name
}
output "out" {
  value = huaweicloud_vpc.v.name
}
output "sub" {
  value = module.sub.y
}
`,
	"modules/net/modules/sub/main.tf": `
variable "x" {}
resource "huaweicloud_subnet" "s" {
  count = 1
  name  = "${var.x}-s"
}
output "y" {
  value = huaweicloud_subnet.s[0].name
}
`,
}

// TestModules_AddressesAsTerraform checks the instance addresses and their
// order against what terraform plan lists for the same layout (with
// terraform_data in place of the huaweicloud types): the root module's
// instances first, then module instances by depth, name and key.
func TestModules_AddressesAsTerraform(t *testing.T) {
	cfg := mustExpand(t, mustParseFS(t, netModules), template.Input{})
	want := []string{
		`huaweicloud_vpc.root`,
		`module.each["a"].huaweicloud_vpc.v`,
		`module.each["b"].huaweicloud_vpc.v`,
		`module.net[0].huaweicloud_vpc.v`,
		`module.net[1].huaweicloud_vpc.v`,
		`module.each["a"].module.sub.huaweicloud_subnet.s[0]`,
		`module.each["b"].module.sub.huaweicloud_subnet.s[0]`,
		`module.net[0].module.sub.huaweicloud_subnet.s[0]`,
		`module.net[1].module.sub.huaweicloud_subnet.s[0]`,
	}
	if got := addrs(cfg); !reflect.DeepEqual(got, want) {
		t.Fatalf("instances:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	inst := cfg.Instance(`module.each["b"].module.sub.huaweicloud_subnet.s[0]`)
	if got := inst.Module.String(); got != `module.each["b"].module.sub` {
		t.Errorf("Module = %q", got)
	}
	if inst.Resource != `module.each["b"].module.sub.huaweicloud_subnet.s` || inst.Type != "huaweicloud_subnet" || inst.Name != "s" || inst.Key != "0" {
		t.Errorf("instance = %+v", inst)
	}
	if got, want := inst.DependsOn, []string{`module.each["b"].huaweicloud_vpc.v`}; !reflect.DeepEqual(got, want) {
		t.Errorf("DependsOn = %q, want %q", got, want)
	}
	shuffled := slices.Clone(want)
	slices.Reverse(shuffled)
	slices.SortFunc(shuffled, template.CompareAddrs)
	if !reflect.DeepEqual(shuffled, want) {
		t.Errorf("CompareAddrs order:\n%s", strings.Join(shuffled, "\n"))
	}
}

func TestModules_Evaluate(t *testing.T) {
	cfg := mustExpand(t, mustParseFS(t, netModules), template.Input{})
	got, k := evalAll(t, cfg)
	if v := got[`module.net[1].huaweicloud_vpc.v`].GetAttr("name"); !v.RawEquals(cty.StringVal("n1")) {
		t.Errorf("module.net[1] name = %#v", v)
	}
	if v := got[`module.each["a"].module.sub.huaweicloud_subnet.s[0]`].GetAttr("name"); !v.RawEquals(cty.StringVal("a-s")) {
		t.Errorf(`module.each["a"].module.sub name = %#v (a module argument from a resource attribute)`, v)
	}
	outs, diags := cfg.Outputs(context.Background(), k)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	byName := map[string]cty.Value{}
	for _, o := range outs {
		byName[o.Name] = o.Value
	}
	if want := cty.TupleVal([]cty.Value{cty.StringVal("n0"), cty.StringVal("n1")}); !byName["ids"].RawEquals(want) {
		t.Errorf("ids = %#v", byName["ids"])
	}
	whole := byName["whole"]
	if !whole.Type().IsObjectType() || !whole.GetAttr("b").GetAttr("sub").RawEquals(cty.StringVal("b-s")) {
		t.Errorf("whole = %#v", whole)
	}
}

func TestModules_ArgumentsAndDefaults(t *testing.T) {
	tpl := mustParseFS(t, map[string]string{
		"main.tf": `
variable "prefix" {
  default = "p"
}
module "m" {
  source = "./m"
  names  = ["a", "b"]
  tags   = { env = "${var.prefix}-dev" }
}
resource "huaweicloud_vpc" "after" {
  name = module.m.first
  n    = module.m.n
}
`,
		"m/main.tf": `
variable "names" {
  type = list(string)
}
variable "tags" {
  type = object({ env = string, team = optional(string, "core") })
}
variable "size" {
  type    = number
  default = 3
}
locals {
  upper = [for n in var.names : upper(n)]
}
resource "huaweicloud_vpc" "v" {
  for_each = toset(var.names)
  name     = "${each.key}-${var.tags.env}-${var.tags.team}"
  size     = var.size
}
output "first" {
  value = local.upper[0]
}
output "n" {
  value = length(huaweicloud_vpc.v)
}
`,
	})
	cfg := mustExpand(t, tpl, template.Input{})
	got, _ := evalAll(t, cfg)
	v := got[`module.m.huaweicloud_vpc.v["b"]`]
	if v.GetAttr("name").AsString() != "b-p-dev-core" || !v.GetAttr("size").RawEquals(cty.NumberIntVal(3)) {
		t.Errorf("module.m vpc b = %#v", v)
	}
	after := got["huaweicloud_vpc.after"]
	if !after.GetAttr("name").RawEquals(cty.StringVal("A")) || !after.GetAttr("n").RawEquals(cty.NumberIntVal(2)) {
		t.Errorf("after = %#v", after)
	}
	// module.m.first depends on nothing managed; module.m.n on every
	// instance of the module's vpc.
	if got, want := cfg.Instance("huaweicloud_vpc.after").DependsOn, []string{`module.m.huaweicloud_vpc.v["a"]`, `module.m.huaweicloud_vpc.v["b"]`}; !reflect.DeepEqual(got, want) {
		t.Errorf("DependsOn = %q, want %q", got, want)
	}
}

// TestModules_CountFromModuleOutput uses a module's output, known at
// expansion, as count and for_each elsewhere.
func TestModules_CountFromModuleOutput(t *testing.T) {
	tpl := mustParseFS(t, map[string]string{
		"main.tf": `
module "sizes" {
  source = "./sizes"
  n      = 3
}
module "per" {
  source   = "./item"
  for_each = module.sizes.names
  label    = each.value
}
resource "huaweicloud_vpc" "v" {
  count = module.sizes.n
  name  = module.sizes.names[count.index]
}
`,
		"sizes/main.tf": `
variable "n" {}
output "n" {
  value = var.n
}
output "names" {
  value = { for i in range(var.n) : "k${i}" => "v${i}" }
}
`,
		"item/main.tf": `
variable "label" {}
resource "huaweicloud_vpc" "x" {
  name = var.label
}
`,
	})
	cfg := mustExpand(t, tpl, template.Input{})
	want := []string{"huaweicloud_vpc.v[0]", "huaweicloud_vpc.v[1]", "huaweicloud_vpc.v[2]",
		`module.per["k0"].huaweicloud_vpc.x`, `module.per["k1"].huaweicloud_vpc.x`, `module.per["k2"].huaweicloud_vpc.x`}
	if got := addrs(cfg); !reflect.DeepEqual(got, want) {
		t.Errorf("instances = %q", got)
	}
	if v := evalOne(t, cfg, `module.per["k2"].huaweicloud_vpc.x`, nil); v.GetAttr("name").AsString() != "v2" {
		t.Errorf("label = %#v", v)
	}
}

func TestModules_UnknownCount(t *testing.T) {
	tpl := mustParseFS(t, map[string]string{
		"main.tf": `
resource "huaweicloud_vpc" "v" {}
module "m" {
  source = "./m"
  count  = length(huaweicloud_vpc.v.id)
}
`,
		"m/main.tf": `resource "huaweicloud_vpc" "x" {}`,
	})
	_, err := tpl.Expand(context.Background(), template.Input{})
	wantDiag(t, err, formation.CodeInvalidTemplate, "Invalid count argument", "huaweicloud_vpc.v.id", "main.tf", 5, 12)
}

func TestModules_DependsOnAndProviders(t *testing.T) {
	tpl := mustParseFS(t, map[string]string{
		"main.tf": `
provider "huaweicloud" {
  alias  = "west"
  region = "west-1"
}
resource "huaweicloud_vpc" "first" {}
module "m" {
  source     = "./m"
  depends_on = [huaweicloud_vpc.first]
  providers = {
    huaweicloud = huaweicloud.west
  }
}
resource "huaweicloud_vpc" "last" {
  depends_on = [module.m]
}
`,
		"m/main.tf": `
resource "huaweicloud_vpc" "a" {}
data "huaweicloud_vpcs" "all" {}
module "inner" {
  source = "./inner"
}
`,
		"m/inner/main.tf": `resource "huaweicloud_subnet" "b" {}`,
	})
	cfg := mustExpand(t, tpl, template.Input{})
	for _, addr := range []string{"module.m.huaweicloud_vpc.a", "module.m.data.huaweicloud_vpcs.all", "module.m.module.inner.huaweicloud_subnet.b"} {
		inst := cfg.Instance(addr)
		if inst == nil {
			t.Fatalf("no %s in %q", addr, addrs(cfg))
		}
		if !slices.Contains(inst.DependsOn, "huaweicloud_vpc.first") {
			t.Errorf("%s DependsOn = %q: the module's depends_on is missing", addr, inst.DependsOn)
		}
		if inst.ProviderAddr() != "huaweicloud.west" {
			t.Errorf("%s provider = %s, want huaweicloud.west (passed, then inherited)", addr, inst.ProviderAddr())
		}
	}
	want := []string{"module.m.huaweicloud_vpc.a", "module.m.data.huaweicloud_vpcs.all", "module.m.module.inner.huaweicloud_subnet.b"}
	if got := cfg.Instance("huaweicloud_vpc.last").DependsOn; !reflect.DeepEqual(got, want) {
		t.Errorf("depends_on = [module.m] gives %q, want %q", got, want)
	}
	provs, _ := cfg.Providers(context.Background(), nil)
	if len(provs) != 2 || provs[1].Addr() != "huaweicloud.west" || !provs[1].Declared {
		t.Errorf("providers = %+v", provs)
	}
}

func TestModules_Errors(t *testing.T) {
	const inv, uns = formation.CodeInvalidTemplate, formation.CodeUnsupported
	call := func(name, source string, extra ...string) string {
		return fmt.Sprintf("module %q {\n  source = %q\n%s}\n", name, source, strings.Join(extra, ""))
	}
	many := map[string]string{"m/main.tf": `resource "a_b" "c" {}`}
	var body strings.Builder
	for i := range 51 {
		body.WriteString(call(fmt.Sprintf("m%d", i), "./m"))
	}
	many["main.tf"] = body.String()
	tests := []struct {
		name            string
		files           map[string]string
		code            formation.Code
		summary, detail string
		file            string
		line, col       int
	}{
		{"cycle", map[string]string{
			"main.tf":   call("a", "./a"),
			"a/main.tf": call("b", "../b"),
			"b/main.tf": call("a", "../a"),
		}, inv, "Module cycle", "a → b → a", "b/main.tf", 2, 12},
		{"calls itself", map[string]string{"main.tf": call("me", "./")}, inv, "Module cycle", "", "main.tf", 2, 12},
		{"outside the file set", map[string]string{"main.tf": call("up", "../shared/vpc")}, inv, "Module source outside the template", `"../shared/vpc"`, "main.tf", 2, 12},
		{"outside through a module", map[string]string{
			"main.tf":   call("a", "./a"),
			"a/main.tf": call("b", "../../b"),
		}, inv, "Module source outside the template", "", "a/main.tf", 2, 12},
		{"depth 4", map[string]string{
			"main.tf":         call("a", "./a"),
			"a/main.tf":       call("b", "./b"),
			"a/b/main.tf":     call("c", "./c"),
			"a/b/c/main.tf":   call("d", "./d"),
			"a/b/c/d/main.tf": `resource "a_b" "c" {}`,
		}, inv, "Modules nested too deeply", "module.a.module.b.module.c.module.d", "a/b/c/main.tf", 2, 12},
		{"51 module calls", many, inv, "Too many module calls", "at most 50", "", 0, 0},
		{"missing directory", map[string]string{"main.tf": call("gone", "./modules/gone")}, inv, "Module not found", "no directory modules/gone", "main.tf", 2, 12},
		{"undeclared input", map[string]string{
			"main.tf":   call("a", "./a", "  nmae = 1\n"),
			"a/main.tf": "variable \"name\" {\n  default = 1\n}\n",
		}, inv, "Unsupported argument", `Did you mean "name"?`, "main.tf", 3, 3},
		{"missing required input", map[string]string{
			"main.tf":   call("a", "./a"),
			"a/main.tf": "variable \"name\" {}\n",
		}, inv, "Missing required argument", `"name"`, "main.tf", 1, 1},
		{"registry source", map[string]string{"main.tf": call("r", "huaweicloud/vpc/huaweicloud")}, uns, "Only local modules are supported", "local modules only", "main.tf", 2, 12},
		{"http source", map[string]string{"main.tf": call("h", "https://example.com/vpc.zip")}, uns, "Only local modules are supported", "", "main.tf", 2, 12},
		{"undeclared output", map[string]string{
			"main.tf":   call("a", "./a") + "output \"o\" {\n  value = module.a.idd\n}\n",
			"a/main.tf": "output \"id\" {\n  value = 1\n}\n",
		}, inv, "Unsupported attribute", `Did you mean "id"?`, "main.tf", 5, 19},
		{"output without instance key", map[string]string{
			"main.tf":   call("a", "./a", "  count = 2\n") + "output \"o\" {\n  value = module.a.id\n}\n",
			"a/main.tf": "output \"id\" {\n  value = 1\n}\n",
		}, inv, "Missing module instance key", "module.a[0].id", "main.tf", 6, 11},
		{"legacy provider block, count above it", map[string]string{
			"main.tf":     call("a", "./a", "  count = 2\n"),
			"a/main.tf":   call("b", "./b"),
			"a/b/main.tf": "provider \"huaweicloud\" {\n  region = \"cn-east-3\"\n}\n",
		}, inv, "Module is incompatible with count, for_each, and depends_on", "The module at module.a.module.b is a legacy module", "main.tf", 3, 11},
		{"alias not passed", map[string]string{
			"main.tf":   call("a", "./a"),
			"a/main.tf": "resource \"huaweicloud_vpc\" \"v\" {\n  provider = huaweicloud.east\n}\n",
		}, inv, "Provider configuration not present", "providers = { huaweicloud.east", "a/main.tf", 2, 14},
		{"import into a module", map[string]string{
			"main.tf":   call("a", "./a") + "import {\n  to = module.a.huaweicloud_vpc.v\n  id = \"x\"\n}\n",
			"a/main.tf": "resource \"huaweicloud_vpc\" \"v\" {}\n",
		}, uns, "Import into a module is not supported yet", "root module only", "main.tf", 5, 8},
		{"import block in a module", map[string]string{
			"main.tf":   call("a", "./a"),
			"a/main.tf": "resource \"huaweicloud_vpc\" \"v\" {}\nimport {\n  to = huaweicloud_vpc.v\n  id = \"x\"\n}\n",
		}, inv, "Invalid import block", "root module only", "a/main.tf", 2, 1},
		{"cycle through a module", map[string]string{
			"main.tf":   call("a", "./a", "  x = huaweicloud_vpc.v.id\n") + "resource \"huaweicloud_vpc\" \"v\" {\n  name = module.a.y\n}\n",
			"a/main.tf": "variable \"x\" {}\noutput \"y\" {\n  value = var.x\n}\n",
		}, inv, "Cycle", "module.a.var.x", "", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := template.ParseFS(files(tt.files), template.Options{})
			wantDiag(t, err, tt.code, tt.summary, tt.detail, tt.file, tt.line, tt.col)
		})
	}
}

// RFS's 50 modules are the module blocks a template is written with: a
// module called from many places counts its own blocks once.
func TestModules_CallLimitCountsBlocks(t *testing.T) {
	var root strings.Builder
	for i := range 30 {
		fmt.Fprintf(&root, "module \"site%d\" {\n  source = \"./site\"\n}\n", i)
	}
	m := map[string]string{
		"main.tf":          root.String(),
		"site/main.tf":     "module \"net\" {\n  source = \"./net\"\n}\nmodule \"dns\" {\n  source = \"./net\"\n}\n",
		"site/net/main.tf": "resource \"a_b\" \"c\" {}\n",
		"unused/main.tf":   "module \"x\" {\n  source = \"../site\"\n}\n",
	}
	tpl, err := template.ParseFS(files(m), template.Options{})
	if err != nil {
		t.Fatalf("32 module blocks, called 90 times: %v", err)
	}
	if got := len(addrs(mustExpand(t, tpl, template.Input{}))); got != 60 {
		t.Errorf("%d instances, want 60", got)
	}
	// Nineteen more blocks in the root make 51.
	for i := range 19 {
		fmt.Fprintf(&root, "module \"more%d\" {\n  source = \"./site/net\"\n}\n", i)
	}
	m["main.tf"] = root.String()
	_, err = template.ParseFS(files(m), template.Options{})
	wantDiag(t, err, formation.CodeInvalidTemplate, "Too many module calls", "at most 50", "", 0, 0)
}

func TestModules_LimitsCanBeLifted(t *testing.T) {
	m := map[string]string{
		"main.tf":         "module \"a\" {\n  source = \"./a\"\n}\n",
		"a/main.tf":       "module \"b\" {\n  source = \"./b\"\n}\n",
		"a/b/main.tf":     "module \"c\" {\n  source = \"./c\"\n}\n",
		"a/b/c/main.tf":   "module \"d\" {\n  source = \"./d\"\n}\n",
		"a/b/c/d/main.tf": "resource \"a_b\" \"deep\" {}\n",
	}
	tpl, err := template.ParseFS(files(m), template.Options{Limits: &template.Limits{}})
	if err != nil {
		t.Fatal(err)
	}
	if got := addrs(mustExpand(t, tpl, template.Input{})); !reflect.DeepEqual(got, []string{"module.a.module.b.module.c.module.d.a_b.deep"}) {
		t.Errorf("instances = %q", got)
	}
}

func TestParseInstanceAddr(t *testing.T) {
	for _, s := range []string{
		"huaweicloud_vpc.v",
		"huaweicloud_vpc.v[10]",
		`data.huaweicloud_vpcs.all["a.b[c]"]`,
		`module.net[0].huaweicloud_vpc.v`,
		`module.net["x.y\"]"].module.sub.data.a_b.c["k"]`,
		`module.a.module.b.a_b.c[3]`,
	} {
		a, err := template.ParseInstanceAddr(s)
		if err != nil {
			t.Errorf("%s: %v", s, err)
			continue
		}
		if a.String() != s {
			t.Errorf("%s: round trip gives %s", s, a.String())
		}
	}
	a, _ := template.ParseInstanceAddr(`module.net["x.y\"]"].module.sub.data.a_b.c["k"]`)
	want := template.InstanceAddr{
		Module: template.ModuleInstance{{Name: "net", KeyKind: template.StringKey, Key: `x.y"]`}, {Name: "sub"}},
		Mode:   formation.ModeData, Type: "a_b", Name: "c", KeyKind: template.StringKey, Key: "k",
	}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("parsed %+v, want %+v", a, want)
	}
	for addr, block := range map[string]string{
		`module.net["a.b[c]"].huaweicloud_vpc.v["x[1]"]`: `module.net["a.b[c]"].huaweicloud_vpc.v`,
		"data.a_b.c[3]":  "data.a_b.c",
		"module.m.a_b.c": "module.m.a_b.c",
	} {
		if got := template.BlockOf(addr); got != block {
			t.Errorf("BlockOf(%s) = %s, want %s", addr, got, block)
		}
	}
	for _, bad := range []string{"", "vpc", "module.x", "module.x.vpc", "a_b.c[x]", `a_b.c["k"`, "module.[0].a_b.c"} {
		if _, err := template.ParseInstanceAddr(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestModules_ArgumentTypeAndValidation(t *testing.T) {
	child := `
variable "size" {
  type = number
  validation {
    condition     = var.size < 10
    error_message = "size must be under 10."
  }
}
resource "a_b" "c" {
  size = var.size
}
`
	for _, tt := range []struct {
		arg, summary, detail string
	}{
		{`"big"`, "Invalid value for input variable", `module.m's variable "size": a number is required`},
		{"12", "Invalid value for variable", "size must be under 10."},
	} {
		tpl := mustParseFS(t, map[string]string{
			"main.tf":   "module \"m\" {\n  source = \"./m\"\n  size   = " + tt.arg + "\n}\n",
			"m/main.tf": child,
		})
		_, err := tpl.Expand(context.Background(), template.Input{})
		wantDiag(t, err, formation.CodeInvalidTemplate, tt.summary, tt.detail, "", 0, 0)
	}
	tpl := mustParseFS(t, map[string]string{
		"main.tf":   "module \"m\" {\n  source = \"./m\"\n  size   = \"7\"\n}\n",
		"m/main.tf": child,
	})
	if v := evalOne(t, mustExpand(t, tpl, template.Input{}), "module.m.a_b.c", nil); !v.GetAttr("size").RawEquals(cty.NumberIntVal(7)) {
		t.Errorf("size = %#v, want the string converted to the variable's type", v.GetAttr("size"))
	}
}

func TestModules_JSON(t *testing.T) {
	tpl := mustParseFS(t, map[string]string{
		"main.tf.json": `{
  "provider": {"huaweicloud": [{"alias": "west", "region": "w"}]},
  "resource": {"huaweicloud_vpc": {"first": {"name": "f"}}},
  "module": {"m": {
    "source": "./m",
    "count": 2,
    "name": "n-${count.index}",
    "providers": {"huaweicloud": "huaweicloud.west"},
    "depends_on": ["huaweicloud_vpc.first"]
  }},
  "output": {"names": {"value": "${module.m[*].name}"}}
}`,
		"m/main.tf.json": `{
  "variable": {"name": {"type": "string"}},
  "resource": {"huaweicloud_vpc": {"v": {"name": "${var.name}"}}},
  "output": {"name": {"value": "${huaweicloud_vpc.v.name}"}}
}`,
	})
	cfg := mustExpand(t, tpl, template.Input{})
	inst := cfg.Instance("module.m[1].huaweicloud_vpc.v")
	if inst == nil || inst.ProviderAddr() != "huaweicloud.west" || !reflect.DeepEqual(inst.DependsOn, []string{"huaweicloud_vpc.first"}) {
		t.Fatalf("instance %+v in %q", inst, addrs(cfg))
	}
	_, k := evalAll(t, cfg)
	outs, diags := cfg.Outputs(context.Background(), k)
	if diags.HasErrors() || len(outs) != 1 || !outs[0].Value.RawEquals(cty.TupleVal([]cty.Value{cty.StringVal("n-0"), cty.StringVal("n-1")})) {
		t.Errorf("outputs %#v, %s", outs, diags)
	}
}

// TestModules_CountKnownAtPlan: a module's count may read a resource
// argument the configuration sets, known at plan, as for resources.
func TestModules_CountKnownAtPlan(t *testing.T) {
	tpl := mustParseFS(t, map[string]string{
		"main.tf": `
resource "terraform_data" "zones" {
  input = ["a", "b", "c"]
}
module "m" {
  source = "./m"
  count  = length(terraform_data.zones.input)
  zone   = terraform_data.zones.input[count.index]
}
`,
		"m/main.tf": "variable \"zone\" {}\nresource \"a_b\" \"c\" {\n  zone = var.zone\n}\n",
	})
	cfg := mustExpand(t, tpl, template.Input{})
	if got, want := addrs(cfg), []string{"terraform_data.zones", "module.m[0].a_b.c", "module.m[1].a_b.c", "module.m[2].a_b.c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("instances %q, want %q", got, want)
	}
	if got := cfg.Instance("module.m[2].a_b.c").DependsOn; !reflect.DeepEqual(got, []string{"terraform_data.zones"}) {
		t.Errorf("DependsOn %q", got)
	}
}

// TestModules_EachValueAtApply: a module called for_each over resources
// sees each.value with what is known when its instances are evaluated,
// as Terraform evaluates for_each again at apply.
func TestModules_EachValueAtApply(t *testing.T) {
	tpl := mustParseFS(t, map[string]string{
		"main.tf": `
resource "huaweicloud_vpc" "v" {
  for_each = toset(["a", "b"])
  name     = each.key
}
module "m" {
  source   = "./m"
  for_each = huaweicloud_vpc.v
  vpc_id   = each.value.id
}
`,
		"m/main.tf": "variable \"vpc_id\" {}\nresource \"a_b\" \"c\" {\n  vpc_id = var.vpc_id\n}\n",
	})
	cfg := mustExpand(t, tpl, template.Input{})
	k := newKnown()
	for _, key := range []string{"a", "b"} {
		inst := cfg.Instance(`huaweicloud_vpc.v["` + key + `"]`)
		k.set(inst, cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(key), "id": cty.StringVal("id-" + key)}))
	}
	got, diags := cfg.Evaluate(context.Background(), cfg.Instance(`module.m["b"].a_b.c`), k)
	if diags.HasErrors() || !got.GetAttr("vpc_id").RawEquals(cty.StringVal("id-b")) {
		t.Fatalf("vpc_id = %#v, %s; want the applied id", got, diags)
	}
	if deps := cfg.Instance(`module.m["b"].a_b.c`).DependsOn; !slices.Contains(deps, `huaweicloud_vpc.v["b"]`) {
		t.Errorf("DependsOn = %q", deps)
	}
}
