package rfsapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/aos/v1/model"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/rfsapi"
	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/store/storetest"
)

// unsigned is a Handler without keys over one engine, as an embedder
// mounts it.
func unsigned(t testing.TB, cfg rfsapi.Config) (*rfsapi.Handler, *engine.Engine, store.Store) {
	t.Helper()
	cloud, err := sim.New(sim.Config{Seed: 1, UseCatalog: true})
	if err != nil {
		t.Fatal(err)
	}
	st := store.NewMemory()
	e, err := engine.New(engine.Config{Store: st, DefaultProvider: cloud})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	cfg.Projects = rfsapi.Single(rfsapi.DefaultProject, e)
	h, err := rfsapi.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h, e, st
}

// do sends one request to h with a Client-Request-Id and returns the
// response and its decoded JSON body.
func do(t testing.TB, h http.Handler, method, target, body string) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Header.Set("Client-Request-Id", crid())
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if len(w.Header().Get("X-Request-Id")) != formation.IDLength {
		t.Fatalf("%s %s: no X-Request-Id", method, target)
	}
	var out map[string]any
	if w.Body.Len() > 0 && strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s: body %q: %v", method, target, w.Body, err)
		}
	}
	return w, out
}

func wantError(t testing.TB, w *httptest.ResponseRecorder, body map[string]any, status int, code formation.Code) {
	t.Helper()
	if w.Code != status || body["error_code"] != string(code) || body["error_msg"] == "" {
		t.Fatalf("answered %d %v; want %d %s with a message", w.Code, body, status, code)
	}
}

const base = "/v1/" + rfsapi.DefaultProject + "/stacks"

// Malformed requests are refused with RFS's codes, before anything is
// written.
func TestHandler_RefusesMalformedRequests(t *testing.T) {
	h, _, st := unsigned(t, rfsapi.Config{})
	before := storetest.Dump(t, st)
	for _, tc := range []struct {
		name, method, target, body string
		status                     int
		code                       formation.Code
	}{
		{"unknown body field", "POST", base, `{"stack_name":"a","template":"x"}`, 400, formation.CodeUnrecognizedParameter},
		{"unknown nested field", "POST", base, `{"stack_name":"a","agencies":[{"provider_name":"huaweicloud","agency_name":"x","role":"y"}]}`, 400, formation.CodeUnrecognizedParameter},
		{"stack_name in a deploy body", "POST", base + "/a/deployments", `{"stack_name":"a","template_body":"x"}`, 400, formation.CodeUnrecognizedParameter},
		{"not JSON", "POST", base, `{"stack_name":`, 400, formation.CodeInvalidParameter},
		{"trailing data", "POST", base, `{"stack_name":"a"} {}`, 400, formation.CodeInvalidParameter},
		{"no body", "POST", base, ``, 400, formation.CodeMissingParameter},
		{"duplicate query", "GET", base + "?limit=10&limit=20", ``, 400, formation.CodeDuplicateQuery},
		{"unknown query", "GET", base + "?stack_id=6fa459ea-ee8a-4ca4-894e-db77e160355e", ``, 400, formation.CodeUnrecognizedParameter},
		{"limit not a number", "GET", base + "?limit=ten", ``, 400, formation.CodeInvalidParameter},
		{"project id too short", "GET", "/v1/ab/stacks", ``, 400, formation.CodeInvalidProjectID},
		{"project id bad letter", "GET", "/v1/abc.def/stacks", ``, 400, formation.CodeInvalidProjectID},
		{"another project", "GET", "/v1/someoneelse/stacks", ``, 403, formation.CodeForbidden},
		{"bad stack_id", "GET", base + "/a/metadata?stack_id=nope", ``, 400, formation.CodeInvalidID},
		{"bad execution_plan_id", "GET", base + "/a/execution-plans/p?execution_plan_id=nope", ``, 400, formation.CodeInvalidID},
		{"no such operation", "GET", "/v2/stacks", ``, 404, formation.CodeNoSuchOperation},
		{"wrong method", "PUT", base, `{}`, 404, formation.CodeNoSuchOperation},
		{"template library", "POST", "/v1/" + rfsapi.DefaultProject + "/templates", `{}`, 501, formation.CodeNotImplemented},
		{"too large", "PATCH", base + "/a", `{"description":"` + strings.Repeat("x", 70<<10) + `"}`, 400, formation.CodeTooLong},
		{"template too large", "POST", base, `{"stack_name":"a","template_body":"` + strings.Repeat("x", 2<<20) + `"}`, 400, formation.CodeTooLong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, body := do(t, h, tc.method, tc.target, tc.body)
			wantError(t, w, body, tc.status, tc.code)
		})
	}
	if after := storetest.Dump(t, st); !reflect.DeepEqual(after, before) {
		t.Fatal("a refused request changed the store")
	}
}

