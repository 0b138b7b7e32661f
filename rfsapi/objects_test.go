package rfsapi_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/rfsapi"
	"github.com/formation-engine/formation/store/storetest"
)

// zipOf zips files (name → content).
func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range files {
		w, err := zw.Create(name)
		if err == nil {
			_, err = w.Write([]byte(content))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// upload posts a zip to the project's template objects, under no name.
func upload(t *testing.T, h http.Handler, project string, body []byte) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	return uploadNamed(t, h, project, "", string(body))
}

// uploadNamed posts a file named name ("": none) to the project's
// template objects.
func uploadNamed(t *testing.T, h http.Handler, project, name, body string) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	target := "/formation/v1/" + project + "/template-objects"
	if name != "" {
		target += "?name=" + url.QueryEscape(name)
	}
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var out map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatalf("upload answered %d %q", w.Code, w.Body)
	}
	return w, out
}

// A zip of template files uploaded to the server is a template_uri every
// operation that takes a template reads, as RFS reads a zip from object
// storage; only for its project, and only until it expires.
func TestHandler_TemplateObjects(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	h, e, _ := unsigned(t, rfsapi.Config{Now: func() time.Time { return now }})
	files := zipOf(t, map[string]string{
		"main.tf": `variable "prefix" {
  type    = string
  default = "w"
}
module "net" {
  source = "./modules/net"
  name   = var.prefix
}
output "vpc" {
  value = module.net.vpc_name
}
`,
		"modules/net/main.tf": `variable "name" {
  type = string
}
resource "huaweicloud_vpc" "v" {
  name = var.name
  cidr = "10.0.0.0/16"
}
output "vpc_name" {
  value = huaweicloud_vpc.v.name
}
`,
	})
	w, out := upload(t, h, rfsapi.DefaultProject, files)
	uri, _ := out["template_uri"].(string)
	if w.Code != http.StatusCreated || !strings.HasSuffix(uri, ".zip") {
		t.Fatalf("upload: %d %v", w.Code, out)
	}

	w, _ = do(t, h, http.MethodPost, "/v1/"+rfsapi.DefaultProject+"/template-analyses/variables", `{"template_uri":`+quote(uri)+`}`)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"prefix"`) {
		t.Fatalf("ParseTemplateVariables of the object: %d %s", w.Code, w.Body)
	}
	w, out = do(t, h, http.MethodPost, base, `{"stack_name":"mods","template_uri":`+quote(uri)+`}`)
	if w.Code != http.StatusOK {
		t.Fatalf("CreateStack from the object: %d %v", w.Code, out)
	}
	s, err := e.WaitStack(t.Context(), engine.StackRef{Name: "mods"})
	if err != nil || s.Status != formation.StackDeploymentComplete {
		t.Fatalf("the stack from the object: %s, %v", s.Status, err)
	}
	outputs, err := e.ListStackOutputs(t.Context(), engine.ListStackOutputsRequest{StackRef: engine.StackRef{Name: "mods"}})
	if err != nil || len(outputs.Outputs) != 1 || outputs.Outputs[0].Value != "w" {
		t.Fatalf("the module's output: %+v, %v", outputs, err)
	}

	// Another project cannot use it.
	if w, _ := upload(t, h, "0605767f0a00d5762fc2c0133c2d8b8d", files); w.Code != http.StatusForbidden {
		t.Errorf("uploading to a project the handler does not serve: %d", w.Code)
	}
	other := strings.Replace(uri, "/"+rfsapi.DefaultProject+"/", "/0605767f0a00d5762fc2c0133c2d8b8d/", 1)
	w, out = do(t, h, http.MethodPost, base+"/mods/deployments", `{"template_uri":`+quote(other)+`}`)
	wantError(t, w, out, http.StatusBadRequest, formation.CodeUnsupported)

	// Not a zip; too large.
	w, out = upload(t, h, rfsapi.DefaultProject, []byte("resource {"))
	wantError(t, w, out, http.StatusBadRequest, formation.CodeInvalidParameter)
	w, out = upload(t, h, rfsapi.DefaultProject, make([]byte, 1<<20+1))
	wantError(t, w, out, http.StatusBadRequest, formation.CodeTooLong)

	// An expired object is refused, and nothing is deployed.
	now = now.Add(2 * time.Hour)
	w, out = do(t, h, http.MethodPost, base+"/mods/deployments", `{"template_uri":`+quote(uri)+`}`)
	wantError(t, w, out, http.StatusBadRequest, formation.CodeInvalidParameter)
	if s, err := e.GetStackMetadata(t.Context(), engine.StackRef{Name: "mods"}); err != nil || s.Status != formation.StackDeploymentComplete {
		t.Errorf("after the refused deployment: %s, %v", s.Status, err)
	}
}

// A .tfvars file uploaded to the server is a vars_uri, and a .tf file a
// template_uri; each field takes only its kind, for its project, until
// the object expires. A request cannot pass vars_uri_content itself: RFS's
// requests have no such field.
func TestHandler_VarsObjects(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	h, e, st := unsigned(t, rfsapi.Config{Now: func() time.Time { return now }})
	const tf = `variable "name" {
  type = string
}
resource "huaweicloud_vpc" "v" {
  name = var.name
  cidr = "10.0.0.0/16"
}
`
	w, out := uploadNamed(t, h, rfsapi.DefaultProject, "net.tf", tf)
	tplURI, _ := out["template_uri"].(string)
	if w.Code != http.StatusCreated || !strings.HasSuffix(tplURI, "/net.tf") || out["vars_uri"] != nil {
		t.Fatalf("upload of a .tf file: %d %v", w.Code, out)
	}
	const vars = "name = \"from-file\"\n"
	w, out = uploadNamed(t, h, rfsapi.DefaultProject, "prod.tfvars", vars)
	varsURI, _ := out["vars_uri"].(string)
	if w.Code != http.StatusCreated || !strings.HasSuffix(varsURI, "/prod.tfvars") || out["template_uri"] != nil {
		t.Fatalf("upload of a .tfvars file: %d %v", w.Code, out)
	}
	for _, name := range []string{"notes.txt", "a/b.tfvars", strings.Repeat("v", 250) + ".tfvars"} {
		w, out = uploadNamed(t, h, rfsapi.DefaultProject, name, vars)
		wantError(t, w, out, http.StatusBadRequest, formation.CodeInvalidParameter)
	}

	w, _ = do(t, h, http.MethodPost, "/v1/"+rfsapi.DefaultProject+"/template-analyses/variables", `{"template_uri":`+quote(tplURI)+`}`)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"name"`) {
		t.Fatalf("ParseTemplateVariables of the .tf object: %d %s", w.Code, w.Body)
	}
	w, out = do(t, h, http.MethodPost, base, `{"stack_name":"net","template_uri":`+quote(tplURI)+`,"vars_uri":`+quote(varsURI)+`}`)
	if w.Code != http.StatusOK {
		t.Fatalf("CreateStack from the objects: %d %v", w.Code, out)
	}
	s, err := e.WaitStack(t.Context(), engine.StackRef{Name: "net"})
	if err != nil || s.Status != formation.StackDeploymentComplete {
		t.Fatalf("the stack from the objects: %s, %v", s.Status, err)
	}
	w, out = do(t, h, http.MethodGet, base+"/net/metadata", "")
	if w.Code != http.StatusOK || out["vars_uri_content"] != vars || out["vars_uri"] != nil {
		t.Fatalf("GetStackMetadata: %d %v", w.Code, out)
	}
	w, out = do(t, h, http.MethodPost, "/formation/v1/"+rfsapi.DefaultProject+"/stacks/net/preview",
		`{"template_uri":`+quote(tplURI)+`,"vars_uri":`+quote(varsURI)+`}`)
	if w.Code != http.StatusOK {
		t.Fatalf("preview with the objects: %d %v", w.Code, out)
	}

	before := storetest.Dump(t, st)
	other := strings.Replace(varsURI, "/"+rfsapi.DefaultProject+"/", "/0605767f0a00d5762fc2c0133c2d8b8d/", 1)
	for _, tc := range []struct {
		name, body string
		code       formation.Code
	}{
		{"vars_uri naming a template", `{"template_body":` + quote(tf) + `,"vars_uri":` + quote(tplURI) + `}`, formation.CodeInvalidParameter},
		{"template_uri naming variables", `{"template_uri":` + quote(varsURI) + `}`, formation.CodeInvalidParameter},
		{"vars_uri_content in the request", `{"template_body":` + quote(tf) + `,"vars_uri_content":` + quote(vars) + `}`, formation.CodeUnrecognizedParameter},
		{"another project's object", `{"template_body":` + quote(tf) + `,"vars_uri":` + quote(other) + `}`, formation.CodeUnsupported},
		{"vars_uri and vars_body", `{"template_body":` + quote(tf) + `,"vars_uri":` + quote(varsURI) + `,"vars_body":"name = \"b\""}`, formation.CodeInvalidVariables},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, out := do(t, h, http.MethodPost, base+"/net/deployments", tc.body)
			wantError(t, w, out, http.StatusBadRequest, tc.code)
		})
	}
	// An expired object is refused.
	now = now.Add(2 * time.Hour)
	w, out = do(t, h, http.MethodPost, base+"/net/deployments", `{"template_body":`+quote(tf)+`,"vars_uri":`+quote(varsURI)+`}`)
	wantError(t, w, out, http.StatusBadRequest, formation.CodeInvalidParameter)
	if after := storetest.Dump(t, st); !reflect.DeepEqual(after, before) {
		t.Fatal("a refused request changed the store")
	}
}
