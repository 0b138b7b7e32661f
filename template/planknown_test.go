package template_test

import (
	"testing"

	"github.com/formation-engine/formation/template"
	"github.com/zclconf/go-cty/cty"
)

// count and for_each from resource arguments the configuration sets are
// known at plan, as in Terraform; computed attributes are not.
func TestExpand_CountFromPlanKnownArguments(t *testing.T) {
	tpl := mustParse(t, `
resource "terraform_data" "a" {
  input = ["x", "y", "z"]
}
resource "terraform_data" "b" {
  input = terraform_data.a.input
}
locals {
  names = terraform_data.b.input
}
resource "a_b" "by_count" {
  count = length(local.names)
  name  = local.names[count.index]
}
resource "a_b" "by_each" {
  for_each = toset(terraform_data.a.input)
  name     = each.key
}
resource "a_b" "engine" {
  engine_version = "4.8.0"
}
data "a_d" "d" {
  count = terraform_data.a.input[0] == "x" && a_b.engine.engine_version == "4.8.0" ? 1 : 0
}
`)
	cfg := mustExpand(t, tpl, template.Input{})
	for _, addr := range []string{"a_b.by_count[2]", `a_b.by_each["z"]`, "data.a_d.d[0]"} {
		if cfg.Instance(addr) == nil {
			t.Errorf("no instance %s", addr)
		}
	}
	if cfg.Instance("a_b.by_count[3]") != nil {
		t.Error("a_b.by_count has a fourth instance")
	}

	// A computed attribute stays unknown.
	_, err := mustParse(t, "resource \"a_b\" \"x\" {\n  name = \"n\"\n}\nresource \"a_b\" \"y\" {\n  count = length(a_b.x.id)\n}\n").Expand(t.Context(), template.Input{})
	wantDiag(t, err, "RF.10011030", "Invalid count argument", "a_b.x.id", "main.tf", 5, 11)
}

// each.value that Expand knew only in part is evaluated again with the
// values known when the instance is evaluated (the applied ones at apply).
func TestEvaluate_EachValueReevaluated(t *testing.T) {
	tpl := mustParse(t, `
resource "terraform_data" "a" {
  for_each = toset(["p", "q"])
  input    = each.key
}
resource "a_b" "x" {
  for_each = terraform_data.a
  got      = each.value.output
}
`)
	cfg := mustExpand(t, tpl, template.Input{})
	applied := template.ValuesFunc(func(addr string) cty.Value {
		switch addr {
		case `terraform_data.a["p"]`:
			return obj("input", cty.StringVal("p"), "output", cty.StringVal("p"), "id", cty.StringVal("id-p"))
		case `terraform_data.a["q"]`:
			return obj("input", cty.StringVal("q"), "output", cty.StringVal("q"), "id", cty.StringVal("id-q"))
		}
		return cty.NilVal
	})
	got := evalOne(t, cfg, `a_b.x["q"]`, applied)
	if want := obj("got", cty.StringVal("q")); !got.RawEquals(want) {
		t.Fatalf("got %#v, want %#v", got, want)
	}
	if got := evalOne(t, cfg, `a_b.x["q"]`, nil); got.GetAttr("got").IsKnown() {
		t.Fatalf("without values each.value.output = %#v, want unknown", got)
	}
}
