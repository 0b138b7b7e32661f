package template_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/template"
	"github.com/hashicorp/hcl/v2"
)

func TestParse_Errors(t *testing.T) {
	const (
		inv = formation.CodeInvalidTemplate
		uns = formation.CodeUnsupported
	)
	tests := []struct {
		name            string
		src             string
		code            formation.Code
		summary, detail string
		line, col       int
	}{
		{"syntax", "resource \"a_b\" \"c\" {\n  name = \n}\n", inv, "Invalid expression", "", 2, 10},
		{"unknown block", "resorce \"a_b\" \"c\" {}\n", inv, "Unsupported block type", `Did you mean "resource"?`, 1, 1},
		{"top-level argument", "name = 1\n", inv, "Unsupported argument", "", 1, 1},
		{"module in one body", "module \"m\" {\n  source = \"./m\"\n}\n", inv, "Module not found", `a template given as one body has no directories`, 2, 12},
		{"registry module", "module \"m\" {\n  source = \"terraform-huaweicloud-modules/vpc/huaweicloud\"\n}\n", uns, "Only local modules are supported", "RFS deploys local modules only", 2, 12},
		{"git module", "module \"m\" {\n  source = \"git::https://example.com/vpc.git\"\n}\n", uns, "Only local modules are supported", "Registry, git, HTTP", 2, 12},
		{"module reference", "output \"o\" { value = module.m.x }\n", inv, "Reference to undeclared module", "", 1, 22},
		{"moved kinds", "moved {\n  from = a_b.c\n  to = module.m\n}\n", inv, `Invalid "moved" addresses`, "both refer to resources or both refer to modules", 1, 1},
		{"moved not a reference", "moved {\n  from = a_b.c\n  to = \"a_b.d\"\n}\n", inv, "Invalid expression", "", 3, 8},
		{"moved cycle", "moved {\n  from = a_b.c\n  to = a_b.d\n}\nmoved {\n  from = a_b.d\n  to = a_b.c\n}\n", inv, "Cyclic dependency in move statements", "main.tf:5,1: a_b.d[*] → a_b.c[*]", 1, 1},
		{"removed still declared", "resource \"a_b\" \"c\" {}\nremoved {\n  from = a_b.c\n}\n", inv, "Removed resource still exists", "a_b.c was removed", 1, 1},
		{"removed instance", "removed {\n  from = a_b.c[\"k\"]\n}\n", inv, "Resource instance keys not allowed", "", 2, 10},
		{"removed module instance", "removed {\n  from = module.m[0]\n}\n", inv, "Module instance keys not allowed", "", 2, 10},
		{"removed data", "removed {\n  from = data.a_b.c\n}\n", inv, "Data source address not allowed", "", 2, 10},
		{"removed destroy", "removed {\n  from = a_b.c\n  lifecycle {\n    destroy = \"maybe\"\n  }\n}\n", inv, "Invalid destroy value", "", 4, 15},
		{"backend", "terraform {\n  backend \"s3\" {}\n}\n", inv, "Backend configuration is not allowed", `backend "s3"`, 2, 3},
		{"cloud", "terraform {\n  cloud {}\n}\n", inv, "Cloud configuration is not allowed", "", 2, 3},
		{"provisioner", "resource \"a_b\" \"c\" {\n  provisioner \"local-exec\" {\n    command = \"rm -rf /\"\n  }\n}\n", inv, "Provisioners are not allowed", "provisioner", 2, 3},
		{"connection", "resource \"a_b\" \"c\" {\n  connection {}\n}\n", inv, "Provisioners are not allowed", "connection", 2, 3},
		{"file function", "locals {\n  x = file(\"/etc/passwd\")\n}\n", inv, "Function not allowed", `"file" is not allowed: it reads a file`, 2, 7},
		{"templatefile in a conditional", "locals {\n  x = true ? 1 : templatefile(\"a\", {})\n}\n", inv, "Function not allowed", `"templatefile"`, 2, 18},
		{"abspath in a for", "locals {\n  x = [for p in [\"a\"] : abspath(p)]\n}\n", inv, "Function not allowed", `"abspath"`, 2, 25},
		{"unknown function", "locals {\n  x = upperr(\"a\")\n}\n", inv, "Call to unknown function", `Did you mean "upper"?`, 2, 7},
		{"undeclared variable", "variable \"region\" {}\nlocals {\n  x = var.regoin\n}\n", inv, "Reference to undeclared input variable", `Did you mean "var.region"?`, 3, 7},
		{"undeclared local", "locals {\n  name = 1\n  x = local.nmae\n}\n", inv, "Reference to undeclared local value", `Did you mean "local.name"?`, 3, 7},
		{"undeclared resource", "resource \"huaweicloud_vpc\" \"vpc\" {}\noutput \"o\" {\n  value = huaweicloud_vpc.vcp.id\n}\n", inv, "Reference to undeclared resource", `Did you mean "huaweicloud_vpc.vpc"?`, 3, 11},
		{"undeclared data", "data \"huaweicloud_vpcs\" \"all\" {}\noutput \"o\" {\n  value = data.huaweicloud_vpcs.al\n}\n", inv, "Reference to undeclared data source", `Did you mean "data.huaweicloud_vpcs.all"?`, 3, 11},
		{"bare name", "output \"o\" {\n  value = foo\n}\n", inv, "Invalid reference", "resource type must be followed", 2, 11},
		{"count.index without count", "resource \"a_b\" \"c\" {\n  name = count.index\n}\n", inv, `Reference to "count" in non-counted context`, "", 2, 10},
		{"count.index in a local", "locals {\n  x = count.index\n}\n", inv, `Reference to "count" in non-counted context`, "a local value", 2, 7},
		{"each without for_each", "resource \"a_b\" \"c\" {\n  count = 1\n  name = each.value\n}\n", inv, `Reference to "each" in context without for_each`, "", 3, 10},
		{"count in count", "resource \"a_b\" \"c\" {\n  count = count.index\n}\n", inv, `Reference to "count" in non-counted context`, `"count" argument`, 2, 11},
		{"bad count attribute", "resource \"a_b\" \"c\" {\n  count = 2\n  name = count.idx\n}\n", inv, `Invalid "count" attribute`, "", 3, 10},
		{"count and for_each", "resource \"a_b\" \"c\" {\n  count = 1\n  for_each = {}\n}\n", inv, `Invalid combination of "count" and "for_each"`, "", 3, 3},
		{"cycle", "resource \"a_b\" \"x\" {\n  v = a_b.y.id\n}\nresource \"a_b\" \"y\" {\n  v = a_b.x.id\n}\n", inv, "Cycle: a_b.x, a_b.y", "a_b.y, declared at main.tf:4,1-19", 1, 1},
		{"cycle through locals", "locals {\n  a = local.b\n  b = local.a\n}\n", inv, "Cycle: local.a, local.b", "local.b, declared at main.tf:3,3-4", 2, 3},
		{"cycle through depends_on", "resource \"a_b\" \"x\" {\n  depends_on = [a_b.y]\n}\nresource \"a_b\" \"y\" {\n  v = a_b.x.id\n}\n", inv, "Cycle: a_b.x, a_b.y", "", 1, 1},
		{"self reference", "resource \"a_b\" \"x\" {\n  count = 2\n  v = a_b.x[0].id\n}\n", inv, "Self-referential block", "a_b.x may not refer to itself", 1, 1},
		{"missing instance key", "resource \"a_b\" \"x\" {\n  count = 2\n}\noutput \"o\" {\n  value = a_b.x.id\n}\n", inv, "Missing resource instance key", "a_b.x[count.index].id", 5, 11},
		{"missing for_each key", "resource \"a_b\" \"x\" {\n  for_each = {}\n}\noutput \"o\" {\n  value = a_b.x.id\n}\n", inv, "Missing resource instance key", "a_b.x[each.key].id", 5, 11},
		{"unexpected instance key", "resource \"a_b\" \"x\" {}\noutput \"o\" {\n  value = a_b.x[0].id\n}\n", inv, "Unexpected resource instance key", "does not have", 3, 16},
		{"unexpected dynamic key", "resource \"a_b\" \"x\" {}\nresource \"a_b\" \"y\" {\n  count = 1\n  v = a_b.x[count.index].id\n}\n", inv, "Unexpected resource instance key", "", 4, 13},
		{"bad literal key", "resource \"a_b\" \"x\" {\n  count = 2\n}\noutput \"o\" {\n  value = a_b.x[\"k\"].id\n}\n", inv, "Invalid resource instance key", "count index must be a number", 5, 16},
		{"duplicate resource", "resource \"a_b\" \"x\" {}\nresource \"a_b\" \"x\" {}\n", inv, "Duplicate resource configuration", "main.tf:1,1-19", 2, 1},
		{"duplicate variable", "variable \"v\" {}\nvariable \"v\" {}\n", inv, "Duplicate variable", "", 2, 1},
		{"duplicate local", "locals {\n  a = 1\n}\nlocals {\n  a = 2\n}\n", inv, "Duplicate local value", "", 5, 3},
		{"duplicate provider", "provider \"p\" {}\nprovider \"p\" {}\n", inv, "Duplicate provider configuration", "", 2, 1},
		{"bad type", "variable \"v\" {\n  type = strin\n}\n", inv, "Invalid type specification", "", 2, 10},
		{"bad default", "variable \"v\" {\n  type = number\n  default = \"abc\"\n}\n", inv, "Invalid default value for variable", "a number is required", 3, 13},
		{"null default not nullable", "variable \"v\" {\n  nullable = false\n  default = null\n}\n", inv, "Invalid default value for variable", "nullable=false", 3, 13},
		{"reserved variable", "variable \"count\" {}\n", inv, "Invalid variable name", "reserved", 1, 10},
		{"invalid name", "resource \"a_b\" \"1x\" {}\n", inv, "Invalid resource name", "", 1, 16},
		{"validation refers to a local", "locals {\n  x = 1\n}\nvariable \"v\" {\n  validation {\n    condition = local.x > 0\n    error_message = \"no\"\n  }\n}\n", inv, "Invalid reference in variable validation", "", 6, 17},
		{"validation without message", "variable \"v\" {\n  validation {\n    condition = true\n  }\n}\n", inv, "Missing required argument", "error_message", 2, 14},
		{"provider alias missing", "resource \"a_b\" \"x\" {\n  provider = a.west\n}\n", inv, "Provider configuration not present", `alias "west"`, 2, 14},
		{"bad provider reference", "resource \"a_b\" \"x\" {\n  provider = \"a\"\n}\n", inv, "Invalid provider reference", "", 2, 14},
		{"self", "resource \"a_b\" \"x\" {\n  v = self.id\n}\n", inv, `Invalid "self" reference`, "", 2, 7},
		{"data lifecycle", "data \"a_b\" \"x\" {\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n", inv, "Invalid data source lifecycle argument", "", 3, 5},
		{"ignore_changes all in list", "resource \"a_b\" \"x\" {\n  lifecycle {\n    ignore_changes = [all]\n  }\n}\n", inv, "Invalid ignore_changes wildcard", "", 3, 23},
		{"ignore_changes expression", "resource \"a_b\" \"x\" {\n  lifecycle {\n    ignore_changes = [upper(\"a\")]\n  }\n}\n", inv, "Invalid ignore_changes reference", "", 3, 23},
		{"create_before_destroy not constant", "variable \"v\" {}\nresource \"a_b\" \"x\" {\n  lifecycle {\n    create_before_destroy = var.v\n  }\n}\n", inv, "Variables not allowed", "", 4, 29},
		{"replace_triggered_by variable", "variable \"v\" {}\nresource \"a_b\" \"x\" {\n  lifecycle {\n    replace_triggered_by = [var.v]\n  }\n}\n", inv, "Invalid replace_triggered_by expression", "", 4, 29},
		{"depends_on attribute", "resource \"a_b\" \"x\" {}\nresource \"a_b\" \"y\" {\n  depends_on = [a_b.x.id]\n}\n", inv, "Invalid depends_on reference", "", 3, 17},
		{"import undeclared", "import {\n  to = a_b.x\n  id = \"i\"\n}\n", inv, "Reference to undeclared resource", "", 2, 8},
		{"import without key", "resource \"a_b\" \"x\" {\n  count = 2\n}\nimport {\n  to = a_b.x\n  id = \"i\"\n}\n", inv, "Invalid import target", "a_b.x[0]", 5, 8},
		{"import for_each", "import {\n  for_each = {}\n  to = a_b.x\n  id = \"i\"\n}\n", uns, "for_each in import blocks is not supported yet", "", 2, 3},
		{"output without value", "output \"o\" {}\n", inv, "Missing required argument", `"value"`, 1, 12},
		{"dynamic without content", "resource \"a_b\" \"x\" {\n  dynamic \"d\" {\n    for_each = []\n  }\n}\n", inv, "Invalid dynamic block", "", 2, 3},
		{"attribute and block", "resource \"a_b\" \"x\" {\n  d = 1\n  d {}\n}\n", inv, "Attribute and block of the same name", "", 3, 3},
		{"nested block labels", "resource \"a_b\" \"x\" {\n  d \"l\" {}\n}\n", inv, "Unexpected block labels", "", 2, 5},
		{"required_providers entry", "terraform {\n  required_providers {\n    huaweicloud = 3\n  }\n}\n", inv, "Invalid required_providers entry", "", 3, 19},
		{"path attribute", "output \"o\" {\n  value = path.home\n}\n", inv, `Invalid "path" attribute`, "", 2, 11},
		{"JSON syntax", "{\n  \"resource\": {\n    \"a_b\": {\n      \"x\": {\"name\": \"a\" \"count\": 2}\n    }\n  }\n}\n", inv, "Missing attribute seperator comma", "", 5, 5},
		{"JSON forbidden function", "{\n  \"locals\": {\n    \"x\": \"${filebase64(\\\"k\\\")}\"\n  }\n}\n", inv, "Function not allowed", `"filebase64"`, 3, 13},
		{"JSON undeclared", "{\n  \"output\": {\n    \"o\": {\"value\": \"${var.nope}\"}\n  }\n}\n", inv, "Reference to undeclared input variable", "", 3, 23},
		{"JSON dynamic without a type", "{\n  \"resource\": {\"a_b\": {\"x\": {\"dynamic\": {}}}}\n}\n", inv, "Missing block label", "", 2, 41},
		{"JSON module", "{\"module\": {\"m\": {\"source\": \"./m\"}}}", inv, "Module not found", "", 1, 29},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := template.Parse(tt.src, template.Options{})
			file := "main.tf"
			if strings.HasPrefix(tt.src, "{") {
				file = "main.tf.json"
			}
			wantDiag(t, err, tt.code, tt.summary, tt.detail, file, tt.line, tt.col)
		})
	}
}

