package template_test

import (
	"context"
	"testing"
	"time"

	"github.com/formation-engine/formation/template"
	"github.com/zclconf/go-cty/cty"
)

// Evaluate returns a configuration marked where its expressions are
// sensitive (a variable, sensitive(), a dynamic block over a sensitive
// collection), and nowhere else; SensitivePaths and MarkSensitive take the
// marks off and put them back.
func TestEvaluateMarksSensitiveParts(t *testing.T) {
	t.Parallel()
	cfg := mustExpand(t, mustParse(t, `
variable "secret" {
  default   = "hunter2"
  sensitive = true
}
resource "huaweicloud_x" "a" {
  name  = "a"
  pass  = var.secret
  tags  = { plain = "p", hidden = sensitive("h") }
  count = length(var.secret) > 0 ? 1 : 0
  dynamic "rule" {
    for_each = sensitive(["r"])
    content {
      port = rule.value
    }
  }
}
`), template.Input{})
	got, _ := evalAll(t, cfg)
	v := got["huaweicloud_x.a[0]"]
	plain, paths := template.SensitivePaths(v)
	if plain.ContainsMarked() {
		t.Fatalf("SensitivePaths left marks: %#v", plain)
	}
	want := []cty.Path{
		cty.GetAttrPath("pass"),
		cty.GetAttrPath("rule").IndexInt(0),
		cty.GetAttrPath("tags").GetAttr("hidden"),
	}
	if len(paths) != len(want) {
		t.Fatalf("sensitive paths %#v, want %#v", paths, want)
	}
	for _, w := range want {
		found := false
		for _, p := range paths {
			found = found || p.Equals(w)
		}
		if !found {
			t.Errorf("sensitive paths %#v lack %#v", paths, w)
		}
	}
	if s := plain.GetAttr("pass").AsString(); s != "hunter2" {
		t.Errorf("pass = %q", s)
	}
	back := template.MarkSensitive(plain, append(paths, cty.GetAttrPath("absent")))
	if !back.RawEquals(v) {
		t.Errorf("MarkSensitive(SensitivePaths(v)) = %#v, want %#v", back, v)
	}
	if p, none := template.SensitivePaths(plain); none != nil || !p.RawEquals(plain) {
		t.Errorf("SensitivePaths of an unmarked value: %#v, %#v", p, none)
	}
}

// An instance that reads a sensitive attribute of another (marked by the
// caller's Values, as the planner marks them) is sensitive there too.
func TestEvaluateReadsMarkedValues(t *testing.T) {
	t.Parallel()
	cfg := mustExpand(t, mustParse(t, `
resource "huaweicloud_x" "a" {
  name = "a"
}
resource "huaweicloud_x" "b" {
  name = "b-${huaweicloud_x.a.pass}"
  id   = huaweicloud_x.a.id
}
`), template.Input{})
	a := cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("a"), "id": cty.StringVal("i"), "pass": cty.StringVal("p")})
	values := template.ValuesFunc(func(addr string) cty.Value {
		return template.MarkSensitive(a, []cty.Path{cty.GetAttrPath("pass")})
	})
	v, diags := cfg.Evaluate(context.Background(), cfg.Instance("huaweicloud_x.b"), values)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if !v.GetAttr("name").HasMark(template.Sensitive) || v.GetAttr("id").IsMarked() {
		t.Errorf("b = %#v: want name sensitive, id not", v)
	}
}

// plantimestamp is one value for a whole Config, read once from the clock
// at Expand (timestamp reads it at each call), or the plan's time given
// in Input.PlanTimestamp, so that the apply of a plan sees what its plan
// saw.
func TestPlanTimestampFixedPerConfig(t *testing.T) {
	t.Parallel()
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tick := func() time.Time { clock = clock.Add(time.Minute); return clock }
	tpl, err := template.Parse(`
resource "huaweicloud_x" "a" {
  at   = plantimestamp()
  also = templatestring(local.t, {})
  now  = timestamp()
}
locals {
  t = "$${core::plantimestamp()}"
}
output "at" { value = plantimestamp() }
`, template.Options{Now: tick})
	if err != nil {
		t.Fatal(err)
	}
	cfg := mustExpand(t, tpl, template.Input{})
	a := cfg.Instance("huaweicloud_x.a")
	first, _ := cfg.Evaluate(context.Background(), a, nil)
	second, _ := cfg.Evaluate(context.Background(), a, nil)
	outs, diags := cfg.Outputs(context.Background(), nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	at := first.GetAttr("at")
	if at.AsString() != "2026-01-02T03:05:05Z" || !second.GetAttr("at").RawEquals(at) ||
		!first.GetAttr("also").RawEquals(at) || !outs[0].Value.RawEquals(at) {
		t.Errorf("plantimestamp: %#v, then %#v, templatestring %#v, output %#v: want one time, Expand's",
			at, second.GetAttr("at"), first.GetAttr("also"), outs[0].Value)
	}
	if first.GetAttr("now").RawEquals(second.GetAttr("now")) {
		t.Errorf("timestamp() gave %#v twice: it reads the clock at each call", first.GetAttr("now"))
	}

	planned := time.Date(2025, 6, 7, 8, 9, 10, 0, time.UTC)
	cfg = mustExpand(t, tpl, template.Input{PlanTimestamp: planned})
	v, _ := cfg.Evaluate(context.Background(), cfg.Instance("huaweicloud_x.a"), nil)
	if got := v.GetAttr("at").AsString(); got != "2025-06-07T08:09:10Z" {
		t.Errorf("plantimestamp with Input.PlanTimestamp: %s", got)
	}
}

// A provider is configured with plain values: a password from a
// sensitive variable reaches it unmarked.
func TestProvidersUnmarked(t *testing.T) {
	t.Parallel()
	cfg := mustExpand(t, mustParse(t, `
variable "password" {
  default   = "p"
  sensitive = true
}
provider "huaweicloud" {
  password = var.password
  extra    = { key = sensitive("k") }
}
resource "huaweicloud_vpc" "a" {}
`), template.Input{})
	provs, diags := cfg.Providers(context.Background(), nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if len(provs) != 1 || provs[0].Config.ContainsMarked() || provs[0].Config.GetAttr("password").AsString() != "p" {
		t.Errorf("providers %#v", provs)
	}
}
