package engine

import (
	"context"
	"testing"
	"testing/fstest"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider/sim"
)

// A template file set with a .tfvars file is refused, as template.ParseFS
// refuses it (RFS: no .tfvars in a zip template), not silently trimmed.
func TestEngine_FileSetWithTfvarsIsRefused(t *testing.T) {
	ctx := context.Background()
	e, _, _ := simTestEngine(t, sim.Config{}, Config{})
	files := fstest.MapFS{
		"main.tf":          {Data: []byte(`variable "n" {}` + v1)},
		"terraform.tfvars": {Data: []byte(`n = "x"`)},
	}
	_, err := e.CreateStack(ctx, CreateStackRequest{Name: "s", TemplateInput: TemplateInput{Files: files}})
	if !formation.HasCode(err, formation.CodeInvalidTemplate) {
		t.Fatalf("CreateStack with a .tfvars file: %v, want %s", err, formation.CodeInvalidTemplate)
	}
	if _, err := e.GetStackMetadata(ctx, StackRef{Name: "s"}); !formation.HasCode(err, formation.CodeStackNotFound) {
		t.Fatalf("the refused request left a stack: %v", err)
	}
	if _, err := Preview(ctx, PreviewRequest{TemplateInput: TemplateInput{Files: files}, DefaultProvider: e.cfg.DefaultProvider}); !formation.HasCode(err, formation.CodeInvalidTemplate) {
		t.Fatalf("Preview with a .tfvars file: %v, want %s", err, formation.CodeInvalidTemplate)
	}
}
