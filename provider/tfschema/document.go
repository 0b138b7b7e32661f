package tfschema

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/internal/boundedfile"
	"github.com/formation-engine/formation/provider"
)

// MaxBytes bounds a schema document or companion file: as read, and as
// decompressed when it is gzip (a small gzip stream can expand to
// gigabytes). It is twenty times the huaweicloud provider's schema
// (6.5 MB). Over it, Open and Parse return a *formation.Error with
// CodeTooLong.
const MaxBytes = 128 << 20

// maxBytes is MaxBytes, lowered by tests.
var maxBytes int64 = MaxBytes

// errTooLarge is what gunzip returns for a stream that expands past
// maxBytes.
var errTooLarge = errors.New("it decompresses to more bytes than a schema document may hold (tfschema.MaxBytes)")

// ErrFormat is wrapped by every error about a file that is not what it
// should be: not Terraform's provider schema document, not a companion
// file of the expected shape, malformed JSON, a truncated gzip stream.
var ErrFormat = errors.New("tfschema: not a Terraform provider schema file")

// Document is a provider schema document, indexed by type and decoded
// lazily: Resource and DataSource decode a type the first time it is
// asked for and keep it. A Document is safe for concurrent use.
type Document struct {
	providers    []*providerIndex // sorted by source
	forceNew     map[string][]string
	nonUpdatable map[string][]string
	meta         map[cacheKey][]byte // resource or data source type → its meta entry, undecoded
	cache        sync.Map            // cacheKey → *cached
}

// providerIndex holds one provider's types, each as its undecoded JSON.
type providerIndex struct {
	source      string
	resources   map[string][]byte
	dataSources map[string][]byte
}

type cacheKey struct {
	data bool
	typ  string
}

type cached struct {
	schema provider.Schema
	err    error
}

// Options are the companion files of a schema document, each plain or
// gzip; nil means none.
type Options struct {
	// ForceNew lists, per resource type, the attribute paths whose change
	// forces a replacement ("attr", "block.attr"), which Terraform's schema
	// format leaves out: {"huaweicloud_vpc": ["cidr"], …}.
	ForceNew []byte
	// NonUpdatable lists, per resource type, the keys the provider
	// refuses to change in place ("key", "list.*.key"); see
	// provider.Schema.NonUpdatable. Same shape as ForceNew.
	NonUpdatable []byte
	// Meta is what else the provider's source says per resource and data
	// source type; the literal defaults (provider.Attribute.Default) and
	// the rules between arguments (provider.Schema.Constraints) are read:
	// {"resources": {"type": {"attrs": {"attr": {"default": 2,
	// "conflicts_with": ["other"]}}}}, "data_sources": {…}}.
	Meta []byte
}

// Parse reads a document that `terraform providers schema -json` prints,
// plain or gzip, with its companions. A document of another format version
// (major version other than 1), one without provider_schemas, malformed
// JSON and a truncated gzip stream are *formation.Error values with
// CodeInvalidParameter wrapping ErrFormat. The types themselves are
// checked when they are first used.
func Parse(schema []byte, opts Options) (*Document, error) {
	return parse("tfschema.Parse", "", schema, opts)
}

// Open reads the document at path (plain or gzip). Its companions are
// found beside it by name: for NAME.schema.json or NAME.schema.json.gz,
// the files NAME.forcenew.json[.gz], NAME.nonupdatable.json[.gz] and
// NAME.meta.json[.gz], when they exist. Errors are Parse's, and a *formation.Error with
// CodeInvalidParameter for a file that cannot be read.
func Open(path string) (*Document, error) {
	const op = "tfschema.Open"
	schema, err := readFile(op, path)
	if err != nil {
		return nil, err
	}
	var opts Options
	for _, c := range []struct {
		suffix string
		data   *[]byte
	}{{"forcenew", &opts.ForceNew}, {"nonupdatable", &opts.NonUpdatable}, {"meta", &opts.Meta}} {
		name, ok := Companion(path, c.suffix)
		if !ok {
			continue
		}
		if *c.data, err = readFile(op, name); err != nil {
			return nil, err
		}
	}
	return parse(op, path, schema, opts)
}

