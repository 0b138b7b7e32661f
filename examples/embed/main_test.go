package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
)

// newEngine is an engine over an in-memory store and a seeded simulated
// cloud; it is closed when the test ends.
func newEngine(t *testing.T, sc sim.Config) *engine.Engine {
	t.Helper()
	sc.UseCatalog = true
	cloud, err := sim.New(sc)
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(engine.Config{Store: store.NewMemory(), DefaultProvider: cloud, IDSeed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

// serve sends one request straight to the handler.
func serve(t *testing.T, h http.Handler, method, target, body string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, strings.NewReader(body)))
	return rec
}

func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q, want application/json", ct)
	}
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decoding %s: %v", rec.Body, err)
	}
	return v
}

func deploymentID(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	if rec.Code != http.StatusAccepted {
		t.Fatalf("deploy answered %d %s, want 202", rec.Code, rec.Body)
	}
	id := decode[map[string]string](t, rec)["deployment_id"]
	if len(id) != 36 {
		t.Fatalf("deployment_id %q is not a UUID", id)
	}
	return id
}

func TestDeployStatusAndEvents(t *testing.T) {
	e := newEngine(t, sim.Config{Seed: 1})
	srv := httptest.NewServer(NewHandler(e))
	defer srv.Close()

	resp, err := http.Post(srv.URL+"/stacks/web/deployments", "text/plain", strings.NewReader(network))
	if err != nil {
		t.Fatal(err)
	}
	var accepted map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&accepted); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted || accepted["deployment_id"] == "" {
		t.Fatalf("POST answered %d %v, want 202 with a deployment_id", resp.StatusCode, accepted)
	}
	res, err := e.Wait(context.Background(), engine.DeploymentRef{DeploymentID: accepted["deployment_id"]})
	if err != nil || res.Status != formation.StackDeploymentComplete {
		t.Fatalf("deployment ended %+v, %v", res, err)
	}

	h := NewHandler(e)
	rec := serve(t, h, http.MethodGet, "/stacks/web", "")
	stack := decode[formation.Stack](t, rec)
	if rec.Code != http.StatusOK || stack.Name != "web" || stack.Status != formation.StackDeploymentComplete || !stack.EnableAutoRollback {
		t.Fatalf("GET /stacks/web = %d %+v", rec.Code, stack)
	}

	rec = serve(t, h, http.MethodGet, "/stacks/web/events?deployment_id="+accepted["deployment_id"], "")
	page := decode[engine.EventPage](t, rec)
	if rec.Code != http.StatusOK || len(page.StackEvents) != 9 || page.PageInfo.CurrentCount != 9 {
		t.Fatalf("events = %d %+v", rec.Code, page)
	}
	if newest := page.StackEvents[0]; newest.EventType != formation.EventLog || newest.EventMessage != "Stack web is DEPLOYMENT_COMPLETE." {
		t.Fatalf("newest event %+v", newest)
	}

	rec = serve(t, h, http.MethodGet, "/stacks/web/events?filter=event_type==SUMMARY&field=event_message&limit=10", "")
	page = decode[engine.EventPage](t, rec)
	if len(page.StackEvents) != 1 || page.StackEvents[0].EventMessage != "Apply complete! Resources: 3 added, 0 changed, 0 destroyed." ||
		page.StackEvents[0].ResourceName != "" {
		t.Fatalf("SUMMARY events %+v", page.StackEvents)
	}

	// A second deployment of the same stack goes through DeployStack.
	rec = serve(t, h, http.MethodPost, "/stacks/web/deployments", strings.Replace(network, `name = "web"`, `name = "web2"`, 1))
	res, err = e.Wait(context.Background(), engine.DeploymentRef{DeploymentID: deploymentID(t, rec)})
	if err != nil || res.Status != formation.StackDeploymentComplete {
		t.Fatalf("second deployment ended %+v, %v", res, err)
	}
}

// A failing deployment rolls back; its ERROR event is there to fetch.
func TestFailedDeploymentShowsErrors(t *testing.T) {
	e := newEngine(t, sim.Config{Seed: 2, Faults: []sim.Fault{{
		Match: sim.Match{Op: sim.OpCreate, Type: "huaweicloud_networking_secgroup"}, Message: "Quota exceeded for resources: security_group",
	}}})
	h := NewHandler(e)
	dep := deploymentID(t, serve(t, h, http.MethodPost, "/stacks/web/deployments", network))
	if res, err := e.Wait(context.Background(), engine.DeploymentRef{DeploymentID: dep}); err != nil || res.Status != formation.StackRollbackComplete {
		t.Fatalf("deployment ended %+v, %v", res, err)
	}
	stack := decode[formation.Stack](t, serve(t, h, http.MethodGet, "/stacks/web", ""))
	if stack.Status != formation.StackRollbackComplete {
		t.Fatalf("status %s", stack.Status)
	}
	page := decode[engine.EventPage](t, serve(t, h, http.MethodGet, "/stacks/web/events?filter=event_type==ERROR", ""))
	if len(page.StackEvents) != 1 || !strings.Contains(page.StackEvents[0].EventMessage, "Quota exceeded for resources: security_group") {
		t.Fatalf("ERROR events %+v", page.StackEvents)
	}
}

