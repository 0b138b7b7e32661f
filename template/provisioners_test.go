package template_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/template"
	"github.com/hashicorp/hcl/v2"
)

// Without RFS's limits a template may have provisioners, as Terraform's
// may: they are checked as Terraform checks them (terraform validate
// v1.11.4 gives the same summaries), their references order the graph,
// and a warning says they are not run.
func TestProvisioners_WithoutLimits(t *testing.T) {
	noLimits := template.Options{Limits: &template.Limits{}}
	src := `resource "a_b" "first" {}
resource "a_b" "c" {
  count = 2
  connection {
    host = "10.0.0.1"
  }
  provisioner "local-exec" {
    command    = "echo ${a_b.first.id} ${self.id}"
    on_failure = continue
  }
  provisioner "remote-exec" {
    when   = destroy
    inline = ["rm ${self.id}-${count.index}"]
  }
}
removed {
  from = a_b.gone
  provisioner "local-exec" {
    when    = destroy
    command = "echo ${self.id}"
  }
}
`
	tpl, err := template.Parse(src, noLimits)
	if err != nil {
		t.Fatal(err)
	}
	var warned bool
	for _, w := range tpl.Warnings() {
		warned = warned || w.Severity == hcl.DiagWarning && w.Summary == "Provisioners are not run"
	}
	if !warned {
		t.Errorf("no warning that the provisioners are not run: %v", tpl.Warnings())
	}
	cfg, err := tpl.Expand(context.Background(), template.Input{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.Graph().DependsOn("a_b.c[0]"), []string{"a_b.first"}; !reflect.DeepEqual(got, want) {
		t.Errorf("a_b.c[0] depends on %v, want %v: a provisioner's reference orders the graph", got, want)
	}

	// Under RFS's limits (the default) the same template is refused.
	_, err = template.Parse(src, template.Options{})
	wantDiag(t, err, formation.CodeInvalidTemplate, "Provisioners are not allowed", "RFS does not allow connection blocks", "main.tf", 4, 3)

	for _, tc := range []struct {
		name, block, summary, detail string
		line, col                    int
	}{
		{"unknown type", `provisioner "chef" {}`, "Missing required provisioner plugin", `"chef"`, 3, 15},
		{"missing argument", `provisioner "local-exec" {}`, "Missing required argument", `"command"`, 3, 28},
		{"unknown argument", "provisioner \"file\" {\n    destination = \"/x\"\n    bogus = 1\n  }", "Unsupported argument", `"bogus"`, 5, 5},
		{"when", "provisioner \"local-exec\" {\n    command = \"x\"\n    when = sometime\n  }", `Invalid "when" keyword`, "create or destroy", 5, 12},
		{"on_failure", "provisioner \"local-exec\" {\n    command = \"x\"\n    on_failure = maybe\n  }", `Invalid "on_failure" keyword`, "continue or fail", 5, 18},
		{"connection without host", "connection {\n    user = \"root\"\n  }", "Missing required argument", `"host"`, 3, 3},
		{"destroy-time reference", "provisioner \"local-exec\" {\n    when = destroy\n    command = \"echo ${a_b.first.id}\"\n  }", "Invalid reference from destroy provisioner", "via 'self'", 5, 23},
		{"undeclared reference", "provisioner \"local-exec\" {\n    command = \"echo ${a_b.nope.id}\"\n  }", "Reference to undeclared resource", "", 4, 23},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := template.Parse("resource \"a_b\" \"first\" {}\nresource \"a_b\" \"c\" {\n  "+tc.block+"\n}\n", noLimits)
			wantDiag(t, err, formation.CodeInvalidTemplate, tc.summary, tc.detail, "main.tf", tc.line, tc.col)
		})
	}

	// A data block has none, with or without RFS's limits (terraform
	// validate says the same).
	for _, opts := range []template.Options{noLimits, {}} {
		_, err = template.Parse("data \"a_b\" \"d\" {\n  provisioner \"local-exec\" {\n    command = \"x\"\n  }\n}\n", opts)
		wantDiag(t, err, formation.CodeInvalidTemplate, "Unsupported block type", `Blocks of type "provisioner" are not expected here.`, "main.tf", 2, 3)
	}

	_, err = template.Parse("removed {\n  from = a_b.gone\n  provisioner \"local-exec\" {\n    command = \"x\"\n  }\n}\n", noLimits)
	wantDiag(t, err, formation.CodeInvalidTemplate, "Invalid provisioner block", "when = destroy", "main.tf", 3, 3)
}
