package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestDidYouMean(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"stak", "list"}, `unknown command "stak" (did you mean stack?)`},
		{[]string{"stack", "lst"}, `unknown command "stack lst" (did you mean stack list?)`},
		{[]string{"stack", "list", "-jsn"}, `-jsn (did you mean -json?)`},
		{[]string{"deploy", "web", "-auto-aprove"}, `(did you mean -auto-approve?)`},
		{[]string{"validat"}, `(did you mean validate?)`},
	} {
		line := rejected(t, "RF.10011020", c.args...)
		if !strings.Contains(line, c.want) {
			t.Errorf("formation %s: %q does not hold %q", strings.Join(c.args, " "), line, c.want)
		}
	}
	if line := rejected(t, "RF.10011020", "zzzzzz"); strings.Contains(line, "did you mean") {
		t.Errorf("a suggestion for nonsense: %q", line)
	}
}

func TestErrorsAsJSONWithJSON(t *testing.T) {
	t.Parallel()
	r := cli(t, "-json", "-db", newDB(t), "deploy", "web", "-t", broken)
	var doc errorDocument
	if err := json.Unmarshal([]byte(r.stderr), &doc); err != nil || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("stderr is not one JSON line: %q (%v)", r.stderr, err)
	}
	if r.code != exitRejected || r.stdout != "" || doc.Code != "RF.10011030" ||
		len(doc.Diagnostics) != 1 || doc.Diagnostics[0].Range == nil || doc.Diagnostics[0].Range.Start.Line != 3 {
		t.Errorf("exit %d, stdout %q, error %+v", r.code, r.stdout, doc)
	}
}

func TestNoInternalOperationInMessages(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"plan.Make: RF.10011030: the template is invalid": "RF.10011030: the template is invalid",
		"x: engine.DeployStack: RF.10012519 busy":         "x: RF.10012519 busy",
		"huaweicloud_vpc.v: the name is bad":              "huaweicloud_vpc.v: the name is bad",
	} {
		if got := withoutOps(in); got != want {
			t.Errorf("withoutOps(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	if out := ok(t, "validate", "-t", network); out != "Success! The configuration is valid.\n" {
		t.Errorf("validate printed %q", out)
	}
	rejected(t, "RF.10011030", "validate", "-t", broken)
	r := cli(t, "-json", "validate", "-t", broken)
	var doc validateDocument
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if r.code != exitRejected || doc.Valid || doc.ErrorCount != 1 || doc.FormatVersion != "1.0" || doc.Diagnostics[0].Summary != "Reference to undeclared input variable" {
		t.Errorf("validate -json: exit %d, %+v", r.code, doc)
	}
	var valid validateDocument
	if err := json.Unmarshal([]byte(ok(t, "-json", "validate", "-t", network)), &valid); err != nil || !valid.Valid || valid.Diagnostics == nil {
		t.Errorf("validate -json of a valid template: %+v, %v", valid, err)
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	if out := ok(t, "version"); !strings.HasPrefix(out, "Formation ") || !strings.Contains(out, "built with go") {
		t.Errorf("version printed %q", out)
	}
	var doc versionDocument
	if err := json.Unmarshal([]byte(ok(t, "version", "-json")), &doc); err != nil || doc.Version == "" || doc.Platform == "" {
		t.Errorf("version -json: %+v, %v", doc, err)
	}
}

func TestOutputLikeTerraform(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ok(t, "-db", db, "stack", "create", "web", "-t", network, "-var", "prefix=p")
	all := ok(t, "-db", db, "output", "web")
	raw := ok(t, "-db", db, "output", "web", "vpc_id", "-raw")
	if strings.HasSuffix(raw, "\n") || len(raw) != 36 || all != "vpc_id = \""+raw+"\"\n" {
		t.Errorf("output: %q; output -raw: %q", all, raw)
	}
	if one := ok(t, "-db", db, "output", "web", "vpc_id"); one != `"`+raw+"\"\n" {
		t.Errorf("output web vpc_id: %q", one)
	}
	var doc map[string]outputJSON
	if err := json.Unmarshal([]byte(ok(t, "-db", db, "output", "web", "-json")), &doc); err != nil || doc["vpc_id"].Value != raw || doc["vpc_id"].Type != "string" {
		t.Errorf("output -json: %+v, %v", doc, err)
	}
	if one := ok(t, "-db", db, "-json", "output", "web", "vpc_id"); one != `"`+raw+"\"\n" {
		t.Errorf("output -json NAME: %q", one)
	}
	if line := rejected(t, "RF.10011020", "-db", db, "output", "web", "vpc_ix"); !strings.Contains(line, "did you mean vpc_id?") {
		t.Errorf("a mistyped output: %q", line)
	}
	rejected(t, "RF.10011001", "-db", db, "output", "web", "-raw")
}

func TestConsole(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ok(t, "-db", db, "stack", "create", "web", "-t", network, "-var", "prefix=p")
	id := strings.Trim(ok(t, "-db", db, "output", "web", "vpc_id"), "\"\n")
	r := answer("huaweicloud_vpc.vpc.id\nvar.prefix\n\nhuaweicloud_vpc_subnet.subnet[*].name\nvar.nope\nupper(var.prefix)\n",
		"-db", db, "console", "-stack", "web", "-t", network, "-var", "prefix=p")
	want := `"` + id + "\"\n\"p\"\n[\"p-subnet-0\", \"p-subnet-1\"]\n\"P\"\n"
	if r.code != exitRejected || r.stdout != want || !strings.Contains(r.stderr, `variable with the name "nope"`) {
		t.Errorf("console: exit %d, stdout %q (want %q), stderr %q", r.code, r.stdout, want, r.stderr)
	}
	r = answer("huaweicloud_vpc.vpc.id\nhuaweicloud_vpc.vpc.name\nsensitive(var.prefix)\n[sensitive(1), 2]\n", "console", "-t", network, "-var", "prefix=q")
	if r.code != exitOK || r.stdout != "(known after apply)\n\"q-vpc\"\n(sensitive value)\n[(sensitive value), 2]\n" {
		t.Errorf("console without a stack: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}
