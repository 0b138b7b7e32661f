package rfsapi_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/rfsapi"
)

// Any method, path, query and body: no panic, a status RFS uses, and an
// RFS error body for every error. go test -fuzz FuzzHandler ./rfsapi runs
// the campaign; the seeds run as a test.
func FuzzHandler(f *testing.F) {
	for _, s := range [][3]string{
		{"POST", "/stacks", `{"stack_name":"a","template_body":"resource \"huaweicloud_vpc\" \"v\" {}"}`},
		{"POST", "/stacks", `{"stack_name":"a","agencies":[{"provider_name":"huaweicloud","agency_name":"x"}],"vars_structure":[{"var_key":"k","var_value":"v"}]}`},
		{"PATCH", "/stacks/a", `{"description":null,"enable_auto_rollback":true}`},
		{"POST", "/stacks/a/deployments", `{"template_body":"x","vars_body":"a = 1"}`},
		{"GET", "/stacks/a/events?filter=event_type==LOG&field=event_message&limit=10", ``},
		{"POST", "/stacks/a/execution-plans", `{"execution_plan_name":"p","template_body":"{}"}`},
		{"DELETE", "/stacks/a/execution-plans/p?execution_plan_id=6fa459ea-ee8a-4ca4-894e-db77e160355e", ``},
		{"POST", "/template-analyses/variables", `{"template_body":"variable \"x\" {}"}`},
		{"GET", "/stacks?marker=%ff%00&limit=-1", `[`},
	} {
		f.Add(s[0], s[1], s[2])
	}
	h, _, _ := unsigned(f, rfsapi.Config{})
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(method, " \t\r\n") || method == "" {
			return
		}
		r := httptest.NewRequest("GET", "/", strings.NewReader(body))
		r.Method = method
		r.URL.Path, r.URL.RawQuery, _ = strings.Cut(path, "?")
		r.URL.Path = "/v1/" + rfsapi.DefaultProject + r.URL.Path
		r.Header.Set("Client-Request-Id", "00000000-0000-4000-8000-000000000000")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code >= 500 && w.Code != 501 && w.Code != 503 {
			t.Fatalf("%s %s %q: %d %s", method, path, body, w.Code, w.Body)
		}
		if w.Code >= 400 {
			var e struct {
				Code    formation.Code `json:"error_code"`
				Message string         `json:"error_msg"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || !e.Code.Known() || e.Message == "" {
				t.Fatalf("%s %s: error body %q", method, path, w.Body)
			}
		}
	})
}