// Companion returns the companion file of kind ("forcenew",
// "nonupdatable") that Open reads for the schema at path, and whether it
// exists.
func Companion(path, kind string) (string, bool) {
	var base string
	for _, ext := range []string{".schema.json.gz", ".schema.json"} {
		if strings.HasSuffix(path, ext) {
			base = strings.TrimSuffix(path, ext)
			break
		}
	}
	if base == "" {
		return "", false
	}
	for _, ext := range []string{".json.gz", ".json"} {
		name := base + "." + kind + ext
		if _, err := os.Stat(name); err == nil {
			return name, true
		}
	}
	return "", false
}

// readFile reads a regular file of at most MaxBytes.
func readFile(op, path string) ([]byte, error) {
	data, err := boundedfile.Read(os.DirFS(filepath.Dir(path)), filepath.Base(path), maxBytes)
	var tl *boundedfile.TooLargeError
	switch {
	case errors.As(err, &tl):
		return nil, formation.Wrap(formation.CodeTooLong, op, path, err)
	case err != nil:
		return nil, formation.Wrap(formation.CodeInvalidParameter, op, path, err)
	}
	return data, nil
}

func parse(op, path string, schema []byte, opts Options) (*Document, error) {
	bad := func(what string, err error) error {
		if errors.Is(err, errTooLarge) {
			return &formation.Error{Code: formation.CodeTooLong, Op: op, Resource: path, Message: what, Err: err}
		}
		return &formation.Error{Code: formation.CodeInvalidParameter, Op: op, Resource: path,
			Message: what, Err: fmt.Errorf("%w: %w", ErrFormat, err)}
	}
	data, err := gunzip(schema)
	if err != nil {
		return nil, bad("cannot read the provider schema", err)
	}
	d := &Document{}
	if err := d.index(data); err != nil {
		return nil, bad("not a Terraform provider schema document (terraform providers schema -json)", err)
	}
	if d.forceNew, err = keyLists(opts.ForceNew); err != nil {
		return nil, bad("not a force-new companion file ({\"type\": [\"attr\", \"block.attr\"]})", err)
	}
	if d.nonUpdatable, err = keyLists(opts.NonUpdatable); err != nil {
		return nil, bad("not a non-updatable companion file ({\"type\": [\"key\", \"list.*.key\"]})", err)
	}
	if d.meta, err = metaIndex(opts.Meta); err != nil {
		return nil, bad("not a meta companion file ({\"resources\": {\"type\": {\"attrs\": …}}})", err)
	}
	return d, nil
}

// gunzip returns data, decompressed when it is gzip: at most MaxBytes
// (errTooLarge).
func gunzip(data []byte) ([]byte, error) {
	if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
		return data, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.Grow(int(min(int64(len(data))*14, maxBytes))) // schemas compress about 13 to 1
	n, err := io.Copy(&out, io.LimitReader(zr, maxBytes+1))
	if n > maxBytes {
		return nil, errTooLarge
	}
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("the gzip stream is truncated: %w", err)
		}
		return nil, err
	}
	return out.Bytes(), nil
}

// index reads the document's outer levels: format_version and, per
// provider source, its resource and data source types.
func (d *Document) index(data []byte) error {
	s := &skimmer{data: data}
	version, found := "", false
	end, err := s.members(0, func(name string, start, end int) error {
		switch name {
		case "format_version":
			v, _, err := s.str(start)
			if err != nil {
				return fmt.Errorf("format_version: %w", err)
			}
			version = v
		case "provider_schemas":
			found = true
			_, err := s.members(start, func(source string, start, end int) error {
				p, err := s.provider(source, start)
				d.providers = append(d.providers, p)
				return err
			})
			return err
		}
		return nil
	})
	switch {
	case err != nil:
		return err
	case s.ws(end) != len(data):
		return s.syntaxError(s.ws(end), "the document goes on after its object")
	case version == "":
		return errors.New("format_version is missing")
	case version != "1" && !strings.HasPrefix(version, "1."):
		return fmt.Errorf("format_version %q is not supported (1.x is)", version)
	case !found:
		return errors.New("provider_schemas is missing")
	}
	slices.SortFunc(d.providers, func(a, b *providerIndex) int { return strings.Compare(a.source, b.source) })
	return nil
}

// provider indexes one provider's entry.
func (s *skimmer) provider(source string, at int) (*providerIndex, error) {
	p := &providerIndex{source: source, resources: map[string][]byte{}, dataSources: map[string][]byte{}}
	_, err := s.members(at, func(name string, start, end int) error {
		var into map[string][]byte
		switch name {
		case "resource_schemas":
			into = p.resources
		case "data_source_schemas":
			into = p.dataSources
		default:
			return nil
		}
		_, err := s.members(start, func(typ string, start, end int) error {
			into[typ] = s.data[start:end]
			return nil
		})
		if err != nil {
			return fmt.Errorf("provider_schemas[%q].%s: %w", source, name, err)
		}
		return nil
	})
	return p, err
}

