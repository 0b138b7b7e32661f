package rfsapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/signer"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/request"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/aos/v1/model"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/template"
)

// namedVPC is a VPC named by a variable, with the name as an output: what
// a deployment made of its variables shows through ListStackOutputs.
const namedVPC = `
variable "name" {
  type = string
}
variable "cidr" {
  type    = string
  default = "10.0.0.0/16"
}
resource "huaweicloud_vpc" "vpc" {
  name = var.name
  cidr = var.cidr
}
output "name" {
  value = huaweicloud_vpc.vpc.name
}
`

// uploadSigned uploads a file to the project's template objects, signed
// by the SDK's own signer as the SDK signs every request (its request
// builder takes query values as reflect.Values, as its generated code
// passes them), and returns the status and the decoded answer.
func (s *server) uploadSigned(t testing.TB, projectID, name, content string) (int, map[string]any) {
	t.Helper()
	req := request.NewHttpRequestBuilder().WithEndpoint(s.URL).WithMethod(http.MethodPost).
		WithPath("/formation/v1/"+projectID+"/template-objects").AddQueryParam("name", reflect.ValueOf(name)).
		AddHeaderParam("Content-Type", "application/octet-stream").WithBody("", content).Build()
	headers, err := signer.Sign(req, testAK, testSK)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.AddHeaderParam(k, v)
	}
	hr, err := req.ConvertRequest()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("upload answered %d %q", resp.StatusCode, b)
	}
	return resp.StatusCode, out
}

// varsURI uploads a .tfvars file and returns the vars_uri naming it.
func (s *server) varsURI(t testing.TB, content string) string {
	t.Helper()
	status, out := s.uploadSigned(t, project, "prod.tfvars", content)
	uri, _ := out["vars_uri"].(string)
	if status != http.StatusCreated || uri == "" || out["template_uri"] != nil {
		t.Fatalf("upload of a .tfvars file: %d %v", status, out)
	}
	return uri
}

// outputName is the stack's "name" output, through the SDK.
func outputName(t testing.TB, c interface {
	ListStackOutputs(*model.ListStackOutputsRequest) (*model.ListStackOutputsResponse, error)
}, stack string) string {
	t.Helper()
	outs, err := c.ListStackOutputs(&model.ListStackOutputsRequest{ClientRequestId: crid(), StackName: stack})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range *outs.Outputs {
		if *o.Name == "name" {
			return *o.Value
		}
	}
	t.Fatalf("no output name: %+v", outs)
	return ""
}

