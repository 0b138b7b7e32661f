package terraform_test

import (
	"context"
	"errors"
	"testing"

	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/terraform"
	"github.com/zclconf/go-cty/cty"
)

func object(input, output cty.Value) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"input": input, "output": output, "triggers_replace": cty.NullVal(cty.DynamicPseudoType), "id": cty.UnknownVal(cty.String),
	})
}

func TestModifyPlan(t *testing.T) {
	var p terraform.Provider
	prior := cty.ObjectVal(map[string]cty.Value{
		"input": cty.StringVal("a"), "output": cty.StringVal("a"), "triggers_replace": cty.NullVal(cty.DynamicPseudoType), "id": cty.StringVal("i"),
	})
	tests := []struct {
		name           string
		prior, planned cty.Value
		wantOutput     cty.Value
	}{
		{"create", cty.NullVal(prior.Type()), object(cty.StringVal("a"), cty.UnknownVal(cty.DynamicPseudoType)), cty.UnknownVal(cty.String)},
		{"create without input", cty.NullVal(prior.Type()), object(cty.NullVal(cty.DynamicPseudoType), cty.UnknownVal(cty.DynamicPseudoType)), cty.NullVal(cty.DynamicPseudoType)},
		{"input changed", prior, object(cty.StringVal("b"), cty.StringVal("a")), cty.UnknownVal(cty.String)},
		{"input unchanged", prior, object(cty.StringVal("a"), cty.StringVal("a")), cty.StringVal("a")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := p.ModifyPlan(terraform.DataType, tt.prior, tt.planned)
			if err != nil {
				t.Fatal(err)
			}
			if out := got.GetAttr("output"); !out.RawEquals(tt.wantOutput) {
				t.Fatalf("output = %#v, want %#v", out, tt.wantOutput)
			}
		})
	}
}

func TestCreateAndUpdate(t *testing.T) {
	var p terraform.Provider
	ctx := context.Background()
	planned := object(cty.StringVal("a"), cty.UnknownVal(cty.String))
	first, err := p.Create(ctx, provider.CreateRequest{TypeName: terraform.DataType, Config: planned, Token: "t1"})
	if err != nil {
		t.Fatal(err)
	}
	again, _ := p.Create(ctx, provider.CreateRequest{TypeName: terraform.DataType, Config: planned, Token: "t1"})
	other, _ := p.Create(ctx, provider.CreateRequest{TypeName: terraform.DataType, Config: planned, Token: "t2"})
	if first.ID != again.ID || first.ID == other.ID || len(first.ID) != 36 {
		t.Fatalf("ids %q, %q (same token), %q (other token)", first.ID, again.ID, other.ID)
	}
	if out := first.State.GetAttr("output"); !out.RawEquals(cty.StringVal("a")) {
		t.Fatalf("output = %#v, want the input", out)
	}
	up, err := p.Update(ctx, provider.UpdateRequest{TypeName: terraform.DataType, ID: first.ID, Prior: first.State, Planned: object(cty.StringVal("b"), cty.UnknownVal(cty.String))})
	if err != nil {
		t.Fatal(err)
	}
	if out, id := up.State.GetAttr("output"), up.State.GetAttr("id"); !out.RawEquals(cty.StringVal("b")) || id.AsString() != first.ID {
		t.Fatalf("after update output = %#v, id = %#v", out, id)
	}
	if _, err := p.Create(ctx, provider.CreateRequest{TypeName: "terraform_remote_state", Config: planned}); !errors.Is(err, provider.ErrInvalidConfig) {
		t.Fatalf("unknown type: %v, want ErrInvalidConfig", err)
	}
}
