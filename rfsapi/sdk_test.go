package rfsapi_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	aos "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/aos/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/aos/v1/model"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/rfsapi"
	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/template"
)

const (
	testAK, testSK = "FORMATIONTESTAK", "formation-test-secret"
	project        = "0605767f0a00d5762fc2c0133c2d8b8d"
	other          = "1aef0b2c3d4e5f60718293a4b5c6d7e8"
)

const network = `
variable "name" {
  type    = string
  default = "demo"
}
resource "huaweicloud_vpc" "vpc" {
  name = var.name
  cidr = "10.0.0.0/16"
}
resource "huaweicloud_vpc_subnet" "subnet" {
  name       = "${var.name}-subnet"
  vpc_id     = huaweicloud_vpc.vpc.id
  cidr       = "10.0.1.0/24"
  gateway_ip = "10.0.1.1"
}
output "vpc_id" {
  value = huaweicloud_vpc.vpc.id
}
`

// server is a Handler over two projects in one store, signed requests
// required, on an httptest server.
type server struct {
	*httptest.Server
	projects *rfsapi.StoreProjects
}

func newServer(t testing.TB, sc sim.Config) *server {
	t.Helper()
	return newServerLimits(t, sc, nil)
}

// newServerLimits is newServer whose engines and handler take limits (nil:
// RFS's).
func newServerLimits(t testing.TB, sc sim.Config, limits *template.Limits) *server {
	t.Helper()
	cloud, err := sim.New(sc)
	if err != nil {
		t.Fatal(err)
	}
	projects, err := rfsapi.OpenProjects(context.Background(), store.NewMemory(), engine.Config{DefaultProvider: cloud, TemplateLimits: limits}, 0)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := rfsapi.NewKeys([]rfsapi.Key{
		{AccessKey: testAK, SecretKey: testSK, Projects: []string{project, other}},
		{AccessKey: "ONLYOTHER", SecretKey: "other-secret", Projects: []string{other}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// The test's requests come from loopback: from VPC vpc-local.
	vpcs := map[string][]netip.Prefix{
		"vpc-local": {netip.MustParsePrefix("127.0.0.0/8")},
		"vpc-far":   {netip.MustParsePrefix("10.9.0.0/16"), netip.MustParsePrefix("10.10.0.0/16")},
	}
	h, err := rfsapi.New(rfsapi.Config{Projects: projects, Keys: keys, SourceVPCs: vpcs, TemplateLimits: limits})
	if err != nil {
		t.Fatal(err)
	}
	s := &server{Server: httptest.NewServer(h), projects: projects}
	t.Cleanup(func() {
		s.Close()
		if err := projects.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func (s *server) client(t testing.TB, ak, sk, projectID string) *aos.AosClient {
	t.Helper()
	cred, err := basic.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithProjectId(projectID).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	hc, err := aos.AosClientBuilder().WithEndpoints([]string{s.URL}).WithCredential(cred).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	return aos.NewAosClient(hc)
}

func (s *server) engine(t testing.TB, projectID string) *engine.Engine {
	t.Helper()
	e, err := s.projects.Engine(context.Background(), projectID)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

var requests atomic.Uint64

// crid is a fresh Client-Request-Id.
func crid() string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", requests.Add(1)) }

// wait waits, in Go, for a deployment the API started.
func wait(t testing.TB, e *engine.Engine, dep *string) engine.Result {
	t.Helper()
	if dep == nil || len(*dep) != formation.IDLength {
		t.Fatalf("deployment_id %v is not an id", dep)
	}
	res, err := e.Wait(context.Background(), engine.DeploymentRef{DeploymentID: *dep})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// wantSDKError fails unless err is the SDK's ServiceResponseError with
// status and code, and a request id.
func wantSDKError(t testing.TB, err error, status int, code formation.Code) {
	t.Helper()
	var se *sdkerr.ServiceResponseError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a ServiceResponseError; want %d %s", err, err, status, code)
	}
	if se.StatusCode != status || se.ErrorCode != string(code) || se.ErrorMessage == "" || len(se.RequestId) != formation.IDLength {
		t.Fatalf("error %+v; want %d %s with a message and a request id", se, status, code)
	}
}

func TestSDK_Stacks(t *testing.T) {
	s := newServer(t, sim.Config{Seed: 1, UseCatalog: true})
	c := s.client(t, testAK, testSK, project)
	e := s.engine(t, project)

	// An empty stack, then its metadata and the list.
	created, err := c.CreateStack(&model.CreateStackRequest{ClientRequestId: crid(), Body: &model.CreateStackRequestBody{
		StackName: "net", Description: new("the network"), EnableAutoRollback: new(true)}})
	if err != nil {
		t.Fatal(err)
	}
	if created.StackId == nil || created.DeploymentId != nil || created.HttpStatusCode != 200 {
		t.Fatalf("CreateStack %+v", created)
	}
	meta, err := c.GetStackMetadata(&model.GetStackMetadataRequest{ClientRequestId: crid(), StackName: "net", StackId: created.StackId})
	if err != nil {
		t.Fatal(err)
	}
	if meta.StackName != "net" || *meta.Description != "the network" || meta.Status.Value() != "CREATION_COMPLETE" || !*meta.EnableAutoRollback {
		t.Fatalf("GetStackMetadata %+v", meta)
	}
	list, err := c.ListStacks(&model.ListStacksRequest{ClientRequestId: crid(), Limit: new(int32(10))})
	if err != nil {
		t.Fatal(err)
	}
	if len(*list.Stacks) != 1 || (*list.Stacks)[0].StackName != "net" || *list.PageInfo.CurrentCount != 1 {
		t.Fatalf("ListStacks %+v", list)
	}
	updated, err := c.UpdateStack(&model.UpdateStackRequest{ClientRequestId: crid(), StackName: "net", Body: &model.UpdateStackRequestBody{
		Description: new("updated"), StackId: created.StackId}})
	if err != nil || updated.HttpStatusCode != 204 {
		t.Fatalf("UpdateStack %+v, %v", updated, err)
	}

	// A deployment: 202 with the stack already in progress.
	dep, err := c.DeployStack(&model.DeployStackRequest{ClientRequestId: crid(), StackName: "net", Body: &model.DeployStackRequestBody{
		TemplateBody: new(network), VarsStructure: &[]model.VarsStructure{{VarKey: "name", VarValue: "prod"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if dep.HttpStatusCode != 202 {
		t.Fatalf("DeployStack answered %d", dep.HttpStatusCode)
	}
	if res := wait(t, e, dep.DeploymentId); res.Status != formation.StackDeploymentComplete {
		t.Fatalf("deployment ended %+v", res)
	}
	resources, err := c.ListStackResources(&model.ListStackResourcesRequest{ClientRequestId: crid(), StackName: "net"})
	if err != nil {
		t.Fatal(err)
	}
	if len(*resources.StackResources) != 2 {
		t.Fatalf("ListStackResources %+v", resources)
	}
	var vpcID string
	for _, r := range *resources.StackResources {
		if *r.LogicalResourceType == "huaweicloud_vpc" {
			vpcID = *r.PhysicalResourceId
		}
	}
	outputs, err := c.ListStackOutputs(&model.ListStackOutputsRequest{ClientRequestId: crid(), StackName: "net"})
	if err != nil {
		t.Fatal(err)
	}
	if len(*outputs.Outputs) != 1 || *(*outputs.Outputs)[0].Value != vpcID || vpcID == "" {
		t.Fatalf("ListStackOutputs %+v, vpc %q", outputs, vpcID)
	}
	events, err := c.ListStackEvents(&model.ListStackEventsRequest{ClientRequestId: crid(), StackName: "net",
		DeploymentId: dep.DeploymentId, Filter: new("event_type==CREATION_COMPLETE")})
	if err != nil {
		t.Fatal(err)
	}
	if len(*events.StackEvents) != 2 || (*events.StackEvents)[0].EventType.Value() != "CREATION_COMPLETE" {
		t.Fatalf("ListStackEvents %+v", events)
	}

	// The template: a redirect to a short-lived URL that serves it.
	tpl, err := c.GetStackTemplate(&model.GetStackTemplateRequest{ClientRequestId: crid(), StackName: "net"})
	if err != nil {
		t.Fatal(err)
	}
	if tpl.HttpStatusCode != 307 || tpl.Location == nil {
		t.Fatalf("GetStackTemplate %+v", tpl)
	}
	if got := get(t, *tpl.Location); got != network {
		t.Fatalf("the template URL served %q", got)
	}
	if resp, err := http.Get(strings.Replace(*tpl.Location, "signature=", "signature=0", 1)); err != nil || resp.StatusCode != 401 {
		t.Fatalf("a tampered template URL: %v, %v", resp, err)
	}
	// A URL for other source addresses is refused to this one.
	elsewhere, err := c.GetStackTemplate(&model.GetStackTemplateRequest{ClientRequestId: crid(), StackName: "net",
		AccessControlSourceIps: &[]string{"10.1.0.0/16", "192.168.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := http.Get(*elsewhere.Location); err != nil || resp.StatusCode != 403 {
		t.Fatalf("a template URL for other addresses: %v, %v", resp, err)
	}
	here, err := c.GetStackTemplate(&model.GetStackTemplateRequest{ClientRequestId: crid(), StackName: "net",
		AccessControlSourceIps: &[]string{"10.1.0.0/16", "127.0.0.0/8"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := get(t, *here.Location); got != network {
		t.Fatalf("a template URL for this address served %q", got)
	}
	_, err = c.GetStackTemplate(&model.GetStackTemplateRequest{ClientRequestId: crid(), StackName: "net", AccessControlSourceIps: &[]string{"not-an-ip"}})
	wantSDKError(t, err, 400, formation.CodeInvalidParameter)
	// A URL for VPCs serves requests from their networks only; with
	// source addresses too, a request from either may download.
	for _, tc := range []struct {
		ips, vpcs []string
		want      int
	}{
		{nil, []string{"vpc-far"}, 403},
		{nil, []string{"vpc-unknown"}, 403},
		{nil, []string{"vpc-far", "vpc-local"}, 200},
		{[]string{"10.1.0.0/16"}, []string{"vpc-far"}, 403},
		{[]string{"10.1.0.0/16"}, []string{"vpc-local"}, 200},
		{[]string{"127.0.0.1"}, []string{"vpc-far"}, 200},
	} {
		req := &model.GetStackTemplateRequest{ClientRequestId: crid(), StackName: "net", AccessControlSourceVpcIds: &tc.vpcs}
		if tc.ips != nil {
			req.AccessControlSourceIps = &tc.ips
		}
		tpl, err := c.GetStackTemplate(req)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(*tpl.Location)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("a template URL for addresses %q and VPCs %q: %d, want %d", tc.ips, tc.vpcs, resp.StatusCode, tc.want)
		}
	}
	_, err = c.GetStackTemplate(&model.GetStackTemplateRequest{ClientRequestId: crid(), StackName: "net", AccessControlSourceVpcIds: &[]string{"VPC_1"}})
	wantSDKError(t, err, 400, formation.CodeInvalidParameter)

	// Deletion: 202, then the stack is gone.
	del, err := c.DeleteStack(&model.DeleteStackRequest{ClientRequestId: crid(), StackName: "net", StackId: created.StackId})
	if err != nil || del.HttpStatusCode != 202 {
		t.Fatalf("DeleteStack %+v, %v", del, err)
	}
	_, err = e.WaitStack(context.Background(), engine.StackRef{Name: "net"})
	if !errors.Is(err, formation.ErrNotFound) {
		t.Fatalf("after DeleteStack: %v", err)
	}
	_, err = c.GetStackMetadata(&model.GetStackMetadataRequest{ClientRequestId: crid(), StackName: "net"})
	wantSDKError(t, err, 404, formation.CodeStackNotFound)
}

func get(t testing.TB, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s, %v", url, resp.StatusCode, b, err)
	}
	return string(b)
}

func TestSDK_ExecutionPlans(t *testing.T) {
	s := newServer(t, sim.Config{Seed: 2, UseCatalog: true})
	c := s.client(t, testAK, testSK, project)
	e := s.engine(t, project)
	created, err := c.CreateStack(&model.CreateStackRequest{ClientRequestId: crid(), Body: &model.CreateStackRequestBody{StackName: "net"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"first", "second"} {
		p, err := c.CreateExecutionPlan(&model.CreateExecutionPlanRequest{ClientRequestId: crid(), StackName: "net",
			Body: &model.CreateExecutionPlanRequestBody{ExecutionPlanName: name, TemplateBody: new(network), StackId: created.StackId}})
		if err != nil {
			t.Fatal(err)
		}
		if p.HttpStatusCode != 202 || p.ExecutionPlanId == nil {
			t.Fatalf("CreateExecutionPlan %+v", p)
		}
		if _, err := e.WaitExecutionPlan(context.Background(), engine.PlanRef{StackRef: engine.StackRef{Name: "net"}, PlanName: name}); err != nil {
			t.Fatal(err)
		}
	}
	meta, err := c.GetExecutionPlanMetadata(&model.GetExecutionPlanMetadataRequest{ClientRequestId: crid(), StackName: "net", ExecutionPlanName: "first"})
	if err != nil {
		t.Fatal(err)
	}
	if meta.Status.Value() != "AVAILABLE" || *meta.Summary.ResourceAdd != 2 {
		t.Fatalf("GetExecutionPlanMetadata %+v", meta)
	}
	items, err := c.GetExecutionPlan(&model.GetExecutionPlanRequest{ClientRequestId: crid(), StackName: "net", ExecutionPlanName: "first", ExecutionPlanId: meta.ExecutionPlanId})
	if err != nil {
		t.Fatal(err)
	}
	if len(*items.ExecutionPlanItems) != 2 || (*items.ExecutionPlanItems)[0].Action.Value() != "ADD" {
		t.Fatalf("GetExecutionPlan %+v", items)
	}
	list, err := c.ListExecutionPlans(&model.ListExecutionPlansRequest{ClientRequestId: crid(), StackName: "net"})
	if err != nil {
		t.Fatal(err)
	}
	if len(*list.ExecutionPlans) != 2 || (*list.ExecutionPlans)[0].ExecutionPlanName != "second" {
		t.Fatalf("ListExecutionPlans %+v", list)
	}
	_, err = c.EstimateExecutionPlanPrice(&model.EstimateExecutionPlanPriceRequest{ClientRequestId: crid(), StackName: "net", ExecutionPlanName: "first"})
	wantSDKError(t, err, 501, formation.CodeNotImplemented)

	applied, err := c.ApplyExecutionPlan(&model.ApplyExecutionPlanRequest{ClientRequestId: crid(), StackName: "net", ExecutionPlanName: "first",
		Body: &model.ApplyExecutionPlanRequestBody{ExecutionPlanId: meta.ExecutionPlanId}})
	if err != nil {
		t.Fatal(err)
	}
	if applied.HttpStatusCode != 202 {
		t.Fatalf("ApplyExecutionPlan answered %d", applied.HttpStatusCode)
	}
	if res := wait(t, e, applied.DeploymentId); res.Status != formation.StackDeploymentComplete {
		t.Fatalf("apply ended %+v", res)
	}
	// Applying one plan expired the other.
	_, err = c.ApplyExecutionPlan(&model.ApplyExecutionPlanRequest{ClientRequestId: crid(), StackName: "net", ExecutionPlanName: "second",
		Body: &model.ApplyExecutionPlanRequestBody{}})
	wantSDKError(t, err, 403, formation.CodePlanExpired)
	deleted, err := c.DeleteExecutionPlan(&model.DeleteExecutionPlanRequest{ClientRequestId: crid(), StackName: "net", ExecutionPlanName: "second"})
	if err != nil || deleted.HttpStatusCode != 204 {
		t.Fatalf("DeleteExecutionPlan %+v, %v", deleted, err)
	}
	_, err = c.GetExecutionPlan(&model.GetExecutionPlanRequest{ClientRequestId: crid(), StackName: "net", ExecutionPlanName: "second"})
	wantSDKError(t, err, 404, formation.CodePlanNotFound)
}

func TestSDK_ContinueAndEnhancedDeletion(t *testing.T) {
	faults := []sim.Fault{
		{Match: sim.Match{Op: sim.OpCreate, Address: "huaweicloud_vpc_subnet.subnet"}, Times: 1, Message: "subnet quota exceeded"},
	}
	s := newServer(t, sim.Config{Seed: 3, UseCatalog: true, Faults: faults})
	c := s.client(t, testAK, testSK, project)
	e := s.engine(t, project)

	// Without auto-rollback a failure leaves DEPLOYMENT_FAILED, which
	// ContinueDeployStack takes up.
	created, err := c.CreateStack(&model.CreateStackRequest{ClientRequestId: crid(), Body: &model.CreateStackRequestBody{
		StackName: "net", TemplateBody: new(network)}})
	if err != nil {
		t.Fatal(err)
	}
	if res := wait(t, e, created.DeploymentId); res.Status != formation.StackDeploymentFailed {
		t.Fatalf("first deployment ended %+v", res)
	}
	_, err = c.ContinueRollbackStack(&model.ContinueRollbackStackRequest{ClientRequestId: crid(), StackName: "net", Body: &model.ContinueRollbackStackRequestBody{}})
	wantSDKError(t, err, 403, formation.CodeInvalidStackStatus)
	cont, err := c.ContinueDeployStack(&model.ContinueDeployStackRequest{ClientRequestId: crid(), StackName: "net",
		Body: &model.ContinueDeployStackRequestBody{StackId: created.StackId}})
	if err != nil {
		t.Fatal(err)
	}
	if cont.HttpStatusCode != 202 {
		t.Fatalf("ContinueDeployStack answered %d", cont.HttpStatusCode)
	}
	if res := wait(t, e, cont.DeploymentId); res.Status != formation.StackDeploymentComplete {
		t.Fatalf("continued deployment ended %+v", res)
	}

	// DeleteStackEnhanced keeping the resources: the stack goes, the
	// cloud keeps them.
	del, err := c.DeleteStackEnhanced(&model.DeleteStackEnhancedRequest{ClientRequestId: crid(), StackName: "net",
		Body: &model.DeleteStackEnhancedRequestBody{StackId: created.StackId, RetainAllResources: new(true)}})
	if err != nil || del.HttpStatusCode != 202 {
		t.Fatalf("DeleteStackEnhanced %+v, %v", del, err)
	}
	if _, err := e.WaitStack(context.Background(), engine.StackRef{Name: "net"}); !errors.Is(err, formation.ErrNotFound) {
		t.Fatalf("after DeleteStackEnhanced: %v", err)
	}
}

func TestSDK_ContinueRollback(t *testing.T) {
	faults := []sim.Fault{
		{Match: sim.Match{Op: sim.OpCreate, Address: "huaweicloud_vpc_subnet.subnet"}, Times: 1},
		{Match: sim.Match{Op: sim.OpDelete, Address: "huaweicloud_vpc.vpc"}, Times: 1, Message: "vpc in use"},
	}
	s := newServer(t, sim.Config{Seed: 4, UseCatalog: true, Faults: faults})
	c := s.client(t, testAK, testSK, project)
	e := s.engine(t, project)
	created, err := c.CreateStack(&model.CreateStackRequest{ClientRequestId: crid(), Body: &model.CreateStackRequestBody{
		StackName: "net", EnableAutoRollback: new(true), TemplateBody: new(network)}})
	if err != nil {
		t.Fatal(err)
	}
	if res := wait(t, e, created.DeploymentId); res.Status != formation.StackRollbackFailed {
		t.Fatalf("first deployment ended %+v", res)
	}
	cont, err := c.ContinueRollbackStack(&model.ContinueRollbackStackRequest{ClientRequestId: crid(), StackName: "net", Body: &model.ContinueRollbackStackRequestBody{}})
	if err != nil {
		t.Fatal(err)
	}
	if res := wait(t, e, cont.DeploymentId); res.Status != formation.StackRollbackComplete {
		t.Fatalf("continued rollback ended %+v", res)
	}
}

func TestSDK_ParseTemplateVariables(t *testing.T) {
	s := newServer(t, sim.Config{Seed: 5})
	c := s.client(t, testAK, testSK, project)
	vars, err := c.ParseTemplateVariables(&model.ParseTemplateVariablesRequest{ClientRequestId: crid(),
		Body: &model.ParseTemplateVariablesRequestBody{TemplateBody: new(network)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(*vars.Variables) != 1 || *(*vars.Variables)[0].Name != "name" || *(*vars.Variables)[0].Type != "string" || *(*vars.Variables)[0].Default != "demo" {
		t.Fatalf("ParseTemplateVariables %+v", vars)
	}
	none, err := c.ParseTemplateVariables(&model.ParseTemplateVariablesRequest{ClientRequestId: crid(),
		Body: &model.ParseTemplateVariablesRequestBody{TemplateBody: new(`resource "huaweicloud_vpc" "v" {}`)}})
	if err != nil || none.Variables != nil {
		t.Fatalf("a template without variables: %+v, %v", none, err)
	}
	_, err = c.ParseTemplateVariables(&model.ParseTemplateVariablesRequest{ClientRequestId: crid(),
		Body: &model.ParseTemplateVariablesRequestBody{TemplateBody: new(`resource "x" {`)}})
	wantSDKError(t, err, 400, formation.CodeInvalidTemplate)
}

// Errors come back as the SDK's ServiceResponseError with RFS's code and
// status, and refused requests change nothing.
func TestSDK_Errors(t *testing.T) {
	s := newServer(t, sim.Config{Seed: 6})
	c := s.client(t, testAK, testSK, project)
	if _, err := c.CreateStack(&model.CreateStackRequest{ClientRequestId: crid(), Body: &model.CreateStackRequestBody{StackName: "net"}}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateStack(&model.CreateStackRequest{ClientRequestId: crid(), Body: &model.CreateStackRequestBody{StackName: "net"}})
	wantSDKError(t, err, 409, formation.CodeNameConflict)
	_, err = c.CreateStack(&model.CreateStackRequest{ClientRequestId: crid(), Body: &model.CreateStackRequestBody{StackName: "9bad"}})
	wantSDKError(t, err, 400, formation.CodeInvalidName)
	_, err = c.GetStackMetadata(&model.GetStackMetadataRequest{ClientRequestId: crid(), StackName: "net", StackId: new("6fa459ea-ee8a-4ca4-894e-db77e160355e")})
	wantSDKError(t, err, 400, formation.CodeStackIDMismatch)
	_, err = c.ListStacks(&model.ListStacksRequest{ClientRequestId: crid(), Limit: new(int32(5))})
	wantSDKError(t, err, 400, formation.CodeInvalidParameter)
	_, err = c.DeployStack(&model.DeployStackRequest{ClientRequestId: crid(), StackName: "net", Body: &model.DeployStackRequestBody{}})
	wantSDKError(t, err, 400, formation.CodeMissingParameter)
	_, err = c.DeployStack(&model.DeployStackRequest{ClientRequestId: crid(), StackName: "net", Body: &model.DeployStackRequestBody{TemplateUri: new("https://obs.example.com/t.tf")}})
	wantSDKError(t, err, 400, formation.CodeUnsupported)
	_, err = c.UpdateStack(&model.UpdateStackRequest{ClientRequestId: crid(), StackName: "net", Body: &model.UpdateStackRequestBody{}})
	wantSDKError(t, err, 400, formation.CodeNothingToUpdate)
	_, err = c.ListStackEvents(&model.ListStackEventsRequest{ClientRequestId: crid(), StackName: "net", DeploymentId: new("6fa459ea-ee8a-4ca4-894e-db77e160355e")})
	wantSDKError(t, err, 404, formation.CodeDeploymentNotFound)
	_, err = c.GetStackTemplate(&model.GetStackTemplateRequest{ClientRequestId: crid(), StackName: "net"})
	wantSDKError(t, err, 404, formation.CodeTemplateNotFound)
	_, err = c.ListStacks(&model.ListStacksRequest{ClientRequestId: "too-short"})
	wantSDKError(t, err, 400, formation.CodeTooShort)
	_, err = c.ListStacks(&model.ListStacksRequest{})
	wantSDKError(t, err, 400, formation.CodeMissingParameter)
	_, err = c.ListTemplates(&model.ListTemplatesRequest{ClientRequestId: crid()})
	wantSDKError(t, err, 501, formation.CodeNotImplemented)
	_, err = c.ListStackSets(&model.ListStackSetsRequest{ClientRequestId: crid()})
	wantSDKError(t, err, 501, formation.CodeNotImplemented)
}

// A wrong secret key is 401; a key used for a project it may not use is
// 403; projects do not see each other's stacks.
func TestSDK_CredentialsAndProjects(t *testing.T) {
	s := newServer(t, sim.Config{Seed: 7})
	_, err := s.client(t, testAK, "wrong-secret", project).ListStacks(&model.ListStacksRequest{ClientRequestId: crid()})
	wantSDKError(t, err, 401, formation.CodeAuthFailed)
	_, err = s.client(t, "UNKNOWNAK", testSK, project).ListStacks(&model.ListStacksRequest{ClientRequestId: crid()})
	wantSDKError(t, err, 401, formation.CodeAuthFailed)
	_, err = s.client(t, "ONLYOTHER", "other-secret", project).ListStacks(&model.ListStacksRequest{ClientRequestId: crid()})
	wantSDKError(t, err, 403, formation.CodeForbidden)

	mine, theirs := s.client(t, testAK, testSK, project), s.client(t, testAK, testSK, other)
	for _, c := range []*aos.AosClient{mine, theirs} { // one name in each project
		if _, err := c.CreateStack(&model.CreateStackRequest{ClientRequestId: crid(), Body: &model.CreateStackRequestBody{StackName: "net"}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := theirs.CreateStack(&model.CreateStackRequest{ClientRequestId: crid(), Body: &model.CreateStackRequestBody{StackName: "theirs"}}); err != nil {
		t.Fatal(err)
	}
	list, err := mine.ListStacks(&model.ListStacksRequest{ClientRequestId: crid()})
	if err != nil {
		t.Fatal(err)
	}
	if len(*list.Stacks) != 1 || (*list.Stacks)[0].StackName != "net" {
		t.Fatalf("project %s lists %+v", project, list.Stacks)
	}
	_, err = mine.GetStackMetadata(&model.GetStackMetadataRequest{ClientRequestId: crid(), StackName: "theirs"})
	wantSDKError(t, err, 404, formation.CodeStackNotFound)
}

// Requests that fail authentication count against their address: past the
// burst they are answered 429 before any signature is checked.
func TestSDK_UnsignedRequestsAreRateLimited(t *testing.T) {
	cloud, _ := sim.New(sim.Config{})
	e, err := engine.New(engine.Config{Store: store.NewMemory(), DefaultProvider: cloud})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	keys, _ := rfsapi.NewKeys([]rfsapi.Key{{AccessKey: testAK, SecretKey: testSK, Projects: []string{"*"}}})
	h, err := rfsapi.New(rfsapi.Config{Projects: rfsapi.Single(project, e), Keys: keys, RateLimit: rfsapi.Rate{PerSecond: 0.001, Burst: 2}})
	if err != nil {
		t.Fatal(err)
	}
	s := &server{Server: httptest.NewServer(h)}
	defer s.Close()
	wrong := s.client(t, testAK, "guess", project)
	for range 2 {
		_, err = wrong.ListStacks(&model.ListStacksRequest{ClientRequestId: crid()})
		wantSDKError(t, err, 401, formation.CodeAuthFailed)
	}
	_, err = wrong.ListStacks(&model.ListStacksRequest{ClientRequestId: crid()})
	wantSDKError(t, err, 429, formation.CodeTooManyRequests)
	if _, err := s.client(t, testAK, testSK, project).ListStacks(&model.ListStacksRequest{ClientRequestId: crid()}); err != nil {
		t.Fatalf("the key's own budget: %v", err)
	}
}
