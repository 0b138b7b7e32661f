package formation_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
)

// genTemplate writes a random template: a few blocks of the catalog's and
// of schema-less types, with count or for_each, each referring to instances
// of earlier blocks (the same index, a whole block through a splat, or a
// key), some with nested blocks and force-new attributes.
func genTemplate(rng *rand.Rand) string {
	var b strings.Builder
	blocks := 2 + rng.IntN(4)
	forEach := make([]bool, blocks)
	ref := func(i int) string { // block i as an expression
		if i == 0 {
			return "huaweicloud_vpc.b0"
		}
		return fmt.Sprintf("thing_item.b%d", i)
	}
	for i := range blocks {
		name := fmt.Sprintf("b%d", i)
		switch {
		case i == 0:
			fmt.Fprintf(&b, "resource \"huaweicloud_vpc\" %q {\n  count = %d\n  name = \"vpc-${count.index}\"\n  cidr = \"10.${count.index}.0.0/16\"\n}\n", name, 1+rng.IntN(3))
		case rng.IntN(2) == 0:
			forEach[i] = true
			fmt.Fprintf(&b, "resource \"thing_item\" %q {\n  for_each = toset([%s])\n  label = \"${each.key}-%d\"\n  parent_ids = %s\n  spec {\n    size = %d\n  }\n}\n",
				name, keys(rng), rng.IntN(100), allIDs(ref(i-1), forEach[i-1]), rng.IntN(8))
		default:
			fmt.Fprintf(&b, "resource \"thing_item\" %q {\n  count = %d\n  label = \"item-${count.index}\"\n  first = %s\n}\n",
				name, 1+rng.IntN(4), firstID(ref(i-1), forEach[i-1]))
		}
	}
	b.WriteString("output \"first\" {\n  value = huaweicloud_vpc.b0[0].id\n}\n")
	return b.String()
}

// allIDs and firstID refer to a block's instances, a tuple (count) or an
// object (for_each).
func allIDs(block string, forEach bool) string {
	if forEach {
		return "[for k, v in " + block + " : v.id]"
	}
	return block + "[*].id"
}

func firstID(block string, forEach bool) string {
	if forEach {
		return "values(" + block + ")[0].id"
	}
	return block + "[0].id"
}

func keys(rng *rand.Rand) string {
	var ks []string
	for k := range 1 + rng.IntN(3) {
		ks = append(ks, fmt.Sprintf("%q", fmt.Sprintf("k%d", k)))
	}
	return strings.Join(ks, ", ")
}

func genFaults(rng *rand.Rand) []sim.Fault {
	var fs []sim.Fault
	for range rng.IntN(3) {
		f := sim.Fault{Match: sim.Match{Op: sim.OpCreate, Address: fmt.Sprintf("*.b%d*", rng.IntN(4))}, Times: 1 + rng.IntN(2), Message: "injected"}
		if rng.IntN(2) == 0 {
			f.Transient = true
		}
		if rng.IntN(3) == 0 {
			f.AfterEffect = true // the resource is made, the response lost
		}
		fs = append(fs, f)
	}
	return fs
}

// Property (issue 5): after a deployment succeeds — on the first try, after
// transient faults the engine retried, or after ContinueDeployStack got past
// permanent ones — re-planning the same template changes nothing, and the
// cloud holds exactly what the stack records.
func TestProperty_DeployedTemplateReplansToNoOperation(t *testing.T) {
	ctx := context.Background()
	cases := 40
	if testing.Short() {
		cases = 8
	}
	continued := 0
	for c := range cases {
		rng := rand.New(rand.NewPCG(uint64(c), 99))
		body := genTemplate(rng)
		faults := genFaults(rng)
		e, p, _ := simEngine(t, sim.Config{Seed: int64(c), Faults: faults}, engine.Config{})
		mustCreate(t, e, engine.CreateStackRequest{Name: "p"})
		res := deploy(t, e, "p", body)
		for tries := 0; res.Status == formation.StackDeploymentFailed && tries < 4; tries++ {
			dep, err := e.ContinueDeployStack(ctx, engine.ContinueRequest{StackRef: engine.StackRef{Name: "p"}})
			if err != nil {
				t.Fatalf("case %d: %v", c, err)
			}
			res = wait(t, e, dep)
			continued++
		}
		if res.Status != formation.StackDeploymentComplete {
			t.Fatalf("case %d never completed (%+v) with faults %+v:\n%s", c, res, faults, body)
		}
		plan, err := e.PreviewStack(ctx, engine.PreviewStackRequest{StackRef: engine.StackRef{Name: "p"}, TemplateInput: engine.TemplateInput{TemplateBody: body}})
		if err != nil {
			t.Fatalf("case %d: re-plan: %v", c, err)
		}
		if plan.HasChanges() {
			var text strings.Builder
			_ = plan.WriteText(&text)
			t.Fatalf("case %d: re-plan after a successful deployment has changes:\n%s\ntemplate:\n%s", c, text.String(), body)
		}
		recorded := resources(t, e, "p")
		if len(recorded) != len(p.Resources()) {
			t.Fatalf("case %d: %d resources recorded, %d in the cloud (%v)", c, len(recorded), len(p.Resources()), worldAddrs(p))
		}
		_ = e.Close()
	}
	if continued == 0 {
		t.Fatal("no generated case failed its first deployment: the fault patterns test nothing")
	}
	t.Logf("%d cases, %d continued deployments", cases, continued)
}
