package template

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// ArgumentDiagnostic is an error diagnostic about the value at path in an
// instance's configuration, as a provider reports a problem with an
// argument (a cty.PathError): its subject is the argument (name = value)
// path names, or the nested block, or — for an argument the configuration
// lacks — the block that should hold it. It carries the template's files,
// so WriteDiagnostics shows the snippet.
func (c *Config) ArgumentDiagnostic(inst *Instance, path cty.Path, summary, detail string) *hcl.Diagnostic {
	rng := inst.DeclRange
	if inst.node != nil && inst.node.res != nil && inst.node.res.body != nil {
		rng = inst.node.res.body.rangeOf(path, rng)
	}
	d := errorDiag(summary, detail, &rng)
	attachFiles(hcl.Diagnostics{d}, c.t.files)
	return d
}

// rangeOf finds what path names in the body: an attribute, a nested block
// (the n-th of its type, for an index; a dynamic block stands for all it
// makes), or enclosing when the body does not have it.
func (s *bodyShape) rangeOf(path cty.Path, enclosing hcl.Range) hcl.Range {
	if len(path) == 0 {
		return enclosing
	}
	step, ok := path[0].(cty.GetAttrStep)
	if !ok {
		return enclosing
	}
	for _, a := range s.attrs {
		if a.Name == step.Name {
			return a.Range
		}
	}
	var matching []*blockShape
	for _, b := range s.blocks {
		if b.typ == step.Name {
			if b.dynamic != nil {
				return b.rng
			}
			matching = append(matching, b)
		}
	}
	if len(matching) == 0 {
		return enclosing
	}
	if len(path) > 1 {
		if ix, ok := path[1].(cty.IndexStep); ok && ix.Key.Type() == cty.Number && ix.Key.IsKnown() {
			if i, acc := ix.Key.AsBigFloat().Int64(); acc == 0 && i >= 0 && int(i) < len(matching) {
				b := matching[i]
				return b.body.rangeOf(path[2:], b.rng)
			}
		}
	}
	return matching[0].rng
}
