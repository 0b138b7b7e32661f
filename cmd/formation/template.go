package main

import (
	"context"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing/fstest"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/internal/boundedfile"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/template"
	"github.com/zclconf/go-cty/cty"
)

// templateFlags are -t, -var and -var-file: a template and its variables,
// as the commands that plan or deploy take them.
type templateFlags struct {
	path string
	vars cliVars // -var and -var-file in command-line order
}

// register defines the flags on fs.
func (t *templateFlags) register(fs *flag.FlagSet) {
	t.registerPath(fs)
	fs.Var(varFlag{&t.vars}, "var", "set a variable (`KEY=VALUE`), converted to its declared type; repeatable")
	fs.Var(varFileFlag{&t.vars}, "var-file", "read variables from a tfvars `FILE` (HCL, or JSON if it ends in .json); repeatable")
}

// registerPath defines -t alone, for commands that take no variables.
func (t *templateFlags) registerPath(fs *flag.FlagSet) {
	fs.StringVar(&t.path, "t", "", "the template `PATH`: a .tf or .tf.json file, or a directory of them")
}

// given reports whether -t was given.
func (t *templateFlags) given() bool { return t.path != "" }

// input reads the template -t names into an engine.TemplateInput's Files.
// With no -t it is the empty input (no template), and -var or -var-file
// alone are refused. A file or directory that cannot be read is refused
// here, before any database work. The variables are resolved by load,
// which knows the ones the template declares.
//
// A file becomes a set of one file under its own name, so diagnostics name
// the file the user wrote, and a directory the set of its .tf and .tf.json
// files, with those of its subdirectories, which hold local modules. Both
// are read once, here: what is checked is what is deployed. As with RFS's
// template_uri, a file set is bounded by the file-set limits (1 MiB), not
// by template_body's 51,200 characters.
func (t *templateFlags) input(limit int64) (engine.TemplateInput, error) {
	var in engine.TemplateInput
	if t.path == "" {
		if len(t.vars) > 0 {
			return in, formation.Errorf(formation.CodeMissingParameter, "", "", "-var and -var-file need a template: give -t PATH")
		}
		return in, nil
	}
	files, err := readTemplate(t.path, limit)
	if err != nil {
		return in, err
	}
	in.Files = files
	return in, nil
}

// dir is the template's directory, where Terraform's variables files are
// looked for: -t itself, or the directory of the file -t names.
func (t *templateFlags) dir() string {
	if info, err := os.Stat(t.path); err == nil && info.IsDir() {
		return t.path
	}
	return filepath.Dir(t.path)
}

