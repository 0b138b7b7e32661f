package template_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/template"
	"github.com/zclconf/go-cty/cty"
)

// The examples of the RFS API text (seeds), in HCL and in JSON.
const seedHCL = `
variable "vpc_name" {
  type        = string
  description = "name of the VPCs"
  default     = "test_vpc"
  sensitive   = false
  nullable    = false
  validation {
    condition     = length(var.vpc_name) > 0
    error_message = "The name must not be empty."
  }
}

resource "huaweicloud_vpc" "my_hello_world_vpc" {
  count = 2
  name  = "test_vpc"
}

resource "huaweicloud_vpc" "for_each_vpc" {
  for_each = {
    "vpc1" = "test_vpc"
    "vpc2" = "test_vpc"
  }
  name = each.value
}

resource "huaweicloud_vpc" "single" {
  name = var.vpc_name
}

output "vpc_id" {
  value = huaweicloud_vpc.single.id
}

output "names" {
  value       = [for v in huaweicloud_vpc.for_each_vpc : v.name]
  description = "the for_each names"
}
`

// The JSON text of the seed misses a comma after the for_each object; this
// is the valid form.
const seedJSON = `{
  "variable": {
    "vpc_name": [{
      "type": "string",
      "description": "name of the VPCs",
      "default": "test_vpc",
      "sensitive": false,
      "nullable": false,
      "validation": [{
        "condition": "${length(var.vpc_name) > 0}",
        "error_message": "The name must not be empty."
      }]
    }]
  },
  "resource": {
    "huaweicloud_vpc": {
      "my_hello_world_vpc": {
        "name": "test_vpc",
        "count": 2
      },
      "for_each_vpc": {
        "for_each": {
          "vpc1": "test_vpc",
          "vpc2": "test_vpc"
        },
        "name": "${each.value}"
      },
      "single": {
        "name": "${var.vpc_name}"
      }
    }
  },
  "output": {
    "vpc_id": [{"value": "${huaweicloud_vpc.single.id}"}],
    "names": [{
      "value": "${[for v in huaweicloud_vpc.for_each_vpc : v.name]}",
      "description": "the for_each names"
    }]
  }
}`

type instanceView struct {
	Addr, Resource, Type, Name, Key, Provider string
	Mode                                      formation.Mode
	DependsOn                                 []string
}

func viewInstances(cfg *template.Config) []instanceView {
	var out []instanceView
	for _, i := range cfg.Instances() {
		out = append(out, instanceView{i.Addr, i.Resource, i.Type, i.Name, i.Key, i.ProviderAddr(), i.Mode, i.DependsOn})
	}
	return out
}

func TestSeeds_HCLAndJSONAgree(t *testing.T) {
	hcl, js := mustParse(t, seedHCL), mustParse(t, seedJSON)

	vh, vj := hcl.Variables(), js.Variables()
	for i := range vh {
		vh[i].DeclRange, vj[i].DeclRange = vj[i].DeclRange, vh[i].DeclRange
	}
	bh, _ := json.Marshal(vh)
	bj, _ := json.Marshal(vj)
	if string(bh) != string(bj) {
		t.Errorf("Variables differ:\nHCL  %s\nJSON %s", bh, bj)
	}
	want := `[{"name":"vpc_name","type":"string","description":"name of the VPCs","default":"test_vpc","sensitive":false,"nullable":false,"validations":[{"condition":"length(var.vpc_name) \u003e 0","error_message":"The name must not be empty."}]}]`
	if string(bh) != want {
		t.Errorf("Variables JSON\n got %s\nwant %s", bh, want)
	}

	in := template.Input{VarsStructure: []formation.VarsStructure{{VarKey: "vpc_name", VarValue: "prod"}}}
	ch, cj := mustExpand(t, hcl, in), mustExpand(t, js, in)
	ih, ij := viewInstances(ch), viewInstances(cj)
	if !reflect.DeepEqual(ih, ij) {
		t.Fatalf("instances differ:\nHCL  %+v\nJSON %+v", ih, ij)
	}
	var keys []string
	for _, i := range ih {
		keys = append(keys, i.Addr+"="+i.Key)
	}
	wantKeys := []string{
		`huaweicloud_vpc.for_each_vpc["vpc1"]=vpc1`, `huaweicloud_vpc.for_each_vpc["vpc2"]=vpc2`,
		`huaweicloud_vpc.my_hello_world_vpc[0]=0`, `huaweicloud_vpc.my_hello_world_vpc[1]=1`,
		`huaweicloud_vpc.single=`,
	}
	if !reflect.DeepEqual(keys, wantKeys) {
		t.Errorf("keys = %q, want %q", keys, wantKeys)
	}

	eh, kh := evalAll(t, ch)
	ej, kj := evalAll(t, cj)
	for addr, v := range eh {
		if !v.RawEquals(ej[addr]) {
			t.Errorf("%s: HCL %#v, JSON %#v", addr, v, ej[addr])
		}
	}
	if got := eh[`huaweicloud_vpc.for_each_vpc["vpc2"]`]; !got.RawEquals(cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("test_vpc")})) {
		t.Errorf("for_each instance = %#v", got)
	}
	if got := eh["huaweicloud_vpc.single"]; !got.RawEquals(cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("prod")})) {
		t.Errorf("single = %#v", got)
	}

	oh, dh := ch.Outputs(context.Background(), kh)
	oj, dj := cj.Outputs(context.Background(), kj)
	if dh.HasErrors() || dj.HasErrors() {
		t.Fatalf("Outputs: %s %s", dh, dj)
	}
	if len(oh) != 2 || len(oj) != 2 {
		t.Fatalf("outputs: %d and %d", len(oh), len(oj))
	}
	for i := range oh {
		a, b := oh[i], oj[i]
		if a.Name != b.Name || a.Description != b.Description || a.Type != b.Type || !a.Value.RawEquals(b.Value) {
			t.Errorf("output %d: HCL %+v JSON %+v", i, a, b)
		}
	}
	if oh[1].Name != "vpc_id" || oh[1].Value.IsKnown() {
		t.Errorf("vpc_id output = %#v, want unknown (the id is known after apply)", oh[1].Value)
	}
	if got := oh[0].Value; !got.RawEquals(cty.TupleVal([]cty.Value{cty.StringVal("test_vpc"), cty.StringVal("test_vpc")})) {
		t.Errorf("names output = %#v", got)
	}

	// The validation fails the same way in both forms.
	bad := template.Input{Values: map[string]cty.Value{"vpc_name": cty.StringVal("")}}
	for name, tpl := range map[string]*template.Template{"main.tf": hcl, "main.tf.json": js} {
		_, err := tpl.Expand(t.Context(), bad)
		line, col := 9, 21
		if name == "main.tf.json" {
			line, col = 10, 22
		}
		wantDiag(t, err, formation.CodeInvalidVariables, "Invalid value for variable", "The name must not be empty.", name, line, col)
	}
}
