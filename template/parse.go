package template

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/internal/boundedfile"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty/function"
)

// Template is a parsed and checked template: every block decoded, every
// reference resolved, every function call allowed, no dependency cycles.
// It holds no variable values; Expand binds them. A Template is immutable
// and safe for concurrent use, so one parse serves any number of Expand
// calls.
type Template struct {
	opts     Options
	limits   Limits
	files    map[string]*hcl.File
	m        *module   // the root module
	mods     []*module // every module, the root first, each before the modules it calls
	nodes    []*node   // the nodes of every module, in topological order
	funcs    map[string]function.Function
	warnings hcl.Diagnostics
	moves    []Move    // in the order they are carried out
	removals []Removal // one per object removed
	// ephemeral is set when a module declares ephemeral values or reads
	// terraform.applying: Evaluate then refuses configurations that hold
	// them.
	ephemeral bool
}

// hasEphemeral reports whether a module declares ephemeral values or
// reads terraform.applying.
func (t *Template) hasEphemeral() bool {
	for _, m := range t.mods {
		if m.ephemeral {
			return true
		}
	}
	return false
}

// callsPlanTimestamp reports whether an expression calls plantimestamp.
func (t *Template) callsPlanTimestamp() bool {
	for _, m := range t.mods {
		if m.planTime {
			return true
		}
	}
	return false
}

// now is the template's clock.
func (t *Template) now() time.Time {
	if t.opts.Now != nil {
		return t.opts.Now()
	}
	return time.Now()
}

// Names under which template sources appear in diagnostics.
const (
	bodyFileHCL  = "main.tf"
	bodyFileJSON = "main.tf.json"
	varsBodyFile = "vars_body"
	varsURIFile  = "vars_uri"
)

type source struct {
	name string
	src  []byte
}

// Parse parses one template body, HCL or JSON: a body whose first
// non-blank character is '{' is JSON (no HCL body can start that way). In
// diagnostics it is named main.tf or main.tf.json. A body longer than
// Limits.MaxTemplateBody characters is refused with CodeTooLong; any other
// problem is a CodeInvalidTemplate error carrying hcl.Diagnostics
// (CodeUnsupported when every problem is a feature Formation lacks, such as
// modules).
func Parse(body string, opts Options) (*Template, error) {
	const op = "template.Parse"
	limits := opts.limits()
	if n := utf8.RuneCountInString(body); exceeds(n, limits.MaxTemplateBody) {
		return nil, formation.Errorf(formation.CodeTooLong, op, "", "template_body is %d characters long, more than %d", n, limits.MaxTemplateBody)
	}
	name := bodyFileHCL
	if looksJSON(body) {
		name = bodyFileJSON
	}
	return load(op, opts, []source{{name: name, src: []byte(body)}}, nil)
}

func looksJSON(s string) bool {
	return strings.HasPrefix(strings.TrimLeft(s, " \t\r\n\ufeff"), "{")
}

// ParseFS parses the .tf and .tf.json files at the root of fsys together,
// as RFS reads a zip template: pass os.DirFS(dir), or a *zip.Reader (which
// is an fs.FS). The local modules the template calls (source =
// "./modules/vpc") are read from their directories in fsys; a source
// leading outside fsys is refused. Variable files (.tfvars) are refused,
// as RFS refuses them in a zip; give variables to Expand. The file set is
// bounded by Limits.MaxFiles, MaxFileSetBytes, MaxFileNameBytes and
// MaxPathBytes (CodeTooLong).
func ParseFS(fsys fs.FS, opts Options) (*Template, error) {
	const op = "template.ParseFS"
	limits := opts.limits()
	nfiles, total := 0, int64(0)
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if n := len(d.Name()); path != "." && exceeds(n, limits.MaxFileNameBytes) {
			return formation.Errorf(formation.CodeTooLong, op, "", "the template file set has a name of %d bytes, more than %d", n, limits.MaxFileNameBytes)
		}
		if exceeds(len(path), limits.MaxPathBytes) {
			return formation.Errorf(formation.CodeTooLong, op, "", "the template file set has a path of %d bytes, more than %d", len(path), limits.MaxPathBytes)
		}
		if d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		nfiles++
		total += info.Size()
		if exceeds(nfiles, limits.MaxFiles) {
			return formation.Errorf(formation.CodeTooLong, op, "", "the template has more than %d files", limits.MaxFiles)
		}
		if exceeds(total, limits.MaxFileSetBytes) {
			return formation.Errorf(formation.CodeTooLong, op, "", "the template files are larger than %d bytes in total", limits.MaxFileSetBytes)
		}
		return nil
	})
	if err != nil {
		if fe, ok := err.(*formation.Error); ok {
			return nil, fe
		}
		return nil, formation.Wrap(formation.CodeInvalidTemplate, op, "", err)
	}
	srcs, diags, err := readDir(fsys, ".", limits.MaxFileSetBytes)
	if err != nil {
		var tl *boundedfile.TooLargeError
		if errors.As(err, &tl) {
			return nil, formation.Errorf(formation.CodeTooLong, op, tl.Name, "the template files are larger than %d bytes in total", limits.MaxFileSetBytes)
		}
		return nil, formation.Wrap(formation.CodeInvalidTemplate, op, "", err)
	}
	if len(srcs) == 0 && !diags.HasErrors() {
		diags = append(diags, errorDiag("No template files", "The file set has no .tf or .tf.json file at its root.", nil))
	}
	if diags.HasErrors() {
		return nil, diagError(op, formation.CodeInvalidTemplate, diags, nil)
	}
	return load(op, opts, srcs, func(dir string) ([]source, hcl.Diagnostics, error) {
		return readDir(fsys, dir, limits.MaxFileSetBytes)
	})
}

