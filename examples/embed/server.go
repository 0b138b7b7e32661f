package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/rfsapi"
)

// NewHandler is the service's HTTP handler: its own routes, with RFS's v1
// API over the engine mounted beside them. Any RFS client — the official
// SDKs, scripts, Terraform's huaweicloud_rfs_stack — can then use the
// service as its RFS endpoint, in project rfsapi.DefaultProject. With keys,
// requests must be signed with one of them (as the SDKs sign); without,
// serve the handler on a loopback address only.
func NewHandler(e *engine.Engine, keys *rfsapi.Keys, log *slog.Logger) (http.Handler, error) {
	api, err := rfsapi.New(rfsapi.Config{Projects: rfsapi.Single(rfsapi.DefaultProject, e), Keys: keys, Logger: log})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/v1/", api)           // RFS's API
	mux.Handle("/formation/v1/", api) // Formation's extensions: healthz, event streams, preview
	mux.HandleFunc("GET /inventory", func(w http.ResponseWriter, r *http.Request) {
		inventory(r.Context(), w, e)
	})
	return mux, nil
}

// inventory is the service's own endpoint: every stack with its status, as
// "name status" lines, read through the engine's Go API.
func inventory(ctx context.Context, w http.ResponseWriter, e *engine.Engine) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	req := engine.ListStacksRequest{}
	for {
		page, err := e.ListStacks(ctx, req)
		if err != nil {
			http.Error(w, err.Error(), formation.CodeOf(err).HTTPStatus())
			return
		}
		for _, s := range page.Stacks {
			_, _ = w.Write([]byte(s.Name + " " + string(s.Status) + "\n"))
		}
		if page.PageInfo.NextMarker == "" {
			return
		}
		req.Marker = page.PageInfo.NextMarker
	}
}
