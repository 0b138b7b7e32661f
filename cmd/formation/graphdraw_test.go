package main

import (
	"os"
	"path/filepath"
	"testing"
)

// golden compares got with the file testdata/REL, rewriting it with
// -update.
func golden(t *testing.T, rel, got string) {
	t.Helper()
	path := filepath.Join("testdata", rel)
	if *updateGolden {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it); got:\n%s", path, got)
	}
}

func TestGraphPlanColours(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ok(t, "-db", db, "stack", "create", "web", "-t", network, "-var", "prefix=a")
	change := []string{"-t", network, "-var", "prefix=b", "-var", "subnets=1"}
	golden(t, "graph/plan-stack.dot", ok(t, append([]string{"-db", db, "graph", "-plan", "-stack", "web", "-format", "dot", "-rankdir", "LR"}, change...)...))
	golden(t, "graph/plan-stack.mmd", ok(t, append([]string{"-db", db, "graph", "-plan", "-stack", "web", "-rankdir", "TB"}, change...)...))
	golden(t, "graph/plan-new.dot", ok(t, "graph", "-plan", "-format", "dot", "-t", network, "-var", "prefix=a"))
	golden(t, "graph/plain.dot", ok(t, "graph", "-format", "dot", "-t", network, "-var", "prefix=a"))

	doc := decode[graphDocument](t, ok(t, append([]string{"-db", db, "-json", "graph", "-plan", "-stack", "web"}, change...)...))
	actions := map[string]string{}
	for _, n := range doc.Nodes {
		actions[n.Address] = n.Action
	}
	if actions["huaweicloud_vpc.vpc"] != "update" || actions["huaweicloud_vpc_subnet.subnet[0]"] != "update" {
		t.Errorf("graph -plan -json: %+v", doc.Nodes)
	}
	rejected(t, "RF.10011020", "graph", "-stack", "web", "-t", network, "-var", "prefix=a")
	rejected(t, "RF.10011020", "graph", "-rankdir", "up", "-t", network, "-var", "prefix=a")
}
