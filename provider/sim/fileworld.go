package sim

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
)

// FileWorld is a WorldStore in one file, an append-only log of JSON lines
// ({"k": key, "v": base64 value}) where the last line for a key wins. It lets
// tests and separate processes on one machine share a world without an engine
// store. Each Write appends its lines with one write; a torn last line (a
// crash mid-write) is ignored on Load, so a crash keeps a prefix of a Write. The log is never compacted, so it suits
// simulations, not long-lived worlds.
//
// FileWorld is safe for concurrent use within a process. Processes that
// share the file should not write at the same time.
type FileWorld struct {
	path string
	mu   sync.Mutex // serialises appends within the process
}

// NewFileWorld returns a world store kept in the file at path, which is
// created on the first Put.
func NewFileWorld(path string) *FileWorld { return &FileWorld{path: path} }

// fileLine is one line of the log.
type fileLine struct {
	Key   string `json:"k"`
	Value []byte `json:"v"`
}

// Load replays the log and calls fn for each key's last value, in the order
// keys first appear, skipping deleted keys. A missing file is an empty
// world.
func (f *FileWorld) Load(ctx context.Context, fn func(key string, value []byte) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	data, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var order []string
	latest := make(map[string][]byte)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	for n := 1; sc.Scan(); n++ {
		var l fileLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			if !bytes.HasSuffix(data, []byte("\n")) && bytes.HasSuffix(data, sc.Bytes()) {
				break // a torn last line: the write that made it never finished
			}
			return fmt.Errorf("sim: world file %s line %d: %w", f.path, n, err)
		}
		if _, seen := latest[l.Key]; !seen {
			order = append(order, l.Key)
		}
		latest[l.Key] = l.Value
	}
	if err := sc.Err(); err != nil {
		return err
	}
	for _, k := range order {
		if latest[k] == nil {
			continue // deleted
		}
		if err := fn(k, latest[k]); err != nil {
			return err
		}
	}
	return nil
}

// Write appends a line per pair, all with one write; a nil value deletes
// its key.
func (f *FileWorld) Write(ctx context.Context, pairs []KV) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var buf []byte
	for _, p := range pairs {
		line, err := json.Marshal(fileLine(p))
		if err != nil {
			return err
		}
		buf = append(append(buf, line...), '\n')
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	file, err := os.OpenFile(f.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	_, err = file.Write(buf)
	return errors.Join(err, file.Close())
}
