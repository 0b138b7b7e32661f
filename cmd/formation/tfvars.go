package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/template"
)

// Variables the way Terraform finds them. Each source below overrides the
// ones before it, as in Terraform (checked against terraform v1.11.4 by
// TestVariablePrecedenceMatchesTerraform):
//
//  1. TF_VAR_name in the environment, for declared variables only;
//  2. terraform.tfvars in the template's directory;
//  3. terraform.tfvars.json there;
//  4. *.auto.tfvars and *.auto.tfvars.json there, in lexical order;
//  5. -var and -var-file, in the order of the command line.
//
// The engine takes variables as RFS does, vars_body and vars_structure,
// and refuses a variable given in both; so the CLI resolves the sources to
// one value per variable first. Values from the environment and -var stay
// strings in vars_structure, converted by the engine to the declared type
// as RFS converts them; values from files go into vars_body: the file's
// own text when one file holds them all (its diagnostics then point into
// it), otherwise an HCL body written from their values.

// cliVar is one -var or -var-file, in command-line order.
type cliVar struct {
	file  string // -var-file FILE; "" for -var
	key   string // -var KEY=VALUE
	value string
}

// cliVars collects -var and -var-file together, so their order is kept.
type cliVars []cliVar

// varFlag and varFileFlag are the two flags writing into one cliVars.
type (
	varFlag     struct{ list *cliVars }
	varFileFlag struct{ list *cliVars }
)

func (f varFlag) String() string {
	if f.list == nil {
		return ""
	}
	var parts []string
	for _, v := range *f.list {
		if v.file == "" {
			parts = append(parts, v.key+"="+v.value)
		}
	}
	return strings.Join(parts, " ")
}

func (f varFlag) Set(s string) error {
	key, value, ok := strings.Cut(s, "=")
	if !ok || key == "" {
		return fmt.Errorf("want KEY=VALUE")
	}
	*f.list = append(*f.list, cliVar{key: key, value: value})
	return nil
}

func (f varFileFlag) String() string {
	if f.list == nil {
		return ""
	}
	var parts []string
	for _, v := range *f.list {
		if v.file != "" {
			parts = append(parts, v.file)
		}
	}
	return strings.Join(parts, " ")
}

func (f varFileFlag) Set(s string) error {
	if s == "" {
		return fmt.Errorf("want a FILE")
	}
	*f.list = append(*f.list, cliVar{file: s})
	return nil
}

// setting is the value one source gives one variable.
type setting struct {
	origin string // where it came from, for messages: "-var", "TF_VAR_x", a file
	raw    bool   // a string for vars_structure (-var, TF_VAR_)
	text   string // the raw string
	value  cty.Value
	file   *varFile // the file of a file setting
}

// varFile is one variables file read whole.
type varFile struct {
	path string
	text string
	// names are the declared variables it sets.
	names []string
	// undeclared is set when it also sets variables the template does not
	// declare: its text cannot then be passed on as it is.
	undeclared bool
}

// variableSources resolves the variables of tpl from the environment
// (environ, as os.Environ gives it), the template directory dir ("" for
// none) and the command line, and returns them as the engine takes them.
// Values a file gives for undeclared variables are ignored with a warning
// on warn, as Terraform does; an undeclared -var is left for the engine
// to refuse, as Terraform refuses it.
func variableSources(tpl *template.Template, environ []string, dir string, cmdline cliVars, warn io.Writer) (string, []formation.VarsStructure, error) {
	declared := map[string]bool{}
	for _, v := range tpl.Variables() {
		declared[v.Name] = true
	}
	won := map[string]setting{}
	var order []string // names in the order they were first set
	set := func(name string, s setting) {
		if _, ok := won[name]; !ok {
			order = append(order, name)
		}
		won[name] = s
	}
	for _, kv := range environ {
		name, value, ok := strings.Cut(strings.TrimPrefix(kv, "TF_VAR_"), "=")
		if ok && strings.HasPrefix(kv, "TF_VAR_") && declared[name] {
			set(name, setting{origin: "TF_VAR_" + name, raw: true, text: value})
		}
	}
	readFile := func(path string) error {
		f, values, err := readVarFile(path, declared, warn, tpl.Limits())
		if err != nil {
			return err
		}
		for _, name := range f.names {
			set(name, setting{origin: path, value: values[name], file: f})
		}
		return nil
	}
	if dir != "" {
		auto, err := autoVarFiles(dir)
		if err != nil {
			return "", nil, err
		}
		for _, path := range auto {
			if err := readFile(path); err != nil {
				return "", nil, err
			}
		}
	}
	for _, v := range cmdline {
		if v.file != "" {
			if err := readFile(v.file); err != nil {
				return "", nil, err
			}
			continue
		}
		set(v.key, setting{origin: "-var", raw: true, text: v.value})
	}
	return varsInput(won, order)
}

