package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// The Binary_ benchmarks run the built binary as a user would: each
// operation is a whole process, startup, database and output included
// (stdout goes to a pipe, as with `| cat`).

// buildBinary builds the formation command into a temporary directory.
func buildBinary(b *testing.B) string {
	b.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		b.Skip("no go command to build the binary")
	}
	bin := filepath.Join(b.TempDir(), "formation")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runBinary runs the binary with args and fails the benchmark if it fails.
func runBinary(b *testing.B, bin string, args ...string) {
	b.Helper()
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		b.Fatalf("formation %v: %v\n%s", args, err, out)
	}
}

// flatDir writes a template of n flat instances (one count block of a
// schema-less type) into a new directory and returns it.
func flatDir(b *testing.B, n int) string {
	b.Helper()
	dir := b.TempDir()
	body := `resource "sim_item" "i" {
  count = ` + strconv.Itoa(n) + `
  name  = "item-${count.index}"
  size  = count.index
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(body), 0o600); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkBinary_PreviewSchema20 loads the huaweicloud schema (its 6.5 MB,
// indexed by type) and previews a 20-resource template (testdata/schema20).
// The target is 150 ms of wall time per process.
func BenchmarkBinary_PreviewSchema20(b *testing.B) {
	schema := filepath.Join("..", "..", "..", "shared", "catalog", "huaweicloud.schema.json.gz")
	bin := buildBinary(b)
	if err := exec.Command(bin, "preview", "-provider-schema", schema, "-t", "testdata/schema20").Run(); err != nil {
		b.Skipf("preview with %s: %v (../shared absent?)", schema, err)
	}
	for b.Loop() {
		runBinary(b, bin, "preview", "-provider-schema", schema, "-t", "testdata/schema20")
	}
}

// BenchmarkBinary_PreviewFlat10k previews 10,000 flat instances (issue 15's
// target: 0.15 s; Terraform v1.11.4 plans the same file in 7.8 s).
func BenchmarkBinary_PreviewFlat10k(b *testing.B) {
	bin, dir := buildBinary(b), flatDir(b, 10000)
	for b.Loop() {
		runBinary(b, bin, "-limits", "none", "preview", "-t", dir)
	}
}

// BenchmarkBinary_DeployFlat10k creates a stack of 10,000 flat instances
// into a new database file, following the deployment (target: 1.0 s).
func BenchmarkBinary_DeployFlat10k(b *testing.B) {
	bin, dir := buildBinary(b), flatDir(b, 10000)
	for i := 0; b.Loop(); i++ {
		db := filepath.Join(b.TempDir(), strconv.Itoa(i)+".db")
		runBinary(b, bin, "-db", db, "-limits", "none", "stack", "create", "flat", "-t", dir)
	}
}

// BenchmarkBinary_DeleteFlat10k deletes a stack of 10,000 flat instances,
// following the deletion (target: 1.0 s); the deployment before each is
// not timed.
func BenchmarkBinary_DeleteFlat10k(b *testing.B) {
	bin, dir := buildBinary(b), flatDir(b, 10000)
	db := filepath.Join(b.TempDir(), "flat.db")
	for b.Loop() {
		b.StopTimer()
		runBinary(b, bin, "-db", db, "-limits", "none", "stack", "create", "flat", "-t", dir)
		b.StartTimer()
		runBinary(b, bin, "-db", db, "-limits", "none", "stack", "delete", "flat")
	}
}
