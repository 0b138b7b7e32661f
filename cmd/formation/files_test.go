package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/formation-engine/formation"
)

// A FIFO named f.tf hung the tool forever, a link to /dev/zero read until
// memory ran out, and a variables file nested 100,000 deep overflowed the
// stack: all are refused at once, as a user's mistake.
func TestFilesTheToolWillNotRead(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "f.tf")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero.tf")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(t.TempDir(), "big.tf")
	if err := os.WriteFile(big, []byte(strings.Repeat("#", 1<<20+1)), 0o600); err != nil {
		t.Fatal(err)
	}
	deep := filepath.Join(t.TempDir(), "deep.tfvars")
	if err := os.WriteFile(deep, []byte("x = "+strings.Repeat("[", 100000)+strings.Repeat("]", 100000)), 0o600); err != nil {
		t.Fatal(err)
	}
	varsDir := t.TempDir()
	tpl := filepath.Join(varsDir, "main.tf")
	if err := os.WriteFile(tpl, []byte(`variable "x" {}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want formation.Code
		say  string
	}{
		{[]string{"validate", "-t", fifo}, formation.CodeInvalidParameter, "not a regular file"},
		{[]string{"validate", "-t", zero}, formation.CodeInvalidParameter, "not a regular file"},
		{[]string{"validate", "-t", dir}, formation.CodeInvalidParameter, "not a regular file"},
		{[]string{"validate", "-t", big}, formation.CodeTooLong, "larger than 1048576 bytes"},
		{[]string{"preview", "-t", tpl, "-var-file", fifo}, formation.CodeInvalidParameter, "not a regular file"},
		{[]string{"preview", "-t", tpl, "-var-file", deep}, formation.CodeInvalidVariables, "nested too deeply"},
		{[]string{"fmt", fifo}, formation.CodeInvalidParameter, "not a regular file"},
		{[]string{"fmt", zero}, formation.CodeInvalidParameter, "not a regular file"},
		{[]string{"preview", "-t", tpl, "-var", "x=1", "-sim-data", fifo}, formation.CodeInvalidParameter, "not a regular file"},
		{[]string{"preview", "-t", tpl, "-var", "x=1", "-provider-schema", fifo}, formation.CodeInvalidParameter, "not a regular file"},
		{[]string{"serve", "-credentials", fifo}, formation.CodeInvalidParameter, "not a regular file"},
	} {
		line := rejected(t, tc.want, tc.args...)
		if !strings.Contains(line, tc.say) {
			t.Errorf("formation %s: %q, want it to say %q", strings.Join(tc.args, " "), line, tc.say)
		}
	}
}
