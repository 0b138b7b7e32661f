// Package boundedfile reads files a user or a template names, which the
// program did not choose: only regular files, and never more than a
// limit. A FIFO named main.tf would block a read forever, and a symbolic
// link to /dev/zero would fill memory; a file's reported size cannot be
// trusted either, since it may grow while it is read.
package boundedfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
)

// ErrNotRegular is returned for a name that is not a regular file once
// symbolic links are followed: a directory, FIFO, device or socket.
var ErrNotRegular = errors.New("not a regular file")

// TooLargeError is returned for a file longer than the limit; no more than
// Limit+1 bytes of it were read.
type TooLargeError struct {
	Name  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %d bytes", e.Name, e.Limit)
}

// Read reads the file name of fsys: a regular file (ErrNotRegular
// otherwise, wrapped in an *fs.PathError), of at most limit bytes
// (*TooLargeError otherwise); limit ≤ 0 reads any length. A symbolic link
// is judged by what it leads to. The name is checked before it is opened
// (opening a FIFO blocks until a writer comes) and the opened file again.
func Read(fsys fs.FS, name string, limit int64) ([]byte, error) {
	if err := regular(fs.Stat(fsys, name)); err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := regular(f.Stat()); err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	r := io.Reader(f)
	if limit > 0 {
		r = io.LimitReader(f, limit+1)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if limit > 0 && int64(len(b)) > limit {
		return nil, &TooLargeError{Name: name, Limit: limit}
	}
	return b, nil
}

func regular(info fs.FileInfo, err error) error {
	if err != nil {
		if pe, ok := err.(*fs.PathError); ok {
			return pe.Err
		}
		return err
	}
	if !info.Mode().IsRegular() {
		return ErrNotRegular
	}
	return nil
}
