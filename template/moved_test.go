package template_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/formation-engine/formation/template"
	"github.com/hashicorp/hcl/v2"
)

// Each moved block carries the state addresses it names to where Terraform
// would carry them, and leaves the others alone.
func TestMove_Destination(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		moves    map[string]string // state address → destination; "" when the move does not apply
	}{
		{"a_b.x", "a_b.y", map[string]string{"a_b.x": "a_b.y", "a_b.x[0]": "a_b.y[0]", `a_b.x["k"]`: `a_b.y["k"]`, "a_b.z": "", "module.m.a_b.x": ""}},
		{"a_b.x", "a_b.x[0]", map[string]string{"a_b.x": "a_b.x[0]", "a_b.x[1]": ""}},
		{`a_b.x[0]`, `a_b.x["k"]`, map[string]string{"a_b.x[0]": `a_b.x["k"]`, "a_b.x": "", "a_b.x[1]": ""}},
		{"a_b.x[2]", "a_b.y", map[string]string{"a_b.x[2]": "a_b.y", "a_b.x": ""}},
		{"module.a", "module.b", map[string]string{"module.a.a_b.x": "module.b.a_b.x", "module.a[1].a_b.x[0]": "module.b[1].a_b.x[0]", "module.a.module.c.a_b.x": "module.b.module.c.a_b.x", "module.ab.a_b.x": ""}},
		{"module.a", "module.a[0]", map[string]string{"module.a.a_b.x": "module.a[0].a_b.x", "module.a[1].a_b.x": ""}},
		{"a_b.x", "module.n.a_b.x", map[string]string{"a_b.x": "module.n.a_b.x", "module.n.a_b.x": ""}},
		{"module.n.a_b.x", "a_b.x", map[string]string{"module.n.a_b.x": "a_b.x", "module.n[0].a_b.x": ""}},
	} {
		src := "moved {\n  from = " + tc.from + "\n  to   = " + tc.to + "\n}\n"
		tpl, err := template.Parse(src, template.Options{})
		if err != nil {
			t.Fatalf("%s → %s: %v", tc.from, tc.to, err)
		}
		moves := tpl.Moves()
		if len(moves) != 1 {
			t.Fatalf("%s → %s: %d moves", tc.from, tc.to, len(moves))
		}
		for addr, want := range tc.moves {
			a, err := template.ParseInstanceAddr(addr)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := moves[0].Destination(a)
			if !ok && want != "" || ok && got.String() != want {
				t.Errorf("%s → %s: %s goes to %q (applies %v), want %q", tc.from, tc.to, addr, got, ok, want)
			}
		}
	}
}

