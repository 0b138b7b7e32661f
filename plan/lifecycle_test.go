package plan_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/template"
	"github.com/zclconf/go-cty/cty"
)

// vpcWith is a VPC whose lifecycle block and attributes a test chooses.
func vpcWith(attrs, lifecycle string) string {
	return `
resource "huaweicloud_vpc" "a" {
  name = "a"
` + attrs + `
  lifecycle {
` + lifecycle + `
  }
}
`
}

func TestMake_IgnoreChanges(t *testing.T) {
	const base = `  cidr = "10.0.0.0/16"
  description = "first"
  tags = { env = "dev", team = "core" }`
	tests := []struct {
		name      string
		lifecycle string
		next      string // attributes planned after deploying base
		action    formation.Action
		kept      map[string]string // attribute path (formatted) → value kept from the prior object
	}{
		{name: "attribute", lifecycle: `ignore_changes = [description]`,
			next: replaceAll(base, `"first"`, `"second"`), action: formation.ActionNoOperation},
		{name: "attribute and a real change", lifecycle: `ignore_changes = [description]`,
			next:   replaceAll(base, `"first"`, `"second"`, `"core"`, `"edge"`),
			action: formation.ActionUpdate, kept: map[string]string{"description": "first"}},
		{name: "map key", lifecycle: `ignore_changes = [tags["team"]]`,
			next: replaceAll(base, `"core"`, `"edge"`), action: formation.ActionNoOperation},
		{name: "map key, other key changes", lifecycle: `ignore_changes = [tags["team"]]`,
			next:   replaceAll(base, `"core"`, `"edge"`, `env = "dev"`, `env = "prod"`),
			action: formation.ActionUpdate, kept: map[string]string{`tags["team"]`: "core"}},
		{name: "force-new attribute", lifecycle: `ignore_changes = [cidr]`,
			next: replaceAll(base, `"10.0.0.0/16"`, `"10.1.0.0/16"`), action: formation.ActionNoOperation},
		{name: "all", lifecycle: `ignore_changes = all`,
			next: replaceAll(base, `"10.0.0.0/16"`, `"10.1.0.0/16"`, `"first"`, `"second"`, `"core"`, `"edge"`), action: formation.ActionNoOperation},
		{name: "removed attribute", lifecycle: `ignore_changes = [description]`,
			next: replaceAll(base, `description = "first"`, ``), action: formation.ActionNoOperation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := testWorld(t)
			w.deploy(vpcWith(base, tt.lifecycle))
			next := vpcWith(tt.next, tt.lifecycle)
			p := w.plan(next, plan.Options{})
			c := p.Change("huaweicloud_vpc.a")
			if c.Action != tt.action {
				t.Fatalf("action %s, want %s:\n%s", c.Action, tt.action, text(t, p))
			}
			// Applying keeps the ignored values (Refine applies them too),
			// and a re-plan is all NO_OPERATION.
			w.apply(expand(t, next), p)
			for path, want := range tt.kept {
				v := w.state["huaweicloud_vpc.a"].Value
				var got cty.Value
				if name, key, ok := strings.Cut(path, `["`); ok {
					got = v.GetAttr(name).Index(cty.StringVal(strings.TrimSuffix(key, `"]`)))
				} else {
					got = v.GetAttr(path)
				}
				if got.AsString() != want {
					t.Errorf("%s after apply = %#v, want %q", path, got, want)
				}
			}
			noOps(t, w.plan(next, plan.Options{Refresh: true}))
		})
	}
}

// TestMake_IgnoreChanges_Drift keeps drift of an ignored attribute: the
// drift is reported, the resource is not updated.
func TestMake_IgnoreChanges_Drift(t *testing.T) {
	w := testWorld(t)
	src := vpcWith(`  cidr = "10.0.0.0/16"
  description = "first"`, `ignore_changes = [description]`)
	w.deploy(src)
	if err := w.sim.Drift(context.Background(), "huaweicloud_vpc.a", map[string]cty.Value{"description": cty.StringVal("console")}); err != nil {
		t.Fatal(err)
	}
	p := w.plan(src, plan.Options{Refresh: true})
	check(t, p, map[string]want{
		"huaweicloud_vpc.a (drift)": {action: formation.ActionUpdate, drifted: true, reason: "attribute description changed outside Formation"},
		"huaweicloud_vpc.a":         {action: formation.ActionNoOperation},
	})
	if c := p.Change("huaweicloud_vpc.a"); c.After.GetAttr("description").AsString() != "console" {
		t.Errorf("planned %#v, want the remote value kept", c.After)
	}
}

