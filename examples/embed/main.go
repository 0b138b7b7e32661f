// Command embed is a small HTTP service with Formation embedded: a deploy
// endpoint that takes a template and answers 202 with a deployment id, a
// status endpoint and an events endpoint, with errors in RFS's shape
// ({"error_code", "error_msg"}) and RFS's HTTP statuses. The handler is in
// server.go; this file runs it.
//
// To keep the example runnable anywhere (and in CI), main starts the server
// on a free local port, plays a client against it — deploy, poll the status
// until the deployment is over, fetch the events, provoke a 404 and a 400 —
// prints what it got, and shuts the server down.
//
// Run it with:
//
//	go run ./examples/embed
//
// In a real service you would open a bbolt file (engine.Open, or
// store.OpenBolt and engine.New) instead of the in-memory store, register
// real providers, and call ListenAndServe.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
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

resource "huaweicloud_networking_secgroup" "web" {
  name = "web"
}
`

func main() {
	if err := run(context.Background()); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context) error {
	// The engine: an in-memory store and a simulated cloud in which every
	// create takes 100ms, so the client below sees the deployment running.
	cloud, err := sim.New(sim.Config{
		Seed:       3,
		UseCatalog: true,
		Latency:    []sim.LatencyRule{{Match: sim.Match{Op: sim.OpCreate}, Duration: 100 * time.Millisecond}},
	})
	if err != nil {
		return err
	}
	// Parallelism 1 runs one resource operation at a time, so the events
	// printed below come in the same order on every run; IDSeed makes the
	// ids the same on every run.
	e, err := engine.New(engine.Config{Store: store.NewMemory(), DefaultProvider: cloud, IDSeed: 3, Parallelism: 1})
	if err != nil {
		return err
	}
	defer e.Close() // after the server's Shutdown (defers run last-in first-out)

	// The server, on a free port of the loopback interface.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: NewHandler(e), ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	defer func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdownCtx); err != nil {
			log.Printf("shutdown: %v", err)
		}
		if err := <-served; err != http.ErrServerClosed {
			log.Printf("serve: %v", err)
		}
		fmt.Println("server stopped")
	}()

	c := &client{base: "http://" + ln.Addr().String(), http: &http.Client{Timeout: 10 * time.Second}}
	return c.demo(ctx)
}

// client plays the service's user.
type client struct {
	base string
	http *http.Client
}

func (c *client) demo(ctx context.Context) error {
	// Deploy: 202 and a deployment id, at once.
	status, body, err := c.do(ctx, http.MethodPost, "/stacks/web/deployments", network)
	if err != nil {
		return err
	}
	fmt.Printf("POST /stacks/web/deployments → %d %s", status, body)
	if status != http.StatusAccepted {
		return fmt.Errorf("deploy answered %d", status)
	}
	var accepted struct {
		DeploymentID string `json:"deployment_id"`
	}
	if err := json.Unmarshal(body, &accepted); err != nil {
		return err
	}

	// Poll the stack's status until it is terminal (…_COMPLETE or
	// …_FAILED), as a client of RFS does.
	var stack formation.Stack
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, body, err := c.do(ctx, http.MethodGet, "/stacks/web", "")
		if err != nil {
			return err
		}
		if status != http.StatusOK {
			return fmt.Errorf("GET /stacks/web answered %d: %s", status, body)
		}
		if err := json.Unmarshal(body, &stack); err != nil {
			return err
		}
		if stack.Status.Terminal() {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("stack still %s after 10s", stack.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Times are left out: they are the wall clock's, and differ per run.
	fmt.Printf("GET /stacks/web → %s (stack_id %s, auto-rollback %v)\n", stack.Status, stack.ID, stack.EnableAutoRollback)
	if stack.Status != formation.StackDeploymentComplete {
		return fmt.Errorf("deployment ended %s: %s", stack.Status, stack.StatusMessage)
	}

	// The deployment's events, newest first as RFS lists them.
	q := url.Values{"deployment_id": {accepted.DeploymentID}}
	var page engine.EventPage
	if err := c.getJSON(ctx, "/stacks/web/events?"+q.Encode(), &page); err != nil {
		return err
	}
	fmt.Printf("GET /stacks/web/events?deployment_id=… → %d events\n", page.PageInfo.CurrentCount)
	for _, ev := range page.StackEvents {
		fmt.Printf("  %2d %-20s %s\n", ev.Sequence, ev.EventType, ev.EventMessage)
	}
	// Filtered and projected with RFS's syntax.
	q = url.Values{"filter": {"event_type==SUMMARY"}, "field": {"event_message"}}
	if err := c.getJSON(ctx, "/stacks/web/events?"+q.Encode(), &page); err != nil {
		return err
	}
	for _, ev := range page.StackEvents {
		fmt.Printf("GET /stacks/web/events?filter=event_type==SUMMARY → %s %q\n", ev.EventType, ev.EventMessage)
	}

	// Errors: RFS's body and status. A stack that does not exist…
	status, body, err = c.do(ctx, http.MethodGet, "/stacks/nosuchstack", "")
	if err != nil {
		return err
	}
	fmt.Printf("GET /stacks/nosuchstack → %d %s", status, body)
	// …and a template that does not parse (nothing is deployed).
	status, body, err = c.do(ctx, http.MethodPost, "/stacks/web/deployments", `resource "huaweicloud_vpc" "vpc" {`)
	if err != nil {
		return err
	}
	fmt.Printf("POST /stacks/web/deployments (bad template) → %d %s", status, body)
	if status != http.StatusBadRequest {
		return fmt.Errorf("bad template answered %d", status)
	}
	return nil
}

// do sends a request and returns the status and body.
func (c *client) do(ctx context.Context, method, path, body string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// getJSON GETs path and decodes a 200 answer into v.
func (c *client) getJSON(ctx context.Context, path string, v any) error {
	status, body, err := c.do(ctx, http.MethodGet, path, "")
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("GET %s answered %d: %s", path, status, bytes.TrimSpace(body))
	}
	return json.Unmarshal(body, v)
}
