// Package rfsapi serves Huawei Cloud RFS's v1 HTTP API over Formation
// engines: what the official SDKs (services/aos/v1), scripts and
// Terraform's huaweicloud_rfs_stack speak.
//
// A Handler answers every stack, execution-plan, event, resource, output,
// template and ParseTemplateVariables operation of the spec (§1.1–1.3) at
// RFS's paths (/v1/{project_id}/stacks/…), with RFS's query parameters,
// JSON bodies and status codes (202 with a deployment_id for the
// asynchronous operations, whose stack is already *_IN_PROGRESS), and
// errors as {"error_code", "error_msg"} with an X-Request-Id on every
// response. A request must carry a Client-Request-Id (36–128 characters);
// an unknown body field is refused (RF.10011002), and so is a query
// parameter given twice (RF.10011197). DeleteStack answers 202 without a
// body, as RFS; its deployment id is in the X-Formation-Deployment-Id
// header. Operations outside Formation's
// scope (template library, stack sets, private providers, hooks and
// modules, price estimation) answer 501.
//
// project_id isolates stacks: a Projects gives each project its engine
// (Single for one engine, OpenProjects for many in one store). With Keys,
// requests must be signed as the SDK signs them (SDK-HMAC-SHA256, with an
// X-Sdk-Date within 15 minutes; 401 RF.10012001 otherwise), and a key may
// use only its projects (403).
//
// Formation's extensions live under /formation/v1/: healthz, a live event
// stream (Server-Sent Events, resuming from a sequence number), a preview
// of a template against a stack, and the template downloads GetStackTemplate
// redirects to.
//
// The Handler is an http.Handler: mount it in any server, or on a unix
// socket.
package rfsapi