// Client-Request-Id is required on RFS's paths, with RFS's lengths.
func TestHandler_ClientRequestID(t *testing.T) {
	h, _, _ := unsigned(t, rfsapi.Config{})
	for _, tc := range []struct {
		ids  []string
		code formation.Code
	}{
		{nil, formation.CodeMissingParameter},
		{[]string{strings.Repeat("a", 35)}, formation.CodeTooShort},
		{[]string{strings.Repeat("a", 129)}, formation.CodeTooLong},
		{[]string{crid(), crid()}, formation.CodeDuplicateQuery},
	} {
		r := httptest.NewRequest("GET", base, nil)
		for _, id := range tc.ids {
			r.Header.Add("Client-Request-Id", id)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		var body map[string]any
		_ = json.Unmarshal(w.Body.Bytes(), &body)
		wantError(t, w, body, 400, tc.code)
	}
	if w, _ := do(t, h, "GET", base, ""); w.Code != 200 {
		t.Fatalf("with a Client-Request-Id: %d %s", w.Code, w.Body)
	}
}

// DeleteStack answers 202 without a body, as RFS, and names its
// deployment in a Formation header so a client can follow it.
func TestHandler_DeleteNamesItsDeployment(t *testing.T) {
	h, e, _ := unsigned(t, rfsapi.Config{})
	if w, _ := do(t, h, "POST", base, `{"stack_name":"a"}`); w.Code != 200 {
		t.Fatalf("create: %d %s", w.Code, w.Body)
	}
	w, _ := do(t, h, "DELETE", base+"/a", "")
	if w.Code != 202 || w.Body.Len() != 0 {
		t.Fatalf("delete: %d %q", w.Code, w.Body)
	}
	res, err := e.Wait(context.Background(), engine.DeploymentRef{DeploymentID: w.Header().Get("X-Formation-Deployment-Id")})
	if err != nil || !res.Deleted {
		t.Fatalf("the deletion ended %+v, %v", res, err)
	}
}

// An X-Sdk-Date more than 15 minutes from the server's clock is refused.
func TestSDK_StaleDate(t *testing.T) {
	cloud, _ := sim.New(sim.Config{})
	e, err := engine.New(engine.Config{Store: store.NewMemory(), DefaultProvider: cloud})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	keys, _ := rfsapi.NewKeys([]rfsapi.Key{{AccessKey: testAK, SecretKey: testSK, Projects: []string{"*"}}})
	skew := 16 * time.Minute
	h, err := rfsapi.New(rfsapi.Config{Projects: rfsapi.Single(project, e), Keys: keys, Now: func() time.Time { return time.Now().Add(skew) }})
	if err != nil {
		t.Fatal(err)
	}
	s := &server{Server: httptest.NewServer(h)}
	defer s.Close()
	_, err = s.client(t, testAK, testSK, project).ListStacks(&model.ListStacksRequest{ClientRequestId: crid()})
	wantSDKError(t, err, 401, formation.CodeAuthFailed)
	skew = 14 * time.Minute
	if _, err = s.client(t, testAK, testSK, project).ListStacks(&model.ListStacksRequest{ClientRequestId: crid()}); err != nil {
		t.Fatalf("14 minutes off: %v", err)
	}
}

// The rate limit answers 429 past a client's burst.
func TestHandler_RateLimit(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	h, _, _ := unsigned(t, rfsapi.Config{RateLimit: rfsapi.Rate{PerSecond: 1, Burst: 3}, Now: func() time.Time { return now }})
	for i := range 3 {
		if w, _ := do(t, h, "GET", base, ""); w.Code != 200 {
			t.Fatalf("request %d: %d", i+1, w.Code)
		}
	}
	w, body := do(t, h, "GET", base, "")
	wantError(t, w, body, 429, formation.CodeTooManyRequests)
	now = now.Add(time.Second)
	if w, _ := do(t, h, "GET", base, ""); w.Code != 200 {
		t.Fatalf("a second later: %d", w.Code)
	}
}

// Formation's extensions: health, and the live event stream, which
// resumes from a sequence number and says why it ended.
func TestHandler_Extensions(t *testing.T) {
	h, e, _ := unsigned(t, rfsapi.Config{})
	srv := httptest.NewServer(h)
	defer srv.Close()
	if got := get(t, srv.URL+"/formation/v1/healthz"); !strings.Contains(got, `"ok"`) {
		t.Fatalf("healthz: %s", got)
	}
	w, created := do(t, h, "POST", base, `{"stack_name":"net","template_body":`+quote(network)+`}`)
	if w.Code != 200 {
		t.Fatalf("create: %d %s", w.Code, w.Body)
	}
	dep := created["deployment_id"].(string)
	resp, err := http.Get(srv.URL + "/formation/v1/" + rfsapi.DefaultProject + "/stacks/net/events/stream?deployment_id=" + dep + "&after=1")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var ids []string
	var end string
	sc := bufio.NewScanner(resp.Body)
	for event := ""; sc.Scan(); {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "id: "):
			ids = append(ids, strings.TrimPrefix(line, "id: "))
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: ") && event == "end":
			end = strings.TrimPrefix(line, "data: ")
		}
	}
	if len(ids) == 0 || ids[0] != "2" || end != `{"reason":"DEPLOYMENT_FINISHED"}` {
		t.Fatalf("streamed ids %v, end %s; want from 2 on, then DEPLOYMENT_FINISHED", ids, end)
	}
	if _, err := e.Wait(context.Background(), engine.DeploymentRef{DeploymentID: dep}); err != nil {
		t.Fatal(err)
	}
	w, plan := do(t, h, "POST", "/formation/v1/"+rfsapi.DefaultProject+"/stacks/net/preview",
		`{"template_body":`+quote(network)+`,"vars_body":"name = \"renamed\""}`)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "renamed") {
		t.Fatalf("preview: %d %v", w.Code, plan)
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Shutdown ends the live event streams, which would otherwise keep a
// server's Shutdown waiting: a stream of a whole stack never ends alone.
func TestHandler_ShutdownEndsStreams(t *testing.T) {
	h, _, _ := unsigned(t, rfsapi.Config{})
	srv := httptest.NewServer(h)
	defer srv.Close()
	if w, _ := do(t, h, "POST", base, `{"stack_name":"net"}`); w.Code != 200 {
		t.Fatalf("create: %d", w.Code)
	}
	resp, err := http.Get(srv.URL + "/formation/v1/" + rfsapi.DefaultProject + "/stacks/net/events/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() && !strings.HasPrefix(sc.Text(), "data: ") { // the stack's first event: the stream is live
	}
	h.Shutdown()
	var end string
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			end = line
		}
	}
	if end != `{"reason":"CANCELED"}` {
		t.Fatalf("the stream's last data %q, want the end event", end)
	}
}