// readDir reads the template files directly in dir of fsys, named by
// their path in fsys; none when dir does not exist. Variable files are
// refused, as RFS refuses them in a zip. Only regular files are read, at
// most limit bytes each (the whole set's limit: sizes the walk was told
// may be false, or change).
func readDir(fsys fs.FS, dir string, limit int64) ([]source, hcl.Diagnostics, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if errors.Is(err, fs.ErrNotExist) && dir != "." {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	var srcs []source
	var diags hcl.Diagnostics
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() {
			continue
		}
		file := path.Join(dir, name)
		switch {
		case strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tf.json"):
			b, err := boundedfile.Read(fsys, file, limit)
			if err != nil {
				return nil, nil, err
			}
			srcs = append(srcs, source{name: file, src: b})
		case strings.HasSuffix(name, ".tfvars") || strings.HasSuffix(name, ".tfvars.json"):
			diags = append(diags, errorDiag("Variable files are not accepted in a template",
				fmt.Sprintf("RFS refuses .tfvars files in a template file set (%s); pass the variables as vars_body or vars_structure.", file),
				&hcl.Range{Filename: file, Start: hcl.InitialPos, End: hcl.InitialPos}))
		}
	}
	return srcs, diags, nil
}

// load parses, decodes and analyses the sources of the root module, and
// of every module it calls through read (nil for a template given as one
// body, which has no directories).
func load(op string, opts Options, srcs []source, read func(dir string) ([]source, hcl.Diagnostics, error)) (*Template, error) {
	p := hclparse.NewParser()
	t := &Template{opts: opts, limits: opts.limits(), files: p.Files(), funcs: functions(opts.Now)}
	files, diags := parseSources(p, srcs)
	if !diags.HasErrors() {
		l := &loader{t: t, p: p, read: read}
		t.m = &module{dir: "."}
		diags = append(diags, l.module(t.m, files)...)
		for _, m := range t.mods {
			diags = append(diags, m.forbiddenResources(t.limits)...)
		}
		diags = append(diags, t.m.legacyProviders(nil)...)
		if !diags.HasErrors() {
			t.providerFunctions()
			analyzers := make([]*analyzer, len(t.mods))
			for i, m := range t.mods {
				analyzers[i] = newAnalyzer(m, t.funcs)
				analyzers[i].run()
			}
			for _, a := range analyzers {
				a.linkAll()
				diags = append(diags, a.diags...)
			}
		}
		if !diags.HasErrors() {
			diags = append(diags, t.order()...)
		}
		t.ephemeral = t.hasEphemeral()
		if !diags.HasErrors() {
			diags = append(diags, t.refactorings()...)
		}
	}
	if !diags.HasErrors() {
		for _, f := range t.files { // the analysis walked them as parsed; now evaluation's budget
			switch body := f.Body.(type) {
			case *hclsyntax.Body:
				meter(body, nil, t.funcs)
			case *jsonBody:
				body.file.meter(t.funcs)
			}
		}
	}
	if err := diagError(op, formation.CodeInvalidTemplate, diags, t.files); err != nil {
		return nil, err
	}
	t.warnings = warningsOnly(diags)
	attachFiles(t.warnings, t.files)
	return t, nil
}

