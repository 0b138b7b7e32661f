package template_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/formation-engine/formation/template"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// A reference to an instance that does not exist is an error only where it
// is read, as in Terraform: inside try, or in the branch of a conditional
// not taken, it is none.
func TestEvaluate_MissingInstanceOnlyWhereRead(t *testing.T) {
	tpl := mustParse(t, `
variable "pw" {
  default = ""
}
variable "idx" {
  type    = number
  default = null
}
resource "random_password" "p" {
  count = var.pw == "" ? 0 : 1
}
resource "a_keyed" "k" {
  for_each = {}
}
resource "a_b" "x" {
  password = var.pw != "" ? var.pw : try(random_password.p[0].result, null)
  guarded  = var.pw == "" ? "none" : random_password.p[0].result
  keyed    = try(a_keyed.k["a"].id, "no key")
  null_key = var.idx != null ? random_password.p[var.idx].id : "no index"
}
`)
	cfg := mustExpand(t, tpl, template.Input{})
	got := evalOne(t, cfg, "a_b.x", nil)
	want := obj("password", cty.NullVal(cty.String), "guarded", cty.StringVal("none"),
		"keyed", cty.StringVal("no key"), "null_key", cty.StringVal("no index"))
	if !got.RawEquals(want) {
		t.Fatalf("got %#v\nwant %#v", got, want)
	}
}

func TestEvaluate_MissingInstanceRead(t *testing.T) {
	tests := []struct{ name, src, detail string }{
		{"index past the end", "resource \"a_b\" \"x\" {\n  count = 2\n}\nresource \"a_b\" \"y\" {\n  v = a_b.x[5].id\n}\n", "does not identify an element"},
		{"own index past the end", "resource \"a_b\" \"x\" {\n  count = 2\n}\nresource \"a_b\" \"y\" {\n  count = 3\n  v = a_b.x[count.index].id\n}\n", "does not identify an element"},
		{"missing key", "resource \"a_b\" \"x\" {\n  for_each = { a = 1 }\n}\nresource \"a_b\" \"y\" {\n  for_each = { b = 1 }\n  v = a_b.x[each.key].id\n}\n", "does not identify an element"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mustExpand(t, mustParse(t, tt.src), template.Input{})
			var diags hcl.Diagnostics
			for _, inst := range cfg.Instances() {
				if inst.Type == "a_b" && inst.Name == "y" {
					_, d := cfg.Evaluate(context.Background(), inst, template.ValuesFunc(func(string) cty.Value { return cty.EmptyObjectVal }))
					diags = append(diags, d...)
				}
			}
			checkDiags(t, diags, "Invalid index", tt.detail, "main.tf", 0, 0)
		})
	}
}

func TestLookup(t *testing.T) {
	tpl := mustParse(t, `
variable "rules" {
  default = [{ ports = "22", db_type = "MySQL" }]
}
variable "m" {
  type    = map(string)
  default = { a = "x" }
}
resource "a_b" "x" {
  count   = 1
  db_type = lookup(var.rules[count.index], "db_type")
  ports   = lookup(var.rules[count.index], "ports", null)
  missing = lookup(var.rules[count.index], "protocol", null)
  in_map  = lookup(var.m, "b", "dflt")
}
`)
	cfg := mustExpand(t, tpl, template.Input{})
	got := evalOne(t, cfg, "a_b.x[0]", nil)
	want := obj("db_type", cty.StringVal("MySQL"), "ports", cty.StringVal("22"),
		"missing", cty.NullVal(cty.DynamicPseudoType), "in_map", cty.StringVal("dflt"))
	if !got.RawEquals(want) {
		t.Fatalf("got %#v\nwant %#v", got, want)
	}

	bad := mustExpand(t, mustParse(t, "variable \"m\" {\n  type = map(string)\n  default = {}\n}\nresource \"a_b\" \"x\" {\n  v = lookup(var.m, \"k\")\n}\n"), template.Input{})
	_, diags := bad.Evaluate(context.Background(), bad.Instance("a_b.x"), nil)
	checkDiags(t, diags, "Error in function call", "lookup failed to find key k", "main.tf", 6, 7)
}