// varsInput turns the winning settings into vars_body and vars_structure.
func varsInput(won map[string]setting, order []string) (string, []formation.VarsStructure, error) {
	var structure []formation.VarsStructure
	var fromFiles []string
	files := map[*varFile]int{}
	for _, name := range order {
		s := won[name]
		if s.raw {
			structure = append(structure, formation.VarsStructure{VarKey: name, VarValue: s.text})
			continue
		}
		fromFiles = append(fromFiles, name)
		files[s.file]++
	}
	if len(fromFiles) == 0 {
		return "", structure, nil
	}
	if len(files) == 1 {
		for f, n := range files {
			if !f.undeclared && n == len(f.names) && n == len(fromFiles) {
				return f.text, structure, nil // one whole file: as written
			}
		}
	}
	body := hclwrite.NewEmptyFile()
	slices.Sort(fromFiles)
	for _, name := range fromFiles {
		body.Body().SetAttributeValue(name, won[name].value)
	}
	return string(body.Bytes()), structure, nil
}

// autoVarFiles lists the variables files Terraform loads by itself from
// dir, in the order it loads them.
func autoVarFiles(dir string) ([]string, error) {
	var out []string
	for _, name := range []string{"terraform.tfvars", "terraform.tfvars.json"} {
		path := filepath.Join(dir, name)
		if info, err := os.Stat(path); err == nil && !info.IsDir() {
			out = append(out, path)
		}
	}
	entries, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		return nil, fileError("template directory", dir, err)
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() && (strings.HasSuffix(name, ".auto.tfvars") || strings.HasSuffix(name, ".auto.tfvars.json")) {
			out = append(out, filepath.Join(dir, name))
		}
	}
	return out, nil
}

// readVarFile reads and evaluates a variables file: HCL, or JSON when its
// name ends in .json. Its values must be constants.
//
// It reads a regular file of at most four bytes per character of the
// vars_body limit (what a valid body of that many characters may need),
// checks its nesting before hcl parses it, and evaluates its values within
// the template's evaluation budget.
func readVarFile(path string, declared map[string]bool, warn io.Writer, limits template.Limits) (*varFile, map[string]cty.Value, error) {
	body, err := readFile(path, 4*int64(max(limits.MaxVarsBody, 0)))
	if err != nil {
		return nil, nil, fileError("variables file", path, err)
	}
	p := hclparse.NewParser()
	var f *hcl.File
	diags := template.CheckNesting(body, path)
	switch {
	case diags.HasErrors():
	case strings.HasSuffix(path, ".json"):
		f, diags = p.ParseJSON(body, path)
	default:
		f, diags = p.ParseHCL(body, path)
	}
	if !diags.HasErrors() {
		var attrs hcl.Attributes
		attrs, diags = f.Body.JustAttributes()
		if !diags.HasErrors() {
			vf := &varFile{path: path, text: string(body)}
			values := map[string]cty.Value{}
			names := make([]string, 0, len(attrs))
			for name := range attrs {
				names = append(names, name)
			}
			slices.SortFunc(names, func(a, b string) int {
				return attrs[a].NameRange.Start.Byte - attrs[b].NameRange.Start.Byte
			})
			for _, name := range names {
				v, d := template.ConstantValue(attrs[name].Expr, limits)
				diags = append(diags, d...)
				if !declared[name] {
					undeclaredWarning(warn, name, path)
					vf.undeclared = true
					continue
				}
				values[name] = v
				vf.names = append(vf.names, name)
			}
			if !diags.HasErrors() {
				return vf, values, nil
			}
		}
	}
	return nil, nil, formation.Errorf(formation.CodeInvalidVariables, "", path, "%s", diagText(diags))
}

// undeclaredWarning is Terraform's warning for a file's value of a
// variable the template does not declare.
func undeclaredWarning(w io.Writer, name, path string) {
	_, _ = fmt.Fprintf(w, "Warning: Value for undeclared variable\n\nThe template does not declare a variable named %q but a value was found in file %q; it is ignored. If you meant to use this value, add a \"variable\" block to the template.\n\n", name, path)
}

// diagText joins the errors of diags into one sentence each.
func diagText(diags hcl.Diagnostics) string {
	var parts []string
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		s := d.Summary
		if d.Detail != "" {
			s += ": " + d.Detail
		}
		if d.Subject != nil {
			s = fmt.Sprintf("%s:%d,%d: %s", filepath.Base(d.Subject.Filename), d.Subject.Start.Line, d.Subject.Start.Column, s)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}
