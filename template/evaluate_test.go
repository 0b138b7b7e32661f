package template_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/formation-engine/formation/template"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

func evalOne(t *testing.T, cfg *template.Config, addr string, values template.Values) cty.Value {
	t.Helper()
	inst := cfg.Instance(addr)
	if inst == nil {
		t.Fatalf("no instance %s", addr)
	}
	v, diags := cfg.Evaluate(context.Background(), inst, values)
	if diags.HasErrors() {
		t.Fatalf("Evaluate %s: %s", addr, diags.Error())
	}
	return v
}

func obj(kv ...any) cty.Value {
	m := map[string]cty.Value{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1].(cty.Value)
	}
	return cty.ObjectVal(m)
}

func TestEvaluate_References(t *testing.T) {
	tpl := mustParse(t, `
variable "env" {
  default = "dev"
}
locals {
  prefix   = "${var.env}-net"
  vpc_ids  = huaweicloud_vpc.vpc[*].id
  first_id = local.vpc_ids[0]
}
resource "huaweicloud_vpc" "vpc" {
  count = 2
  name  = "${local.prefix}-${count.index}"
  cidr  = "10.${count.index}.0.0/16"
}
resource "huaweicloud_vpc" "named" {
  for_each = { a = "10.8.0.0/16", b = "10.9.0.0/16" }
  cidr     = each.value
}
resource "huaweicloud_subnet" "s" {
  count       = 2
  vpc_id      = huaweicloud_vpc.vpc[count.index].id
  description = "in ${huaweicloud_vpc.vpc[count.index].name}"
  all_ids     = join(",", huaweicloud_vpc.vpc[*].id)
  first       = local.first_id
  named_cidrs = { for k, v in huaweicloud_vpc.named : k => v.cidr }
  b_cidr      = huaweicloud_vpc.named["b"].cidr
  gateway     = cidrhost(huaweicloud_vpc.vpc[count.index].cidr, 1)
  module      = path.module
  workspace   = terraform.workspace
}
`)
	cfg := mustExpand(t, tpl, template.Input{})
	// Nothing known: references to instances are unknown.
	v := evalOne(t, cfg, "huaweicloud_subnet.s[1]", nil)
	if v.GetAttr("vpc_id").IsKnown() || v.GetAttr("gateway").IsKnown() || v.GetAttr("first").IsKnown() {
		t.Errorf("with nothing known: %#v", v)
	}
	if got := v.GetAttr("module"); !got.RawEquals(cty.StringVal(".")) {
		t.Errorf("path.module = %#v", got)
	}
	if got := v.GetAttr("workspace"); !got.RawEquals(cty.StringVal("default")) {
		t.Errorf("terraform.workspace = %#v", got)
	}

	// Planned values: configuration plus unknown ids.
	k := newKnown()
	for _, addr := range []string{"huaweicloud_vpc.vpc[0]", "huaweicloud_vpc.vpc[1]", `huaweicloud_vpc.named["a"]`, `huaweicloud_vpc.named["b"]`} {
		k.set(cfg.Instance(addr), withUnknownID(evalOne(t, cfg, addr, k)))
	}
	v = evalOne(t, cfg, "huaweicloud_subnet.s[1]", k)
	if got := v.GetAttr("description"); !got.RawEquals(cty.StringVal("in dev-net-1")) {
		t.Errorf("description = %#v", got)
	}
	if got := v.GetAttr("gateway"); !got.RawEquals(cty.StringVal("10.1.0.1")) {
		t.Errorf("gateway = %#v", got)
	}
	if got := v.GetAttr("named_cidrs"); !got.RawEquals(obj("a", cty.StringVal("10.8.0.0/16"), "b", cty.StringVal("10.9.0.0/16"))) {
		t.Errorf("named_cidrs = %#v", got)
	}
	if got := v.GetAttr("b_cidr"); !got.RawEquals(cty.StringVal("10.9.0.0/16")) {
		t.Errorf("b_cidr = %#v", got)
	}
	if v.GetAttr("all_ids").IsKnown() || v.GetAttr("vpc_id").IsKnown() {
		t.Errorf("ids must stay unknown: %#v", v)
	}

	// Applied values: everything known, lazily evaluated locals follow.
	k = newKnown()
	for i, addr := range []string{"huaweicloud_vpc.vpc[0]", "huaweicloud_vpc.vpc[1]", `huaweicloud_vpc.named["a"]`, `huaweicloud_vpc.named["b"]`} {
		m := evalOne(t, cfg, addr, k).AsValueMap()
		m["id"] = cty.StringVal("id-" + itoa(i))
		k.set(cfg.Instance(addr), cty.ObjectVal(m))
	}
	v = evalOne(t, cfg, "huaweicloud_subnet.s[0]", k)
	want := map[string]cty.Value{
		"vpc_id":  cty.StringVal("id-0"),
		"all_ids": cty.StringVal("id-0,id-1"),
		"first":   cty.StringVal("id-0"),
	}
	for name, w := range want {
		if got := v.GetAttr(name); !got.RawEquals(w) {
			t.Errorf("%s = %#v, want %#v", name, got, w)
		}
	}
}

