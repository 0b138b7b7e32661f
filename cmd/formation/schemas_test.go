package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/formation-engine/formation"
)

// acmeSchema is a small provider schema document: a resource with a nested
// block and a data source of zones.
const acmeSchema = `{"format_version":"1.0","provider_schemas":{"registry.terraform.io/acme/acme":{
  "resource_schemas":{"acme_server":{"block":{
    "attributes":{
      "id":{"type":"string","optional":true,"computed":true},
      "name":{"type":"string","required":true},
      "zone":{"type":"string","required":true},
      "password":{"type":"string","optional":true,"sensitive":true},
      "address":{"type":"string","computed":true}},
    "block_types":{"disk":{"nesting_mode":"list","block":{"attributes":{
      "size":{"type":"number","required":true}}}}}}}},
  "data_source_schemas":{"acme_availability_zones":{"block":{"attributes":{
    "id":{"type":"string","optional":true,"computed":true},
    "names":{"type":["list","string"],"computed":true}}}},
  "acme_image":{"block":{"attributes":{
    "id":{"type":"string","optional":true,"computed":true},
    "name":{"type":"string","optional":true}}}}}}}}`

// writeFiles writes name → text files into a new directory.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const zonesTemplate = `
data "acme_availability_zones" "all" {}
data "acme_image" "os" { name = "ubuntu" }

