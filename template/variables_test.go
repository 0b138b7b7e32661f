package template_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/template"
	"github.com/zclconf/go-cty/cty"
)

const variablesSrc = `
variable "name" {
  type        = string
  description = "the name"
}

variable "size" {
  type    = number
  default = 10
}

variable "enabled" {
  type    = bool
  default = true
}

variable "zones" {
  type    = list(string)
  default = ["a", "b"]
}

variable "net" {
  type = object({
    cidr = string
    tags = optional(map(string), {})
    dns  = optional(bool, true)
  })
  default = { cidr = "10.0.0.0/16" }
}

variable "secret" {
  sensitive = true
  nullable  = false
  default   = "x"
  validation {
    condition     = length(var.secret) >= 1
    error_message = "The secret must not be empty."
  }
  validation {
    condition     = var.secret != "password"
    error_message = "Choose a better secret than ${var.secret}."
  }
}

variable "anything" {
  default = null
}
`

func TestVariables_Listing(t *testing.T) {
	vars := mustParse(t, variablesSrc).Variables()
	b, err := json.MarshalIndent(vars, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	want := `[
 {
  "name": "name",
  "type": "string",
  "description": "the name",
  "sensitive": false,
  "nullable": true
 },
 {
  "name": "size",
  "type": "number",
  "default": 10,
  "sensitive": false,
  "nullable": true
 },
 {
  "name": "enabled",
  "type": "bool",
  "default": true,
  "sensitive": false,
  "nullable": true
 },
 {
  "name": "zones",
  "type": "list(string)",
  "default": [
   "a",
   "b"
  ],
  "sensitive": false,
  "nullable": true
 },
 {
  "name": "net",
  "type": "object({\n    cidr = string\n    tags = optional(map(string), {})\n    dns  = optional(bool, true)\n  })",
  "default": {
   "cidr": "10.0.0.0/16",
   "dns": true,
   "tags": {}
  },
  "sensitive": false,
  "nullable": true
 },
 {
  "name": "secret",
  "default": "x",
  "sensitive": true,
  "nullable": false,
  "validations": [
   {
    "condition": "length(var.secret) \u003e= 1",
    "error_message": "The secret must not be empty."
   },
   {
    "condition": "var.secret != \"password\"",
    "error_message": "Choose a better secret than ${var.secret}."
   }
  ]
 },
 {
  "name": "anything",
  "default": null,
  "sensitive": false,
  "nullable": true
 }
]`
	if string(b) != want {
		t.Errorf("Variables JSON:\n%s\nwant:\n%s", b, want)
	}
	if !vars[0].Required || vars[1].Required || vars[6].Required {
		t.Errorf("Required = %v %v %v, want true false false", vars[0].Required, vars[1].Required, vars[6].Required)
	}
	if !vars[4].TypeConstraint.IsObjectType() || vars[6].TypeConstraint != cty.DynamicPseudoType {
		t.Errorf("TypeConstraint: %#v %#v", vars[4].TypeConstraint, vars[6].TypeConstraint)
	}
	if vars[1].DeclRange.Start.Line != 7 {
		t.Errorf("DeclRange = %v", vars[1].DeclRange)
	}
}

func TestVariables_Binding(t *testing.T) {
	tpl := mustParse(t, variablesSrc)
	cfg := mustExpand(t, tpl, template.Input{
		VarsBody: "name = \"n1\"\nzones = [\"x\"]\n",
		VarsStructure: []formation.VarsStructure{
			{VarKey: "size", VarValue: "42"},
			{VarKey: "enabled", VarValue: "false"},
			{VarKey: "net", VarValue: `{ cidr = "192.168.0.0/16", tags = { a = "b" } }`},
		},
		Values: map[string]cty.Value{"secret": cty.StringVal("s3cr3t")},
	})
	got := cfg.Variables()
	want := map[string]cty.Value{
		"name":    cty.StringVal("n1"),
		"size":    cty.NumberIntVal(42),
		"enabled": cty.False,
		"zones":   cty.ListVal([]cty.Value{cty.StringVal("x")}),
		"net": cty.ObjectVal(map[string]cty.Value{
			"cidr": cty.StringVal("192.168.0.0/16"),
			"tags": cty.MapVal(map[string]cty.Value{"a": cty.StringVal("b")}),
			"dns":  cty.True,
		}),
		"secret":   cty.StringVal("s3cr3t"),
		"anything": cty.NullVal(cty.DynamicPseudoType),
	}
	for name, w := range want {
		if !got[name].RawEquals(w) {
			t.Errorf("%s = %#v, want %#v", name, got[name], w)
		}
	}
	// A vars_uri file, HCL or JSON, binds beside vars_body and
	// vars_structure, and is not limited to vars_body's length.
	long := strings.Repeat("z", 60000)
	for _, file := range []string{"zones = [\"" + long + "\"]\nsize = 7\n", `{"zones": ["` + long + `"], "size": 7}`} {
		cfg = mustExpand(t, tpl, template.Input{VarsBody: `name = "n3"`, VarsURIContent: file, VarsStructure: []formation.VarsStructure{{VarKey: "enabled", VarValue: "false"}}})
		got = cfg.Variables()
		if !got["name"].RawEquals(cty.StringVal("n3")) || !got["size"].RawEquals(cty.NumberIntVal(7)) || !got["enabled"].RawEquals(cty.False) ||
			!got["zones"].RawEquals(cty.ListVal([]cty.Value{cty.StringVal(long)})) {
			t.Errorf("vars_uri %.20q: name %#v, size %#v, enabled %#v", file, got["name"], got["size"], got["enabled"])
		}
	}
	// Defaults, and a JSON vars body.
	cfg = mustExpand(t, tpl, template.Input{VarsBody: `{"name": "n2", "secret": null}`})
	got = cfg.Variables()
	if !got["size"].RawEquals(cty.NumberIntVal(10)) || !got["secret"].RawEquals(cty.StringVal("x")) || !got["name"].RawEquals(cty.StringVal("n2")) {
		t.Errorf("defaults: %#v", got)
	}
	if !got["net"].GetAttr("tags").RawEquals(cty.MapValEmpty(cty.String)) {
		t.Errorf("optional default: %#v", got["net"])
	}
}

func TestVariables_Errors(t *testing.T) {
	tpl := mustParse(t, variablesSrc)
	const (
		inv  = formation.CodeInvalidVariables
		body = "vars_body"
	)
	name := []formation.VarsStructure{{VarKey: "name", VarValue: "n"}}
	tests := []struct {
		name            string
		in              template.Input
		code            formation.Code
		summary, detail string
		file            string
		line, col       int
	}{
		{"required", template.Input{}, inv, "No value for required variable", `"name" is required`, "main.tf", 2, 1},
		{"undeclared in vars_body", template.Input{VarsBody: "name = \"a\"\nsise = 3\n"}, inv, "Value for undeclared variable", `Did you mean "size"?`, body, 2, 1},
		{"undeclared in vars_structure", template.Input{VarsStructure: append(name, formation.VarsStructure{VarKey: "nope", VarValue: "1"})}, inv, "Value for undeclared variable", `vars_structure sets a variable named "nope"`, "", 0, 0},
		{"undeclared in values", template.Input{VarsStructure: name, Values: map[string]cty.Value{"zone": cty.True}}, inv, "Value for undeclared variable", `Did you mean "zones"?`, "", 0, 0},
		{"two channels", template.Input{VarsBody: "name = \"a\"\n", VarsStructure: name}, inv, "Variable given twice", "both vars_body and vars_structure", "", 0, 0},
		{"vars_body and vars_uri", template.Input{VarsBody: "name = \"a\"\n", VarsURIContent: "size = 3\nname = \"b\"\n"}, inv, "Variable given twice", "both vars_body and vars_uri", "vars_uri", 2, 1},
		{"vars_uri and vars_structure", template.Input{VarsURIContent: "name = \"a\"\n", VarsStructure: name}, inv, "Variable given twice", "both vars_uri and vars_structure", "", 0, 0},
		{"undeclared in vars_uri", template.Input{VarsURIContent: "name = \"a\"\nsise = 3\n"}, inv, "Value for undeclared variable", `vars_uri sets a variable named "sise"`, "vars_uri", 2, 1},
		{"vars_uri syntax", template.Input{VarsURIContent: "{\"name\": }"}, inv, "Missing JSON value", "", "vars_uri", 1, 10},
		{"twice in vars_structure", template.Input{VarsStructure: append(name, name...)}, inv, "Variable given twice", "more than once", "", 0, 0},
		{"not a number", template.Input{VarsStructure: append(name, formation.VarsStructure{VarKey: "size", VarValue: "ten"})}, inv, "Invalid value for variable", `vars_structure gives "ten", which is not a valid number`, "main.tf", 7, 1},
		{"wrong type in vars_body", template.Input{VarsBody: "name = \"a\"\nzones = 3\n"}, inv, "Invalid value for variable", `"zones": a list(string) is required`, body, 2, 1},
		{"missing object attribute", template.Input{VarsBody: "name = \"a\"\nnet = { dns = false }\n"}, inv, "Invalid value for variable", `attribute "cidr" is required`, body, 2, 1},
		{"null for non-nullable", template.Input{VarsStructure: name, Values: map[string]cty.Value{"size": cty.NullVal(cty.Number)}}, inv, "", "", "", 0, 0},
		{"validation", template.Input{VarsStructure: append(name, formation.VarsStructure{VarKey: "secret", VarValue: "password"})}, inv, "Invalid value for variable", "Choose a better secret than password.", "main.tf", 40, 21},
		{"vars_body syntax", template.Input{VarsBody: "name = \n"}, inv, "Invalid expression", "", body, 1, 8},
		{"vars_body reference", template.Input{VarsBody: "name = var.x\n"}, inv, "Variables not allowed", "", body, 1, 8},
		{"unknown value", template.Input{VarsStructure: name, Values: map[string]cty.Value{"size": cty.UnknownVal(cty.Number)}}, inv, "Invalid value for variable", "must be known", "main.tf", 7, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tpl.Expand(t.Context(), tt.in)
			if tt.summary == "" {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			}
			wantDiag(t, err, tt.code, tt.summary, tt.detail, tt.file, tt.line, tt.col)
		})
	}
}

