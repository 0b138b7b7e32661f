package plan_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/template"
)

// BenchmarkDecode_Layered1000 decodes a stored plan of 1,000 instances, as
// ApplyExecutionPlan does before carrying it out.
func BenchmarkDecode_Layered1000(b *testing.B) {
	var body strings.Builder
	fmt.Fprintf(&body, "resource \"sim_item\" \"l0\" {\n  count = 100\n  name = \"l0-${count.index}\"\n}\n")
	for l := 1; l < 10; l++ {
		fmt.Fprintf(&body, "resource \"sim_item\" \"l%d\" {\n  count = 100\n  name = \"l%d-${count.index}\"\n  parent = sim_item.l%d[count.index].id\n}\n", l, l, l-1)
	}
	tpl, err := template.Parse(body.String(), template.Options{})
	if err != nil {
		b.Fatal(err)
	}
	cfg, err := tpl.Expand(context.Background(), template.Input{})
	if err != nil {
		b.Fatal(err)
	}
	p, _ := sim.New(sim.Config{Seed: 1})
	var reg provider.Registry
	reg.Register("sim", p)
	made, err := plan.Make(context.Background(), cfg, nil, &reg, plan.Options{})
	if err != nil {
		b.Fatal(err)
	}
	data, err := made.Encode()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := plan.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
	// Reported after the loop: b.Loop clears what is reported before it.
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
	b.ReportMetric(float64(len(data))/1024, "KiB")
}