resource "acme_server" "s" {
  count    = length(data.acme_availability_zones.all.names)
  name     = "s${count.index}"
  zone     = data.acme_availability_zones.all.names[3]
  password = data.acme_image.os.id
  disk {
    size = 40
  }
}
`

// Not parallel: it sets the environment.
func TestProviderSchema_Preview(t *testing.T) {
	dir := writeFiles(t, map[string]string{"acme.schema.json": acmeSchema, "main.tf": zonesTemplate,
		"answers.hcl": "acme_image {\n  name = \"ubuntu\"\n  id = \"img-pinned\"\n}\n"})
	schema := filepath.Join(dir, "acme.schema.json")
	out := ok(t, "preview", "-provider-schema", schema, "-t", filepath.Join(dir, "main.tf"))
	for _, want := range []string{`acme_server.s[3] will be created`, `zone     = "cn-north-4d"`, `password = (sensitive value)`,
		`address  = (known after apply)`, "Plan: 4 to add"} {
		if !strings.Contains(out, want) {
			t.Errorf("the plan lacks %q:\n%s", want, out)
		}
	}
	// The same from the environment, with a pinned answer from -sim-data.
	t.Run("environment", func(t *testing.T) {
		t.Setenv(schemaEnv, schema)
		out := ok(t, "preview", "-json", "-t", filepath.Join(dir, "main.tf"), "-sim-data", filepath.Join(dir, "answers.hcl"))
		if !strings.Contains(out, `"img-pinned"`) {
			t.Errorf("the pinned image is not in the plan:\n%s", out)
		}
	})
}

func TestProviderSchema_BadInput(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"bad.schema.json":  `{"resources": []}`,
		"acme.schema.json": acmeSchema,
		"main.tf":          zonesTemplate,
		"answers.json":     `{"acme_image": "nope"}`,
		"unknown.tf":       "resource \"acme_server\" \"s\" {\n  name = \"s\"\n  zone = \"z\"\n  colour = \"red\"\n}\n",
	})
	db := filepath.Join(dir, "f.db")
	for _, args := range [][]string{
		{"deploy", "web", "-provider-schema", filepath.Join(dir, "bad.schema.json"), "-t", filepath.Join(dir, "main.tf")},
		{"deploy", "web", "-provider-schema", filepath.Join(dir, "missing.schema.json"), "-t", filepath.Join(dir, "main.tf")},
		{"deploy", "web", "-provider-schema", filepath.Join(dir, "acme.schema.json"), "-sim-data", filepath.Join(dir, "answers.json"), "-t", filepath.Join(dir, "main.tf")},
	} {
		rejected(t, formation.CodeInvalidParameter, append([]string{"-db", db}, args...)...)
		if _, err := os.Stat(db); err == nil {
			t.Fatalf("formation %s created the database", strings.Join(args, " "))
		}
	}
	line := rejected(t, formation.CodeInvalidTemplate, "preview", "-provider-schema", filepath.Join(dir, "acme.schema.json"), "-t", filepath.Join(dir, "unknown.tf"))
	if !strings.Contains(line, `unknown.tf:4,3-17: Unsupported argument`) {
		t.Errorf("an unknown argument: %s", line)
	}
	// The diagnostic shows where, with the snippet, as terraform does.
	r := cli(t, "preview", "-provider-schema", filepath.Join(dir, "acme.schema.json"), "-t", filepath.Join(dir, "unknown.tf"))
	if !strings.Contains(r.stderr, "Error: Unsupported argument") || !strings.Contains(r.stderr, "line 4") || !strings.Contains(r.stderr, `4:   colour = "red"`) {
		t.Errorf("diagnostics:\n%s", r.stderr)
	}
}

// Without a schema, a data source nothing answers is unknown in a preview,
// and a count it decides gets Terraform's error.
func TestPreview_UnansweredDataSource(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"read.tf":  `data "acme_image" "os" { name = "ubuntu" }` + "\n" + `resource "acme_server" "s" { image = data.acme_image.os.id }`,
		"count.tf": `data "acme_availability_zones" "all" {}` + "\n" + `resource "acme_server" "s" { count = length(data.acme_availability_zones.all.names) }`,
	})
	out := ok(t, "preview", "-t", filepath.Join(dir, "read.tf"))
	if !strings.Contains(out, "data.acme_image.os will be read during apply") || !strings.Contains(out, "image = (known after apply)") {
		t.Errorf("plan:\n%s", out)
	}
	r := cli(t, "preview", "-t", filepath.Join(dir, "count.tf"))
	if r.code != exitRejected || !strings.Contains(r.stderr, "Invalid count argument") {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
}

// $HW_ENABLE_FORCE_NEW is the huaweicloud provider's own switch: a changed
// non-updatable key, which fails the plan, replaces the resource instead;
// a value that is not a bool is refused before anything is opened. Not
// parallel: it sets the environment.
func TestProviderSchema_EnableForceNewFromEnvironment(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"acme.schema.json":       acmeSchema,
		"acme.nonupdatable.json": `{"acme_server": ["zone"]}`,
		"a.tf":                   "resource \"acme_server\" \"s\" {\n  name = \"s\"\n  zone = \"a\"\n}\n",
		"b.tf":                   "resource \"acme_server\" \"s\" {\n  name = \"s\"\n  zone = \"b\"\n}\n",
	})
	db, schema := filepath.Join(dir, "f.db"), filepath.Join(dir, "acme.schema.json")
	ok(t, "-db", db, "stack", "create", "web")
	ok(t, "-db", db, "-provider-schema", schema, "deploy", "web", "-t", filepath.Join(dir, "a.tf"))
	preview := []string{"-db", db, "-provider-schema", schema, "preview", "-stack", "web", "-t", filepath.Join(dir, "b.tf")}
	if line := rejected(t, formation.CodeInvalidTemplate, preview...); !strings.Contains(line, `zone can't be updated, "a" -> "b"`) {
		t.Errorf("without the switch: %s", line)
	}
	t.Setenv(forceNewEnv, "true")
	if out := ok(t, preview...); !strings.Contains(out, "must be replaced") || !strings.Contains(out, "1 to add, 0 to change, 1 to destroy") {
		t.Errorf("with %s=true:\n%s", forceNewEnv, out)
	}
	t.Setenv(forceNewEnv, "maybe")
	if line := rejected(t, formation.CodeInvalidParameter, preview...); !strings.Contains(line, `HW_ENABLE_FORCE_NEW="maybe" is not a bool`) {
		t.Errorf("a bad value: %s", line)
	}
}
