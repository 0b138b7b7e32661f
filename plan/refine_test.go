package plan_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/provider/terraform"
	"github.com/zclconf/go-cty/cty"
)

func TestChange_Refine(t *testing.T) {
	w := testWorld(t)
	p := w.plan(vpcAB, plan.Options{})
	sn := p.Change("huaweicloud_vpc_subnet.b")
	config := cty.ObjectVal(map[string]cty.Value{
		"name": cty.StringVal("b"), "cidr": cty.StringVal("10.0.1.0/24"), "gateway_ip": cty.StringVal("10.0.1.1"),
		"vpc_id": cty.StringVal("vpc-123"),
	})
	t.Run("unknowns become known", func(t *testing.T) {
		v, err := sn.Refine(config)
		if err != nil {
			t.Fatal(err)
		}
		if v.GetAttr("vpc_id").AsString() != "vpc-123" || v.GetAttr("id").IsKnown() {
			t.Errorf("refined %#v", v)
		}
	})
	t.Run("a planned value changed", func(t *testing.T) {
		changed := cty.ObjectVal(map[string]cty.Value{
			"name": cty.StringVal("other"), "cidr": cty.StringVal("10.0.1.0/24"), "gateway_ip": cty.StringVal("10.0.1.1"),
			"vpc_id": cty.StringVal("vpc-123"),
		})
		_, err := sn.Refine(changed)
		var pe cty.PathError
		if !formation.HasCode(err, formation.CodeInvalidTemplate) || !strings.Contains(err.Error(), "attribute name was planned as \"b\" but is now \"other\"") ||
			!errors.As(err, &pe) || !pe.Path.Equals(cty.GetAttrPath("name")) {
			t.Errorf("error %v", err)
		}
	})
	t.Run("invalid", func(t *testing.T) {
		_, err := sn.Refine(cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("b")}))
		if !formation.HasCode(err, formation.CodeInvalidTemplate) || !errors.Is(err, provider.ErrInvalidConfig) {
			t.Errorf("error %v", err)
		}
	})
	t.Run("other actions", func(t *testing.T) {
		c := &plan.Change{Action: formation.ActionDelete, After: cty.NullVal(cty.EmptyObject)}
		if v, err := c.Refine(config); err != nil || !v.RawEquals(c.After) {
			t.Errorf("Refine of a DELETE = %#v, %v", v, err)
		}
	})
	t.Run("update keeps ignored attributes", func(t *testing.T) {
		w := testWorld(t)
		src := vpcWith(`  cidr = "10.0.0.0/16"
  description = "first"`, `ignore_changes = [description]`)
		w.deploy(src)
		next := replaceAll(src, `name = "a"`, `name = "b"`, `"first"`, `"second"`)
		c := w.plan(next, plan.Options{}).Change("huaweicloud_vpc.a")
		if c.Action != formation.ActionUpdate || len(c.IgnoreChanges) != 1 {
			t.Fatalf("%s ignore %#v", c.Action, c.IgnoreChanges)
		}
		v, err := c.Refine(cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("b"), "cidr": cty.StringVal("10.0.0.0/16"), "description": cty.StringVal("second")}))
		if err != nil {
			t.Fatal(err)
		}
		if v.GetAttr("description").AsString() != "first" || v.GetAttr("id").AsString() != c.ResourceID {
			t.Errorf("refined %#v", v)
		}
	})
	t.Run("a computed attribute the plan knew", func(t *testing.T) {
		// terraform_data's output is null when its input is: the
		// provider's PlanModifier said so, and the schema alone would
		// plan it unknown again.
		w := newWorld(t, sim.Config{})
		w.reg.Register("terraform", terraform.Provider{})
		p := w.plan(`
resource "huaweicloud_thing" "a" {
  name = "a"
}
resource "terraform_data" "b" {
  depends_on = [huaweicloud_thing.a]
}
`, plan.Options{})
		c := p.Change("terraform_data.b")
		v, err := c.Refine(cty.EmptyObjectVal)
		if err != nil || !v.GetAttr("output").IsNull() {
			t.Errorf("refined %#v, %v", v, err)
		}
	})
	t.Run("schema-less", func(t *testing.T) {
		w := newWorld(t, sim.Config{})
		p := w.plan(`
resource "huaweicloud_thing" "a" {
  name = "a"
}
resource "huaweicloud_thing" "b" {
  parent = huaweicloud_thing.a.id
}
`, plan.Options{})
		c := p.Change("huaweicloud_thing.b")
		v, err := c.Refine(cty.ObjectVal(map[string]cty.Value{"parent": cty.StringVal("a-1")}))
		if err != nil || v.GetAttr("parent").AsString() != "a-1" {
			t.Errorf("refined %#v, %v", v, err)
		}
	})
}