// parseSources parses template files, HCL or JSON by their names.
func parseSources(p *hclparse.Parser, srcs []source) ([]*hcl.File, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	var files []*hcl.File
	for _, s := range srcs {
		if !utf8.Valid(s.src) {
			diags = append(diags, errorDiag("Invalid character encoding",
				"The file is not valid UTF-8; RFS accepts UTF-8 templates only.",
				&hcl.Range{Filename: s.name, Start: hcl.InitialPos, End: hcl.InitialPos}))
			continue
		}
		isJSON := strings.HasSuffix(s.name, ".json")
		if d := checkNesting(s.src, s.name, isJSON); d != nil {
			diags = append(diags, d...)
			continue
		}
		var f *hcl.File
		var d hcl.Diagnostics
		if isJSON {
			f, d = p.ParseJSON(s.src, s.name)
			if f != nil {
				f.Body = newJSONBody(f.Body) // its strings parsed once, for the budget
			}
		} else {
			f, d = p.ParseHCL(s.src, s.name)
		}
		diags = append(diags, d...)
		if f != nil && !d.HasErrors() {
			files = append(files, f)
		}
	}
	return files, diags
}

// order sorts the nodes of every module topologically (dependencies
// first, ties by address), reports cycles, and marks the nodes that
// depend on managed resources.
func (t *Template) order() hcl.Diagnostics {
	var all []*node
	for _, m := range t.mods {
		all = append(all, m.nodes...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].static() < all[j].static() })
	for i, n := range all {
		n.id = i
	}
	deps := make([][]int, len(all))
	rdeps := make([][]int, len(all))
	for i, n := range all {
		for _, d := range n.deps {
			deps[i] = append(deps[i], d.id)
			rdeps[d.id] = append(rdeps[d.id], i)
		}
	}
	var diags hcl.Diagnostics
	for _, comp := range cycles(len(all), deps) {
		first := all[comp[0]]
		if len(comp) == 1 {
			diags = append(diags, errorDiag("Self-referential block",
				fmt.Sprintf("Configuration for %s may not refer to itself.", first.static()), rangePtr(first.rng)))
			continue
		}
		names := make([]string, len(comp))
		var detail strings.Builder
		detail.WriteString("These blocks depend on each other, so none of them can be evaluated first:")
		for k, id := range comp {
			n := all[id]
			names[k] = n.static()
			fmt.Fprintf(&detail, "\n  - %s, declared at %s", n.static(), n.rng)
		}
		diags = append(diags, errorDiag("Cycle: "+strings.Join(names, ", "), detail.String(), rangePtr(first.rng)))
	}
	if diags.HasErrors() {
		return diags
	}
	t.nodes = make([]*node, 0, len(all))
	for _, id := range kahn(len(all), deps, rdeps) {
		n := all[id]
		t.nodes = append(t.nodes, n)
		for _, d := range n.deps {
			// A module call's instances are known at Expand, whatever
			// count or for_each read: what is inside does not depend on
			// managed resources through the call.
			if d.kind == kindResource || d.dynamic && (d.kind != kindModule || n.readsEach()) {
				n.dynamic = true
			}
			// Except through its depends_on, for the data sources inside.
			if d.kind == kindModule && d.deferReads && d == n.mod.call {
				switch n.kind {
				case kindData:
					n.dynamic = true
				case kindModule:
					n.deferReads = true
				}
			}
		}
		if n.kind == kindModule && dependsOnManaged(n.call.extra) {
			n.deferReads = true
		}
	}
	return nil
}

// dependsOnManaged reports whether a depends_on list names a managed
// resource, a value that depends on one, or a whole module.
func dependsOnManaged(refs []*ref) bool {
	for _, r := range refs {
		if t := r.target; t != nil && (t.kind == kindResource || t.kind == kindModule || t.dynamic) {
			return true
		}
	}
	return false
}

// Files returns the parsed files by name, for rendering diagnostics with
// hcl.NewDiagnosticTextWriter. The map is shared: do not modify it.
func (t *Template) Files() map[string]*hcl.File { return t.files }

// Limits returns the limits the template was parsed with, which its
// expansions and evaluations keep.
func (t *Template) Limits() Limits { return t.limits }

// Warnings returns the warnings found while parsing; nil when there are
// none.
func (t *Template) Warnings() hcl.Diagnostics { return t.warnings }

// HasImports reports whether the template has import blocks: RFS refuses
// to deploy such a template on a stack with auto-rollback enabled.
func (t *Template) HasImports() bool { return len(t.m.imports) > 0 }

// ReadsDataSources reports whether the template has data blocks: only then
// does expanding it with Input.DataSource differ from expanding it without.
func (t *Template) ReadsDataSources() bool {
	return slices.ContainsFunc(t.nodes, func(n *node) bool { return n.kind == kindData })
}

// RequiredProviders lists terraform { required_providers { … } } entries,
// sorted by name.
func (t *Template) RequiredProviders() []RequiredProvider {
	out := make([]RequiredProvider, 0, len(t.m.requiredProviders))
	for _, rp := range t.m.requiredProviders {
		out = append(out, rp)
	}
	slices.SortFunc(out, func(a, b RequiredProvider) int { return strings.Compare(a.Name, b.Name) })
	return out
}