// TestMake_IgnoreChanges_SchemaLess keeps an ignored attribute the
// template no longer sets.
func TestMake_IgnoreChanges_SchemaLess(t *testing.T) {
	w := newWorld(t, sim.Config{})
	src := `
resource "huaweicloud_thing" "a" {
  name  = "a"
  owner = "ops"
  lifecycle {
    ignore_changes = [owner]
  }
}
`
	w.deploy(src)
	noOps(t, w.plan(replaceAll(src, `owner = "ops"`, ``), plan.Options{}))
	noOps(t, w.plan(replaceAll(src, `"ops"`, `"dev"`), plan.Options{}))
}

func TestMake_ReplaceTriggeredBy(t *testing.T) {
	const a = `
resource "huaweicloud_vpc" "a" {
  name        = "a"
  cidr        = "10.0.0.0/16"
  description = "first"
  tags        = { env = "dev" }
}
`
	tests := []struct {
		name    string
		trigger string
		next    string // the VPC a as planned after deploying a
		action  formation.Action
		reason  string
	}{
		{name: "instance updated", trigger: "huaweicloud_vpc.a", next: replaceAll(a, `"first"`, `"second"`),
			action: formation.ActionDeleteThenAdd, reason: "replace_triggered_by huaweicloud_vpc.a"},
		{name: "instance replaced", trigger: "huaweicloud_vpc.a", next: replaceAll(a, `"10.0.0.0/16"`, `"10.1.0.0/16"`),
			action: formation.ActionDeleteThenAdd, reason: "replace_triggered_by huaweicloud_vpc.a"},
		{name: "instance unchanged", trigger: "huaweicloud_vpc.a", next: a, action: formation.ActionNoOperation},
		{name: "attribute changed", trigger: "huaweicloud_vpc.a.description", next: replaceAll(a, `"first"`, `"second"`),
			action: formation.ActionDeleteThenAdd, reason: "replace_triggered_by huaweicloud_vpc.a.description"},
		{name: "other attribute changed", trigger: "huaweicloud_vpc.a.description", next: replaceAll(a, `"dev"`, `"prod"`),
			action: formation.ActionNoOperation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := `
resource "huaweicloud_vpc" "b" {
  name = "b"
  cidr = "10.5.0.0/16"
  lifecycle {
    replace_triggered_by = [` + tt.trigger + `]
  }
}
`
			w := testWorld(t)
			w.deploy(a + b)
			p := w.plan(tt.next+b, plan.Options{})
			c := p.Change("huaweicloud_vpc.b")
			if c.Action != tt.action || !strings.Contains(c.Reason, tt.reason) {
				t.Errorf("b: %s %q, want %s %q", c.Action, c.Reason, tt.action, tt.reason)
			}
			if c.Action.Replaces() && (len(c.RequiresReplace) != 0 || c.After.GetAttr("id").IsKnown()) {
				t.Errorf("triggered replacement: requires_replace %#v, after %#v", c.RequiresReplace, c.After)
			}
		})
	}
}

