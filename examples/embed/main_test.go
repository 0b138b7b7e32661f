package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http/httptest"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	aos "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/aos/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/aos/v1/model"

	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/internal/exampletest"
	"github.com/formation-engine/formation/rfsapi"
)

func TestRun(t *testing.T) {
	exampletest.RunTwice(t, run,
		"CreateStack → 200 ",
		"   7 LOG                  Stack web is DEPLOYMENT_COMPLETE.",
		`  (stream ended: {"reason":"DEPLOYMENT_FINISHED"})`,
		`GET /v1/formation/stacks/nope/metadata → 404 {"error_code":"RF.10014001","error_msg":"nope: stack does not exist"}`,
		`POST /v1/formation/stacks → 400 {"error_code":"RF.10011002","error_msg":"unrecognized parameter(s): \"template\""}`,
		"GET /inventory → web DEPLOYMENT_COMPLETE",
		"server stopped")
}

// The official Huawei Cloud SDK against the service: endpoint, access key,
// secret key and project id are all it needs.
func Example_sdk() {
	e, err := newEngine()
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	keys, err := rfsapi.NewKeys([]rfsapi.Key{{AccessKey: "MYAK", SecretKey: "MYSK", Projects: []string{rfsapi.DefaultProject}}})
	if err != nil {
		log.Fatal(err)
	}
	h, err := NewHandler(e, keys, nil)
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(h) // or formation serve -credentials keys.json
	defer srv.Close()

	cred, err := basic.NewCredentialsBuilder().WithAk("MYAK").WithSk("MYSK").WithProjectId(rfsapi.DefaultProject).SafeBuild()
	if err != nil {
		log.Fatal(err)
	}
	hc, err := aos.AosClientBuilder().WithEndpoints([]string{srv.URL}).WithCredential(cred).SafeBuild()
	if err != nil {
		log.Fatal(err)
	}
	client := aos.NewAosClient(hc)

	requestID := "3fa85f64-5717-4562-b3fc-2c963f66afa6" // Client-Request-Id: 36 to 128 characters
	created, err := client.CreateStack(&model.CreateStackRequest{ClientRequestId: requestID,
		Body: &model.CreateStackRequestBody{StackName: "web", TemplateBody: new(network)}})
	if err != nil {
		log.Fatal(err)
	}
	// An RFS client polls GetStackMetadata; in Go the engine can wait.
	if _, err := e.Wait(context.Background(), engine.DeploymentRef{DeploymentID: *created.DeploymentId}); err != nil {
		log.Fatal(err)
	}
	meta, err := client.GetStackMetadata(&model.GetStackMetadataRequest{ClientRequestId: requestID, StackName: "web"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(meta.StackName, meta.Status.Value())

	_, err = client.GetStackMetadata(&model.GetStackMetadataRequest{ClientRequestId: requestID, StackName: "nope"})
	var se *sdkerr.ServiceResponseError
	if errors.As(err, &se) {
		fmt.Println(se.StatusCode, se.ErrorCode, se.ErrorMessage)
	}
	// Output:
	// web DEPLOYMENT_COMPLETE
	// 404 RF.10014001 nope: stack does not exist
}
