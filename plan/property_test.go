package plan_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/formation-engine/formation/plan"
)

// genBlock is one resource block of a generated template.
type genBlock struct {
	kind   string   // "vpc", "subnet" (test types) or "thing" (schema-less)
	label  string   // l0, l1, …
	expand string   // "single", "count" or "each"
	count  int      // with count
	keys   []string // with for_each
	styles []int    // reference styles, drawn from the structure
	refs   []int    // the earlier blocks it refers to
}

func (b *genBlock) typ() string {
	switch b.kind {
	case "vpc":
		return "huaweicloud_vpc"
	case "subnet":
		return "huaweicloud_vpc_subnet"
	}
	return "huaweicloud_thing"
}

func (b *genBlock) addr() string { return b.typ() + "." + b.label }

// genTemplate builds a random template: layers of VPCs, subnets and
// schema-less things, with count, for_each and single blocks; references
// to one instance (the same index or key, or a literal one) and to whole
// blocks (length, splat, for expressions); nested and dynamic blocks;
// locals; a data source. The structure comes from seed; variant changes
// literals, counts and keys, so that deploying variant 0 and then
// variant 1 makes every kind of change.
func genTemplate(seed uint64, variant int) string {
	st := rand.New(rand.NewPCG(seed, 1))                      // structure
	vr := rand.New(rand.NewPCG(seed, uint64(2+variant*7919))) // values
	n := 1 + st.IntN(6)
	var blocks []*genBlock
	for i := range n {
		b := &genBlock{label: fmt.Sprintf("l%d", i)}
		var vpcs []int
		for j, p := range blocks {
			if p.kind == "vpc" {
				vpcs = append(vpcs, j)
			}
		}
		switch k := st.IntN(3); {
		case k == 0 || i == 0:
			b.kind = "vpc"
		case k == 1 && len(vpcs) > 0:
			b.kind = "subnet"
			b.refs = append(b.refs, vpcs[st.IntN(len(vpcs))])
		default:
			b.kind = "thing"
		}
		b.expand = []string{"single", "count", "each"}[st.IntN(3)]
		for range st.IntN(3) {
			if i > 0 {
				b.refs = append(b.refs, st.IntN(i))
			}
		}
		for range len(b.refs) {
			b.styles = append(b.styles, st.IntN(4))
		}
		switch b.expand {
		case "count":
			b.count = vr.IntN(4)
		case "each":
			for _, k := range []string{"k0", "k1", "k2", "k3"} {
				if vr.IntN(3) > 0 {
					b.keys = append(b.keys, k)
				}
			}
		}
		blocks = append(blocks, b)
	}

	var out strings.Builder
	out.WriteString("data \"huaweicloud_availability_zones\" \"zones\" {}\n\n")
	fmt.Fprintf(&out, "locals {\n  prefix = \"p%d\"\n  first  = %s\n}\n\n", vr.IntN(3), wholeRef(blocks[0], "name"))
	for i, b := range blocks {
		fmt.Fprintf(&out, "resource %q %q {\n", b.typ(), b.label)
		idx := `"single"`
		switch b.expand {
		case "count":
			fmt.Fprintf(&out, "  count = %d\n", b.count)
			idx = "count.index"
		case "each":
			fmt.Fprintf(&out, "  for_each = { for k in %s : k => \"v-${k}\" }\n", hclList(b.keys))
			idx = "each.key"
		}
		var refs []string
		for j, r := range b.refs {
			if b.kind != "subnet" || j > 0 {
				refs = append(refs, refExpr(b, blocks[r], b.styles[j]))
			}
		}
		switch b.kind {
		case "vpc":
			fmt.Fprintf(&out, "  name = \"${local.prefix}-%s-${%s}\"\n", b.label, idx)
			fmt.Fprintf(&out, "  cidr = \"10.%d.0.0/16\"\n", i*2+vr.IntN(2))
			fmt.Fprintf(&out, "  tags = { idx = %s, v = \"%d\" }\n", idx, vr.IntN(2))
		case "subnet":
			fmt.Fprintf(&out, "  name       = \"%s-${%s}\"\n", b.label, idx)
			fmt.Fprintf(&out, "  cidr       = \"10.%d.1.0/24\"\n", i)
			fmt.Fprintf(&out, "  gateway_ip = \"10.%d.1.1\"\n", i)
			fmt.Fprintf(&out, "  vpc_id     = %s\n", oneRef(b, blocks[b.refs[0]], "id"))
			fmt.Fprintf(&out, "  availability_zone = data.huaweicloud_availability_zones.zones.names[%d]\n", vr.IntN(3))
		default:
			fmt.Fprintf(&out, "  name  = \"%s-${%s}-%d\"\n", b.label, idx, vr.IntN(2))
			fmt.Fprintf(&out, "  size  = %d\n", vr.IntN(3))
			fmt.Fprintf(&out, "  first = local.first\n")
			fmt.Fprintf(&out, "  list  = [\"a\", \"%d\"]\n", vr.IntN(2))
			fmt.Fprintf(&out, "  item {\n    key = \"a\"\n    val = %d\n  }\n", vr.IntN(2))
			fmt.Fprintf(&out, "  dynamic \"rule\" {\n    for_each = %s\n    content {\n      port = rule.value\n    }\n  }\n", hclList([]string{"x", "y", "z"}[:1+vr.IntN(3)]))
			for j, r := range refs {
				fmt.Fprintf(&out, "  ref%d = %s\n", j, r)
			}
		}
		if b.kind != "thing" {
			// Catalog types declare no refN attributes: refer through the
			// description, a string.
			switch {
			case len(refs) > 0:
				parts := make([]string, len(refs))
				for j, r := range refs {
					parts[j] = "${" + r + "}"
				}
				fmt.Fprintf(&out, "  description = \"%s\"\n", strings.Join(parts, "/"))
			case vr.IntN(2) == 0:
				fmt.Fprintf(&out, "  description = \"d%d\"\n", vr.IntN(3))
			}
		}
		out.WriteString("}\n\n")
	}
	return out.String()
}

