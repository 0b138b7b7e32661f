package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/formation-engine/formation"
)

// fmt: Terraform's fmt, through hclwrite.
func init() {
	register(&command{
		name:    "fmt",
		args:    []arg{{name: "PATH", optional: true}},
		summary: "Rewrite templates and variables files in the canonical format",
		help: `Rewrites the .tf and .tfvars files of PATH (a directory, default the current
one, or one file; "-" reads stdin and writes stdout) in the canonical
format, as terraform fmt does: hclwrite's layout, "${x}" unwrapped to x,
legacy quoted variable types ("string") and bare collection types (list)
made explicit. JSON files are left alone. The names of the files changed
are listed. Needs no database.

Exit status: 0 success; 3 with -check when a file is not formatted (as
terraform fmt -check); 2 a file does not parse (its diagnostics are
printed, the file is left as it is).`,
		setup: fmtCommand,
	})
}

// exitUnformatted is fmt -check's status for unformatted input, as
// terraform fmt -check exits.
const exitUnformatted = 3

// fmtOptions are fmt's flags.
type fmtOptions struct {
	list, write, diff, check, recursive bool
}

func fmtCommand(fs *flag.FlagSet) action {
	o := fmtOptions{list: true, write: true}
	fs.BoolVar(&o.list, "list", true, "list the files whose formatting differs")
	fs.BoolVar(&o.write, "write", true, "write the result to the files (never with -check or stdin)")
	fs.BoolVar(&o.diff, "diff", false, "print the changes as unified diffs")
	fs.BoolVar(&o.check, "check", false, "only check: exit 3 when a file is not formatted")
	fs.BoolVar(&o.recursive, "recursive", false, "also process the subdirectories")
	return func(_ context.Context, inv *invocation) error {
		path := "."
		if len(inv.args) > 0 {
			path = inv.args[0]
		}
		if o.check {
			o.write = false
		}
		f := &formatter{fmtOptions: o, out: inv.out.w}
		if path == "-" {
			src, err := io.ReadAll(io.LimitReader(inv.stdin, maxFileBytes+1))
			if err != nil {
				return formation.Errorf(formation.CodeInvalidParameter, "", "-", "cannot read stdin: %v", err)
			}
			if len(src) > maxFileBytes {
				return formation.Errorf(formation.CodeTooLong, "", "-", "stdin is larger than %d bytes", maxFileBytes)
			}
			return f.stdin(src)
		}
		if err := f.path(path); err != nil {
			return err
		}
		if o.check && f.changed > 0 {
			return exitStatus(exitUnformatted)
		}
		return nil
	}
}

// formatter formats files and counts the ones it changed.
type formatter struct {
	fmtOptions
	out     io.Writer
	changed int
}

// formattable reports whether fmt formats a file of this name.
func formattable(name string) bool {
	return strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tfvars") || strings.HasSuffix(name, ".tftest.hcl")
}

func (f *formatter) path(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return fileError("file or directory", path, err)
	}
	if !info.IsDir() {
		if !formattable(path) {
			return formation.Errorf(formation.CodeInvalidParameter, "", path, "only .tf, .tfvars and .tftest.hcl files can be formatted")
		}
		return f.file(path)
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return fileError("directory", path, err)
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") {
			continue // hidden files and editor backups, as Terraform skips them
		}
		sub := filepath.Join(path, name)
		switch {
		case e.IsDir() && f.recursive:
			err = f.path(sub)
		case !e.IsDir() && formattable(name):
			err = f.file(sub)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (f *formatter) file(path string) error {
	src, err := readFile(path, maxFileBytes)
	if err != nil {
		return fileError("file", path, err)
	}
	result, err := formatHCL(src, path)
	if err != nil {
		return err
	}
	if bytes.Equal(src, result) {
		return nil
	}
	f.changed++
	if f.list {
		if _, err := io.WriteString(f.out, path+"\n"); err != nil {
			return err
		}
	}
	if f.write {
		if err := os.WriteFile(path, result, 0o644); err != nil {
			return formation.Errorf(formation.CodeInvalidParameter, "", path, "cannot write the file: %v", err)
		}
	}
	if f.diff {
		d, err := unifiedDiff(src, result, path)
		if err != nil {
			return err
		}
		if _, err := f.out.Write(d); err != nil {
			return err
		}
	}
	return nil
}

// stdin formats src and writes it out; with -check it only reports.
func (f *formatter) stdin(src []byte) error {
	result, err := formatHCL(src, "<stdin>")
	if err != nil {
		return err
	}
	changed := !bytes.Equal(src, result)
	if f.diff && changed {
		d, err := unifiedDiff(src, result, "<stdin>")
		if err != nil {
			return err
		}
		_, err = f.out.Write(d)
		return err
	}
	if f.check {
		if changed {
			return exitStatus(exitUnformatted)
		}
		return nil
	}
	_, err = f.out.Write(result)
	return err
}

// formatHCL formats one file's source as terraform fmt does. A file that
// does not parse is refused with its diagnostics: formatting it could
// mangle it beyond what its author could undo.
func formatHCL(src []byte, filename string) ([]byte, error) {
	if _, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos); diags.HasErrors() {
		return nil, &formation.Error{Code: formation.CodeInvalidTemplate, Resource: filename, Message: "the file does not parse", Err: diags}
	}
	f, diags := hclwrite.ParseConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, &formation.Error{Code: formation.CodeInvalidTemplate, Resource: filename, Message: "the file does not parse", Err: diags}
	}
	canonicalBody(f.Body(), "")
	return f.Bytes(), nil
}