func TestMake_PreventDestroy(t *testing.T) {
	protected := vpcWith(`  cidr = "10.0.0.0/16"`, `prevent_destroy = true`)
	isPreventDestroy := func(t *testing.T, err error) {
		t.Helper()
		var fe *formation.Error
		if !formation.HasCode(err, formation.CodeInvalidTemplate) || !strings.Contains(err.Error(), "huaweicloud_vpc.a") ||
			!strings.Contains(err.Error(), "prevent_destroy is set") {
			t.Errorf("error %v, want a prevent_destroy error naming huaweicloud_vpc.a", err)
		}
		_ = fe
	}
	t.Run("update in place is allowed", func(t *testing.T) {
		w := testWorld(t)
		w.deploy(protected)
		p := w.plan(replaceAll(protected, `name = "a"`, `name = "renamed"`), plan.Options{})
		if c := p.Change("huaweicloud_vpc.a"); c.Action != formation.ActionUpdate || !c.PreventDestroy {
			t.Errorf("%s prevent_destroy=%v", c.Action, c.PreventDestroy)
		}
	})
	t.Run("replace", func(t *testing.T) {
		w := testWorld(t)
		w.deploy(protected)
		isPreventDestroy(t, w.planErr(replaceAll(protected, `"10.0.0.0/16"`, `"10.1.0.0/16"`), plan.Options{}))
	})
	t.Run("block removed", func(t *testing.T) {
		w := testWorld(t)
		w.deploy(protected)
		if !w.state["huaweicloud_vpc.a"].PreventDestroy {
			t.Fatal("the state does not remember prevent_destroy")
		}
		isPreventDestroy(t, w.planErr(`resource "huaweicloud_vpc" "other" {
  name = "other"
  cidr = "10.9.0.0/16"
}`, plan.Options{}))
	})
	t.Run("destroy", func(t *testing.T) {
		w := testWorld(t)
		w.deploy(protected)
		_, err := plan.Make(context.Background(), nil, w.state, w.reg, plan.Options{Destroy: true})
		isPreventDestroy(t, err)
	})
	t.Run("lifted by deploying prevent_destroy = false first", func(t *testing.T) {
		w := testWorld(t)
		w.deploy(protected)
		w.deploy(replaceAll(protected, `prevent_destroy = true`, `prevent_destroy = false`))
		p := w.plan(`resource "huaweicloud_vpc" "other" {
  name = "other"
  cidr = "10.9.0.0/16"
}`, plan.Options{})
		if c := p.Change("huaweicloud_vpc.a"); c.Action != formation.ActionDelete {
			t.Errorf("action %s", c.Action)
		}
	})
	t.Run("deleted outside Formation", func(t *testing.T) {
		// Nothing is left to destroy: the plan recreates it.
		w := testWorld(t)
		w.deploy(protected)
		if err := w.sim.DeleteOutOfBand(context.Background(), "huaweicloud_vpc.a"); err != nil {
			t.Fatal(err)
		}
		p := w.plan(protected, plan.Options{Refresh: true})
		if c := p.Change("huaweicloud_vpc.a"); c.Action != formation.ActionAdd {
			t.Errorf("action %s", c.Action)
		}
	})
}

// TestMake_IgnoreChanges_ValidatesWhatIsWritten: the provider validates the
// configuration as written, not the prior values ignore_changes keeps, as
// Terraform does. Here the provider computes "size", which conflicts with
// "flavor"; the template ignores size, and a re-plan must not see the
// computed size as set.
func TestMake_IgnoreChanges_ValidatesWhatIsWritten(t *testing.T) {
	thing := provider.Schema{
		Attributes: map[string]provider.Attribute{
			"id":     {Type: cty.String, Computed: true},
			"flavor": {Type: cty.String, Optional: true},
			"size":   {Type: cty.Number, Optional: true, Computed: true},
		},
		Constraints: []provider.Constraint{{Kind: provider.ConflictsWith, Attribute: "size", With: []string{"flavor"}}},
	}
	w := newWorld(t, sim.Config{Schemas: map[string]provider.Schema{"huaweicloud_thing": thing}})
	src := `
resource "huaweicloud_thing" "a" {
  flavor = "small"
  lifecycle {
    ignore_changes = [size]
  }
}
`
	w.deploy(src)
	noOps(t, w.plan(src, plan.Options{Refresh: true}))
	// What is written is still checked.
	err := w.planErr(replaceAll(src, `flavor = "small"`, "flavor = \"small\"\n  size = 2"), plan.Options{})
	if !strings.Contains(err.Error(), `ConflictsWith; The provider's schema for huaweicloud_thing refuses huaweicloud_thing.a: "size": conflicts with flavor`) {
		t.Errorf("error %v", err)
	}
}

