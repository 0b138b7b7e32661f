package template

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/formation-engine/formation"
)

// A FIFO named f.tf hung ParseFS forever, and a link to /dev/zero read
// until memory ran out: only regular files are read, at most the file
// set's limit.
func TestParseFS_OnlyRegularFilesWithinTheLimit(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(path string) error
		want formation.Code
	}{
		{"a FIFO", func(p string) error { return syscall.Mkfifo(p, 0o600) }, formation.CodeInvalidTemplate},
		{"a link to /dev/zero", func(p string) error { return os.Symlink("/dev/zero", p) }, formation.CodeInvalidTemplate},
		{"a link to a file larger than the set's limit", func(p string) error {
			big := filepath.Join(t.TempDir(), "big.tf")
			if err := os.WriteFile(big, []byte(strings.Repeat("#", 2000)), 0o600); err != nil {
				return err
			}
			return os.Symlink(big, p)
		}, formation.CodeTooLong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(`locals { a = 1 }`), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := tc.make(filepath.Join(dir, "f.tf")); err != nil {
				t.Fatal(err)
			}
			// The walk sums the sizes of the links, not of what they lead
			// to: reading stops at the limit all the same.
			limits := DefaultLimits()
			limits.MaxFileSetBytes = 1000
			_, err := ParseFS(os.DirFS(dir), Options{Limits: &limits})
			var fe *formation.Error
			if !errors.As(err, &fe) || fe.Code != tc.want {
				t.Fatalf("ParseFS: %v, want %s", err, tc.want)
			}
			if tc.want == formation.CodeInvalidTemplate && !strings.Contains(err.Error(), "not a regular file") {
				t.Errorf("ParseFS: %v, want it to say f.tf is not a regular file", err)
			}
		})
	}
}
