package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/formation-engine/formation"
)

// writeTree writes path → body under a new directory and returns it.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestPreviewModules previews, deploys and lists a directory whose
// template calls a local module under ./modules.
func TestPreviewModules(t *testing.T) {
	t.Parallel()
	// testdata/modules, with a hidden directory that is not read.
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "modules"))); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, ".terraform", "modules"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".terraform", "modules", "main.tf"), []byte("not read: hidden directories are skipped"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := ok(t, "preview", "-t", dir)
	for _, want := range []string{
		"  # module.net[0].huaweicloud_vpc.vpc will be created\n",
		"  # module.net[1].huaweicloud_vpc.vpc will be created\n",
		"= \"net-1\"\n",
		"\nPlan: 2 to add, 0 to change, 0 to destroy.\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("preview printed no %q:\n%s", want, out)
		}
	}
	var doc struct {
		ResourceChanges []struct {
			Address       string `json:"address"`
			ModuleAddress string `json:"module_address"`
			Name          string `json:"name"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(ok(t, "-json", "preview", "-t", dir)), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.ResourceChanges) != 2 || doc.ResourceChanges[1].Address != "module.net[1].huaweicloud_vpc.vpc" ||
		doc.ResourceChanges[1].ModuleAddress != "module.net[1]" || doc.ResourceChanges[1].Name != "vpc" {
		t.Errorf("preview -json: %+v", doc)
	}

	db := newDB(t)
	ok(t, "-db", db, "stack", "create", "web", "-t", dir)
	if out := ok(t, "-db", db, "preview", "-stack", "web", "-t", dir); out != "No changes. The infrastructure matches the template.\n" {
		t.Errorf("preview -stack after deploying printed:\n%s", out)
	}
	if out := ok(t, "-db", db, "resources", "web"); !strings.Contains(out, "module.net[0].huaweicloud_vpc.vpc") {
		t.Errorf("resources printed:\n%s", out)
	}
	if out := ok(t, "-db", db, "events", "web"); !strings.Contains(out, "module.net[1].huaweicloud_vpc.vpc") {
		t.Errorf("events printed:\n%s", out)
	}
}

func TestPreviewModules_Refused(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{
		"main.tf": "module \"up\" {\n  source = \"../elsewhere\"\n}\n",
	})
	line := rejected(t, formation.CodeInvalidTemplate, "preview", "-t", dir)
	if !strings.Contains(line, "invalid") {
		t.Errorf("line = %q", line)
	}
	dir = writeTree(t, map[string]string{
		"main.tf": "module \"reg\" {\n  source = \"huaweicloud/vpc/huaweicloud\"\n}\n",
	})
	rejected(t, formation.CodeUnsupported, "preview", "-t", dir)
}

// A legacy module's own provider block configures the provider for its
// resources and the modules below it: the simulated cloud reports the
// region it sets, and a re-plan after the deployment changes nothing.
func TestDeployLegacyModuleProvider(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{
		"main.tf": "module \"a\" {\n  source = \"./m\"\n  region = \"cn-east-3\"\n}\n" +
			"resource \"huaweicloud_vpc\" \"root\" {\n  name = \"root\"\n  cidr = \"10.0.0.0/16\"\n}\n" +
			"output \"regions\" {\n  value = [huaweicloud_vpc.root.region, module.a.region]\n}\n",
		"m/main.tf": "variable \"region\" {}\nprovider \"huaweicloud\" {\n  region = var.region\n}\n" +
			"module \"inner\" {\n  source = \"./inner\"\n}\noutput \"region\" {\n  value = module.inner.region\n}\n",
		"m/inner/main.tf": "resource \"huaweicloud_vpc\" \"w\" {\n  name = \"w\"\n  cidr = \"10.0.0.0/16\"\n}\n" +
			"output \"region\" {\n  value = huaweicloud_vpc.w.region\n}\n",
	})
	db := newDB(t)
	ok(t, "-db", db, "stack", "create", "web")
	if out := ok(t, "-db", db, "deploy", "web", "-t", dir); !strings.Contains(out, `regions = ["cn-north-4", "cn-east-3"]`) {
		t.Errorf("deploy printed:\n%s", out)
	}
	if out := ok(t, "-db", db, "preview", "-stack", "web", "-t", dir); out != "No changes. The infrastructure matches the template.\n" {
		t.Errorf("preview -stack after deploying printed:\n%s", out)
	}
}