func TestChange_Applied(t *testing.T) {
	c := &plan.Change{
		Addr: `huaweicloud_vpc.a["x"]`, Mode: formation.ModeResource, Type: "huaweicloud_vpc", Name: "a", Key: "x",
		ProviderName: "huaweicloud", ProviderAlias: "west", Action: formation.ActionAdd,
		Dependencies: []string{"huaweicloud_vpc.b"}, PreventDestroy: true, CreateBeforeDestroy: true, Imported: true,
	}
	v := cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("i")})
	r := c.Applied("i", v)
	if r.Addr != c.Addr || r.Key != "x" || r.ProviderAlias != "west" || r.ID != "i" || !r.Value.RawEquals(v) ||
		!r.PreventDestroy || !r.CreateBeforeDestroy || !r.Imported || !slices.Equal(r.Dependencies, c.Dependencies) {
		t.Errorf("Applied = %+v", r)
	}
	r.Dependencies[0] = "changed"
	if c.Dependencies[0] != "huaweicloud_vpc.b" {
		t.Error("Applied shares the dependency slice")
	}
}

// TestMake_Deterministic plans the same generated templates with one and
// with many workers: the renderings, and the errors, are identical.
func TestMake_Deterministic(t *testing.T) {
	for seed := range uint64(8) {
		w := testWorld(t)
		w.deploy(genTemplate(seed, 0))
		src := genTemplate(seed, 1)
		var outs []string
		for _, par := range []int{1, 2, 10} {
			p := w.plan(src, plan.Options{Parallelism: par})
			b, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			outs = append(outs, text(t, p)+string(b))
		}
		if outs[0] != outs[1] || outs[0] != outs[2] {
			t.Fatalf("seed %d: plans differ between worker counts", seed)
		}
	}
	bad := `
resource "huaweicloud_vpc" "a" {
  count = 20
  name  = "a${count.index}"
}
resource "huaweicloud_vpc" "b" {
  count = 20
  cidr  = "10.0.0.0/16"
}
`
	w := testWorld(t)
	var errs []string
	for _, par := range []int{1, 10, 10} {
		_, err := plan.Make(context.Background(), expand(t, bad), nil, w.reg, plan.Options{Parallelism: par})
		if err == nil {
			t.Fatal("no error")
		}
		errs = append(errs, err.Error())
	}
	if errs[0] != errs[1] || errs[1] != errs[2] || !strings.Contains(errs[0], "40 problems") {
		t.Errorf("errors differ or are incomplete:\n%s\n%s", errs[0], errs[1])
	}
}

// cancelling cancels a context on the nth Validate.
type cancelling struct {
	*sim.Provider
	n      atomic.Int32
	at     int32
	cancel context.CancelFunc
}

func (c *cancelling) Validate(ctx context.Context, req provider.ValidateRequest) error {
	if c.n.Add(1) == c.at {
		c.cancel()
	}
	return ctx.Err()
}

// TestMake_CancelDuringWalk stops the walk when ctx is cancelled midway.
func TestMake_CancelDuringWalk(t *testing.T) {
	s, err := sim.New(testConfig(sim.Config{}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	prov := &cancelling{Provider: s, at: 50, cancel: cancel}
	reg := &provider.Registry{}
	reg.Register("huaweicloud", prov)
	_, err = plan.Make(ctx, expand(t, layeredTemplate(4, 100)), nil, reg, plan.Options{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if n := prov.n.Load(); n >= 400 {
		t.Errorf("%d validations: the walk did not stop", n)
	}
}

// TestMake_Concurrent runs several plans of one Config at once.
func TestMake_Concurrent(t *testing.T) {
	w := testWorld(t)
	w.deploy(genTemplate(3, 0))
	cfg := expand(t, genTemplate(3, 1))
	want := text(t, w.plan(genTemplate(3, 1), plan.Options{}))
	done := make(chan string)
	for range 4 {
		go func() {
			p, err := plan.Make(context.Background(), cfg, w.state, w.reg, plan.Options{Refresh: true})
			if err != nil {
				done <- err.Error()
				return
			}
			done <- text(t, p)
		}()
	}
	for range 4 {
		if got := <-done; got != want {
			t.Errorf("concurrent plan differs:\n%s", got)
		}
	}
}