// A moved block inside a module moves within every instance of that
// module; chains run in order.
func TestMove_ModuleBlocksAndChains(t *testing.T) {
	fsys := fstest.MapFS{
		"main.tf": {Data: []byte(`
module "m" {
  source = "./m"
  count  = 2
}
moved {
  from = a_b.two
  to   = a_b.three
}
moved {
  from = a_b.one
  to   = a_b.two
}
`)},
		"m/main.tf": {Data: []byte(`
resource "a_b" "new" {}
moved {
  from = a_b.old
  to   = a_b.new
}
`)},
	}
	tpl, err := template.ParseFS(fsys, template.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, mv := range tpl.Moves() {
		got = append(got, mv.String())
	}
	if want := "a_b.one[*] → a_b.two[*]; a_b.two[*] → a_b.three[*]; module.m.a_b.old[*] → module.m.a_b.new[*]"; strings.Join(got, "; ") != want {
		t.Fatalf("moves in order: %q, want %q", strings.Join(got, "; "), want)
	}
	inner := tpl.Moves()[2]
	a, _ := template.ParseInstanceAddr("module.m[1].a_b.old")
	if dest, ok := inner.Destination(a); !ok || dest.String() != "module.m[1].a_b.new" {
		t.Fatalf("module.m[1].a_b.old goes to %v %v", dest, ok)
	}
}

// Expand refuses what Terraform's move validation refuses, with its
// summaries and details.
func TestMove_Validation(t *testing.T) {
	for _, tc := range []struct{ name, src, summary, detail string }{
		{"still declared", "resource \"a_b\" \"x\" {}\nresource \"a_b\" \"y\" {}\nmoved {\n  from = a_b.x\n  to   = a_b.y\n}\n",
			"Moved object still exists", "This statement declares a move from a_b.x, but that resource is still declared at main.tf:1,1."},
		{"instance still declared", "resource \"a_b\" \"x\" {\n  count = 2\n}\nmoved {\n  from = a_b.x[1]\n  to   = a_b.x[5]\n}\n",
			"Moved object still exists", "that resource instance is still declared at main.tf:2,11"},
		{"ambiguous from", "resource \"a_b\" \"y\" {}\nmoved {\n  from = a_b.x\n  to   = a_b.y\n}\nmoved {\n  from = a_b.x\n  to   = a_b.z\n}\n",
			"Ambiguous move statements", "A statement at main.tf:2,1 declared that a_b.x moved to a_b.y, but this statement instead declares that it moved to a_b.z."},
		{"ambiguous to", "resource \"a_b\" \"y\" {}\nmoved {\n  from = a_b.x\n  to   = a_b.y\n}\nmoved {\n  from = a_b.w\n  to   = a_b.y\n}\n",
			"Ambiguous move statements", "but this statement instead declares that a_b.w moved there"},
		{"redundant", "moved {\n  from = a_b.x\n  to   = a_b.x\n}\n",
			"Redundant move statement", "This statement declares a move from a_b.x to the same address"},
		{"module still declared", "moved {\n  from = module.a\n  to   = module.b\n}\n", "", ""},
	} {
		tpl, err := template.Parse(tc.src, template.Options{})
		if err == nil {
			_, err = tpl.Expand(context.Background(), template.Input{})
		}
		var diags hcl.Diagnostics
		switch {
		case tc.summary == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.summary == "":
		case !errors.As(err, &diags) || diags[0].Summary != tc.summary || !strings.Contains(diags[0].Detail, tc.detail):
			t.Errorf("%s: %v, want %q with %q", tc.name, err, tc.summary, tc.detail)
		}
	}
}

// Adding count implies moving the object to [0]; removing it, moving [0]
// back; a moved block naming the resource turns the implied move off.
func TestTemplate_ImpliedMoves(t *testing.T) {
	tpl, err := template.Parse(`
resource "a_b" "counted" {
  count = 2
}
resource "a_b" "single" {}
resource "a_b" "each" {
  for_each = {}
}
resource "a_b" "named" {
  count = 1
}
moved {
  from = a_b.other
  to   = a_b.named[0]
}
`, template.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var addrs []template.InstanceAddr
	for _, s := range []string{"a_b.counted", "a_b.single[0]", "a_b.single[1]", "a_b.each", "a_b.each[0]", "a_b.named", "a_b.gone[0]"} {
		a, _ := template.ParseInstanceAddr(s)
		addrs = append(addrs, a)
	}
	var got []string
	for _, mv := range tpl.ImpliedMoves(addrs) {
		if !mv.Implied {
			t.Errorf("%s is not marked implied", mv)
		}
		got = append(got, mv.String())
	}
	if want := "a_b.counted → a_b.counted[0]; a_b.single[0] → a_b.single"; strings.Join(got, "; ") != want {
		t.Fatalf("implied moves %q, want %q", strings.Join(got, "; "), want)
	}
}

// Moved and removed blocks in JSON syntax decode as in HCL.
func TestMove_JSONSyntax(t *testing.T) {
	tpl, err := template.Parse(`{
  "moved": [{"from": "a_b.x", "to": "module.m[\"k\"].a_b.y"}],
  "removed": [{"from": "a_b.gone", "lifecycle": [{"destroy": false}]}]
}`, template.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if moves := tpl.Moves(); len(moves) != 1 || moves[0].String() != `a_b.x[*] → module.m["k"].a_b.y[*]` {
		t.Fatalf("moves %v", moves)
	}
	if rs := tpl.Removals(); len(rs) != 1 || rs[0].String() != "a_b.gone" || rs[0].Destroy {
		t.Fatalf("removals %+v", rs)
	}
}