func TestErrorsHaveRFSBodyAndStatus(t *testing.T) {
	e := newEngine(t, sim.Config{Seed: 3})
	h := NewHandler(e)
	dep := deploymentID(t, serve(t, h, http.MethodPost, "/stacks/web/deployments", network))
	if _, err := e.Wait(context.Background(), engine.DeploymentRef{DeploymentID: dep}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, method, target, body string
		status                     int
		code                       formation.Code
	}{
		{"missing stack", http.MethodGet, "/stacks/nosuchstack", "", 404, formation.CodeStackNotFound},
		{"events of a missing stack", http.MethodGet, "/stacks/nosuchstack/events", "", 404, formation.CodeStackNotFound},
		{"unknown deployment", http.MethodGet, "/stacks/web/events?deployment_id=00000000-0000-4000-8000-000000000000", "", 404, formation.CodeDeploymentNotFound},
		{"bad stack name", http.MethodGet, "/stacks/9lives", "", 400, formation.CodeInvalidName},
		{"bad template", http.MethodPost, "/stacks/web/deployments", `resource "x" {`, 400, formation.CodeInvalidTemplate},
		{"bad template, new stack", http.MethodPost, "/stacks/other/deployments", `resource "x" {`, 400, formation.CodeInvalidTemplate},
		{"empty body", http.MethodPost, "/stacks/web/deployments", "", 400, formation.CodeMissingParameter},
		{"body too large", http.MethodPost, "/stacks/web/deployments", strings.Repeat("#", maxTemplateBytes+1), 400, formation.CodeTooLong},
		{"bad filter", http.MethodGet, "/stacks/web/events?filter=event_type%3DERROR", "", 400, formation.CodeInvalidFilter},
		{"bad limit", http.MethodGet, "/stacks/web/events?limit=ten", "", 400, formation.CodeInvalidParameter},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := serve(t, h, tc.method, tc.target, tc.body)
			body := decode[map[string]string](t, rec)
			if rec.Code != tc.status || body["error_code"] != string(tc.code) || body["error_msg"] == "" || len(body) != 2 {
				t.Fatalf("%s %s = %d %v, want %d with error_code %s and an error_msg", tc.method, tc.target, rec.Code, body, tc.status, tc.code)
			}
		})
	}
	// The bad template's message keeps the diagnostic's position.
	body := decode[map[string]string](t, serve(t, h, http.MethodPost, "/stacks/web/deployments", `resource "x" {`))
	if !strings.Contains(body["error_msg"], "main.tf:1,") {
		t.Errorf("error_msg %q lacks the diagnostic's position", body["error_msg"])
	}
	// Nothing of the refused requests reached the engine.
	if _, err := e.GetStackMetadata(context.Background(), engine.StackRef{Name: "other"}); !errors.Is(err, formation.ErrNotFound) {
		t.Errorf("a refused first deployment created the stack: %v", err)
	}
}

func TestOtherErrorsAreInternal(t *testing.T) {
	rec := httptest.NewRecorder()
	writeError(rec, errors.New("disk on fire"))
	if rec.Code != 500 || strings.TrimSpace(rec.Body.String()) != `{"error_code":"RF.10010001","error_msg":"disk on fire"}` {
		t.Fatalf("= %d %s", rec.Code, rec.Body)
	}
}

// While a deployment runs, another is refused with RFS's 403 (the stack is
// busy). The deployment takes an hour of simulated latency: inside a
// synctest bubble that hour passes in virtual time, at once.
func TestBusyStackIs403(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEngine(t, sim.Config{Seed: 4, Latency: []sim.LatencyRule{{Duration: time.Hour}}})
		h := NewHandler(e)
		dep := deploymentID(t, serve(t, h, http.MethodPost, "/stacks/web/deployments", network))
		synctest.Wait() // the deployment is now waiting out its latency

		rec := serve(t, h, http.MethodPost, "/stacks/web/deployments", network)
		body := decode[map[string]string](t, rec)
		if rec.Code != http.StatusForbidden || body["error_code"] != string(formation.CodeStackBusy) {
			t.Fatalf("deploying a busy stack = %d %v, want 403 %s", rec.Code, body, formation.CodeStackBusy)
		}
		stack := decode[formation.Stack](t, serve(t, h, http.MethodGet, "/stacks/web", ""))
		if stack.Status != formation.StackDeploymentInProgress {
			t.Fatalf("status while deploying: %s", stack.Status)
		}

		start := time.Now()
		res, err := e.Wait(context.Background(), engine.DeploymentRef{DeploymentID: dep})
		if err != nil || res.Status != formation.StackDeploymentComplete {
			t.Fatalf("deployment ended %+v, %v", res, err)
		}
		// vpc → subnet is a chain of two creates of an hour each.
		if took := time.Since(start); took < 2*time.Hour {
			t.Fatalf("deployment took %v of virtual time, want at least 2h", took)
		}
	})
}

// The program itself: it serves, plays its client and stops.
func TestRun(t *testing.T) {
	if err := run(context.Background()); err != nil {
		t.Fatal(err)
	}
}