// readTemplate reads a template file, or the .tf and .tf.json files of a
// directory and its subdirectories (where local modules live) into
// memory, named by their paths below the directory. Hidden directories
// (.terraform, .git) are not read. Only regular files are read, and at
// most limit bytes in all (≤ 0: any): a FIFO named main.tf would block
// forever, a link to /dev/zero fill memory.
func readTemplate(path string, limit int64) (fstest.MapFS, error) {
	left := limit
	read := func(name string) ([]byte, error) {
		b, err := readFile(name, left)
		if err != nil {
			return nil, fileError("template", name, err)
		}
		if limit > 0 {
			if left -= int64(len(b)); left <= 0 {
				left = -1 // nothing more: the next file is over the limit
			}
		}
		return b, nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, fileError("template", path, err)
	}
	if !info.IsDir() {
		if !isTemplateFile(path) {
			return nil, formation.Errorf(formation.CodeInvalidParameter, "", path, "a template is a .tf or .tf.json file, or a directory of them")
		}
		body, err := read(path)
		if err != nil {
			return nil, err
		}
		return fstest.MapFS{filepath.Base(path): {Data: body}}, nil
	}
	files := fstest.MapFS{}
	err = filepath.WalkDir(path, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return fileError("template", name, err)
		}
		if d.IsDir() {
			if name != path && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !isTemplateFile(d.Name()) {
			return nil
		}
		body, err := read(name)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(path, name)
		if err != nil {
			return fileError("template", name, err)
		}
		files[filepath.ToSlash(rel)] = &fstest.MapFile{Data: body}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return files, nil
}

func isTemplateFile(name string) bool {
	return strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tf.json")
}

// parse reads and parses the template, with the limits of -limits.
func (t *templateFlags) parse(g *globals) (*template.Template, engine.TemplateInput, error) {
	in, err := t.input(g.effectiveLimits().MaxFileSetBytes)
	if err != nil {
		return nil, in, err
	}
	if in.Files == nil {
		return nil, in, formation.Errorf(formation.CodeMissingParameter, "", "", "a template is required: give -t PATH")
	}
	tpl, err := template.ParseFS(in.Files, template.Options{Limits: g.templateLimits()})
	return tpl, in, err
}

// load reads the template and checks it as the engine checks a request:
// parsed and expanded with its variables, without reading data sources
// unless the expansion needs them (a count or for_each that a data source
// decides), and then reading them as engine.Preview does, from the
// simulated cloud of the flags (-provider-schema, -sim-data), where a read
// nothing answers is unknown. A bad template or bad variables are refused
// here, with their diagnostics, before the database is opened, so bad
// input neither creates nor touches it. It returns the input for the
// engine and the expanded template. The variables are found as Terraform
// finds them (tfvars.go). The template's warnings go to stderr, as
// terraform plan and apply print theirs.
func (t *templateFlags) load(ctx context.Context, g *globals) (engine.TemplateInput, *template.Config, error) {
	in, cfg, err := t.check(ctx, g)
	if err == nil && len(cfg.Warnings()) > 0 {
		err = cfg.WriteDiagnostics(g.warnings, cfg.Warnings())
	}
	return in, cfg, err
}

// check is load without the warnings.
func (t *templateFlags) check(ctx context.Context, g *globals) (engine.TemplateInput, *template.Config, error) {
	tpl, in, err := t.parse(g)
	if err != nil {
		return in, nil, err
	}
	if in.VarsBody, in.VarsStructure, err = variableSources(tpl, g.environ, t.dir(), t.vars, g.warnings); err != nil {
		return in, nil, err
	}
	tin := template.Input{VarsBody: in.VarsBody, VarsStructure: in.VarsStructure}
	cfg, err := tpl.Expand(ctx, tin)
	if err == nil || !tpl.ReadsDataSources() {
		return in, cfg, err
	}
	simCfg, serr := g.simConfig(nil, nil)
	if serr != nil {
		return in, nil, serr
	}
	cloud, serr := sim.New(simCfg)
	if serr != nil {
		return in, nil, serr
	}
	tin.DataSource = func(ctx context.Context, req template.DataRequest) (cty.Value, error) {
		resp, err := cloud.ReadDataSource(ctx, provider.ReadDataSourceRequest{TypeName: req.Type, Address: req.Addr, Config: req.Config})
		if errors.Is(err, provider.ErrNotFound) {
			return cty.DynamicVal, nil
		}
		return resp.State, err
	}
	cfg, err = tpl.Expand(ctx, tin)
	return in, cfg, err
}

// maxFileBytes bounds the files the CLI reads that no RFS limit bounds
// (fmt's, -sim-data, -credentials): far more than any hand-written file,
// and a bound all the same, so that a FIFO or /dev/zero named as a file
// is refused rather than hang or exhaust memory.
const maxFileBytes = 64 << 20

// readFile reads a file the user named through boundedfile: a regular
// file of at most limit bytes (≤ 0: any).
func readFile(path string, limit int64) ([]byte, error) {
	return boundedfile.Read(os.DirFS(filepath.Dir(path)), filepath.Base(path), limit)
}

// fileError reports a file the user named that cannot be read.
func fileError(what, path string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return formation.Errorf(formation.CodeInvalidParameter, "", path, "%s does not exist", what)
	}
	var tl *boundedfile.TooLargeError
	if errors.As(err, &tl) {
		return formation.Errorf(formation.CodeTooLong, "", path, "%s is larger than %d bytes", what, tl.Limit)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the path is already in the message
	}
	return formation.Errorf(formation.CodeInvalidParameter, "", path, "cannot read %s: %v", what, err)
}