// canonicalBody applies Terraform's rewrites to body, whose block type is
// blockType ("" at the top): interpolation-only strings unwrapped,
// variable types made explicit, labels quoted.
func canonicalBody(body *hclwrite.Body, blockType string) {
	for name, attr := range body.Attributes() {
		tokens := attr.Expr().BuildTokens(nil)
		if blockType == "variable" && name == "type" {
			body.SetAttributeRaw(name, explicitType(tokens))
			continue
		}
		body.SetAttributeRaw(name, unwrapInterpolation(tokens))
	}
	for _, b := range body.Blocks() {
		b.SetLabels(b.Labels())
		inner := b.Type()
		if blockType != "" {
			inner = blockType + "." + inner // only top-level variable blocks have types
		}
		canonicalBody(b.Body(), inner)
	}
}

// unwrapInterpolation turns "${expr}" into expr when the string holds
// nothing but that one interpolation; a multi-line expr is parenthesised
// so that it still parses.
func unwrapInterpolation(tokens hclwrite.Tokens) hclwrite.Tokens {
	n := len(tokens)
	if n < 5 || tokens[0].Type != hclsyntax.TokenOQuote || tokens[1].Type != hclsyntax.TokenTemplateInterp ||
		tokens[n-2].Type != hclsyntax.TokenTemplateSeqEnd || tokens[n-1].Type != hclsyntax.TokenCQuote {
		return tokens
	}
	inner := tokens[2 : n-2]
	depth := 0 // quotes nested inside the interpolation
	for _, t := range inner {
		switch t.Type {
		case hclsyntax.TokenOQuote:
			depth++
		case hclsyntax.TokenCQuote:
			depth--
		case hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateSeqEnd, hclsyntax.TokenQuotedLit:
			if depth == 0 {
				return tokens // "${a}${b}" or "${a}-x": a real template
			}
		}
	}
	for len(inner) > 0 && inner[0].Type == hclsyntax.TokenNewline {
		inner = inner[1:]
	}
	for len(inner) > 0 && inner[len(inner)-1].Type == hclsyntax.TokenNewline {
		inner = inner[:len(inner)-1]
	}
	multiline := false
	for _, t := range inner {
		multiline = multiline || t.Type == hclsyntax.TokenNewline
	}
	wrapped := len(inner) > 0 && inner[0].Type == hclsyntax.TokenOParen && inner[len(inner)-1].Type == hclsyntax.TokenCParen
	if !multiline || wrapped {
		return inner
	}
	out := hclwrite.Tokens{{Type: hclsyntax.TokenOParen, Bytes: []byte("(")}}
	out = append(out, inner...)
	return append(out, &hclwrite.Token{Type: hclsyntax.TokenCParen, Bytes: []byte(")")})
}

// explicitType rewrites a variable's type as Terraform does: a bare list,
// map or set gets (any); the quoted types of Terraform 0.11 become string,
// list(string) and map(string).
func explicitType(tokens hclwrite.Tokens) hclwrite.Tokens {
	typeOf := func(kw, elem string) hclwrite.Tokens {
		out := hclwrite.Tokens{{Type: hclsyntax.TokenIdent, Bytes: []byte(kw)}}
		if elem == "" {
			return out
		}
		return append(out,
			&hclwrite.Token{Type: hclsyntax.TokenOParen, Bytes: []byte("(")},
			&hclwrite.Token{Type: hclsyntax.TokenIdent, Bytes: []byte(elem)},
			&hclwrite.Token{Type: hclsyntax.TokenCParen, Bytes: []byte(")")})
	}
	switch {
	case len(tokens) == 1 && tokens[0].Type == hclsyntax.TokenIdent:
		switch kw := string(tokens[0].Bytes); kw {
		case "list", "map", "set":
			return typeOf(kw, "any")
		}
	case len(tokens) == 3 && tokens[0].Type == hclsyntax.TokenOQuote && tokens[1].Type == hclsyntax.TokenQuotedLit && tokens[2].Type == hclsyntax.TokenCQuote:
		switch kw := string(tokens[1].Bytes); kw {
		case "string":
			return typeOf(kw, "")
		case "list", "map":
			return typeOf(kw, "string")
		}
	}
	return tokens
}

// unifiedDiff is diff -u of old and new, labelled old/PATH and new/PATH as
// terraform fmt -diff labels them. Like terraform, it runs the system's
// diff.
func unifiedDiff(old, new []byte, path string) ([]byte, error) {
	dir, err := os.MkdirTemp("", "formation-fmt")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	a, b := filepath.Join(dir, "old"), filepath.Join(dir, "new")
	if err := os.WriteFile(a, old, 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(b, new, 0o600); err != nil {
		return nil, err
	}
	out, err := exec.Command("diff", "--label=old/"+path, "--label=new/"+path, "-u", a, b).Output()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) { // 1: the files differ
		return nil, formation.Errorf(formation.CodeUnavailable, "", path, "-diff needs the diff command: %v", err)
	}
	return out, nil
}
