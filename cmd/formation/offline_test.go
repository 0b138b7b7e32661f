package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/formation-engine/formation"
)

// TestPreviewWritesNothing: preview without -stack opens no database, and
// creates none; with -stack it plans against the stored state and stores
// nothing.
func TestPreviewWritesNothing(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	out := ok(t, "-db", db, "preview", "-t", network, "-var", "prefix=p")
	if !strings.Contains(out, "  # huaweicloud_vpc_subnet.subnet[1] will be created\n") || !strings.HasSuffix(out, "\nPlan: 3 to add, 0 to change, 0 to destroy.\n") {
		t.Errorf("preview printed:\n%s", out)
	}
	// Terraform's JSON plan format (planjson_test.go checks it in full).
	var doc struct {
		FormatVersion   string `json:"format_version"`
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				Actions []string `json:"actions"`
			} `json:"change"`
		} `json:"resource_changes"`
		Applyable bool `json:"applyable"`
	}
	if err := json.Unmarshal([]byte(ok(t, "-db", db, "-json", "preview", "-t", network, "-var", "prefix=p", "-var", "subnets=1")), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.FormatVersion != "1.2" || len(doc.ResourceChanges) != 2 || doc.ResourceChanges[0].Address != "huaweicloud_vpc.vpc" ||
		!slices.Equal(doc.ResourceChanges[0].Change.Actions, []string{"create"}) || !doc.Applyable {
		t.Errorf("preview -json: %+v", doc)
	}
	if _, err := os.Stat(db); err == nil {
		t.Fatal("preview without -stack created the database")
	}

	ok(t, "-db", db, "stack", "create", "web", "-t", network, "-var", "prefix=p")
	before := dump(t, db)
	if out := ok(t, "-db", db, "preview", "-stack", "web", "-t", network, "-var", "prefix=p"); out != "No changes. The infrastructure matches the template.\n" {
		t.Errorf("preview -stack of the deployed template printed:\n%s", out)
	}
	out = ok(t, "-db", db, "preview", "-stack", "web", "-t", network, "-var", "prefix=p", "-var", "subnets=1")
	if !strings.Contains(out, "  # huaweicloud_vpc_subnet.subnet[1] will be destroyed\n") || !strings.HasSuffix(out, "\nPlan: 0 to add, 0 to change, 1 to destroy.\n") {
		t.Errorf("preview -stack printed:\n%s", out)
	}
	if after := dump(t, db); !reflect.DeepEqual(before, after) {
		t.Errorf("preview -stack changed the database")
	}
}

func TestVars(t *testing.T) {
	t.Parallel()
	out := ok(t, "vars", "-t", network)
	if !regexp.MustCompile(`^NAME +TYPE +DEFAULT +DESCRIPTION\nprefix +string +\(required\) +the prefix of every name\nsubnets +number +2 +how many subnets\n$`).MatchString(out) {
		t.Errorf("vars printed:\n%s", out)
	}
	doc := decode[struct {
		Variables []struct {
			Name        string          `json:"name"`
			Type        string          `json:"type"`
			Description string          `json:"description"`
			Default     json.RawMessage `json:"default"`
			Sensitive   bool            `json:"sensitive"`
			Nullable    bool            `json:"nullable"`
		} `json:"variables"`
	}](t, ok(t, "-json", "vars", "-t", network))
	if len(doc.Variables) != 2 || doc.Variables[0].Name != "prefix" || doc.Variables[0].Default != nil || !doc.Variables[0].Nullable ||
		doc.Variables[1].Type != "number" || string(doc.Variables[1].Default) != "2" {
		t.Errorf("vars -json: %+v", doc)
	}
	// RFS answers a template without variables with an empty object.
	if out := ok(t, "-json", "vars", "-t", solo); out != "{}\n" {
		t.Errorf("vars -json of a template without variables printed %q", out)
	}
}

func TestGraph(t *testing.T) {
	t.Parallel()
	args := []string{"graph", "-t", network, "-var", "prefix=p"}
	out := ok(t, args...)
	if !strings.HasPrefix(out, "flowchart") || !strings.Contains(out, `"huaweicloud_vpc_subnet.subnet[1]"`) || strings.Count(out, "-->") != 2 {
		t.Errorf("graph printed:\n%s", out)
	}
	dot := ok(t, append(args, "-format", "dot")...)
	if !strings.HasPrefix(dot, "digraph") || !strings.Contains(dot, `"huaweicloud_vpc_subnet.subnet[0]" -> "huaweicloud_vpc.vpc"`) {
		t.Errorf("graph -format dot printed:\n%s", dot)
	}
	doc := decode[graphDocument](t, ok(t, append(args, "-format", "dot", "-json")...))
	if doc.Format != "dot" || doc.Diagram != dot || len(doc.Nodes) != 3 || doc.Nodes[0].Address != "huaweicloud_vpc.vpc" || len(doc.Nodes[0].DependsOn) != 0 ||
		len(doc.Nodes[2].DependsOn) != 1 || doc.Nodes[2].DependsOn[0] != "huaweicloud_vpc.vpc" {
		t.Errorf("graph -json: %+v", doc)
	}
	rejected(t, formation.CodeInvalidVariables, "graph", "-t", network) // prefix is required
}

