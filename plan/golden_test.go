package plan_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/provider"
	"github.com/zclconf/go-cty/cty"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./plan -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test ./plan -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// indentJSON indents a JSON document for a golden file.
func indentJSON(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, b)
	}
	out.WriteByte('\n')
	return out.Bytes()
}

// goldenPlan writes the three renderings of a plan: text, JSON and items.
func goldenPlan(t *testing.T, name string, p *plan.Plan) {
	t.Helper()
	golden(t, name+".txt.golden", []byte(text(t, p)))
	b, err := json.Marshal(p) // through MarshalJSON, as callers do
	if err != nil {
		t.Fatal(err)
	}
	golden(t, name+".json.golden", indentJSON(t, b))
	items, err := json.Marshal(p.Items())
	if err != nil {
		t.Fatal(err)
	}
	golden(t, name+".items.json.golden", indentJSON(t, items))
}

const goldenNetwork = `
resource "huaweicloud_vpc" "main" {
  name        = "main"
  cidr        = "10.0.0.0/16"
  description = "the main network"
  tags        = { env = "dev", team = "core" }
}

resource "huaweicloud_vpc_subnet" "web" {
  name       = "web"
  cidr       = "10.0.1.0/24"
  gateway_ip = "10.0.1.1"
  vpc_id     = huaweicloud_vpc.main.id
  dns_list   = ["100.125.1.250", "100.125.21.250"]
}

resource "huaweicloud_compute_instance" "vm" {
  name       = "web-1"
  admin_pass = "s3cret!"
  network {
    uuid = huaweicloud_vpc_subnet.web.id
  }
}

resource "huaweicloud_dns_record" "www" {
  name    = "www"
  records = [huaweicloud_vpc.main.name]
  ttl     = 300
}
`

// goldenCase is a scenario for the golden tests: a template deployed
// first, changes made to the world, and the template then planned.
type goldenCase struct {
	name    string
	deploy  string                              // deployed first ("" for none)
	prepare func(t *testing.T, w *world) string // changes the world; returns the template to plan
	opts    plan.Options
}

// goldenCases cover every kind of change.
var goldenCases = []goldenCase{
	{name: "create", prepare: func(*testing.T, *world) string { return goldenNetwork }},
	{name: "nochange", deploy: goldenNetwork, prepare: func(*testing.T, *world) string { return goldenNetwork }, opts: plan.Options{Refresh: true}},
	{name: "update", deploy: goldenNetwork, prepare: func(*testing.T, *world) string {
		return replaceAll(goldenNetwork,
			`description = "the main network"`, `description = "the primary network"`,
			`team = "core"`, `team = "edge", owner = "ops"`,
			`ttl     = 300`, `ttl = 600`,
			`["100.125.1.250", "100.125.21.250"]`, `["100.125.1.250", "8.8.8.8", "100.125.21.250"]`,
			`admin_pass = "s3cret!"`, `admin_pass = "n3w-s3cret!"`)
	}},
	{name: "replace", deploy: goldenNetwork, prepare: func(*testing.T, *world) string {
		return replaceAll(goldenNetwork,
			`cidr        = "10.0.0.0/16"`, `cidr        = "10.1.0.0/16"`,
			`name       = "web-1"`, "name       = \"web-1\"\n  lifecycle {\n    create_before_destroy = true\n  }")
	}},
	{name: "delete", deploy: goldenNetwork, prepare: func(*testing.T, *world) string {
		return replaceAll(goldenNetwork, goldenDNS, "")
	}},
	{name: "destroy", deploy: goldenNetwork, prepare: func(*testing.T, *world) string { return "" }, opts: plan.Options{Destroy: true}},
	{name: "drift", deploy: goldenNetwork, prepare: func(t *testing.T, w *world) string {
		ctx := context.Background()
		if err := w.sim.Drift(ctx, "huaweicloud_vpc.main", map[string]cty.Value{"description": cty.StringVal("edited in the console")}); err != nil {
			t.Fatal(err)
		}
		if err := w.sim.DeleteOutOfBand(ctx, "huaweicloud_dns_record.www"); err != nil {
			t.Fatal(err)
		}
		return goldenNetwork
	}, opts: plan.Options{Refresh: true}},
	{name: "import", prepare: func(t *testing.T, w *world) string {
		ctx := context.Background()
		same, err := w.sim.Create(ctx, provider.CreateRequest{TypeName: "huaweicloud_vpc", Address: "console", Token: "console-1",
			Config: cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("legacy"), "cidr": cty.StringVal("192.168.0.0/16")})})
		if err != nil {
			t.Fatal(err)
		}
		other, err := w.sim.Create(ctx, provider.CreateRequest{TypeName: "huaweicloud_vpc", Address: "console", Token: "console-2",
			Config: cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("old-name"), "cidr": cty.StringVal("172.16.0.0/16")})})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf(`
import {
  to = huaweicloud_vpc.legacy
  id = %q
}
import {
  to = huaweicloud_vpc.renamed
  id = %q
}
resource "huaweicloud_vpc" "legacy" {
  name = "legacy"
  cidr = "192.168.0.0/16"
}
resource "huaweicloud_vpc" "renamed" {
  name = "new-name"
  cidr = "172.16.0.0/16"
}
`, same.ID, other.ID)
	}},
	{name: "deposed", deploy: goldenNetwork, prepare: func(t *testing.T, w *world) string {
		old, err := w.sim.Create(context.Background(), provider.CreateRequest{TypeName: "huaweicloud_vpc", Address: "huaweicloud_vpc.main", Token: "old-main",
			Config: cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("main"), "cidr": cty.StringVal("10.9.0.0/16")})})
		if err != nil {
			t.Fatal(err)
		}
		r := *w.state["huaweicloud_vpc.main"]
		r.Deposed = []plan.Deposed{{ID: old.ID, Value: old.State}}
		w.state[r.Addr] = &r
		return goldenNetwork
	}},
	{name: "data", prepare: func(*testing.T, *world) string {
		return `
data "huaweicloud_availability_zones" "zones" {}

resource "huaweicloud_vpc" "main" {
  name = "main"
  cidr = "10.0.0.0/16"
}

data "huaweicloud_vpc" "lookup" {
  name = huaweicloud_vpc.main.name
  id   = huaweicloud_vpc.main.id
}

resource "huaweicloud_vpc_subnet" "web" {
  name              = "web"
  cidr              = "10.0.1.0/24"
  gateway_ip        = "10.0.1.1"
  vpc_id            = data.huaweicloud_vpc.lookup.id
  availability_zone = data.huaweicloud_availability_zones.zones.names[0]
}
`
	}},
}

// plan runs a golden case and returns its plan.
func (gc goldenCase) plan(t *testing.T) *plan.Plan {
	t.Helper()
	w := testWorld(t)
	if gc.deploy != "" {
		w.deploy(gc.deploy)
	}
	src := gc.prepare(t, w)
	if !gc.opts.Destroy {
		return w.plan(src, gc.opts)
	}
	p, err := plan.Make(context.Background(), nil, w.state, w.reg, gc.opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPlan_Golden pins the text, JSON and item renderings of a plan of
// each kind of change.
func TestPlan_Golden(t *testing.T) {
	for _, gc := range goldenCases {
		t.Run(gc.name, func(t *testing.T) { goldenPlan(t, gc.name, gc.plan(t)) })
	}
}

const goldenDNS = `
resource "huaweicloud_dns_record" "www" {
  name    = "www"
  records = [huaweicloud_vpc.main.name]
  ttl     = 300
}
`
