package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/fsm"
	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/store/storetest"
)

// result is what one run of the tool left.
type result struct {
	code           int
	stdout, stderr string
}

// cli runs the tool in-process with args. Whatever it printed goes to a
// buffer, never a terminal, so no output may hold an escape code.
func cli(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, strings.NewReader(""), &stdout, &stderr)
	r := result{code, stdout.String(), stderr.String()}
	if strings.ContainsRune(r.stdout+r.stderr, '\x1b') {
		t.Errorf("formation %s: escape code in output to a buffer:\n%s%s", strings.Join(args, " "), r.stdout, r.stderr)
	}
	return r
}

// ok runs the tool and fails the test unless it exits 0.
func ok(t *testing.T, args ...string) string {
	t.Helper()
	r := cli(t, args...)
	if r.code != exitOK {
		t.Fatalf("formation %s: exit %d, stderr %q", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

var errorLinePattern = regexp.MustCompile(`^RF\.1001\d{4}: \S.*\n$`)

// rejected runs the tool and checks the refusal: exit 2, nothing on stdout,
// exactly one "CODE: message" line on stderr with the code want — after
// the hcl diagnostics ("Error: …" paragraphs) for a template error. It
// returns that line.
func rejected(t *testing.T, want formation.Code, args ...string) string {
	t.Helper()
	r := cli(t, args...)
	diags, line := splitDiagnostics(r.stderr)
	if r.code != exitRejected || r.stdout != "" || !errorLinePattern.MatchString(line) || !strings.HasPrefix(line, string(want)+": ") ||
		(diags != "" && !strings.HasPrefix(diags, "Error: ")) {
		t.Errorf("formation %s: exit %d, stdout %q, stderr %q; want exit 2, no output, one line %s: …",
			strings.Join(args, " "), r.code, r.stdout, r.stderr, want)
	}
	return line
}

// splitDiagnostics splits stderr into what comes before its last line
// (the diagnostics of a template error) and that line.
func splitDiagnostics(stderr string) (diags, line string) {
	i := strings.LastIndexByte(strings.TrimSuffix(stderr, "\n"), '\n')
	return stderr[:i+1], stderr[i+1:]
}

// newDB returns the path of a database file that does not exist yet.
func newDB(t *testing.T) string { return filepath.Join(t.TempDir(), "formation.db") }

// dump reads every bucket of the database file (which no engine may hold).
func dump(t *testing.T, path string) map[store.Bucket]map[string]string {
	t.Helper()
	st, err := store.OpenBolt(path, store.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	return storetest.Dump(t, st)
}

func decode[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decoding %T from %q: %v", v, s, err)
	}
	if dec.More() {
		t.Fatalf("more than one JSON document in %q", s)
	}
	return v
}

func TestStackLifecycle(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	out := ok(t, "-db", db, "stack", "create", "web", "-description", "the <web> tier")
	if !regexp.MustCompile(`^Created stack web \(id [0-9a-f-]{36}\)\.\n$`).MatchString(out) {
		t.Errorf("stack create printed %q", out)
	}
	created := decode[engine.CreateStackResult](t, ok(t, "-db", db, "-json", "stack", "create", "api", "-auto-rollback"))
	if len(created.StackID) != formation.IDLength || created.DeploymentID != "" {
		t.Errorf("stack create -json: %+v", created)
	}

	out = ok(t, "-db", db, "stack", "list")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 3 || !regexp.MustCompile(`^NAME +STATUS +CREATED +UPDATED +DESCRIPTION$`).MatchString(lines[0]) ||
		!strings.HasPrefix(lines[1], "api ") ||
		!regexp.MustCompile(`^web +CREATION_COMPLETE +\S+Z +\S+Z +the <web> tier$`).MatchString(lines[2]) {
		t.Errorf("stack list printed:\n%s", out)
	}
	// global flags work after the command too
	page := decode[engine.StackPage](t, ok(t, "-db", db, "stack", "list", "-json"))
	if len(page.Stacks) != 2 || page.PageInfo.CurrentCount != 2 || page.Stacks[0].Name != "api" || page.Stacks[1].Description != "the <web> tier" {
		t.Errorf("stack list -json: %+v", page)
	}

	out = ok(t, "-db", db, "stack", "show", "web")
	for _, want := range []string{"stack_name: ", "stack_id: ", "status: ", "description: ", "enable_deletion_protection: ", "enable_auto_rollback: ", "create_time: ", "update_time: "} {
		if !strings.Contains(out, "\n"+want) && !strings.HasPrefix(out, want) {
			t.Errorf("stack show has no %q line:\n%s", want, out)
		}
	}
	if !regexp.MustCompile(`(?m)^status: +CREATION_COMPLETE$`).MatchString(out) || !regexp.MustCompile(`(?m)^description: +the <web> tier$`).MatchString(out) {
		t.Errorf("stack show printed:\n%s", out)
	}
	api := decode[formation.Stack](t, ok(t, "-db", db, "-json", "stack", "show", "api"))
	if api.Name != "api" || api.ID != created.StackID || !api.EnableAutoRollback || api.EnableDeletionProtection || api.Status != formation.StackCreationComplete {
		t.Errorf("stack show -json: %+v", api)
	}

	updated := decode[formation.Stack](t, ok(t, "-db", db, "stack", "update", "web", "-deletion-protection", "-json"))
	if !updated.EnableDeletionProtection || updated.EnableAutoRollback || updated.Description != "the <web> tier" {
		t.Errorf("stack update -deletion-protection: %+v", updated)
	}
	rejected(t, formation.CodeDeletionProtected, "-db", db, "stack", "delete", "web")
	ok(t, "-db", db, "stack", "update", "web", "-deletion-protection=false")
	// A deletion's events are removed with the stack, so how many of them
	// are seen live varies: only the first and last lines are fixed.
	if out := ok(t, "-db", db, "stack", "delete", "web"); !regexp.MustCompile(`^Deleting stack web \(deployment [0-9a-f-]{36}\)\.\n(.*\n)*Stack web: DELETED\n$`).MatchString(out) {
		t.Errorf("stack delete printed %q", out)
	}
	res := streamResult(t, ok(t, "-db", db, "-json", "stack", "delete", "api", "-retain-resources"))
	if res.StackName != "api" || res.StackID != created.StackID || !res.Deleted || len(res.DeploymentID) != formation.IDLength {
		t.Errorf("stack delete -json: %+v", res)
	}
	rejected(t, formation.CodeStackNotFound, "-db", db, "stack", "show", "web")
	if out := ok(t, "-db", db, "stack", "list"); !regexp.MustCompile(`^NAME +STATUS +CREATED +UPDATED +DESCRIPTION\n$`).MatchString(out) {
		t.Errorf("stack list of no stacks printed %q", out)
	}
	if out := ok(t, "-db", db, "-json", "stack", "list"); !strings.Contains(out, `"stacks": []`) {
		t.Errorf("stack list -json of no stacks printed %s", out)
	}
}

func TestStackUpdateSendsOnlyTheFlagsGiven(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ok(t, "-db", db, "stack", "create", "web", "-description", "keep me", "-auto-rollback")
	s := decode[formation.Stack](t, ok(t, "-db", db, "-json", "stack", "update", "web", "-auto-rollback=false"))
	if s.EnableAutoRollback || s.Description != "keep me" || s.EnableDeletionProtection {
		t.Errorf("after -auto-rollback=false: %+v", s)
	}
	s = decode[formation.Stack](t, ok(t, "-db", db, "-json", "stack", "update", "web", "-description", ""))
	if s.Description != "" {
		t.Errorf(`after -description "": %+v`, s)
	}
	rejected(t, formation.CodeNothingToUpdate, "-db", db, "stack", "update", "web")
	rejected(t, formation.CodeNothingToUpdate, "-db", db, "stack", "update", "web", "-auto-rollback=false")
}

func TestListAllStacksFollowsMarkers(t *testing.T) {
	t.Parallel()
	const n = engine.MaxListLimit + 5
	e, err := engine.New(engine.Config{Store: store.NewMemory(), StackQuota: n})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	for i := range n {
		if _, err := e.CreateStack(ctx, engine.CreateStackRequest{Name: fmt.Sprintf("s%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := listAllStacks(ctx, local{e})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, s := range all {
		seen[s.Name] = true
	}
	if len(all) != n || len(seen) != n || all[0].Name != fmt.Sprintf("s%d", n-1) {
		t.Errorf("listAllStacks returned %d stacks (%d names), first %q; want %d, newest first", len(all), len(seen), all[0].Name, n)
	}
}

// TestBadInputChangesNothing: every refusal is one line with its code and
// exit 2 (after the diagnostics of a template error), and the database is
// exactly as before.
func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ok(t, "-db", db, "stack", "create", "web", "-deletion-protection")
	ok(t, "-db", db, "deploy", "web", "-t", network, "-var", "prefix=p")
	ok(t, "-db", db, "plan", "create", "web", "p1", "-t", network, "-var", "prefix=p", "-var", "subnets=1")
	ok(t, "-db", db, "stack", "create", "empty")
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("main.tf", `resource "huaweicloud_vpc" "v" { name = "v" }`)
	malformed := write("bad.tf", `resource "huaweicloud_vpc" {`)
	notTemplate := write("notes.txt", "hello")
	before := dump(t, db)
	for _, tc := range []struct {
		code formation.Code
		args []string
	}{
		{formation.CodeMissingParameter, nil},
		{formation.CodeInvalidParameter, []string{"bogus"}},
		{formation.CodeInvalidParameter, []string{"-nope", "stack", "list"}},
		{formation.CodeMissingParameter, []string{"stack"}},
		{formation.CodeInvalidParameter, []string{"stack", "bogus"}},
		{formation.CodeMissingParameter, []string{"stack", "create"}},
		{formation.CodeInvalidParameter, []string{"stack", "create", "a", "b"}},
		{formation.CodeInvalidParameter, []string{"stack", "create", "x", "-nope"}},
		{formation.CodeInvalidParameter, []string{"stack", "create", "x", "-description"}},
		{formation.CodeInvalidName, []string{"stack", "create", "9lives"}},
		{formation.CodeInvalidName, []string{"stack", "show", "web!"}},
		{formation.CodeInvalidName, []string{"stack", "delete", "_x"}},
		{formation.CodeTooLong, []string{"stack", "create", "x", "-description", strings.Repeat("d", formation.MaxDescriptionLength+1)}},
		{formation.CodeInvalidParameter, []string{"stack", "create", "x", "-t", filepath.Join(dir, "missing.tf")}},
		{formation.CodeInvalidParameter, []string{"stack", "create", "x", "-t", notTemplate}},
		{formation.CodeInvalidTemplate, []string{"stack", "create", "x", "-t", malformed}},
		{formation.CodeInvalidVariables, []string{"stack", "create", "x", "-t", good, "-var", "a=b"}},
		{formation.CodeInvalidTemplate, []string{"stack", "create", "x", "-t", dir}},
		{formation.CodeInvalidParameter, []string{"stack", "create", "x", "-t", good, "-var", "novalue"}},
		{formation.CodeInvalidParameter, []string{"stack", "create", "x", "-t", good, "-var-file", filepath.Join(dir, "missing.tfvars")}},
		{formation.CodeMissingParameter, []string{"stack", "create", "x", "-var", "a=b"}},
		{formation.CodeNameConflict, []string{"stack", "create", "web"}},
		{formation.CodeStackNotFound, []string{"stack", "show", "nope"}},
		{formation.CodeNothingToUpdate, []string{"stack", "update", "web", "-deletion-protection"}},
		{formation.CodeDeletionProtected, []string{"stack", "delete", "web"}},
		{formation.CodeInvalidParameter, []string{"-limits", "some", "stack", "list"}},
		{formation.CodeInvalidParameter, []string{"-parallelism", "0", "stack", "create", "x"}},
		{formation.CodeInvalidParameter, []string{"-sim-fail", "v:explode", "stack", "create", "x"}},
		{formation.CodeInvalidParameter, []string{"fsm", "-format", "svg"}},
		{formation.CodeMissingParameter, []string{"deploy", "web"}},
		{formation.CodeInvalidTemplate, []string{"deploy", "web", "-t", malformed}},
		{formation.CodeInvalidTemplate, []string{"deploy", "web", "-t", broken}},
		{formation.CodeInvalidVariables, []string{"deploy", "web", "-t", network}},
		{formation.CodeInvalidVariables, []string{"deploy", "web", "-t", network, "-var", "prefix=p", "-var", "subnets=many"}},
		{formation.CodeStackNotFound, []string{"deploy", "nope", "-t", good}},
		{formation.CodeInvalidParameter, []string{"deploy", "web", "-t", good, "extra"}},
		{formation.CodeInvalidStackStatus, []string{"continue-deploy", "web"}},
		{formation.CodeInvalidStackStatus, []string{"continue-rollback", "empty"}},
		{formation.CodeStackNotFound, []string{"continue-rollback", "nope"}},
		{formation.CodeMissingParameter, []string{"plan", "create", "web"}},
		{formation.CodeInvalidName, []string{"plan", "show", "web", "1plan"}},
		{formation.CodeNameConflict, []string{"plan", "create", "web", "p1", "-t", good}},
		{formation.CodePlanNotFound, []string{"plan", "apply", "web", "p2"}},
		{formation.CodePlanNotFound, []string{"plan", "delete", "web", "p2"}},
		{formation.CodeTooLong, []string{"plan", "create", "web", "p2", "-t", good, "-description", strings.Repeat("d", formation.MaxDescriptionLength+1)}},
		{formation.CodeInvalidFilter, []string{"events", "web", "-filter", "bad=="}},
		{formation.CodeInvalidFilter, []string{"events", "web", "-filter", "colour==red"}},
		{formation.CodeInvalidFilter, []string{"events", "web", "-field", "colour"}},
		{formation.CodeInvalidID, []string{"events", "web", "-deployment", "42"}},
		{formation.CodeDeploymentNotFound, []string{"events", "web", "-deployment", "00000000-0000-4000-8000-000000000000"}},
		{formation.CodeStackNotFound, []string{"events", "nope"}},
		{formation.CodeStackNotFound, []string{"resources", "nope"}},
		{formation.CodeStackNotFound, []string{"outputs", "nope"}},
		{formation.CodeTemplateNotFound, []string{"template", "empty"}},
		{formation.CodeInvalidName, []string{"preview", "-t", good, "-stack", "9"}},
		{formation.CodeStackNotFound, []string{"preview", "-t", good, "-stack", "nope"}},
		{formation.CodeMissingParameter, []string{"vars"}},
		{formation.CodeInvalidTemplate, []string{"vars", "-t", malformed}},
		{formation.CodeInvalidParameter, []string{"graph", "-t", good, "-format", "svg"}},
		{formation.CodeInvalidParameter, []string{"sim", "list", "extra"}},
	} {
		rejected(t, tc.code, append([]string{"-db", db}, tc.args...)...)
	}
	if after := dump(t, db); !reflect.DeepEqual(before, after) {
		t.Errorf("bad input changed the database:\nbefore %v\nafter  %v", before, after)
	}
}

// TestNoDatabaseWithoutNeed: commands that need no database (fsm, vars,
// graph, preview without -stack, -h) and input refused before the database
// is needed (usage errors, bad templates, bad filters) create none.
func TestNoDatabaseWithoutNeed(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	for _, args := range [][]string{
		{"fsm"}, {"-h"}, {"stack", "-h"}, {"stack", "create", "-h"}, {"stack", "list", "-x"},
		{"stack", "create", "9"}, {"deploy", "web"}, {"deploy", "web", "-t", broken},
		{"stack", "create", "web", "-t", network}, {"plan", "create", "web", "p", "-t", broken},
		{"events", "web", "-filter", "x"}, {"events", "web", "-field", "x"},
		{"preview", "-t", network, "-var", "prefix=p"}, {"vars", "-t", network}, {"graph", "-t", network, "-var", "prefix=p"},
	} {
		cli(t, append([]string{"-db", db}, args...)...)
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the database was created (stat: %v)", err)
	}
}

func TestDatabaseInUse(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	e, err := engine.Open(db, engine.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	start := time.Now()
	stderr := rejected(t, formation.CodeUnavailable, "-db", db, "stack", "list")
	// engine.Open waits one second for the lock; allow for a loaded machine.
	if elapsed := time.Since(start); elapsed > 1900*time.Millisecond {
		t.Errorf("refusal took %v", elapsed)
	}
	if want := "database " + db + " is in use by another process"; !strings.Contains(stderr, want) {
		t.Errorf("stderr %q does not say %q", stderr, want)
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	out := ok(t, "-h")
	if !strings.HasPrefix(out, "Usage: formation [global flags] COMMAND") {
		t.Errorf("formation -h printed:\n%s", out)
	}
	for name, c := range commands {
		if !strings.Contains(out, "\n  "+c.synopsis()+" ") {
			t.Errorf("formation -h does not list %q", c.synopsis())
		}
		args := append([]string{"-db", db}, strings.Fields(name)...)
		for _, h := range []string{"-h", "--help"} {
			r := cli(t, append(args, h)...)
			if r.code != exitOK || r.stderr != "" || !strings.HasPrefix(r.stdout, "Usage: formation "+c.synopsis()+" [flags]\n") {
				t.Errorf("formation %s %s: exit %d, stdout %q, stderr %q", name, h, r.code, r.stdout, r.stderr)
			}
			if strings.Contains(r.stdout, "-sim-seed") {
				t.Errorf("formation %s -h lists the global flags:\n%s", name, r.stdout)
			}
		}
	}
	for _, flagName := range []string{"-db", "-json", "-parallelism", "-sim-seed", "-sim-latency", "-sim-fail", "-time-scale", "-limits"} {
		if !strings.Contains(out, "\n  "+flagName+" ") && !strings.Contains(out, "\n  "+flagName+"\n") {
			t.Errorf("formation -h does not document %s", flagName)
		}
	}
	for _, group := range []string{"stack", "plan", "sim"} {
		out := ok(t, group, "-h")
		for _, c := range groupCommands(group) {
			if !strings.Contains(out, "\n  "+c.synopsis()+" ") {
				t.Errorf("formation %s -h does not list %q:\n%s", group, c.name, out)
			}
		}
	}
	// -h after arguments and flags still only prints the usage
	if out := ok(t, "-db", db, "stack", "update", "web", "-description", "x", "-h"); !strings.Contains(out, "-deletion-protection BOOL") {
		t.Errorf("stack update -h printed:\n%s", out)
	}
}

// TestCommandTable pins the names scripts use.
func TestCommandTable(t *testing.T) {
	var names []string
	for name := range commands {
		names = append(names, name)
	}
	want := []string{
		"console", "continue-deploy", "continue-rollback", "deploy", "events", "fmt", "fsm", "graph", "output", "outputs",
		"plan apply", "plan create", "plan delete", "plan list", "plan show", "preview", "resources", "serve",
		"sim list", "stack create", "stack delete", "stack list", "stack show", "stack update", "template", "timeline", "validate", "vars", "version", "wait",
	}
	if !sameSet(names, want) {
		t.Errorf("commands %v, want %v", names, want)
	}
}

func sameSet(a, b []string) bool {
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		m[s]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return len(a) == len(b)
}

func TestFsm(t *testing.T) {
	t.Parallel()
	out := ok(t, "fsm")
	want := "%% stack status machine\n" + fsm.StackMermaid() + "\n%% execution plan status machine\n" + fsm.PlanMermaid()
	if out != want {
		t.Errorf("fsm printed:\n%s\nwant:\n%s", out, want)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-machine", "stack"}, fsm.StackMermaid()},
		{[]string{"-machine", "plan"}, fsm.PlanMermaid()},
		{[]string{"-machine", "stack", "-format", "dot"}, fsm.StackDOT()},
		{[]string{"-format", "dot", "-machine", "plan"}, fsm.PlanDOT()},
	} {
		if out := ok(t, append([]string{"fsm"}, tc.args...)...); out != tc.want {
			t.Errorf("fsm %v printed:\n%s\nwant:\n%s", tc.args, out, tc.want)
		}
	}
	if out := ok(t, "fsm", "-format", "dot"); !strings.Contains(out, fsm.StackDOT()) || !strings.Contains(out, fsm.PlanDOT()) {
		t.Errorf("fsm -format dot printed:\n%s", out)
	}
	doc := decode[fsmDocument](t, ok(t, "-json", "fsm", "-format", "dot"))
	if doc != (fsmDocument{Format: "dot", Stack: fsm.StackDOT(), Plan: fsm.PlanDOT()}) {
		t.Errorf("fsm -json: %+v", doc)
	}
	rejected(t, formation.CodeInvalidParameter, "fsm", "-machine", "rocket")
}

func TestGlobalFlags(t *testing.T) {
	t.Parallel()
	ok(t, "-parallelism", "4", "-sim-seed", "7", "-sim-latency", "2s", "-sim-fail", `huaweicloud_vpc.v["a:b"]:create:2`,
		"-sim-fail", "*:delete", "-time-scale", "3600", "-limits", "none", "fsm", "-json", "-sim-fail", "x.y:read")
	for _, args := range [][]string{
		{"-parallelism", "-1"}, {"-parallelism", "x"},
		{"-sim-seed", "-1"},
		{"-sim-latency", "-1s"}, {"-sim-latency", "5"},
		{"-sim-fail", "addr"}, {"-sim-fail", "addr:2"}, {"-sim-fail", ":create"}, {"-sim-fail", "a:create:0"}, {"-sim-fail", "a:explode:1"},
		{"-time-scale", "0"}, {"-time-scale", "-2"}, {"-time-scale", "NaN"}, {"-time-scale", "+Inf"},
		{"-limits", "some"},
		{"-json=maybe"},
	} {
		rejected(t, formation.CodeInvalidParameter, append(args, "fsm")...)
	}
}

func TestSimFailParsing(t *testing.T) {
	t.Parallel()
	var l faultList
	for _, s := range []string{`huaweicloud_vpc.v["a:b"]:create:2`, "*:delete", "m.*:read:1"} {
		if err := l.Set(s); err != nil {
			t.Fatalf("Set(%q): %v", s, err)
		}
	}
	want := faultList{{`huaweicloud_vpc.v["a:b"]`, "create", 2}, {"*", "delete", 0}, {"m.*", "read", 1}}
	if !reflect.DeepEqual(l, want) {
		t.Errorf("parsed %+v, want %+v", l, want)
	}
	if got := l.String(); got != `huaweicloud_vpc.v["a:b"]:create:2,*:delete,m.*:read:1` {
		t.Errorf("String() = %q", got)
	}
}

func TestParseInterspersed(t *testing.T) {
	t.Parallel()
	fs := newFlagSet("test")
	d := fs.String("d", "", "")
	b := fs.Bool("b", false, "")
	pos, err := parseInterspersed(fs, []string{"one", "-d", "x", "two", "-b", "--", "-three", "-b"})
	if err != nil || *d != "x" || !*b || !reflect.DeepEqual(pos, []string{"one", "two", "-three", "-b"}) {
		t.Errorf("got %q, d=%q, b=%v, err %v", pos, *d, *b, err)
	}
	if _, err := parseInterspersed(newFlagSet("test"), []string{"a", "-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h after an argument: %v", err)
	}
}

func TestErrorLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want string
	}{
		{errors.New("disk on fire"), "RF.10010001: disk on fire"},
		{formation.Errorf(formation.CodeStackNotFound, "engine.GetStackMetadata", "web", "stack does not exist"), "RF.10014001: web: stack does not exist"},
		{formation.Wrap(formation.CodeInternal, "engine.X", "", errors.New("line one\nline two")), "RF.10010001: line one line two"},
		{fmt.Errorf("context: %w", formation.Errorf(formation.CodeInvalidTemplate, "", "", "main.tf:1,2: bad\n  snippet")), "RF.10011030: main.tf:1,2: bad snippet"},
	} {
		if got := errorLine(tc.err); got != tc.want {
			t.Errorf("errorLine(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// TestColourKeepsColumnsAligned: painted status cells line up exactly as
// plain ones do once the escape codes are removed.
func TestColourKeepsColumnsAligned(t *testing.T) {
	t.Parallel()
	render := func(color bool) string {
		var b bytes.Buffer
		o := &output{w: &b, color: color}
		rows := [][]string{
			{"a", o.status("CREATION_COMPLETE"), "x"},
			{"bbbbbb", o.status("DEPLOYMENT_FAILED"), "y"},
			{"c", o.status("DELETION_IN_PROGRESS"), "z"},
		}
		if err := o.table([]string{"NAME", o.header("STATUS"), "MORE"}, rows); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	coloured := render(true)
	if !strings.Contains(coloured, "\x1b[31mDEPLOYMENT_FAILED\x1b[0m") || !strings.Contains(coloured, "\x1b[33mDELETION_IN_PROGRESS") {
		t.Errorf("no colour in:\n%q", coloured)
	}
	if stripped := regexp.MustCompile("\x1b\\[[0-9]*m").ReplaceAllString(coloured, ""); stripped != render(false) {
		t.Errorf("colour moved the columns:\n%s\nwant:\n%s", stripped, render(false))
	}
	if newOutput(&bytes.Buffer{}, false).color {
		t.Error("colour on for a buffer")
	}
}

// -store takes a bbolt path, as -db does, or an etcd:// URL, whose errors
// are refused before anything is opened.
func TestStoreFlag(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ok(t, "-store", db, "stack", "list")
	if _, err := os.Stat(db); err != nil {
		t.Errorf("-store PATH did not create the bbolt file: %v", err)
	}
	for _, url := range []string{"etcd://", "etcd://a:1,,b:2/x"} {
		stderr := rejected(t, formation.CodeInvalidParameter, "-store", url, "stack", "list")
		if !strings.Contains(stderr, "empty endpoint") {
			t.Errorf("-store %s: stderr %q does not say the endpoint is empty", url, stderr)
		}
	}
}
