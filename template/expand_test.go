package template_test

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/template"
	"github.com/zclconf/go-cty/cty"
)

func addrs(cfg *template.Config) []string {
	var out []string
	for _, i := range cfg.Instances() {
		out = append(out, i.Addr)
	}
	return out
}

func TestExpand_Instances(t *testing.T) {
	tpl := mustParse(t, `
variable "n" {
  default = 3
}
resource "huaweicloud_vpc" "counted" {
  count = var.n
}
resource "huaweicloud_vpc" "none" {
  count = 0
}
resource "huaweicloud_vpc" "by_map" {
  for_each = { b = 2, a = 1 }
}
resource "huaweicloud_vpc" "by_set" {
  for_each = toset(["x y", "q\"uote"])
}
resource "huaweicloud_vpc" "by_object" {
  for_each = { for i in range(2) : "k${i}" => { i = i } }
}
resource "huaweicloud_vpc" "by_empty_set" {
  for_each = toset([])
}
data "huaweicloud_vpcs" "all" {}
resource "huaweicloud_vpc" "single" {}
resource "huaweicloud_vpc" "str_count" {
  count = "2"
}
`)
	cfg := mustExpand(t, tpl, template.Input{VarsBody: "n = 11"})
	got := addrs(cfg)
	want := []string{
		`huaweicloud_vpc.by_map["a"]`, `huaweicloud_vpc.by_map["b"]`,
		`huaweicloud_vpc.by_object["k0"]`, `huaweicloud_vpc.by_object["k1"]`,
		`huaweicloud_vpc.by_set["q\"uote"]`, `huaweicloud_vpc.by_set["x y"]`,
	}
	for i := 0; i < 11; i++ {
		want = append(want, "huaweicloud_vpc.counted["+itoa(i)+"]")
	}
	want = append(want, "huaweicloud_vpc.single", "huaweicloud_vpc.str_count[0]", "huaweicloud_vpc.str_count[1]", "data.huaweicloud_vpcs.all")
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("addresses\n got %q\nwant %q", got, want)
	}
	i := cfg.Instance(`huaweicloud_vpc.by_set["q\"uote"]`)
	if i == nil || i.Key != `q"uote` || i.Mode != formation.ModeResource || i.Resource != "huaweicloud_vpc.by_set" {
		t.Fatalf("instance = %+v", i)
	}
	d := cfg.Instance("data.huaweicloud_vpcs.all")
	if d.Mode != formation.ModeData || d.Key != "" || d.ProviderName != "huaweicloud" || d.Resource != "data.huaweicloud_vpcs.all" {
		t.Fatalf("data instance = %+v", d)
	}
	if c := cfg.Instance("huaweicloud_vpc.counted[10]"); c.Key != "10" {
		t.Fatalf("count key = %q", c.Key)
	}
	v, _ := cfg.Evaluate(context.Background(), cfg.Instance(`huaweicloud_vpc.by_object["k1"]`), nil)
	if !v.RawEquals(cty.EmptyObjectVal) {
		t.Fatalf("empty body = %#v", v)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestExpand_CountAndForEachErrors(t *testing.T) {
	const inv = formation.CodeInvalidTemplate
	tests := []struct {
		name, src       string
		summary, detail string
		line, col       int
	}{
		{"unknown count", "resource \"a_b\" \"x\" {}\nresource \"a_b\" \"y\" {\n  count = length(a_b.x.list)\n}\n", "Invalid count argument", `depends on a_b.x.list, which is known only after apply`, 3, 11},
		{"unknown through a local", "resource \"a_b\" \"x\" {}\nlocals {\n  n = a_b.x.n\n}\nresource \"a_b\" \"y\" {\n  count = local.n\n}\n", "Invalid count argument", `local.n, which is known only after apply`, 6, 11},
		{"unknown for_each", "resource \"a_b\" \"x\" {}\nresource \"a_b\" \"y\" {\n  for_each = a_b.x.tags\n}\n", "Invalid for_each argument", `The "for_each" value depends on a_b.x.tags`, 3, 14},
		{"unknown set keys", "resource \"a_b\" \"x\" {}\nresource \"a_b\" \"y\" {\n  for_each = toset([a_b.x.id])\n}\n", "Invalid for_each argument", "a_b.x.id", 3, 14},
		{"count over limit", "resource \"a_b\" \"x\" {\n  count = 1025\n}\n", "Invalid count argument", "RFS allows at most 1024 instances", 2, 11},
		{"negative count", "resource \"a_b\" \"x\" {\n  count = -1\n}\n", "Invalid count argument", "negative numbers are not supported", 2, 11},
		{"fractional count", "resource \"a_b\" \"x\" {\n  count = 1.5\n}\n", "Invalid count argument", "whole number", 2, 11},
		{"null count", "resource \"a_b\" \"x\" {\n  count = null\n}\n", "Invalid count argument", "null", 2, 11},
		{"string count", "resource \"a_b\" \"x\" {\n  count = \"two\"\n}\n", "Invalid count argument", "unsuitable", 2, 11},
		{"huge count", "resource \"a_b\" \"x\" {\n  count = 1e300\n}\n", "Invalid count argument", "", 2, 11},
		{"for_each list", "resource \"a_b\" \"x\" {\n  for_each = [\"a\"]\n}\n", "Invalid for_each argument", "toset()", 2, 14},
		{"for_each set of numbers", "resource \"a_b\" \"x\" {\n  for_each = toset([1])\n}\n", "Invalid for_each argument", "set containing type number", 2, 14},
		{"for_each null", "resource \"a_b\" \"x\" {\n  for_each = null\n}\n", "Invalid for_each argument", "null", 2, 14},
		{"for_each over limit", "resource \"a_b\" \"x\" {\n  for_each = toset([for i in concat(range(1000), range(1000, 1025)) : tostring(i)])\n}\n", "Invalid for_each argument", "at most 1024", 2, 14},
		{"local error", "locals {\n  x = 1 + \"a\"\n}\n", "Invalid operand", "", 2, 11},
		{"import missing instance", "resource \"a_b\" \"x\" {\n  count = 1\n}\nimport {\n  to = a_b.x[3]\n  id = \"i\"\n}\n", "Import target does not exist", "no instance [3]", 5, 8},
		{"import unknown id", "resource \"a_b\" \"x\" {}\nimport {\n  to = a_b.x\n  id = \"\"\n}\n", "Invalid import id", "", 4, 8},
		{"duplicate import", "resource \"a_b\" \"x\" {}\nimport {\n  to = a_b.x\n  id = \"a\"\n}\nimport {\n  to = a_b.x\n  id = \"b\"\n}\n", "Duplicate import", "", 6, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl := mustParse(t, tt.src)
			_, err := tpl.Expand(t.Context(), template.Input{})
			wantDiag(t, err, inv, tt.summary, tt.detail, "main.tf", tt.line, tt.col)
		})
	}
}

