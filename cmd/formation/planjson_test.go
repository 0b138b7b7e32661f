package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"testing"

	"github.com/open-policy-agent/opa/v1/rego"
)

// The Terraform JSON plan format is checked two ways: a Rego policy
// written for terraform show -json reads Formation's plans (OPA's Go
// library is a test-only dependency), and the document's shape is
// compared, key by key, with terraform v1.11.4's plan of an equivalent
// terraform_data configuration when terraform is installed.

// shownPlan is plan show -json and plan create -json of a made plan: the
// RFS document and Terraform's keys side by side.
type shownPlan struct {
	planDocument
	FormatVersion    string          `json:"format_version"`
	TerraformVersion string          `json:"terraform_version"`
	Variables        json.RawMessage `json:"variables"`
	PlannedValues    json.RawMessage `json:"planned_values"`
	ResourceChanges  json.RawMessage `json:"resource_changes"`
	OutputChanges    json.RawMessage `json:"output_changes"`
	PriorState       json.RawMessage `json:"prior_state"`
	Configuration    json.RawMessage `json:"configuration"`
	Timestamp        string          `json:"timestamp"`
	Applyable        bool            `json:"applyable"`
	Complete         bool            `json:"complete"`
	Errored          bool            `json:"errored"`
}

// evalPolicy evaluates testdata/policy/terraform.rego on a plan document
// and returns its result object.
func evalPolicy(t *testing.T, planJSON string) map[string]any {
	t.Helper()
	var input any
	if err := json.Unmarshal([]byte(planJSON), &input); err != nil {
		t.Fatalf("the plan is not JSON: %v", err)
	}
	q, err := rego.New(
		rego.Query("data.terraform.policy"),
		rego.Load([]string{filepath.Join("testdata", "policy", "terraform.rego")}, nil),
	).PrepareForEval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rs, err := q.Eval(context.Background(), rego.EvalInput(input))
	if err != nil || len(rs) != 1 || len(rs[0].Expressions) != 1 {
		t.Fatalf("policy: %v, %v", rs, err)
	}
	return rs[0].Expressions[0].Value.(map[string]any)
}

// set reads a Rego set (a JSON array) of strings, sorted.
func set(v any) []string {
	var out []string
	for _, e := range v.([]any) {
		out = append(out, e.(string))
	}
	sort.Strings(out)
	return out
}

func TestRegoPolicyReadsPreviewAndPlanShow(t *testing.T) {
	t.Parallel()
	// An offline preview: everything is created, ids known after apply.
	got := evalPolicy(t, ok(t, "-json", "preview", "-t", network, "-var", "prefix=p", "-var", "subnets=1"))
	if c := set(got["created"]); !slices.Equal(c, []string{"huaweicloud_vpc.vpc", "huaweicloud_vpc_subnet.subnet[0]"}) {
		t.Errorf("created %v", c)
	}
	if k := set(got["known_after_apply"]); !slices.Contains(k, "huaweicloud_vpc.vpc.id") || !slices.Contains(k, "huaweicloud_vpc_subnet.subnet[0].id") {
		t.Errorf("known after apply %v", k)
	}
	if n := set(got["planned_names"]); !slices.Equal(n, []string{"p-subnet-0", "p-vpc"}) {
		t.Errorf("planned names %v", n)
	}
	if v := got["variables"].(map[string]any); v["prefix"] != "p" || v["subnets"] != json.Number("1") {
		t.Errorf("variables %v", v)
	}
	if len(set(got["deny"])) != 0 || len(set(got["prior_addresses"])) != 0 {
		t.Errorf("an empty state's plan denied or had prior state: %v", got)
	}

	// A stored plan against a deployed stack: one subnet goes, the VPC and
	// the other subnet are renamed.
	db := newDB(t)
	ok(t, "-db", db, "stack", "create", "web", "-t", network, "-var", "prefix=a")
	ok(t, "-db", db, "plan", "create", "web", "p1", "-t", network, "-var", "prefix=b", "-var", "subnets=1")
	shown := ok(t, "-db", db, "-json", "plan", "show", "web", "p1")
	got = evalPolicy(t, shown)
	if d := set(got["deny"]); !slices.Equal(d, []string{"huaweicloud_vpc_subnet.subnet[1] would be deleted"}) {
		t.Errorf("deny %v", d)
	}
	if u := set(got["updated"]); !slices.Equal(u, []string{"huaweicloud_vpc.vpc", "huaweicloud_vpc_subnet.subnet[0]"}) {
		t.Errorf("updated %v", u)
	}
	if p := set(got["prior_addresses"]); len(p) != 3 {
		t.Errorf("prior state %v", p)
	}
	if c := set(got["configured_types"]); !slices.Equal(c, []string{"huaweicloud_vpc", "huaweicloud_vpc_subnet"}) {
		t.Errorf("configuration %v", c)
	}
	if o := set(got["changed_outputs"]); len(o) != 0 {
		t.Errorf("the VPC keeps its id, yet outputs change: %v", o)
	}
	// The RFS document is still there, under RFS's names.
	doc := decode[shownPlan](t, shown)
	if doc.FormatVersion != "1.2" || !doc.Applyable || doc.Name != "p1" || len(doc.Items) != 3 || doc.Summary == nil || doc.Summary.ResourceDelete != 1 {
		t.Errorf("plan show -json lost its RFS document: %+v", doc)
	}
}

