package rfsapi

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/internal/uuid"
	"github.com/formation-engine/formation/template"
)

// Config configures a Handler. Projects is required; the zero value of every
// other field means its default.
type Config struct {
	// Projects gives each project id its engine.
	Projects Projects
	// Keys are the access keys requests must be signed with
	// (SDK-HMAC-SHA256), each allowed some projects. nil serves requests
	// unsigned: only for a handler reachable from this machine alone
	// (formation serve refuses a non-loopback address without keys).
	Keys *Keys
	// TemplateLimits are the limits ParseTemplateVariables parses with and
	// that size request bodies (nil: RFS's; &template.Limits{} lifts them).
	// Give the engines' Config.TemplateLimits.
	TemplateLimits *template.Limits
	// Logger receives one line per request, and the causes of internal
	// errors. nil discards them.
	Logger *slog.Logger
	// Now is the clock X-Sdk-Date is checked against (nil: time.Now).
	Now func() time.Time
	// RateLimit bounds the requests of each client (access key, or remote
	// address without keys); the zero value sets no bound.
	RateLimit Rate
	// Tool names this server where a document names its producer: the
	// terraform_version of Terraform JSON plans ("" is "formation").
	Tool string
	// SourceVPCs gives the networks of the VPCs requests come from, by VPC
	// id: a request whose remote address one of a VPC's networks holds
	// comes from that VPC. It gives access_control_source_vpc_ids of
	// GetStackTemplate its meaning, as RFS's object storage restricts a
	// download to requests from the VPCs named. A URL made for VPCs none
	// of whose networks are known here is usable from no VPC.
	SourceVPCs map[string][]netip.Prefix
}

// Handler serves RFS's v1 stack API over engines, one per project: the
// paths, query parameters, JSON bodies, status codes and error bodies of
// the official SDK's services/aos/v1, and Formation's extensions under
// /formation/v1/. It is safe for concurrent use.
type Handler struct {
	cfg     Config
	mux     *http.ServeMux
	ids     *uuid.Generator
	limiter *limiter
	secret  []byte // signs the short-lived template download URLs
	log     *slog.Logger

	objects templateObjects // uploaded template zips (objects.go)

	// streams is the context of the live event streams, which outlive any
	// request timeout: Shutdown cancels it so a server can drain.
	streams    context.Context
	endStreams context.CancelFunc
}

// New returns a Handler for cfg.
func New(cfg Config) (*Handler, error) {
	if cfg.Projects == nil {
		return nil, formation.Errorf(formation.CodeInvalidParameter, "rfsapi.New", "", "Config.Projects is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Tool == "" {
		cfg.Tool = "formation"
	}
	h := &Handler{cfg: cfg, mux: http.NewServeMux(), ids: uuid.NewRandom(), log: cfg.Logger, secret: make([]byte, 32)}
	_, _ = rand.Read(h.secret) // never fails
	h.limiter = newLimiter(cfg.RateLimit, cfg.Now)
	h.streams, h.endStreams = context.WithCancel(context.Background())
	for _, rt := range h.routes() {
		h.mux.Handle(rt.pattern, h.rfs(rt))
	}
	h.extensions()
	return h, nil
}

// Shutdown ends the live event streams (each with an "end" event), so that
// http.Server.Shutdown, which waits for connections to go idle, can finish.
// Other requests are not affected. Register it with
// http.Server.RegisterOnShutdown.
func (h *Handler) Shutdown() { h.endStreams() }

// ServeHTTP answers one request. Every response carries an X-Request-Id;
// every error is RFS's {"error_code", "error_msg"}.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := h.cfg.Now()
	id := h.ids.New()
	w.Header().Set("X-Request-Id", id)
	rec := &recorder{ResponseWriter: w}
	if _, pattern := h.mux.Handler(r); pattern == "" {
		if outOfScope(r.URL.Path) {
			h.writeError(rec, r, errNotImplemented)
		} else {
			h.writeError(rec, r, formation.Errorf(formation.CodeNoSuchOperation, "", "", "no operation is %s %s", r.Method, r.URL.Path))
		}
	} else {
		h.mux.ServeHTTP(rec, r)
	}
	h.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
		slog.String("request_id", id), slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.Int("status", rec.status()), slog.Duration("duration", h.cfg.Now().Sub(start)),
		slog.String("client", clientOf(r)), slog.String("client_request_id", r.Header.Get("Client-Request-Id")))
}

// recorder remembers the status a handler wrote, for the request log.
type recorder struct {
	http.ResponseWriter
	code int
}