// A planned object (not wholly known) lacking an attribute reads as
// unknown; a final (wholly known) one is an error.
func TestEvaluate_MissingAttributes(t *testing.T) {
	tpl := mustParse(t, `
resource "sim_thing" "a" {
  name = "a"
}
resource "sim_thing" "b" {
  ref = sim_thing.a.computed_arn
}
`)
	cfg := mustExpand(t, tpl, template.Input{})
	planned := template.ValuesFunc(func(string) cty.Value {
		return obj("name", cty.StringVal("a"), "id", cty.UnknownVal(cty.String))
	})
	if v := evalOne(t, cfg, "sim_thing.b", planned); v.GetAttr("ref").IsKnown() {
		t.Errorf("ref = %#v, want unknown", v)
	}
	applied := template.ValuesFunc(func(string) cty.Value {
		return obj("name", cty.StringVal("a"), "id", cty.StringVal("i-1"))
	})
	_, diags := cfg.Evaluate(context.Background(), cfg.Instance("sim_thing.b"), applied)
	checkDiags(t, diags, "Unsupported attribute", `"computed_arn"`, "main.tf", 6, 20)
	var b strings.Builder
	cfg.WriteDiagnostics(&b, diags)
	if !strings.Contains(b.String(), "6:   ref = sim_thing.a.computed_arn") {
		t.Errorf("rendering:\n%s", b.String())
	}
}

func TestEvaluate_NestedAndDynamicBlocks(t *testing.T) {
	const hcl = `
variable "rules" {
  default = { ssh = 22, https = 443 }
}
resource "sim_group" "g" {
  name = "g"
  rule {
    port = 80
  }
  dynamic "rule" {
    for_each = var.rules
    iterator = r
    content {
      port = r.value
      name = r.key
    }
  }
  timeouts {
    create = "5m"
  }
}
`
	cfg := mustExpand(t, mustParse(t, hcl), template.Input{})
	v := evalOne(t, cfg, "sim_group.g", nil)
	want := obj(
		"name", cty.StringVal("g"),
		"rule", cty.TupleVal([]cty.Value{
			obj("port", cty.NumberIntVal(80)),
			obj("port", cty.NumberIntVal(443), "name", cty.StringVal("https")),
			obj("port", cty.NumberIntVal(22), "name", cty.StringVal("ssh")),
		}),
		"timeouts", cty.TupleVal([]cty.Value{obj("create", cty.StringVal("5m"))}),
	)
	if !v.RawEquals(want) {
		t.Errorf("got  %#v\nwant %#v", v, want)
	}

	// The JSON form writes nested blocks as arrays of objects.
	const js = `{"resource": {"sim_group": {"g": {
  "name": "g",
  "rule": [{"port": 80}, {"port": 443, "name": "https"}, {"port": 22, "name": "ssh"}],
  "timeouts": [{"create": "5m"}]
}}}}`
	cfg = mustExpand(t, mustParse(t, js), template.Input{})
	if got := evalOne(t, cfg, "sim_group.g", nil); !got.RawEquals(want) {
		t.Errorf("JSON got %#v", got)
	}
}