func TestParse_TooLong(t *testing.T) {
	body := "locals {\n  x = \"" + strings.Repeat("é", 51200) + "\"\n}\n"
	_, err := template.Parse(body, template.Options{})
	if !formation.HasCode(err, formation.CodeTooLong) {
		t.Fatalf("err = %v, want CodeTooLong", err)
	}
	if _, err := template.Parse(body, template.Options{Limits: &template.Limits{}}); err != nil {
		t.Fatalf("lifted limits: %v", err)
	}
	// 51200 characters exactly is fine, although the body has more bytes.
	body = strings.Repeat("é", 51200-2) + "\n\n"
	_, err = template.Parse("#"+body[2:], template.Options{})
	if formation.HasCode(err, formation.CodeTooLong) {
		t.Fatalf("51200 characters refused: %v", err)
	}
}

func TestParse_InvalidUTF8(t *testing.T) {
	_, err := template.Parse("locals {\n  x = \"\xff\"\n}\n", template.Options{})
	wantDiag(t, err, formation.CodeInvalidTemplate, "Invalid character encoding", "UTF-8", "main.tf", 1, 1)
}

// An error never carries an empty hcl.Diagnostics, and a success returns a
// literal nil error (STYLE R6).
func TestParse_NoEmptyDiagnosticsError(t *testing.T) {
	tpl, err := template.Parse(`resource "a_b" "c" {}`, template.Options{})
	if err != nil || tpl == nil {
		t.Fatalf("Parse = %v, %v", tpl, err)
	}
	if tpl.Warnings() != nil {
		t.Errorf("Warnings = %#v, want nil", tpl.Warnings())
	}
	_, err = template.Parse(`resource "a_b" {}`, template.Options{})
	var diags hcl.Diagnostics
	if !errors.As(err, &diags) || len(diags) == 0 || !diags.HasErrors() {
		t.Fatalf("err = %v: want non-empty error diagnostics", err)
	}
}