// A .tfvars file uploaded to the server is a vars_uri that CreateStack,
// DeployStack and CreateExecutionPlan read, as RFS reads one from object
// storage; the metadata shows its content, not the URI.
func TestSDK_VarsURI(t *testing.T) {
	limits := template.DefaultLimits()
	limits.MaxVarsURIContent = 4096
	s := newServerLimits(t, sim.Config{Seed: 7, UseCatalog: true}, &limits)
	c := s.client(t, testAK, testSK, project)
	e := s.engine(t, project)

	// CreateStack deploys with it.
	const first = "name = \"from-uri\"\n"
	created, err := c.CreateStack(&model.CreateStackRequest{ClientRequestId: crid(), Body: &model.CreateStackRequestBody{
		StackName: "net", TemplateBody: new(namedVPC), VarsUri: new(s.varsURI(t, first)), VarsBody: new(`cidr = "10.1.0.0/16"`)}})
	if err != nil {
		t.Fatal(err)
	}
	if res := wait(t, e, created.DeploymentId); res.Status != formation.StackDeploymentComplete {
		t.Fatalf("CreateStack's deployment %+v", res)
	}
	meta, err := c.GetStackMetadata(&model.GetStackMetadataRequest{ClientRequestId: crid(), StackName: "net"})
	if err != nil {
		t.Fatal(err)
	}
	if meta.VarsUriContent == nil || *meta.VarsUriContent != first || *meta.VarsBody != `cidr = "10.1.0.0/16"` {
		t.Fatalf("GetStackMetadata vars_uri_content %v vars_body %v", meta.VarsUriContent, meta.VarsBody)
	}
	if got := outputName(t, c, "net"); got != "from-uri" {
		t.Fatalf("output name %q: the deployment did not use the vars_uri file", got)
	}

	// DeployStack with a JSON tfvars file.
	const second = `{"name": "second"}`
	dep, err := c.DeployStack(&model.DeployStackRequest{ClientRequestId: crid(), StackName: "net", Body: &model.DeployStackRequestBody{
		TemplateBody: new(namedVPC), VarsUri: new(s.varsURI(t, second)), StackId: created.StackId}})
	if err != nil {
		t.Fatal(err)
	}
	if res := wait(t, e, dep.DeploymentId); res.Status != formation.StackDeploymentComplete {
		t.Fatalf("DeployStack's deployment %+v", res)
	}
	if meta, err := c.GetStackMetadata(&model.GetStackMetadataRequest{ClientRequestId: crid(), StackName: "net"}); err != nil || *meta.VarsUriContent != second {
		t.Fatalf("GetStackMetadata after DeployStack %+v, %v", meta, err)
	}
	if got := outputName(t, c, "net"); got != "second" {
		t.Fatalf("output name %q after DeployStack", got)
	}

	// A plan records it and applies it.
	const third = "name = \"planned\"\n"
	if _, err := c.CreateExecutionPlan(&model.CreateExecutionPlanRequest{ClientRequestId: crid(), StackName: "net", Body: &model.CreateExecutionPlanRequestBody{
		ExecutionPlanName: "p", TemplateBody: new(namedVPC), VarsUri: new(s.varsURI(t, third))}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.WaitExecutionPlan(context.Background(), engine.PlanRef{StackRef: engine.StackRef{Name: "net"}, PlanName: "p"}); err != nil {
		t.Fatal(err)
	}
	pm, err := c.GetExecutionPlanMetadata(&model.GetExecutionPlanMetadataRequest{ClientRequestId: crid(), StackName: "net", ExecutionPlanName: "p"})
	if err != nil {
		t.Fatal(err)
	}
	if pm.Status.Value() != "AVAILABLE" || pm.VarsUriContent == nil || *pm.VarsUriContent != third {
		t.Fatalf("GetExecutionPlanMetadata %s, vars_uri_content %v", pm.Status.Value(), pm.VarsUriContent)
	}
	applied, err := c.ApplyExecutionPlan(&model.ApplyExecutionPlanRequest{ClientRequestId: crid(), StackName: "net", ExecutionPlanName: "p",
		Body: &model.ApplyExecutionPlanRequestBody{}})
	if err != nil {
		t.Fatal(err)
	}
	if res := wait(t, e, applied.DeploymentId); res.Status != formation.StackDeploymentComplete {
		t.Fatalf("apply %+v", res)
	}
	if got := outputName(t, c, "net"); got != "planned" {
		t.Fatalf("output name %q after the plan's apply", got)
	}

	// Refusals: a variable in vars_uri and vars_body or vars_structure; a
	// URI naming no object here; an object larger than the limit; a URI
	// over 2048 characters; an object-storage URL. Nothing changes.
	named := s.varsURI(t, "name = \"x\"\n")
	missing := s.URL + "/formation/v1/" + project + "/template-objects/00000000-0000-4000-8000-000000000000/prod.tfvars"
	large := s.varsURI(t, "name = \""+strings.Repeat("x", 4096)+"\"\n")
	for _, tc := range []struct {
		name   string
		body   model.DeployStackRequestBody
		status int
		code   formation.Code
	}{
		{"vars_body and vars_uri", model.DeployStackRequestBody{VarsUri: new(named), VarsBody: new(`name = "y"`)}, 400, formation.CodeInvalidVariables},
		{"vars_structure and vars_uri", model.DeployStackRequestBody{VarsUri: new(named),
			VarsStructure: &[]model.VarsStructure{{VarKey: "name", VarValue: "y"}}}, 400, formation.CodeInvalidVariables},
		{"an object never uploaded", model.DeployStackRequestBody{VarsUri: new(missing)}, 400, formation.CodeInvalidParameter},
		{"a file over the limit", model.DeployStackRequestBody{VarsUri: new(large)}, 400, formation.CodeVarsURITooLarge},
		{"a URI over 2048", model.DeployStackRequestBody{VarsUri: new(named + "?" + strings.Repeat("a", 2048))}, 400, formation.CodeTooLong},
		{"object storage", model.DeployStackRequestBody{VarsUri: new("https://bucket.obs.cn-north-4.myhuaweicloud.com/prod.tfvars?Signature=x")}, 400, formation.CodeUnsupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.body
			body.TemplateBody = new(namedVPC)
			_, err := c.DeployStack(&model.DeployStackRequest{ClientRequestId: crid(), StackName: "net", Body: &body})
			wantSDKError(t, err, tc.status, tc.code)
			_, err = c.CreateExecutionPlan(&model.CreateExecutionPlanRequest{ClientRequestId: crid(), StackName: "net", Body: &model.CreateExecutionPlanRequestBody{
				ExecutionPlanName: "refused", TemplateBody: body.TemplateBody, VarsUri: body.VarsUri, VarsBody: body.VarsBody, VarsStructure: body.VarsStructure}})
			wantSDKError(t, err, tc.status, tc.code)
		})
	}
	if meta, err := c.GetStackMetadata(&model.GetStackMetadataRequest{ClientRequestId: crid(), StackName: "net"}); err != nil ||
		meta.Status.Value() != "DEPLOYMENT_COMPLETE" || *meta.VarsUriContent != third {
		t.Fatalf("after the refusals %+v, %v", meta, err)
	}
	if _, err := c.GetExecutionPlanMetadata(&model.GetExecutionPlanMetadataRequest{ClientRequestId: crid(), StackName: "net", ExecutionPlanName: "refused"}); err == nil {
		t.Fatal("a refused CreateExecutionPlan made a plan")
	}
}