func TestConditions(t *testing.T) {
	const src = `
variable "n" {
  default = 2
}
data "a_list" "l" {
  lifecycle {
    precondition {
      condition     = var.n > 0
      error_message = "n must be positive, not ${var.n}."
    }
    postcondition {
      condition     = self.size == var.n
      error_message = "The list has ${self.size} items."
    }
  }
}
resource "a_b" "x" {
  name = "x"
  lifecycle {
    precondition {
      condition     = a_other.o.ready
      error_message = "Not ready."
    }
  }
}
resource "a_other" "o" {}
output "o" {
  value = var.n
  precondition {
    condition     = var.n < 10
    error_message = "Too many."
  }
}
`
	tpl := mustParse(t, src)
	expand := func(n int64) *template.Config {
		return mustExpand(t, tpl, template.Input{Values: map[string]cty.Value{"n": cty.NumberIntVal(n)}})
	}
	cfg := expand(2)
	data := cfg.Instance("data.a_list.l")
	if _, diags := cfg.Evaluate(context.Background(), data, nil); diags.HasErrors() {
		t.Fatalf("precondition holds, got %s", diags.Error())
	}
	if diags := cfg.Postconditions(context.Background(), data, nil, obj("size", cty.NumberIntVal(2))); diags.HasErrors() {
		t.Fatalf("postcondition holds, got %s", diags.Error())
	}
	if diags := cfg.Postconditions(context.Background(), data, nil, obj("size", cty.UnknownVal(cty.Number))); diags.HasErrors() {
		t.Fatalf("an unknown postcondition waits, got %s", diags.Error())
	}
	diags := cfg.Postconditions(context.Background(), data, nil, obj("size", cty.NumberIntVal(3)))
	checkDiags(t, diags, "Resource postcondition failed", "The list has 3 items.", "main.tf", 12, 23)

	// The dependency on a_other.o comes from the precondition alone.
	x := cfg.Instance("a_b.x")
	if !strings.Contains(strings.Join(x.DependsOn, ","), "a_other.o") {
		t.Fatalf("a_b.x depends on %q, want a_other.o", x.DependsOn)
	}
	if _, diags := cfg.Evaluate(context.Background(), x, nil); diags.HasErrors() {
		t.Fatalf("an unknown precondition waits, got %s", diags.Error())
	}
	_, diags = cfg.Evaluate(context.Background(), x, template.ValuesFunc(func(string) cty.Value { return obj("ready", cty.False) }))
	checkDiags(t, diags, "Resource precondition failed", "Not ready.", "main.tf", 21, 23)
	_, diags = cfg.Evaluate(context.Background(), x, template.ValuesFunc(func(string) cty.Value { return obj("ready", cty.NullVal(cty.Bool)) }))
	checkDiags(t, diags, "Invalid condition result", "not null", "main.tf", 21, 23)

	cfg = expand(-1)
	_, diags = cfg.Evaluate(context.Background(), cfg.Instance("data.a_list.l"), nil)
	checkDiags(t, diags, "Resource precondition failed", "n must be positive, not -1.", "main.tf", 8, 23)

	if _, diags := expand(3).Outputs(context.Background(), nil); diags.HasErrors() {
		t.Fatalf("output precondition holds, got %s", diags.Error())
	}
	_, diags = expand(12).Outputs(context.Background(), nil)
	checkDiags(t, diags, "Module output value precondition failed", "Too many.", "main.tf", 30, 21)
}

func TestConditions_SelfOnlyInPostconditions(t *testing.T) {
	_, err := template.Parse("resource \"a_b\" \"x\" {\n  lifecycle {\n    precondition {\n      condition = self.id != \"\"\n      error_message = \"x\"\n    }\n  }\n}\n", template.Options{})
	wantDiag(t, err, "RF.10011030", `Invalid "self" reference`, "postcondition", "main.tf", 4, 19)
}