// A create checks the schema's rules between arguments: on the
// configuration as written when they name only top-level attributes, on
// the coerced one otherwise, with the same outcome as checking the
// coerced configuration (what provider.Schema.CheckConstraints takes).
func TestMake_CreateChecksRules(t *testing.T) {
	disk := &provider.Block{Nesting: provider.NestingList, Attributes: map[string]provider.Attribute{
		"size": {Type: cty.Number, Optional: true},
		"type": {Type: cty.String, Optional: true},
	}}
	top := provider.Schema{Attributes: map[string]provider.Attribute{
		"id":     {Type: cty.String, Computed: true},
		"flavor": {Type: cty.String, Optional: true},
		"size":   {Type: cty.Number, Optional: true, Computed: true},
		"image":  {Type: cty.String, Optional: true},
		"zone":   {Type: cty.String, Optional: true},
		"tags":   {Type: cty.Map(cty.String), Optional: true},
	}, Constraints: []provider.Constraint{
		{Kind: provider.ConflictsWith, Attribute: "size", With: []string{"flavor"}},
		{Kind: provider.AtLeastOneOf, Attribute: "image", With: []string{"zone"}},
		{Kind: provider.RequiredWith, Attribute: "tags", With: []string{"zone"}},
		{Kind: provider.RequiredWith, Attribute: "size", With: []string{"zone"}}, // computed: unset until written
	}}
	nested := provider.Schema{Attributes: maps.Clone(top.Attributes), Constraints: append(slices.Clone(top.Constraints),
		provider.Constraint{Kind: provider.RequiredWith, Attribute: "disk.size", With: []string{"disk.type"}})}
	nested.Attributes["disk"] = provider.Attribute{Type: disk.Type(), Optional: true, Block: disk}
	for _, body := range []string{
		`image = "i"`,
		`flavor = "f"
  size = 2`,
		`flavor = "f"`,
		`tags = { a = "b" }
  image = "i"`,
		`tags = { a = "b" }
  zone = "z"`,
		`size = null
  flavor = "f"`,
		`image = "i"
  disk {
    size = 10
  }`,
	} {
		for _, s := range []provider.Schema{top, nested} {
			if _, ok := s.Attributes["disk"]; !ok && strings.Contains(body, "disk") {
				continue
			}
			w := newWorld(t, sim.Config{Schemas: map[string]provider.Schema{"huaweicloud_thing": s}})
			src := "resource \"huaweicloud_thing\" \"a\" {\n  " + body + "\n}\n"
			cfg := expand(t, src)
			config, diags := cfg.Evaluate(context.Background(), cfg.Instance("huaweicloud_thing.a"), template.ValuesFunc(func(string) cty.Value { return cty.NilVal }))
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			coerced, err := s.Compile().Coerce(config)
			if err != nil {
				t.Fatal(err)
			}
			want := s.CheckConstraints(coerced)
			_, err = plan.Make(context.Background(), cfg, w.state, w.reg, plan.Options{})
			switch {
			case want == nil && err != nil:
				t.Errorf("%s: plan refused: %v", body, err)
			case want != nil && (err == nil || !errors.Is(err, provider.ErrInvalidConfig)):
				t.Errorf("%s: plan error %v, want the rules' %v", body, err, want)
			case want != nil:
				broken := constraintErrors(want)
				if len(broken) == 0 {
					t.Fatalf("%s: no ConstraintError in %v", body, want)
				}
				if got, want := messages(constraintErrors(err)), messages(broken); got != want {
					t.Errorf("%s: plan refuses with %s, want %s", body, got, want)
				}
			}
		}
	}
}

// constraintErrors are the broken rules err holds.
func constraintErrors(err error) []*provider.ConstraintError {
	if ce, ok := err.(*provider.ConstraintError); ok {
		return []*provider.ConstraintError{ce}
	}
	var out []*provider.ConstraintError
	switch u := err.(type) {
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			out = append(out, constraintErrors(e)...)
		}
	case interface{ Unwrap() error }:
		out = constraintErrors(u.Unwrap())
	}
	return out
}

func messages(errs []*provider.ConstraintError) string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return strings.Join(out, "; ")
}