func TestParse_UnsupportedWinsOnlyAlone(t *testing.T) {
	_, err := template.Parse("module \"m\" {\n  source = \"hashicorp/m/x\"\n}\nresource \"a_b\" \"c\" {\n  provisioner \"x\" {}\n}\n", template.Options{})
	if code := formation.CodeOf(err); code != formation.CodeInvalidTemplate {
		t.Fatalf("code = %s, want %s when an RFS error is among the problems", code, formation.CodeInvalidTemplate)
	}
}

func TestWriteDiagnostics_Snippet(t *testing.T) {
	_, err := template.Parse("resource \"huaweicloud_vpc\" \"vpc\" {}\noutput \"o\" {\n  value = huaweicloud_vpc.vcp.id\n}\n", template.Options{})
	var b strings.Builder
	if werr := template.WriteDiagnostics(&b, err); werr != nil {
		t.Fatal(werr)
	}
	for _, want := range []string{
		"Error: Reference to undeclared resource",
		"on main.tf line 3, in output \"o\":",
		"3:   value = huaweicloud_vpc.vcp.id",
		`Did you mean "huaweicloud_vpc.vpc"?`,
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("missing %q in:\n%s", want, b.String())
		}
	}
	b.Reset()
	template.WriteDiagnostics(&b, errors.New("plain"))
	if b.String() != "plain\n" {
		t.Errorf("plain error rendered as %q", b.String())
	}
}