func TestVariables_NullForNonNullableWithoutDefault(t *testing.T) {
	tpl := mustParse(t, "variable \"v\" {\n  nullable = false\n}\n")
	_, err := tpl.Expand(t.Context(), template.Input{Values: map[string]cty.Value{"v": cty.NullVal(cty.String)}})
	wantDiag(t, err, formation.CodeInvalidVariables, "Invalid value for variable", "must not be null", "main.tf", 1, 1)
}

func TestVariables_Codes(t *testing.T) {
	tpl := mustParse(t, "variable \"v\" {}\n")
	tests := []struct {
		name string
		in   template.Input
		code formation.Code
	}{
		{"empty value", template.Input{VarsStructure: []formation.VarsStructure{{VarKey: "v"}}}, formation.CodeEmptyVarValue},
		{"encrypted", template.Input{VarsStructure: []formation.VarsStructure{{VarKey: "v", VarValue: "x", Encryption: &formation.VarsEncryption{}}}}, formation.CodeUnsupported},
		{"too many", template.Input{VarsStructure: make([]formation.VarsStructure, 101)}, formation.CodeTooLong},
		{"vars body too long", template.Input{VarsBody: "v = \"" + strings.Repeat("x", 51200) + "\""}, formation.CodeTooLong},
		{"vars_uri file too large", template.Input{VarsURIContent: "v = \"" + strings.Repeat("x", 1<<20) + "\""}, formation.CodeVarsURITooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tpl.Expand(t.Context(), tt.in)
			if got := formation.CodeOf(err); got != tt.code {
				t.Fatalf("code = %s, want %s (%v)", got, tt.code, err)
			}
		})
	}
}

func TestVariables_VarsBodySnippet(t *testing.T) {
	tpl := mustParse(t, "variable \"region\" {}\n")
	_, err := tpl.Expand(t.Context(), template.Input{VarsBody: "regoin = \"cn-north-4\"\n"})
	var b strings.Builder
	template.WriteDiagnostics(&b, err)
	for _, want := range []string{"on vars_body line 1:", `1: regoin = "cn-north-4"`, `Did you mean "region"?`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("missing %q in:\n%s", want, b.String())
		}
	}
}
