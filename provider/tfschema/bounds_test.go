package tfschema

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/formation-engine/formation"
)

// A gzip bomb — a small stream that decompresses past the bound — is
// refused with CodeTooLong, having decompressed no more than the bound;
// so are a file larger than the bound and one that is not a regular file.
func TestOpen_Bounded(t *testing.T) {
	defer func(m int64) { maxBytes = m }(maxBytes)
	maxBytes = 1 << 20
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	if _, err := io.CopyN(zw, zeros{}, 8<<20); err != nil { // 8 MiB of zeros in about 8 KB
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	fifo := filepath.Join(dir, "fifo.schema.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		path string
		code formation.Code
	}{
		"gzip bomb":         {write("bomb.schema.json.gz", bomb.Bytes()), formation.CodeTooLong},
		"too large":         {write("big.schema.json", bytes.Repeat([]byte(" "), int(maxBytes)+1)), formation.CodeTooLong},
		"not a regular one": {fifo, formation.CodeInvalidParameter},
	}
	for name, c := range cases {
		_, err := Open(c.path)
		if !formation.HasCode(err, c.code) {
			t.Errorf("%s: %v, want %s", name, err, c.code)
		}
	}
	if _, err := Parse(bomb.Bytes(), Options{}); !formation.HasCode(err, formation.CodeTooLong) || !errors.Is(err, errTooLarge) {
		t.Errorf("Parse of a gzip bomb: %v, want %s", err, formation.CodeTooLong)
	}
	if _, err := Parse([]byte(`{"format_version": "1.0", "provider_schemas": {}}`), Options{ForceNew: bomb.Bytes()}); !formation.HasCode(err, formation.CodeTooLong) {
		t.Errorf("Parse with a gzip bomb as companion: %v, want %s", err, formation.CodeTooLong)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