func TestExpand_LiftedLimits(t *testing.T) {
	src := "resource \"a_b\" \"x\" {\n  count = 2000\n}\n"
	tpl, err := template.Parse(src, template.Options{Limits: &template.Limits{MaxCount: 5000}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := mustExpand(t, tpl, template.Input{})
	if n := len(cfg.Instances()); n != 2000 {
		t.Fatalf("%d instances", n)
	}
}

func TestExpand_ProvidersAndLifecycle(t *testing.T) {
	tpl := mustParse(t, `
terraform {
  required_providers {
    huaweicloud = {
      source  = "huaweicloud/huaweicloud"
      version = ">= 1.40.0"
    }
  }
}
provider "huaweicloud" {
  region = "cn-north-4"
}
provider "huaweicloud" {
  alias  = "west"
  region = "cn-west-1"
}
resource "huaweicloud_vpc" "a" {
  provider = huaweicloud.west
  count    = 2
  lifecycle {
    create_before_destroy = true
    prevent_destroy       = true
    ignore_changes        = [tags["Name"], description]
  }
}
resource "huaweicloud_vpc" "b" {
  count = 2
  lifecycle {
    ignore_changes       = all
    replace_triggered_by = [huaweicloud_vpc.a[count.index].name, huaweicloud_vpc.a]
  }
}
resource "other_thing" "c" {}
`)
	cfg := mustExpand(t, tpl, template.Input{})
	a := cfg.Instance("huaweicloud_vpc.a[1]")
	if a.ProviderName != "huaweicloud" || a.ProviderAlias != "west" || a.ProviderAddr() != "huaweicloud.west" {
		t.Errorf("provider = %q %q", a.ProviderName, a.ProviderAlias)
	}
	lc := a.Lifecycle
	wantPaths := []cty.Path{
		{cty.GetAttrStep{Name: "tags"}, cty.IndexStep{Key: cty.StringVal("Name")}},
		{cty.GetAttrStep{Name: "description"}},
	}
	if !lc.CreateBeforeDestroy || !lc.PreventDestroy || lc.IgnoreAllChanges || !reflect.DeepEqual(lc.IgnoreChanges, wantPaths) {
		t.Errorf("lifecycle = %+v", lc)
	}
	b := cfg.Instance("huaweicloud_vpc.b[1]").Lifecycle
	wantTriggers := []template.Trigger{
		{Addr: "huaweicloud_vpc.a[1]", Path: cty.Path{cty.GetAttrStep{Name: "name"}}},
		{Addr: "huaweicloud_vpc.a[0]", Path: cty.Path{}},
		{Addr: "huaweicloud_vpc.a[1]", Path: cty.Path{}},
	}
	if !b.IgnoreAllChanges || !reflect.DeepEqual(b.ReplaceTriggeredBy, wantTriggers) {
		t.Errorf("b lifecycle = %+v", b)
	}
	if deps := cfg.Instance("huaweicloud_vpc.b[0]").DependsOn; !reflect.DeepEqual(deps, []string{"huaweicloud_vpc.a[0]", "huaweicloud_vpc.a[1]"}) {
		t.Errorf("b[0] depends on %q", deps)
	}
	provs, diags := cfg.Providers(context.Background(), nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var got []string
	for _, p := range provs {
		got = append(got, p.Addr()+" "+p.Config.GoString())
	}
	want := []string{
		`huaweicloud cty.ObjectVal(map[string]cty.Value{"region":cty.StringVal("cn-north-4")})`,
		`huaweicloud.west cty.ObjectVal(map[string]cty.Value{"region":cty.StringVal("cn-west-1")})`,
		`other cty.EmptyObjectVal`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("providers\n got %q\nwant %q", got, want)
	}
	if rp := tpl.RequiredProviders(); len(rp) != 1 || rp[0] != (template.RequiredProvider{Name: "huaweicloud", Source: "huaweicloud/huaweicloud", Version: ">= 1.40.0"}) {
		t.Errorf("required providers = %+v", rp)
	}
}

func TestExpand_Imports(t *testing.T) {
	tpl := mustParse(t, `
variable "id" {
  default = "vpc-123"
}
resource "huaweicloud_vpc" "a" {
  for_each = toset(["x", "y"])
}
import {
  to = huaweicloud_vpc.a["y"]
  id = var.id
}
`)
	if !tpl.HasImports() {
		t.Fatal("HasImports = false")
	}
	if tpl.ReadsDataSources() {
		t.Error("ReadsDataSources = true for a template without data blocks")
	}
	cfg := mustExpand(t, tpl, template.Input{})
	if got := cfg.Instance(`huaweicloud_vpc.a["y"]`).ImportID; got != "vpc-123" {
		t.Errorf("ImportID = %q", got)
	}
	if got := cfg.Instance(`huaweicloud_vpc.a["x"]`).ImportID; got != "" {
		t.Errorf("x ImportID = %q", got)
	}
}

func TestExpand_DependsOn(t *testing.T) {
	tpl := mustParse(t, `
data "other_account" "me" {}
provider "huaweicloud" {
  project = data.other_account.me.project
}
resource "huaweicloud_vpc" "vpc" {
  count = 3
}
resource "huaweicloud_vpc" "keyed" {
  for_each = { a = 1, b = 2 }
}
locals {
  first = huaweicloud_vpc.vpc[0].id
  keyed_ids = [for k, v in huaweicloud_vpc.keyed : v.id]
}
resource "huaweicloud_subnet" "s" {
  count  = 3
  vpc_id = huaweicloud_vpc.vpc[count.index].id
  other  = local.first
}
resource "huaweicloud_subnet" "all" {
  ids = huaweicloud_vpc.vpc[*].id
}
resource "other_x" "y" {
  depends_on = [huaweicloud_vpc.keyed["b"], huaweicloud_subnet.all]
  ids        = local.keyed_ids
}
resource "other_x" "z" {
  for_each = huaweicloud_vpc.keyed
  v        = huaweicloud_vpc.keyed[each.key].id
}
`)
	cfg := mustExpand(t, tpl, template.Input{})
	tests := map[string][]string{
		"huaweicloud_subnet.s[0]": {"huaweicloud_vpc.vpc[0]", "data.other_account.me"},
		"huaweicloud_subnet.s[2]": {"huaweicloud_vpc.vpc[0]", "huaweicloud_vpc.vpc[2]", "data.other_account.me"},
		"huaweicloud_subnet.all":  {"huaweicloud_vpc.vpc[0]", "huaweicloud_vpc.vpc[1]", "huaweicloud_vpc.vpc[2]", "data.other_account.me"},
		"other_x.y":               {"huaweicloud_subnet.all", `huaweicloud_vpc.keyed["a"]`, `huaweicloud_vpc.keyed["b"]`},
		`other_x.z["a"]`:          {`huaweicloud_vpc.keyed["a"]`, `huaweicloud_vpc.keyed["b"]`},
		"huaweicloud_vpc.vpc[1]":  {"data.other_account.me"},
		"data.other_account.me":   nil,
	}
	for addr, want := range tests {
		if got := cfg.Instance(addr).DependsOn; !reflect.DeepEqual(got, want) {
			t.Errorf("%s depends on\n got %q\nwant %q", addr, got, want)
		}
	}
}

func TestExpand_DataSources(t *testing.T) {
	tpl := mustParse(t, `
variable "prefix" {
  default = "net"
}
data "huaweicloud_vpcs" "all" {
  name_regex = "^${var.prefix}"
}
data "huaweicloud_subnets" "each" {
  count  = length(data.huaweicloud_vpcs.all.ids)
  vpc_id = data.huaweicloud_vpcs.all.ids[count.index]
}
resource "huaweicloud_vpc" "created" {}
data "huaweicloud_vpc" "later" {
  id = huaweicloud_vpc.created.id
}
resource "huaweicloud_subnet" "s" {
  count  = length(data.huaweicloud_subnets.each)
  vpc_id = data.huaweicloud_subnets.each[count.index].vpc_id
  later  = data.huaweicloud_vpc.later.name
}
`)
	if !tpl.ReadsDataSources() {
		t.Fatal("ReadsDataSources = false")
	}
	var reads []string
	read := func(ctx context.Context, req template.DataRequest) (cty.Value, error) {
		reads = append(reads, req.Addr+" "+req.Config.GoString())
		switch req.Type {
		case "huaweicloud_vpcs":
			return cty.ObjectVal(map[string]cty.Value{"ids": cty.ListVal([]cty.Value{cty.StringVal("v1"), cty.StringVal("v2")})}), nil
		default:
			return cty.ObjectVal(map[string]cty.Value{"vpc_id": req.Config.GetAttr("vpc_id")}), nil
		}
	}
	cfg := mustExpand(t, tpl, template.Input{DataSource: read})
	want := []string{
		`data.huaweicloud_vpcs.all cty.ObjectVal(map[string]cty.Value{"name_regex":cty.StringVal("^net")})`,
		`data.huaweicloud_subnets.each[0] cty.ObjectVal(map[string]cty.Value{"vpc_id":cty.StringVal("v1")})`,
		`data.huaweicloud_subnets.each[1] cty.ObjectVal(map[string]cty.Value{"vpc_id":cty.StringVal("v2")})`,
	}
	if !reflect.DeepEqual(reads, want) {
		t.Fatalf("reads\n got %q\nwant %q", reads, want)
	}
	if n := len(cfg.Instances()); n != 7 {
		t.Fatalf("instances: %q", addrs(cfg))
	}
	if later := cfg.Instance("data.huaweicloud_vpc.later"); later.DataResult != cty.NilVal || later.Mode != formation.ModeData {
		t.Errorf("later = %+v, want an unread data source", later)
	}
	s1 := cfg.Instance("huaweicloud_subnet.s[1]")
	v, diags := cfg.Evaluate(context.Background(), s1, template.ValuesFunc(func(addr string) cty.Value {
		if addr == "data.huaweicloud_vpc.later" {
			return cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("read at apply")})
		}
		return cty.DynamicVal
	}))
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if want := cty.ObjectVal(map[string]cty.Value{"vpc_id": cty.StringVal("v2"), "later": cty.StringVal("read at apply")}); !v.RawEquals(want) {
		t.Errorf("s[1] = %#v", v)
	}

	// Without a DataSource nothing is read, and count over a data source
	// cannot be known.
	_, err := tpl.Expand(t.Context(), template.Input{})
	wantDiag(t, err, formation.CodeInvalidTemplate, "Invalid count argument", "data.huaweicloud_vpcs.all.ids", "main.tf", 9, 12)

	// A failing read is a diagnostic at the data block.
	_, err = tpl.Expand(t.Context(), template.Input{DataSource: func(context.Context, template.DataRequest) (cty.Value, error) {
		return cty.NilVal, errors.New("throttled")
	}})
	wantDiag(t, err, formation.CodeInvalidTemplate, "Failed to read data source", "throttled", "main.tf", 5, 1)
}

func TestExpand_Cancelled(t *testing.T) {
	tpl := mustParse(t, `data "a_b" "c" {}`)
	ctx, cancel := context.WithCancel(t.Context())
	_, err := tpl.Expand(ctx, template.Input{DataSource: func(context.Context, template.DataRequest) (cty.Value, error) {
		cancel()
		return cty.NilVal, context.Canceled
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	cancel()
	if _, err := tpl.Expand(ctx, template.Input{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

// Meta-arguments in JSON: provider, depends_on, lifecycle (references as
// strings), count as a template.
func TestExpand_JSONMetaArguments(t *testing.T) {
	tpl := mustParse(t, `{
  "variable": {"n": {"type": "number", "default": 2}, "tags": {"type": "map(string)", "default": {"a": "b"}}},
  "provider": {"huaweicloud": [{"alias": "west", "region": "cn-west-1"}]},
  "resource": {
    "huaweicloud_vpc": {
      "a": {"count": "${var.n}", "tags": "${var.tags}"},
      "b": {
        "count": 2,
        "provider": "huaweicloud.west",
        "depends_on": ["huaweicloud_vpc.a"],
        "lifecycle": {
          "create_before_destroy": true,
          "ignore_changes": ["tags"],
          "replace_triggered_by": ["huaweicloud_vpc.a[count.index].name", "${huaweicloud_vpc.a[0]}"]
        }
      }
    }
  }
}`)
	cfg := mustExpand(t, tpl, template.Input{})
	b := cfg.Instance("huaweicloud_vpc.b[1]")
	if b.ProviderAddr() != "huaweicloud.west" || !b.Lifecycle.CreateBeforeDestroy {
		t.Errorf("b = %+v", b)
	}
	if !reflect.DeepEqual(b.Lifecycle.IgnoreChanges, []cty.Path{{cty.GetAttrStep{Name: "tags"}}}) {
		t.Errorf("ignore_changes = %#v", b.Lifecycle.IgnoreChanges)
	}
	want := []template.Trigger{
		{Addr: "huaweicloud_vpc.a[1]", Path: cty.Path{cty.GetAttrStep{Name: "name"}}},
		{Addr: "huaweicloud_vpc.a[0]", Path: cty.Path{}},
	}
	if !reflect.DeepEqual(b.Lifecycle.ReplaceTriggeredBy, want) {
		t.Errorf("triggers = %+v", b.Lifecycle.ReplaceTriggeredBy)
	}
	if !reflect.DeepEqual(b.DependsOn, []string{"huaweicloud_vpc.a[0]", "huaweicloud_vpc.a[1]"}) {
		t.Errorf("depends on %q", b.DependsOn)
	}
	v := evalOne(t, cfg, "huaweicloud_vpc.a[0]", nil)
	if !v.GetAttr("tags").RawEquals(cty.MapVal(map[string]cty.Value{"a": cty.StringVal("b")})) {
		t.Errorf("a[0] = %#v", v)
	}
	vars := tpl.Variables()
	if vars[0].Name != "n" || vars[0].Type != "number" || vars[1].Type != "map(string)" || string(vars[1].Default) != `{"a":"b"}` {
		t.Errorf("variables = %+v", vars)
	}
}

// Dynamic blocks in JSON syntax, as Terraform reads them, generate the
// same blocks as in native syntax.
func TestEvaluate_JSONDynamicBlocks(t *testing.T) {
	const native = `
variable "ports" {
  default = [80, 443]
}
resource "a_b" "x" {
  name = "n"
  dynamic "rule" {
    for_each = var.ports
    iterator = p
    content {
      port = p.value
      name = "r-${p.key}"
    }
  }
}
`
	const json = `{
  "variable": { "ports": { "default": [80, 443] } },
  "resource": { "a_b": { "x": {
    "name": "n",
    "dynamic": { "rule": { "for_each": "${var.ports}", "iterator": "p", "content": { "port": "${p.value}", "name": "r-${p.key}" } } }
  } } }
}`
	var got [2]cty.Value
	for i, src := range []string{native, json} {
		cfg := mustExpand(t, mustParse(t, src), template.Input{})
		v, diags := cfg.Evaluate(context.Background(), cfg.Instance("a_b.x"), nil)
		if diags.HasErrors() {
			t.Fatalf("source %d: %s", i, diags.Error())
		}
		got[i] = v
	}
	if !got[0].RawEquals(got[1]) || got[1].GetAttr("rule").LengthInt() != 2 {
		t.Fatalf("native %#v\njson %#v", got[0], got[1])
	}
}
