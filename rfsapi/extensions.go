package rfsapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
)

// Formation's own operations live under /formation/v1/, never inside RFS's
// paths.
const extensionRoot = "/formation/v1"

func (h *Handler) extensions() {
	h.mux.HandleFunc("GET "+extensionRoot+"/healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	h.mux.HandleFunc("GET "+templatePath("{project_id}", "{stack_name}"), h.downloadTemplate)
	h.mux.Handle("GET "+extensionRoot+"/{project_id}/stacks/{stack_name}/events/stream", h.rfs(route{
		extension: true, query: []string{"stack_id", "deployment_id", "after"}, op: h.streamEvents}))
	h.mux.Handle("POST "+extensionRoot+"/{project_id}/stacks/{stack_name}/preview", h.rfs(route{
		extension: true, template: true, op: preview}))
	h.mux.Handle("GET "+extensionRoot+"/{project_id}/stacks/{stack_name}/execution-plans/{execution_plan_name}/terraform-plan", h.rfs(route{
		extension: true, query: []string{"stack_id", "execution_plan_id"}, op: h.terraformPlan}))
	h.mux.Handle("POST "+objectsPath, h.rfs(route{extension: true, query: []string{"name"}, bodyLimit: maxObjectBytes, op: h.uploadTemplate}))
}

// streamEvents streams a stack's events as Server-Sent Events, oldest
// first: each event's id is its sequence number, so a client that
// reconnects with Last-Event-ID (or ?after=) misses nothing. With
// deployment_id the stream ends after that deployment's last event. The
// last message is an "end" event saying why the stream ended.
func (h *Handler) streamEvents(c *call) (int, any, error) {
	const op = "rfsapi.StreamEvents"
	after := c.query.Get("after")
	if id := c.r.Header.Get("Last-Event-ID"); id != "" {
		after = id
	}
	req := engine.FollowRequest{StackRef: c.stack(), DeploymentID: c.query.Get("deployment_id")}
	if after != "" {
		n, err := strconv.ParseUint(after, 10, 64)
		if err != nil {
			return 0, nil, formation.Errorf(formation.CodeInvalidParameter, op, "", "after %q is not a sequence number", after)
		}
		req.After = n
	}
	ctx, cancel := context.WithCancel(c.ctx)
	defer cancel()
	stop := context.AfterFunc(h.streams, cancel)
	defer stop()
	stream, err := c.eng.Follow(ctx, req)
	if err != nil {
		return 0, nil, err
	}
	w, rc := c.w, http.NewResponseController(c.w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	send := func(event, id string, v any) error {
		// A stream outlives the server's write timeout: each message
		// gets its own.
		_ = rc.SetWriteDeadline(time.Now().Add(time.Minute))
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if id != "" {
			fmt.Fprintf(w, "id: %s\n", id)
		}
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b); err != nil {
			return err
		}
		return rc.Flush()
	}
	// A comment line now and then keeps a quiet stream within the write
	// deadline and tells proxies the connection is alive.
	keepAlive := time.NewTicker(streamKeepAlive)
	defer keepAlive.Stop()
loop:
	for {
		select {
		case ev, ok := <-stream.Events:
			if !ok {
				break loop
			}
			if err := send("event", strconv.FormatUint(ev.Sequence, 10), ev); err != nil {
				cancel() // the client went away: stop following
			}
		case <-keepAlive.C:
			_ = rc.SetWriteDeadline(time.Now().Add(time.Minute))
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				cancel()
			}
		}
	}
	_ = send("end", "", map[string]string{"reason": string(stream.End())})
	return 0, nil, errStreamed
}

// streamKeepAlive is how often a quiet event stream sends a comment.
const streamKeepAlive = 30 * time.Second

// errStreamed tells rfs the operation wrote its own response.
var errStreamed = fmt.Errorf("response already written")

type previewBody struct {
	StackID string `json:"stack_id,omitempty"`
	engine.TemplateInput
}

// preview plans a template against a stack's resources without storing
// anything: the plan as JSON (Formation's plan document).
func preview(c *call) (int, any, error) {
	var b previewBody
	if err := decode(c.body, &b, true); err != nil {
		return 0, nil, err
	}
	if err := c.resolveTemplate(&b.TemplateInput); err != nil {
		return 0, nil, err
	}
	ref := c.stack()
	ref.ID = b.StackID
	p, err := c.eng.PreviewStack(c.ctx, engine.PreviewStackRequest{StackRef: ref, TemplateInput: b.TemplateInput})
	return http.StatusOK, p, err
}

// terraformPlan answers a stored plan in Terraform's JSON plan format
// (engine.TerraformPlanJSON), which RFS's own plan items do not carry.
func (h *Handler) terraformPlan(c *call) (int, any, error) {
	b, err := c.eng.TerraformPlanJSON(c.ctx, c.plan(), h.cfg.Tool)
	return http.StatusOK, json.RawMessage(b), err
}
