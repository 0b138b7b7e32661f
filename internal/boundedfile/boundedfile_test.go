package boundedfile_test

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/formation-engine/formation/internal/boundedfile"
)

// Before it, a FIFO named main.tf blocked its reader forever and a link to
// /dev/zero read until memory ran out. Both return at once now.
func TestRead(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ok.tf"), []byte("12345"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.tf"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.tf")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("ok.tf", filepath.Join(dir, "link.tf")); err != nil {
		t.Fatal(err)
	}
	fsys := os.DirFS(dir)
	for _, name := range []string{"fifo.tf", "zero.tf"} {
		if _, err := boundedfile.Read(fsys, name, 100); !errors.Is(err, boundedfile.ErrNotRegular) {
			t.Errorf("%s: %v, want ErrNotRegular", name, err)
		}
	}
	for _, name := range []string{"ok.tf", "link.tf"} {
		if b, err := boundedfile.Read(fsys, name, 5); err != nil || string(b) != "12345" {
			t.Errorf("%s at its length: %q, %v", name, b, err)
		}
		if b, err := boundedfile.Read(fsys, name, 0); err != nil || string(b) != "12345" {
			t.Errorf("%s without a limit: %q, %v", name, b, err)
		}
		var tl *boundedfile.TooLargeError
		if _, err := boundedfile.Read(fsys, name, 4); !errors.As(err, &tl) || tl.Limit != 4 {
			t.Errorf("%s over the limit: %v, want TooLargeError", name, err)
		}
	}
}
