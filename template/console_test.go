package template

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/zclconf/go-cty/cty"
)

func TestEvaluateExpression(t *testing.T) {
	t.Parallel()
	tpl, err := ParseFS(fstest.MapFS{"main.tf": {Data: []byte(`
variable "n" {
  type    = number
  default = 2
}
locals { names = [for i in range(var.n) : "net-${i}"] }
resource "huaweicloud_vpc" "v" {
  count = var.n
  name  = local.names[count.index]
}
`)}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := tpl.Expand(context.Background(), Input{})
	if err != nil {
		t.Fatal(err)
	}
	values := ValuesFunc(func(addr string) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("id-of-" + addr), "name": cty.StringVal(addr)})
	})
	for src, want := range map[string]cty.Value{
		`var.n * 10`:                       cty.NumberIntVal(20),
		`join(",", local.names)`:           cty.StringVal("net-0,net-1"),
		`huaweicloud_vpc.v[1].id`:          cty.StringVal("id-of-huaweicloud_vpc.v[1]"),
		`length(huaweicloud_vpc.v[*].id)`:  cty.NumberIntVal(2),
		`upper(huaweicloud_vpc.v[0].name)`: cty.StringVal("HUAWEICLOUD_VPC.V[0]"),
	} {
		got, diags := cfg.EvaluateExpression(context.Background(), src, values)
		if diags.HasErrors() || !got.RawEquals(want) {
			t.Errorf("%s = %#v (%v), want %#v", src, got, diags, want)
		}
	}
	for src, want := range map[string]string{
		`var.m`:           `Did you mean "var.n"?`,
		`local.nme`:       "Reference to undeclared local value",
		`file("x")`:       "file",
		`1 +`:             "Missing expression",
		`huaweicloud_x.y`: "Reference to undeclared resource",
	} {
		_, diags := cfg.EvaluateExpression(context.Background(), src, values)
		if !diags.HasErrors() || !strings.Contains(diags.Error(), want) {
			t.Errorf("%s: diagnostics %v, want one holding %q", src, diags, want)
		}
	}
}