func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Flush lets the event stream reach the client as it is written.
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) status() int {
	if r.code == 0 {
		return http.StatusOK
	}
	return r.code
}

// call is one RFS request, checked and authenticated, with its project's
// engine.
type call struct {
	h       *Handler
	ctx     context.Context
	r       *http.Request
	w       http.ResponseWriter
	project string
	eng     *engine.Engine
	query   url.Values // single-valued, only the parameters the operation takes
	body    []byte     // the whole body, read within its limit
}

func (c *call) stack() engine.StackRef {
	return engine.StackRef{Name: c.r.PathValue("stack_name"), ID: c.query.Get("stack_id")}
}

func (c *call) plan() engine.PlanRef {
	return engine.PlanRef{StackRef: c.stack(), PlanName: c.r.PathValue("execution_plan_name"), PlanID: c.query.Get("execution_plan_id")}
}

// rfs wraps an operation with what every RFS request goes through:
// Client-Request-Id, the rate limit, the body read within its limit, the
// signature, the project, and the query parameters.
func (h *Handler) rfs(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := h.admit(w, r, rt)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		status, out, err := rt.op(c)
		if err == errStreamed {
			return
		}
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		writeJSON(w, status, out)
	})
}

func (h *Handler) admit(w http.ResponseWriter, r *http.Request, rt route) (*call, error) {
	const op = "rfsapi"
	if !rt.extension {
		if err := checkClientRequestID(r.Header.Values("Client-Request-Id")); err != nil {
			return nil, err
		}
	}
	body, err := readBody(w, r, rt.maxBody(h.cfg.TemplateLimits))
	if err != nil {
		return nil, err
	}
	project := r.PathValue("project_id")
	client := clientOf(r)
	if h.cfg.Keys != nil {
		key, err := h.cfg.Keys.verify(r, body, h.cfg.Now())
		if err != nil {
			// A request that is not signed counts against its address,
			// so that guessing signatures is throttled too.
			if !h.limiter.allow(client) {
				return nil, errTooMany
			}
			return nil, err
		}
		client = "ak:" + key.AccessKey
		if project != "" && !key.allows(project) {
			if err := validProject(project); err != nil {
				return nil, err
			}
			return nil, formation.Errorf(formation.CodeForbidden, op, project, "the access key may not use project %s", project)
		}
	}
	if !h.limiter.allow(client) {
		return nil, errTooMany
	}
	query, err := checkQuery(r.URL.RawQuery, rt.query)
	if err != nil {
		return nil, err
	}
	c := &call{h: h, ctx: r.Context(), r: r, w: w, project: project, query: query, body: body}
	if project != "" {
		if err := validProject(project); err != nil {
			return nil, err
		}
		if c.eng, err = h.cfg.Projects.Engine(r.Context(), project); err != nil {
			return nil, err
		}
	}
	return c, nil
}

var errTooMany = formation.Errorf(formation.CodeTooManyRequests, "rfsapi", "", "too many requests; try again in a second")

// checkClientRequestID requires the one Client-Request-Id RFS requires on
// every call: 36 to 128 characters.
func checkClientRequestID(values []string) error {
	const op, field = "rfsapi", "Client-Request-Id"
	switch {
	case len(values) == 0 || values[0] == "":
		return formation.Errorf(formation.CodeMissingParameter, op, field, "missing required parameter(s): the Client-Request-Id header")
	case len(values) > 1:
		return formation.Errorf(formation.CodeDuplicateQuery, op, field, "duplicate values cannot be assigned to the Client-Request-Id header")
	case len(values[0]) < 36:
		return formation.Errorf(formation.CodeTooShort, op, field, "Client-Request-Id is %d characters, fewer than 36", len(values[0]))
	case len(values[0]) > 128:
		return formation.Errorf(formation.CodeTooLong, op, field, "Client-Request-Id is %d characters, more than 128", len(values[0]))
	}
	return nil
}

// validProject checks a project_id: 3 to 64 letters, digits, '-' or '_'.
func validProject(id string) error {
	const op = "rfsapi"
	if len(id) < 3 || len(id) > 64 {
		return formation.Errorf(formation.CodeInvalidProjectID, op, "", "project ID must be 3 to 64 characters, not %d", len(id))
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return formation.Errorf(formation.CodeInvalidProjectID, op, "", "project ID contains invalid letter %q; it may contain English letters, digits, '-' and '_'", c)
		}
	}
	return nil
}