func hclList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// oneRef refers to one instance of target from b: the same index or key
// when both have it, else the first instance; a length when target has
// none.
func oneRef(b, target *genBlock, attr string) string {
	switch target.expand {
	case "single":
		return target.addr() + "." + attr
	case "count":
		if target.count == 0 {
			return fmt.Sprintf("\"none-${length(%s)}\"", target.addr())
		}
		if b.expand == "count" {
			return fmt.Sprintf("%s[count.index %% %d].%s", target.addr(), target.count, attr)
		}
		return fmt.Sprintf("%s[0].%s", target.addr(), attr)
	default:
		if len(target.keys) == 0 {
			return fmt.Sprintf("\"none-${length(%s)}\"", target.addr())
		}
		if b.expand == "each" && slices.Equal(b.keys, target.keys) {
			return fmt.Sprintf("%s[each.key].%s", target.addr(), attr)
		}
		return fmt.Sprintf("%s[%q].%s", target.addr(), target.keys[0], attr)
	}
}

// wholeRef refers to every instance of target: their attribute joined.
func wholeRef(target *genBlock, attr string) string {
	switch target.expand {
	case "single":
		return target.addr() + "." + attr
	case "count":
		return fmt.Sprintf("join(\",\", %s[*].%s)", target.addr(), attr)
	}
	return fmt.Sprintf("join(\",\", [for k, v in %s : v.%s])", target.addr(), attr)
}

// refExpr is a reference of the given style: one instance's id or name, a
// whole-block join, or a length.
func refExpr(b, target *genBlock, style int) string {
	switch style {
	case 0:
		return oneRef(b, target, "id")
	case 1:
		return oneRef(b, target, "name")
	case 2:
		return wholeRef(target, "name")
	}
	if target.expand == "single" {
		return target.addr() + ".id"
	}
	return fmt.Sprintf("length(%s)", target.addr())
}

// TestMake_ReplanIsNoOp is the planner's central property: deploying a
// plan (applied through the sim, each instance's configuration evaluated
// again with the applied values) and planning again gives only
// NO_OPERATION — for generated templates, first deployed from an empty
// stack and then changed.
func TestMake_ReplanIsNoOp(t *testing.T) {
	seeds := 60
	if testing.Short() {
		seeds = 15
	}
	for seed := range uint64(seeds) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			w := testWorld(t)
			for variant := range 3 {
				src := genTemplate(seed, variant)
				p := w.plan(src, plan.Options{Refresh: true})
				w.apply(expand(t, src), p)
				re := w.plan(src, plan.Options{Refresh: true})
				for _, c := range re.Changes {
					if c.Action != "NO_OPERATION" || c.Drifted {
						t.Fatalf("variant %d: re-plan has %s %s (%s)\ntemplate:\n%s\nplan:\n%s\nre-plan:\n%s",
							variant, c.Addr, c.Action, c.Reason, src, text(t, p), text(t, re))
					}
				}
				if re.HasChanges() {
					t.Fatalf("variant %d: re-plan has changes", variant)
				}
			}
		})
	}
}
