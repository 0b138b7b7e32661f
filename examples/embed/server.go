package main

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
)

// maxTemplateBytes bounds a request body. The engine enforces RFS's own
// template limits after this; the bound only keeps a client from making the
// server read without end.
const maxTemplateBytes = 1 << 20

// NewHandler returns the HTTP API of the service over an engine:
//
//	POST /stacks/{name}/deployments  body: template text (HCL or JSON)
//	                                 → 202 {"deployment_id": "…"}
//	GET  /stacks/{name}              → 200 the stack's metadata (RFS GetStackMetadata)
//	GET  /stacks/{name}/events       → 200 {"stack_events": […], "page_info": {…}}
//	                                   query: deployment_id, filter, field, limit, marker
//
// Errors carry RFS's body, {"error_code": "RF.…", "error_msg": "…"}, with the
// HTTP status of the code.
func NewHandler(e *engine.Engine) http.Handler {
	a := &api{e: e}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /stacks/{name}/deployments", a.deploy)
	mux.HandleFunc("GET /stacks/{name}", a.metadata)
	mux.HandleFunc("GET /stacks/{name}/events", a.events)
	return mux
}

type api struct{ e *engine.Engine }

// deploy deploys the body to the stack, creating the stack (with
// auto-rollback on) on its first deployment. It answers as soon as the
// deployment has started; clients poll GET /stacks/{name} for the outcome.
func (a *api) deploy(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxTemplateBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			err = formation.Errorf(formation.CodeTooLong, "deploy", "", "the template is longer than %d bytes", maxTemplateBytes)
		}
		writeError(w, err)
		return
	}
	ref := engine.StackRef{Name: r.PathValue("name")}
	in := engine.TemplateInput{TemplateBody: string(body)}
	dep, err := a.e.DeployStack(r.Context(), engine.DeployStackRequest{StackRef: ref, TemplateInput: in})
	if formation.HasCode(err, formation.CodeStackNotFound) {
		// The first deployment creates the stack. Of two concurrent first
		// deployments one wins; the other gets a 409 (name conflict).
		var res engine.CreateStackResult
		res, err = a.e.CreateStack(r.Context(), engine.CreateStackRequest{Name: ref.Name, EnableAutoRollback: true, TemplateInput: in})
		dep = res.DeploymentRef
	}
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, dep)
}

func (a *api) metadata(w http.ResponseWriter, r *http.Request) {
	stack, err := a.e.GetStackMetadata(r.Context(), engine.StackRef{Name: r.PathValue("name")})
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, stack)
}

func (a *api) events(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	req := engine.ListStackEventsRequest{
		StackRef:     engine.StackRef{Name: r.PathValue("name")},
		DeploymentID: q.Get("deployment_id"),
		Filter:       q.Get("filter"),
		Field:        q.Get("field"),
		ListOptions:  engine.ListOptions{Marker: q.Get("marker")},
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			writeError(w, formation.Errorf(formation.CodeInvalidParameter, "events", "", "limit %q is not a number", s))
			return
		}
		req.Limit = n
	}
	page, err := a.e.ListStackEvents(r.Context(), req)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

// errorBody is RFS's error response.
type errorBody struct {
	Code    formation.Code `json:"error_code"`
	Message string         `json:"error_msg"`
}

// writeError answers with the HTTP status of err's code. Anything that is
// not a *formation.Error (which the engine does not return for a request it
// understood) is an internal error.
func writeError(w http.ResponseWriter, err error) {
	fe, ok := errors.AsType[*formation.Error](err)
	if !ok {
		fe = formation.Wrap(formation.CodeInternal, "", "", err)
	}
	msg := fe.Message
	switch {
	case msg == "" && fe.Err != nil:
		msg = fe.Err.Error() // template diagnostics, a provider's error
	case fe.Err != nil:
		msg += ": " + fe.Err.Error()
	}
	writeJSON(w, fe.HTTPStatus(), errorBody{Code: fe.Code, Message: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client may have gone; nothing to do then
}
