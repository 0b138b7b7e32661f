// Command embed is a Go service with Formation embedded: it mounts RFS's v1
// HTTP API (package rfsapi) beside its own routes, so any RFS client — the
// official SDKs, scripts, Terraform — can use the service as its RFS
// endpoint. The handler is in server.go; this file runs it.
//
// To stay runnable anywhere (and in CI), main starts the service on a free
// loopback port without credentials, plays a client speaking RFS's JSON
// over plain HTTP — create a stack with a template (202 and a deployment
// id, the stack already DEPLOYMENT_IN_PROGRESS), follow its events live
// (Formation's Server-Sent Events), read its outputs, provoke RFS errors,
// ask the service's own /inventory — prints what it got, and shuts down.
// main_test.go drives the same service with the official Huawei Cloud SDK,
// signing with an access key.
//
// Run it with:
//
//	go run ./examples/embed
//
// In a real service you would open a bbolt file (engine.Open), register
// real providers, load access keys (rfsapi.ReadKeys) and call
// ListenAndServe; or run `formation serve`, which does all that.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/rfsapi"
	"github.com/formation-engine/formation/store"
)

const network = `
resource "huaweicloud_vpc" "vpc" {
  name = "web-vpc"
  cidr = "10.0.0.0/16"
}

resource "huaweicloud_vpc_subnet" "subnet" {
  name       = "web-subnet"
  vpc_id     = huaweicloud_vpc.vpc.id
  cidr       = "10.0.1.0/24"
  gateway_ip = "10.0.1.1"
}

output "subnet_name" {
  value = huaweicloud_vpc_subnet.subnet.name
}
`

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// newEngine is the service's engine: an in-memory store and a seeded
// simulated cloud, one resource operation at a time, so every run prints
// the same.
func newEngine() (*engine.Engine, error) {
	cloud, err := sim.New(sim.Config{Seed: 3, UseCatalog: true})
	if err != nil {
		return nil, err
	}
	return engine.New(engine.Config{Store: store.NewMemory(), DefaultProvider: cloud, IDSeed: 3, Parallelism: 1})
}

func run(ctx context.Context, w io.Writer) error {
	e, err := newEngine()
	if err != nil {
		return err
	}
	defer e.Close() // after the server's Shutdown (defers run last-in first-out)
	h, err := NewHandler(e, nil, nil)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0") // loopback: no credentials
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	defer func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdownCtx); err != nil {
			log.Printf("shutdown: %v", err)
		}
		<-served
		fmt.Fprintln(w, "server stopped")
	}()
	c := &client{base: "http://" + ln.Addr().String(), w: w}
	return c.demo(ctx)
}

// client plays an RFS client over plain HTTP.
type client struct {
	base string
	w    io.Writer
	n    int // requests sent, for Client-Request-Id
}

const stacks = "/v1/" + rfsapi.DefaultProject + "/stacks"

func (c *client) demo(ctx context.Context) error {
	// CreateStack with a template creates and deploys: the answer comes at
	// once, with the deployment's id.
	body, _ := json.Marshal(map[string]any{"stack_name": "web", "template_body": network})
	status, out, err := c.do(ctx, "POST", stacks, string(body))
	if err != nil {
		return err
	}
	fmt.Fprintf(c.w, "CreateStack → %d %s", status, out)
	var created struct {
		DeploymentID string `json:"deployment_id"`
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil {
		return err
	}

	// Follow the deployment's events as they happen; the stream ends with
	// an "end" event once the deployment is over.
	fmt.Fprintln(c.w, "events:")
	if err := c.follow(ctx, "/formation/v1/"+rfsapi.DefaultProject+"/stacks/web/events/stream?deployment_id="+created.DeploymentID); err != nil {
		return err
	}
	if _, out, err = c.do(ctx, "GET", stacks+"/web/outputs", ""); err != nil {
		return err
	}
	fmt.Fprintf(c.w, "ListStackOutputs → %s", out)

	// RFS's errors: the body every RFS client understands.
	for _, req := range []struct{ method, path, body string }{
		{"GET", stacks + "/nope/metadata", ""},
		{"POST", stacks, `{"stack_name":"web"}`},
		{"POST", stacks, `{"stack_name":"x","template":"typo"}`},
	} {
		status, out, err := c.do(ctx, req.method, req.path, req.body)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.w, "%s %s → %d %s", req.method, req.path, status, out)
	}

	// The service's own route, beside RFS's.
	_, out, err = c.do(ctx, "GET", "/inventory", "")
	fmt.Fprintf(c.w, "GET /inventory → %s", out)
	return err
}

// do sends one request with a Client-Request-Id, which RFS requires.
func (c *client) do(ctx context.Context, method, path, body string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	c.n++
	req.Header.Set("Client-Request-Id", fmt.Sprintf("embed-example-request-%014d", c.n))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// follow prints a Server-Sent Events stream of stack events until its end.
func (c *client) follow(ctx context.Context, path string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", c.base+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: ") && event == "end":
			fmt.Fprintf(c.w, "  (stream ended: %s)\n", strings.TrimPrefix(line, "data: "))
		case strings.HasPrefix(line, "data: "):
			var ev struct {
				Sequence uint64 `json:"sequence"`
				Type     string `json:"event_type"`
				Message  string `json:"event_message"`
			}
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev); err != nil {
				return err
			}
			fmt.Fprintf(c.w, "  %2d %-20s %s\n", ev.Sequence, ev.Type, ev.Message)
		}
	}
	return sc.Err()
}