func TestEvaluate_UnknownDynamicForEach(t *testing.T) {
	cfg := mustExpand(t, mustParse(t, `
resource "sim_a" "a" {}
resource "sim_b" "b" {
  dynamic "x" {
    for_each = sim_a.a.list
    content {
      v = x.value
    }
  }
}
`), template.Input{})
	v := evalOne(t, cfg, "sim_b.b", nil)
	if v.GetAttr("x").IsKnown() {
		t.Errorf("x = %#v, want unknown", v.GetAttr("x"))
	}
}

func TestEvaluate_ForeignInstance(t *testing.T) {
	tpl := mustParse(t, `resource "a_b" "c" {}`)
	c1, c2 := mustExpand(t, tpl, template.Input{}), mustExpand(t, tpl, template.Input{})
	_, diags := c1.Evaluate(context.Background(), c2.Instance("a_b.c"), nil)
	checkDiags(t, diags, "Unknown instance", "", "", 0, 0)
	_, diags = c1.Evaluate(context.Background(), nil, nil)
	checkDiags(t, diags, "Unknown instance", "", "", 0, 0)
}

func TestEvaluate_Outputs(t *testing.T) {
	cfg := mustExpand(t, mustParse(t, `
resource "a_b" "x" {
  count = 2
  name  = "x${count.index}"
}
output "names" {
  value       = a_b.x[*].name
  description = "all names"
}
output "token" {
  value     = "secret"
  sensitive = true
}
output "ids" {
  value = a_b.x[*].id
}
output "count" {
  value      = length(a_b.x)
  depends_on = [a_b.x]
}
`), template.Input{})
	_, k := evalAll(t, cfg)
	outs, diags := cfg.Outputs(context.Background(), k)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var got []string
	for _, o := range outs {
		got = append(got, o.Name+"|"+o.Description+"|"+o.Type+"|"+o.Value.GoString()+"|"+map[bool]string{true: "sensitive"}[o.Sensitive])
	}
	want := []string{
		"count||number|cty.NumberIntVal(2)|",
		"ids||tuple([string,string])|cty.TupleVal([]cty.Value{cty.UnknownVal(cty.String), cty.UnknownVal(cty.String)})|",
		`names|all names|tuple([string,string])|cty.TupleVal([]cty.Value{cty.StringVal("x0"), cty.StringVal("x1")})|`,
		`token||string|cty.StringVal("secret")|sensitive`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("outputs\n got %q\nwant %q", got, want)
	}
}

// countingValues counts Value calls and reports a version per block.
type countingValues struct {
	calls   atomic.Int64
	version atomic.Uint64
}

func (c *countingValues) Value(string) cty.Value {
	c.calls.Add(1)
	return obj("id", cty.UnknownVal(cty.String))
}

func (c *countingValues) Version(string) uint64 { return c.version.Load() }