// TestTemplateDiagnostics: a template error prints hcl's diagnostics —
// file, line, column and the source snippet — then the one-line summary.
func TestTemplateDiagnostics(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	for _, args := range [][]string{
		{"deploy", "web", "-t", broken},
		{"stack", "create", "web", "-t", broken},
		{"plan", "create", "web", "p", "-t", broken},
		{"preview", "-t", broken},
		{"graph", "-t", broken},
		{"vars", "-t", broken},
	} {
		r := cli(t, append([]string{"-db", db}, args...)...)
		diags, line := splitDiagnostics(r.stderr)
		if r.code != exitRejected || r.stdout != "" ||
			diags != "Error: Reference to undeclared input variable\n\n"+
				"  on broken.tf line 3, in resource \"huaweicloud_vpc\" \"vpc\":\n"+
				"   3:   cidr = var.cidr\n\n"+
				"An input variable with the name \"cidr\" has not been declared. This variable can be declared with a variable \"cidr\" {} block.\n\n" ||
			!strings.HasPrefix(line, "RF.10011030: the template is invalid: broken.tf:3,10-18: Reference to undeclared input variable; ") {
			t.Errorf("formation %s: exit %d, stdout %q, stderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("a template error created the database")
	}
	// Variables: the diagnostic names the variable.
	line := rejected(t, formation.CodeInvalidVariables, "preview", "-t", network, "-var", "subnets=x", "-var", "prefix=p")
	if !strings.Contains(line, "subnets") {
		t.Errorf("bad variable: %q", line)
	}
}

// TestLimits: -limits none lifts RFS's template limits.
func TestLimits(t *testing.T) {
	t.Parallel()
	big := []string{"preview", "-t", network, "-var", "prefix=p", "-var", "subnets=1500"}
	if line := rejected(t, formation.CodeInvalidTemplate, big...); !strings.Contains(line, "at most 1024") {
		t.Errorf("count over the limit: %q", line)
	}
	if out := ok(t, append([]string{"-limits", "none"}, big...)...); !strings.HasSuffix(out, "Plan: 1501 to add, 0 to change, 0 to destroy.\n") {
		t.Errorf("preview -limits none printed %d bytes ending %q", len(out), out[max(0, len(out)-80):])
	}
}

// TestLimits_Provisioners: RFS refuses provisioners; -limits none takes them
// as Terraform would, plans the resource, and warns that they are not run.
func TestLimits_Provisioners(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"main.tf": `resource "huaweicloud_vpc" "v" {
  name = "v"
  cidr = "10.0.0.0/16"
  provisioner "local-exec" {
    command = "sleep 10"
  }
}
`})
	rejected(t, formation.CodeInvalidTemplate, "preview", "-t", dir)
	r := cli(t, "preview", "-limits", "none", "-t", dir)
	if r.code != exitOK || !strings.HasSuffix(r.stdout, "Plan: 1 to add, 0 to change, 0 to destroy.\n") ||
		!strings.HasPrefix(r.stderr, "Warning: Provisioners are not run\n") || !strings.Contains(r.stderr, `provisioner "local-exec"`) {
		t.Errorf("preview -limits none: exit %d\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestTemplateInput: a file is read as a set of one file under its own
// name, a directory as its .tf and .tf.json files.
func TestTemplateInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, text := range map[string]string{"a.tf": "# a", "b.tf.json": "{}", "notes.md": "x", "vars.tfvars": "x = 1"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "modules"), 0o700); err != nil {
		t.Fatal(err)
	}
	files, err := readTemplate(dir, 0)
	if err != nil || len(files) != 2 || string(files["a.tf"].Data) != "# a" || string(files["b.tf.json"].Data) != "{}" {
		t.Errorf("readTemplate(dir) = %v, %v", files, err)
	}
	files, err = readTemplate(filepath.Join(dir, "b.tf.json"), 0)
	if err != nil || len(files) != 1 || string(files["b.tf.json"].Data) != "{}" {
		t.Errorf("readTemplate(file) = %v, %v", files, err)
	}
	for _, bad := range []string{filepath.Join(dir, "notes.md"), filepath.Join(dir, "missing.tf")} {
		if _, err := readTemplate(bad, 0); !formation.HasCode(err, formation.CodeInvalidParameter) {
			t.Errorf("readTemplate(%s, 0): %v", bad, err)
		}
	}
}