// keyLists reads a companion file: {"type": ["path", …], …}.
func keyLists(data []byte) (map[string][]string, error) {
	if data == nil {
		return nil, nil
	}
	data, err := gunzip(data)
	if err != nil {
		return nil, err
	}
	var out map[string][]string
	dec := jsonDecoder(data)
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	if out == nil {
		return nil, errors.New("the file is null, not an object")
	}
	return out, nil
}

// Providers lists the provider sources the document describes, such as
// "registry.terraform.io/huaweicloud/huaweicloud", sorted.
func (d *Document) Providers() []string {
	out := make([]string, len(d.providers))
	for i, p := range d.providers {
		out[i] = p.source
	}
	return out
}

// ResourceTypes lists the resource types of every provider, sorted.
func (d *Document) ResourceTypes() []string {
	return d.types(func(p *providerIndex) map[string][]byte { return p.resources })
}

// DataSourceTypes lists the data source types of every provider, sorted.
func (d *Document) DataSourceTypes() []string {
	return d.types(func(p *providerIndex) map[string][]byte { return p.dataSources })
}

func (d *Document) types(of func(*providerIndex) map[string][]byte) []string {
	var out []string
	for _, p := range d.providers {
		out = append(out, slices.Collect(maps.Keys(of(p)))...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Resource returns the schema of a resource type, with the force-new and
// non-updatable companions applied, and false when no provider of the
// document has the type. A type whose JSON is not a valid schema is an
// error wrapping ErrFormat.
func (d *Document) Resource(typ string) (provider.Schema, bool, error) {
	return d.lookup(cacheKey{false, typ})
}

// DataSource returns the schema of a data source type, like Resource.
func (d *Document) DataSource(typ string) (provider.Schema, bool, error) {
	return d.lookup(cacheKey{true, typ})
}

func (d *Document) lookup(k cacheKey) (provider.Schema, bool, error) {
	if c, ok := d.cache.Load(k); ok {
		c := c.(*cached)
		return c.schema, true, c.err
	}
	for _, p := range d.providers {
		raw, ok := p.resources[k.typ]
		if k.data {
			raw, ok = p.dataSources[k.typ]
		}
		if !ok {
			continue
		}
		c := &cached{}
		c.schema, c.err = decodeSchema(raw)
		if c.err == nil && !k.data {
			applyForceNew(&c.schema, d.forceNew[k.typ])
			c.schema.NonUpdatable = d.nonUpdatable[k.typ]
		}
		if c.err == nil {
			c.err = applyMeta(&c.schema, d.meta[k])
		}
		if c.err == nil {
			c.schema = c.schema.Compile() // every resource of the type is planned against it
		}
		if c.err != nil {
			kind := "resource"
			if k.data {
				kind = "data source"
			}
			c.err = fmt.Errorf("%w: the schema of %s %s in %s: %w", ErrFormat, kind, k.typ, p.source, c.err)
		}
		got, _ := d.cache.LoadOrStore(k, c)
		c = got.(*cached)
		return c.schema, true, c.err
	}
	return provider.Schema{}, false, nil
}

// metaIndex indexes a meta companion file by resource and data source
// type, as the schema is indexed: {"resources": {"type": {…}, …},
// "data_sources": {…}}; a type's entry is decoded when the type is.
func metaIndex(data []byte) (map[cacheKey][]byte, error) {
	if data == nil {
		return nil, nil
	}
	data, err := gunzip(data)
	if err != nil {
		return nil, err
	}
	sk := &skimmer{data: data}
	var out map[cacheKey][]byte
	resources := false
	_, err = sk.members(0, func(name string, start, end int) error {
		if name != "resources" && name != "data_sources" {
			return nil
		}
		resources = resources || name == "resources"
		if out == nil {
			out = map[cacheKey][]byte{}
		}
		_, err := sk.members(start, func(typ string, start, end int) error {
			out[cacheKey{data: name == "data_sources", typ: typ}] = data[start:end]
			return nil
		})
		return err
	})
	if err == nil && !resources {
		err = errors.New("it has no resources object")
	}
	return out, err
}
