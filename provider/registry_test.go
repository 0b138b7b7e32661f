package provider_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	formation "github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider"
)

// nop is the smallest Provider: it does nothing.
type nop struct{}

func (nop) Create(context.Context, provider.CreateRequest) (provider.CreateResponse, error) {
	return provider.CreateResponse{}, nil
}
func (nop) Read(context.Context, provider.ReadRequest) (provider.ReadResponse, error) {
	return provider.ReadResponse{}, provider.ErrNotFound
}
func (nop) Update(context.Context, provider.UpdateRequest) (provider.UpdateResponse, error) {
	return provider.UpdateResponse{}, nil
}
func (nop) Delete(context.Context, provider.DeleteRequest) error { return nil }

func TestRegistry_Lookup(t *testing.T) {
	var r provider.Registry
	a, b := &nop{}, &nop{}
	r.Register("huaweicloud", a)
	r.Register("random", b)
	p, name, err := r.Lookup("huaweicloud_vpc_subnet")
	if err != nil || p != a || name != "huaweicloud" {
		t.Fatalf("Lookup = %v, %q, %v", p, name, err)
	}
	if p, _, _ := r.Lookup("random"); p != b {
		t.Fatalf("type without underscore: got %v", p)
	}
	if got := r.Names(); !slices.Equal(got, []string{"huaweicloud", "random"}) {
		t.Fatalf("Names = %v", got)
	}
}

func TestRegistry_Lookup_Unregistered(t *testing.T) {
	var r provider.Registry
	_, _, err := r.Lookup("aws_instance")
	if !formation.HasCode(err, formation.CodeInvalidTemplate) || !errors.Is(err, formation.ErrInvalidArgument) {
		t.Fatalf("err = %v, want CodeInvalidTemplate", err)
	}
	want := `provider.Registry.Lookup: RF.10011030 aws_instance: provider "aws" is not registered (resource type aws_instance)`
	if err.Error() != want {
		t.Fatalf("err = %q\nwant  %q", err, want)
	}
}

func TestRegistry_Register_Panics(t *testing.T) {
	tests := []struct {
		name string
		reg  func(*provider.Registry)
	}{
		{"nil", func(r *provider.Registry) { r.Register("x", nil) }},
		{"duplicate", func(r *provider.Registry) { r.Register("x", nop{}); r.Register("x", nop{}) }},
		{"underscore", func(r *provider.Registry) { r.Register("huawei_cloud", nop{}) }},
		{"empty", func(r *provider.Registry) { r.Register("", nop{}) }},
		{"upper case", func(r *provider.Registry) { r.Register("Huawei", nop{}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("Register did not panic")
				}
			}()
			tt.reg(new(provider.Registry))
		})
	}
}

func TestNameOf(t *testing.T) {
	for in, want := range map[string]string{"huaweicloud_vpc": "huaweicloud", "null_resource": "null", "x": "x", "": ""} {
		if got := provider.NameOf(in); got != want {
			t.Errorf("NameOf(%q) = %q, want %q", in, got, want)
		}
	}
}

// ordered declares a schema and a replacement order for one type.
type ordered struct{ nop }

func (ordered) Schema(typeName string) (provider.Schema, bool) {
	return vpcSchema(), typeName == "x_vpc"
}
func (ordered) ReplaceOrder(typeName string) provider.ReplaceOrder {
	if typeName == "x_vpc" {
		return provider.CreateThenDelete
	}
	return "sideways"
}

func TestCapabilities_Fallbacks(t *testing.T) {
	if _, ok := provider.SchemaOf(nop{}, "x_vpc"); ok {
		t.Error("SchemaOf without Schemas reported a schema")
	}
	if _, ok := provider.SchemaOf(ordered{}, "x_vpc"); !ok {
		t.Error("SchemaOf with Schemas reported none")
	}
	if got := provider.ReplaceOrderOf(nop{}, "x_vpc"); got != provider.DeleteThenCreate {
		t.Errorf("default order = %v", got)
	}
	if got := provider.ReplaceOrderOf(ordered{}, "x_vpc"); got != provider.CreateThenDelete || got.Action() != formation.ActionAddThenDelete {
		t.Errorf("declared order = %v (%v)", got, got.Action())
	}
	if got := provider.ReplaceOrderOf(ordered{}, "x_other"); got != provider.DeleteThenCreate || got.Action() != formation.ActionDeleteThenAdd {
		t.Errorf("invalid order falls back to %v", got)
	}
}