// A whole-block reference is built once per version with VersionedValues,
// and a keyed reference fetches only the instance it names.
func TestEvaluate_CollectionCache(t *testing.T) {
	tpl, err := template.Parse(`
resource "a_b" "x" {
  count = 100
}
resource "a_b" "whole" {
  count = 100
  ids   = a_b.x[*].id
}
resource "a_b" "keyed" {
  count = 100
  id    = a_b.x[count.index].id
}
`, template.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := mustExpand(t, tpl, template.Input{})
	vals := &countingValues{}
	for i := 0; i < 100; i++ {
		evalOne(t, cfg, "a_b.whole["+itoa(i)+"]", vals)
	}
	if n := vals.calls.Load(); n != 100 {
		t.Errorf("whole references with an unchanged version: %d Value calls, want 100", n)
	}
	vals.version.Add(1)
	evalOne(t, cfg, "a_b.whole[0]", vals)
	if n := vals.calls.Load(); n != 200 {
		t.Errorf("after a version change: %d Value calls, want 200", n)
	}
	vals.calls.Store(0)
	for i := 0; i < 100; i++ {
		evalOne(t, cfg, "a_b.keyed["+itoa(i)+"]", vals)
	}
	if n := vals.calls.Load(); n != 100 {
		t.Errorf("keyed references: %d Value calls, want 100", n)
	}
	// Without versions every whole reference rebuilds the collection.
	plain := template.ValuesFunc(vals.Value)
	vals.calls.Store(0)
	evalOne(t, cfg, "a_b.whole[0]", plain)
	evalOne(t, cfg, "a_b.whole[1]", plain)
	if n := vals.calls.Load(); n != 200 {
		t.Errorf("unversioned: %d Value calls, want 200", n)
	}
}

func TestEvaluate_Concurrent(t *testing.T) {
	tpl := mustParse(t, `
resource "a_b" "x" {
  count = 50
}
locals {
  ids = a_b.x[*].id
}
resource "a_b" "y" {
  count = 50
  ids   = local.ids
  id    = a_b.x[count.index].id
  all   = length(a_b.x)
}
output "o" {
  value = local.ids
}
`)
	cfg := mustExpand(t, tpl, template.Input{})
	vals := &countingValues{}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, inst := range cfg.Instances() {
				if _, diags := cfg.Evaluate(context.Background(), inst, vals); diags.HasErrors() {
					t.Error(diags)
				}
				vals.version.Add(1)
			}
			if _, diags := cfg.Outputs(context.Background(), vals); diags.HasErrors() {
				t.Error(diags)
			}
			cfg.Graph().TopologicalOrder()
		}()
	}
	wg.Wait()
}

// Evaluate recycles evaluation contexts: concurrent evaluations must not
// see each other's variables, and a context a diagnostic refers to must
// keep its variables.
func TestEvaluate_ContextReuse(t *testing.T) {
	tpl := mustParse(t, `
resource "a_b" "x" {
  count = 20
  name  = "x-${count.index}"
}
resource "a_b" "y" {
  count = 20
  name  = "y-${count.index}"
  x     = a_b.x[count.index].id
}
resource "a_b" "bad" {
  count = 2
  arn   = a_b.x[count.index].arn
}
`)
	cfg := mustExpand(t, tpl, template.Input{})
	values := template.ValuesFunc(func(addr string) cty.Value { return obj("id", cty.StringVal("id of "+addr)) })
	want := map[string]cty.Value{}
	var good []*template.Instance
	for _, inst := range cfg.Instances() {
		if inst.Name != "bad" {
			want[inst.Addr] = evalOne(t, cfg, inst.Addr, values)
			good = append(good, inst)
		}
	}
	_, diags := cfg.Evaluate(context.Background(), cfg.Instance("a_b.bad[1]"), values)
	if len(diags) != 1 || diags[0].EvalContext == nil {
		t.Fatalf("diagnostics = %s, want one with its evaluation context", diags)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range good {
				inst := good[(i*7+g)%len(good)]
				if v, diags := cfg.Evaluate(context.Background(), inst, values); diags.HasErrors() || !v.RawEquals(want[inst.Addr]) {
					t.Errorf("%s = %#v (%s), want %#v", inst.Addr, v, diags, want[inst.Addr])
				}
			}
		})
	}
	wg.Wait()
	ectx := diags[0].EvalContext
	for ref, want := range map[string]cty.Value{"count.index": cty.NumberIntVal(1), "a_b.x[1].id": cty.StringVal("id of a_b.x[1]")} {
		trav, d := hclsyntax.ParseTraversalAbs([]byte(ref), "", hcl.InitialPos)
		if d.HasErrors() {
			t.Fatal(d)
		}
		if got, d := trav.TraverseAbs(ectx); d.HasErrors() || !got.RawEquals(want) {
			t.Errorf("the diagnostic's %s is now %#v (%s), want %#v", ref, got, d, want)
		}
	}
}