// keyTree is the shape of a JSON document: every object's keys, arrays
// merged into their first element's shape (all elements of one array have
// the same kind here), values replaced by their JSON kind.
func keyTree(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			out[k] = keyTree(e)
		}
		return out
	case []any:
		if len(v) == 0 {
			return []any{}
		}
		return []any{keyTree(v[0])}
	case nil:
		return "null"
	}
	return reflect.TypeOf(v).Kind().String()
}

// terraformDataPlan writes an equivalent configuration with
// terraform_data, applies it, changes it and returns terraform show -json
// of the plan of the change.
func terraformDataPlan(t *testing.T) map[string]any {
	t.Helper()
	tf := terraformBinary(t)
	dir := t.TempDir()
	env := terraformEnv(t)
	write := func(count int, prefix string) {
		t.Helper()
		src := `variable "prefix" { type = string }
variable "subnets" {
  type    = number
  default = ` + string(rune('0'+count)) + `
}
resource "terraform_data" "vpc" {
  input = "${var.prefix}-vpc"
}
resource "terraform_data" "subnet" {
  count = var.subnets
  input = { name = "${var.prefix}-subnet-${count.index}", vpc_id = terraform_data.vpc.id }
}
output "vpc_id" {
  description = "the VPC's id"
  value       = terraform_data.vpc.id
}
`
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		_ = prefix
	}
	run := func(args ...string) []byte {
		t.Helper()
		cmd := exec.Command(tf, args...)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("terraform %v: %v", args, err)
		}
		return out
	}
	write(2, "a")
	run("apply", "-auto-approve", "-no-color", "-input=false", "-var", "prefix=a")
	write(1, "b")
	run("plan", "-no-color", "-input=false", "-var", "prefix=b", "-out", "plan.bin")
	var doc map[string]any
	if err := json.Unmarshal(run("show", "-json", "plan.bin"), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestTerraformJSONPlanHasTerraformsShape compares plan show -json with
// terraform show -json of the same change made with terraform_data: the
// same keys at every level Terraform writes (values differ: the resource
// types and their attributes do).
func TestTerraformJSONPlanHasTerraformsShape(t *testing.T) {
	theirs := terraformDataPlan(t)
	db := newDB(t)
	ok(t, "-db", db, "stack", "create", "web", "-t", network, "-var", "prefix=a")
	ok(t, "-db", db, "plan", "create", "web", "p1", "-t", network, "-var", "prefix=b", "-var", "subnets=1")
	var ours map[string]any
	if err := json.Unmarshal([]byte(ok(t, "-db", db, "-json", "plan", "show", "web", "p1")), &ours); err != nil {
		t.Fatal(err)
	}
	// Terraform's keys that Formation leaves out on purpose (see
	// plan/terraformjson.go).
	delete(theirs, "relevant_attributes")

	keys := func(m map[string]any) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	for k := range theirs {
		if _, ok := ours[k]; !ok {
			t.Errorf("top-level key %q is missing", k)
		}
	}
	if theirs["format_version"] != ours["format_version"] {
		t.Errorf("format_version %v, terraform's %v", ours["format_version"], theirs["format_version"])
	}
	// resource_changes: the same keys per change. Resources are matched
	// by name and index: terraform_data.vpc is huaweicloud_vpc.vpc.
	byName := func(list any) map[string]map[string]any {
		out := map[string]map[string]any{}
		for _, r := range list.([]any) {
			r := r.(map[string]any)
			id := r["name"].(string)
			if i, ok := r["index"]; ok {
				b, _ := json.Marshal(i)
				id += "[" + string(b) + "]"
			}
			out[id] = r
		}
		return out
	}
	mine := byName(ours["resource_changes"])
	for id, want := range byName(theirs["resource_changes"]) {
		got, ok := mine[id]
		if !ok {
			t.Errorf("no resource change for %s", id)
			continue
		}
		if !slices.Equal(keys(got), keys(want)) {
			t.Errorf("resource change %s: keys %v, terraform's %v", id, keys(got), keys(want))
		}
		gc, wc := got["change"].(map[string]any), want["change"].(map[string]any)
		if !slices.Equal(keys(gc), keys(wc)) {
			t.Errorf("change %s: keys %v, terraform's %v", id, keys(gc), keys(wc))
		}
		if !reflect.DeepEqual(gc["actions"], wc["actions"]) {
			t.Errorf("change %s: actions %v, terraform's %v", id, gc["actions"], wc["actions"])
		}
		for _, k := range []string{"before_sensitive", "after_sensitive"} {
			if reflect.TypeOf(gc[k]) != reflect.TypeOf(wc[k]) {
				t.Errorf("change %s: %s is %T, terraform's %T", id, k, gc[k], wc[k])
			}
		}
	}
	// output_changes, planned_values, prior_state: the same shape.
	for _, path := range [][]string{
		{"output_changes", "vpc_id"},
		{"planned_values", "outputs", "vpc_id"},
		{"prior_state"},
		{"variables", "prefix"},
	} {
		g, w := any(ours), any(theirs)
		for _, k := range path {
			g, w = g.(map[string]any)[k], w.(map[string]any)[k]
		}
		gt, wt := keyTree(g), keyTree(w)
		if path[0] == "prior_state" {
			// Resource values differ by type; compare down to the resource.
			gt = keys(g.(map[string]any))
			wt = keys(w.(map[string]any))
		}
		if !reflect.DeepEqual(gt, wt) {
			t.Errorf("%v: shape %v, terraform's %v", path, gt, wt)
		}
	}
	resources := func(doc map[string]any, from ...string) map[string]map[string]any {
		var v any = doc
		for _, k := range from {
			v = v.(map[string]any)[k]
		}
		return byName(v)
	}
	for _, from := range [][]string{
		{"planned_values", "root_module", "resources"},
		{"prior_state", "values", "root_module", "resources"},
		{"configuration", "root_module", "resources"},
	} {
		mine := resources(ours, from...)
		for id, want := range resources(theirs, from...) {
			w := keys(want)
			if g := keys(mine[id]); !slices.Equal(g, w) {
				t.Errorf("%v %s: keys %v, terraform's %v", from, id, g, w)
			}
		}
	}
}