func TestChecks(t *testing.T) {
	tpl := mustParse(t, `
variable "n" {
  default = 2
}
resource "a_b" "x" {}
check "small" {
  assert {
    condition     = var.n < 2
    error_message = "n is ${var.n}."
  }
  assert {
    condition     = a_b.x.ready
    error_message = "Not ready."
  }
}
`)
	cfg := mustExpand(t, tpl, template.Input{})
	diags := cfg.Checks(context.Background(), nil, nil) // a_b.x unknown: its assertion waits
	if len(diags) != 1 || diags[0].Severity != hcl.DiagWarning || diags[0].Summary != "check.small: Check block assertion failed" || diags[0].Detail != "n is 2." {
		t.Fatalf("diags = %s", diagsText(diags))
	}
	diags = cfg.Checks(context.Background(), template.ValuesFunc(func(string) cty.Value { return obj("ready", cty.False) }), nil)
	if len(diags) != 2 || diags.HasErrors() {
		t.Fatalf("diags = %s", diagsText(diags))
	}

	for _, tt := range []struct{ name, src, summary string }{
		{"no assert", "check \"c\" {}\n", "Zero assert blocks"},
		{"constant", "check \"c\" {\n  assert {\n    condition = true\n    error_message = \"x\"\n  }\n}\n", "Invalid assert expression"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := template.Parse(tt.src, template.Options{})
			wantDiag(t, err, "RF.10011030", tt.summary, "", "main.tf", 0, 0)
		})
	}
}

// The check blocks of called modules are evaluated in every instance of
// the module, their findings named by the check's address.
func TestChecksInModules(t *testing.T) {
	tpl, err := template.ParseFS(fstest.MapFS{
		"main.tf": {Data: []byte(`
module "m" {
  source = "./m"
  count  = 2
  n      = count.index
}
`)},
		"m/main.tf": {Data: []byte(`
variable "n" {}
check "positive" {
  assert {
    condition     = var.n > 0
    error_message = "n is ${var.n}."
  }
}
`)},
	}, template.Options{})
	if err != nil {
		t.Fatal(err)
	}
	diags := mustExpand(t, tpl, template.Input{}).Checks(context.Background(), nil, nil)
	if len(diags) != 1 || diags[0].Severity != hcl.DiagWarning || diags[0].Summary != "module.m[0].check.positive: Check block assertion failed" || diags[0].Detail != "n is 0." {
		t.Fatalf("diags = %s", diagsText(diags))
	}
}

// A check's own data sources are read with the check, through the
// caller's read; a failed read is a warning and leaves the assertions
// that read it unknown, and nothing outside the check may refer to them.
func TestChecksScopedData(t *testing.T) {
	src := `
variable "n" {
  default = 2
}
check "c" {
  data "x_y" "d" {
    q = var.n
  }
  assert {
    condition     = data.x_y.d.ok
    error_message = "Not ok: ${data.x_y.d.q}."
  }
}
`
	cfg := mustExpand(t, mustParse(t, src), template.Input{})
	var got template.DataRequest
	read := func(ok cty.Value, err error) func(context.Context, template.DataRequest) (cty.Value, error) {
		return func(_ context.Context, req template.DataRequest) (cty.Value, error) {
			got = req
			return cty.ObjectVal(map[string]cty.Value{"q": req.Config.GetAttr("q"), "ok": ok}), err
		}
	}
	diags := cfg.Checks(context.Background(), nil, read(cty.False, nil))
	if len(diags) != 1 || diags[0].Severity != hcl.DiagWarning || diags[0].Summary != "check.c: Check block assertion failed" || diags[0].Detail != "Not ok: 2." {
		t.Fatalf("diags = %s", diagsText(diags))
	}
	if got.Addr != "data.x_y.d" || got.ProviderName != "x" || !got.Config.GetAttr("q").RawEquals(cty.NumberIntVal(2)) {
		t.Errorf("read %+v", got)
	}
	if diags := cfg.Checks(context.Background(), nil, read(cty.True, nil)); len(diags) != 0 {
		t.Errorf("a passing check: %s", diagsText(diags))
	}
	diags = cfg.Checks(context.Background(), nil, read(cty.False, errors.New("no such thing")))
	if len(diags) != 1 || diags[0].Severity != hcl.DiagWarning || diags[0].Summary != "check.c: Failed to read data source" || !strings.Contains(diags[0].Detail, "no such thing") {
		t.Fatalf("a failed read: %s", diagsText(diags))
	}
	if diags := cfg.Checks(context.Background(), nil, nil); len(diags) != 0 {
		t.Errorf("without read: %s", diagsText(diags))
	}
	_, err := template.Parse(src+"output \"o\" { value = data.x_y.d.q }\n", template.Options{})
	wantDiag(t, err, "RF.10011030", "Reference to undeclared data source", "", "main.tf", 0, 0)
}
