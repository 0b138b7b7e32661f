package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/formation-engine/formation/provider/tfschema"
)

// schemaEnv lists provider schema files, separated as PATH is, for
// invocations that give no -provider-schema.
const schemaEnv = "FORMATION_PROVIDER_SCHEMA"

// providerSchemas reads the provider schema documents -provider-schema
// (or $FORMATION_PROVIDER_SCHEMA) names, once per invocation. Each is
// indexed, not decoded: a type is decoded when a template uses it.
func (g *globals) providerSchemas() ([]*tfschema.Document, error) {
	if g.schemas != nil {
		return g.schemas, nil
	}
	files := []string(g.schemaFiles)
	if len(files) == 0 {
		files = filepath.SplitList(lookupEnv(g.environ, schemaEnv))
	}
	docs := []*tfschema.Document{}
	for _, f := range files {
		if f == "" {
			continue
		}
		d, err := openSchema(f)
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	g.schemas = docs
	return docs, nil
}

// opened keeps the documents this process has read, by file and version:
// a document is immutable, and reading one costs tens of milliseconds,
// which in-process callers that run many commands (tests) would pay each
// time.
var opened sync.Map // openedKey → *tfschema.Document

type openedKey struct {
	path    string
	size    int64
	modTime time.Time
}

// openSchema is tfschema.Open, once per file version.
func openSchema(path string) (*tfschema.Document, error) {
	info, err := os.Stat(path)
	if err != nil {
		return tfschema.Open(path) // reports the file as Open does
	}
	k := openedKey{path, info.Size(), info.ModTime()}
	if d, ok := opened.Load(k); ok {
		return d.(*tfschema.Document), nil
	}
	d, err := tfschema.Open(path)
	if err != nil {
		return nil, err
	}
	opened.Store(k, d)
	return d, nil
}

// lookupEnv is the value of name in environ (as os.Environ gives it), ""
// when it is not set.
func lookupEnv(environ []string, name string) string {
	for _, kv := range slices.Backward(environ) {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			return v
		}
	}
	return ""
}
