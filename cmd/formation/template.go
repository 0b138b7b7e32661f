package main

import (
	"errors"
	"flag"
	"io/fs"
	"os"
	"strings"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
)

// templateFlags are -t, -var and -var-file: a template and its variables,
// as the commands that plan or deploy take them.
type templateFlags struct {
	path    string
	vars    varsFlag
	varFile string
}

// register defines the flags on fs.
func (t *templateFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&t.path, "t", "", "the template `PATH`: a .tf or .tf.json file, or a directory of them")
	fs.Var(&t.vars, "var", "set a variable (`KEY=VALUE`), converted to its declared type; repeatable")
	fs.StringVar(&t.varFile, "var-file", "", "read variables from a tfvars `FILE`")
}

// input reads what the flags name into an engine.TemplateInput: a file's
// text as TemplateBody, a directory as Files, -var-file's text as VarsBody.
// With none of the flags set it is the empty input (no template). A file or
// directory that cannot be read is refused here, before any database work.
func (t *templateFlags) input() (engine.TemplateInput, error) {
	var in engine.TemplateInput
	if t.path == "" {
		if len(t.vars) > 0 || t.varFile != "" {
			return in, formation.Errorf(formation.CodeMissingParameter, "", "", "-var and -var-file need a template: give -t PATH")
		}
		return in, nil
	}
	info, err := os.Stat(t.path)
	if err != nil {
		return in, fileError("template", t.path, err)
	}
	switch {
	case info.IsDir():
		in.Files = os.DirFS(t.path)
	case strings.HasSuffix(t.path, ".tf") || strings.HasSuffix(t.path, ".tf.json"):
		body, err := os.ReadFile(t.path)
		if err != nil {
			return in, fileError("template", t.path, err)
		}
		in.TemplateBody = string(body)
	default:
		return in, formation.Errorf(formation.CodeInvalidParameter, "", t.path, "a template is a .tf or .tf.json file, or a directory of them")
	}
	if t.varFile != "" {
		body, err := os.ReadFile(t.varFile)
		if err != nil {
			return in, fileError("variables file", t.varFile, err)
		}
		in.VarsBody = string(body)
	}
	in.VarsStructure = t.vars
	return in, nil
}

// fileError reports a file the user named that cannot be read.
func fileError(what, path string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return formation.Errorf(formation.CodeInvalidParameter, "", path, "%s does not exist", what)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err // the path is already in the message
	}
	return formation.Errorf(formation.CodeInvalidParameter, "", path, "cannot read %s: %v", what, err)
}

// varsFlag collects the repeatable -var KEY=VALUE as RFS vars_structure
// items; the engine converts each value to the variable's declared type.
type varsFlag []formation.VarsStructure

func (v *varsFlag) String() string {
	parts := make([]string, len(*v))
	for i, s := range *v {
		parts[i] = s.VarKey + "=" + s.VarValue
	}
	return strings.Join(parts, " ")
}

func (v *varsFlag) Set(s string) error {
	key, value, ok := strings.Cut(s, "=")
	if !ok || key == "" {
		return errors.New("want KEY=VALUE")
	}
	*v = append(*v, formation.VarsStructure{VarKey: key, VarValue: value})
	return nil
}
