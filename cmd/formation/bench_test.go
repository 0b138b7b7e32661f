package main

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkBinary_PreviewSchema20 runs the built binary as a user would:
// a whole process that loads the huaweicloud schema (its 6.5 MB, indexed
// by type) and previews a 20-resource template (testdata/schema20). The
// target is 150 ms of wall time per process.
func BenchmarkBinary_PreviewSchema20(b *testing.B) {
	schema := filepath.Join("..", "..", "..", "shared", "catalog", "huaweicloud.schema.json.gz")
	if _, err := exec.LookPath("go"); err != nil {
		b.Skip("no go command to build the binary")
	}
	bin := filepath.Join(b.TempDir(), "formation")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	if err := exec.Command(bin, "preview", "-provider-schema", schema, "-t", "testdata/schema20").Run(); err != nil {
		b.Skipf("preview with %s: %v (../shared absent?)", schema, err)
	}
	for b.Loop() {
		if out, err := exec.Command(bin, "preview", "-provider-schema", schema, "-t", "testdata/schema20").CombinedOutput(); err != nil {
			b.Fatalf("preview: %v\n%s", err, out)
		}
	}
}
