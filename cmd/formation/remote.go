package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/rfsapi"
)

// remote is a backend that is a client of the owner: the formation process
// holding the database serves RFS's v1 API on the socket beside it
// (owner.go), and this process asks it over that socket, as an SDK would.
type remote struct {
	socket string
	client *http.Client
}

// newRemote is a client of the API served on the unix socket at path.
func newRemote(socket string) *remote {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
		DisableCompression: true,
	}
	return &remote{socket: socket, client: &http.Client{Transport: tr}}
}

// ownerHost is the Host of every request: the socket is the address.
const ownerHost = "formation.owner"

// healthy reports whether an owner answers on the socket within a second.
func (r *remote) healthy(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+ownerHost+"/formation/v1/healthz", nil)
	if err != nil {
		return false
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode == http.StatusOK
}

// stackPath is the RFS path of a stack, or of the stacks with name "".
func stackPath(name string) string {
	p := "/v1/" + rfsapi.DefaultProject + "/stacks"
	if name != "" {
		p += "/" + url.PathEscape(name)
	}
	return p
}

func planPath(ref engine.PlanRef) string {
	return stackPath(ref.Name) + "/execution-plans/" + url.PathEscape(ref.PlanName)
}

// send makes one API call: body (if not nil) as JSON, the answer decoded
// into out (if not nil). An error answer becomes the *formation.Error it
// was on the owner's side.
func (r *remote) send(ctx context.Context, method, p string, query url.Values, body, out any) (http.Header, error) {
	resp, err := r.open(ctx, method, p, query, body)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return nil, r.lost(err)
		}
	}
	return resp.Header, nil
}

// open makes a call and returns the successful response, unread.
func (r *remote) open(ctx context.Context, method, p string, query url.Values, body any) (*http.Response, error) {
	var rd io.Reader
	contentType := "application/json"
	switch b := body.(type) {
	case nil:
	case objectBody:
		rd, contentType = bytes.NewReader(b), "application/octet-stream"
	default:
		js, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(js)
	}
	u := url.URL{Scheme: "http", Host: ownerHost, Path: p}
	if len(query) > 0 {
		u.RawQuery = query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Client-Request-Id", requestID())
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, r.lost(err)
	}
	if resp.StatusCode < 400 {
		return resp, nil
	}
	defer resp.Body.Close()
	var e struct {
		Code    formation.Code `json:"error_code"`
		Message string         `json:"error_msg"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&e); err != nil || e.Code == "" {
		return nil, formation.Errorf(formation.CodeInternal, "", "", "the formation process holding the database answered %s", resp.Status)
	}
	return nil, &formation.Error{Code: e.Code, Message: e.Message}
}

// lost words a broken connection to the owner.
func (r *remote) lost(err error) error {
	return formation.Wrap(formation.CodeUnavailable, "", r.socket,
		fmt.Errorf("lost the formation process holding the database: %w", err))
}

// requestID is a Client-Request-Id: RFS wants 36 to 128 characters.
func requestID() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func pageQuery(q url.Values, o engine.ListOptions) url.Values {
	if q == nil {
		q = url.Values{}
	}
	if o.Marker != "" {
		q.Set("marker", o.Marker)
	}
	if o.Limit != 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	return q
}

func stackIDQuery(ref engine.StackRef) url.Values {
	if ref.ID == "" {
		return nil
	}
	return url.Values{"stack_id": {ref.ID}}
}

// templateInput makes a template input sendable. RFS's API carries a
// template as one body or as the URI of a zip: the files of one directory
// of .tf files travel as one body, which means the same; any other file set
// (local modules, JSON files) is zipped and uploaded to the owner, as an
// RFS client puts a zip in object storage, and travels as its URI. The
// content of a vars_uri file, which RFS's requests cannot carry, is
// uploaded too and travels as a vars_uri.
func (r *remote) templateInput(ctx context.Context, in engine.TemplateInput) (engine.TemplateInput, error) {
	if in.VarsURIContent != "" {
		uri, err := r.upload(ctx, "vars.tfvars", []byte(in.VarsURIContent))
		if err != nil {
			return in, err
		}
		in.VarsURI, in.VarsURIContent = uri, ""
	}
	if in.Files == nil {
		return in, nil
	}
	var names []string
	err := fs.WalkDir(in.Files, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	})
	if err != nil {
		return in, err
	}
	slices.Sort(names)
	oneBody := !slices.ContainsFunc(names, func(n string) bool {
		return path.Dir(n) != "." || strings.HasSuffix(n, ".json") && len(names) > 1
	})
	var body strings.Builder
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	for _, n := range names {
		b, err := fs.ReadFile(in.Files, n)
		if err != nil {
			return in, err
		}
		if oneBody {
			body.Write(b)
			body.WriteString("\n")
			continue
		}
		w, err := zw.Create(n)
		if err == nil {
			_, err = w.Write(b)
		}
		if err != nil {
			return in, err
		}
	}
	in.Files = nil
	if oneBody {
		in.TemplateBody = body.String()
		return in, nil
	}
	if err := zw.Close(); err != nil {
		return in, err
	}
	uri, err := r.upload(ctx, "template.zip", zipped.Bytes())
	in.TemplateURI = uri
	return in, err
}

// upload puts a file in the owner's template objects and returns the URI
// naming it: a template_uri, or a vars_uri for a .tfvars file.
func (r *remote) upload(ctx context.Context, name string, content []byte) (string, error) {
	var uploaded struct {
		TemplateURI string `json:"template_uri"`
		VarsURI     string `json:"vars_uri"`
	}
	_, err := r.send(ctx, http.MethodPost, "/formation/v1/"+rfsapi.DefaultProject+"/template-objects", url.Values{"name": {name}}, objectBody(content), &uploaded)
	return cmp.Or(uploaded.TemplateURI, uploaded.VarsURI), err
}

// objectBody is a request body sent as it is: a file uploaded to the
// owner's template objects.
type objectBody []byte

func (r *remote) CreateStack(ctx context.Context, req engine.CreateStackRequest) (engine.CreateStackResult, error) {
	var res engine.CreateStackResult
	in, err := r.templateInput(ctx, req.TemplateInput)
	if err != nil {
		return res, err
	}
	req.TemplateInput = in
	_, err = r.send(ctx, http.MethodPost, stackPath(""), nil, req, &res)
	return res, err
}

func (r *remote) ListStacks(ctx context.Context, req engine.ListStacksRequest) (engine.StackPage, error) {
	var page engine.StackPage
	_, err := r.send(ctx, http.MethodGet, stackPath(""), pageQuery(nil, req.ListOptions), nil, &page)
	return page, err
}

func (r *remote) GetStackMetadata(ctx context.Context, ref engine.StackRef) (formation.Stack, error) {
	var s formation.Stack
	_, err := r.send(ctx, http.MethodGet, stackPath(ref.Name)+"/metadata", stackIDQuery(ref), nil, &s)
	return s, err
}

func (r *remote) UpdateStack(ctx context.Context, req engine.UpdateStackRequest) (formation.Stack, error) {
	body := struct {
		StackID                  string              `json:"stack_id,omitempty"`
		Description              *string             `json:"description,omitempty"`
		EnableDeletionProtection *bool               `json:"enable_deletion_protection,omitempty"`
		EnableAutoRollback       *bool               `json:"enable_auto_rollback,omitempty"`
		Agencies                 *[]formation.Agency `json:"agencies,omitempty"`
	}{req.ID, req.Description, req.EnableDeletionProtection, req.EnableAutoRollback, req.Agencies}
	if _, err := r.send(ctx, http.MethodPatch, stackPath(req.Name), nil, body, nil); err != nil {
		return formation.Stack{}, err
	}
	return r.GetStackMetadata(ctx, req.StackRef)
}

// deploymentHeader carries a DeleteStack's deployment id (rfsapi).
const deploymentHeader = "X-Formation-Deployment-Id"

func (r *remote) DeleteStack(ctx context.Context, req engine.DeleteStackRequest) (engine.DeploymentRef, error) {
	body := struct {
		StackID            string `json:"stack_id,omitempty"`
		RetainAllResources bool   `json:"retain_all_resources,omitempty"`
	}{req.ID, req.RetainAllResources}
	h, err := r.send(ctx, http.MethodPost, stackPath(req.Name)+"/deletion", nil, body, nil)
	if err != nil {
		return engine.DeploymentRef{}, err
	}
	return engine.DeploymentRef{DeploymentID: h.Get(deploymentHeader)}, nil
}

func (r *remote) DeployStack(ctx context.Context, req engine.DeployStackRequest) (engine.DeploymentRef, error) {
	var dep engine.DeploymentRef
	in, err := r.templateInput(ctx, req.TemplateInput)
	if err != nil {
		return dep, err
	}
	body := struct {
		engine.TemplateInput
		StackID string `json:"stack_id,omitempty"`
	}{in, req.ID}
	_, err = r.send(ctx, http.MethodPost, stackPath(req.Name)+"/deployments", nil, body, &dep)
	return dep, err
}

func (r *remote) ContinueDeployStack(ctx context.Context, req engine.ContinueRequest) (engine.DeploymentRef, error) {
	return r.continuation(ctx, req, "/continuations")
}

func (r *remote) ContinueRollbackStack(ctx context.Context, req engine.ContinueRequest) (engine.DeploymentRef, error) {
	return r.continuation(ctx, req, "/rollbacks")
}

func (r *remote) continuation(ctx context.Context, req engine.ContinueRequest, what string) (engine.DeploymentRef, error) {
	var dep engine.DeploymentRef
	body := struct {
		StackID string `json:"stack_id,omitempty"`
	}{req.ID}
	_, err := r.send(ctx, http.MethodPost, stackPath(req.Name)+what, nil, body, &dep)
	return dep, err
}

func (r *remote) PreviewStack(ctx context.Context, req engine.PreviewStackRequest) (*plan.Plan, error) {
	in, err := r.templateInput(ctx, req.TemplateInput)
	if err != nil {
		return nil, err
	}
	body := struct {
		StackID string `json:"stack_id,omitempty"`
		engine.TemplateInput
	}{req.ID, in}
	var p plan.Plan
	_, err = r.send(ctx, http.MethodPost, "/formation/v1/"+rfsapi.DefaultProject+"/stacks/"+url.PathEscape(req.Name)+"/preview", nil, body, &p)
	return &p, err
}

// GetStackTemplate follows RFS's answer, a URL of the template, to its
// content: the template body, or a zip of its files.
func (r *remote) GetStackTemplate(ctx context.Context, ref engine.StackRef) (engine.StackTemplate, error) {
	var t engine.StackTemplate
	resp, err := r.open(ctx, http.MethodGet, stackPath(ref.Name)+"/templates", stackIDQuery(ref), nil)
	if err != nil {
		return t, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return t, r.lost(err)
	}
	if resp.Header.Get("Content-Type") != "application/zip" {
		t.TemplateBody = string(b)
		return t, nil
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return t, r.lost(err)
	}
	t.Files = map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return t, r.lost(err)
		}
		content, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return t, r.lost(err)
		}
		t.Files[f.Name] = string(content)
	}
	return t, nil
}

func (r *remote) ListStackEvents(ctx context.Context, req engine.ListStackEventsRequest) (engine.EventPage, error) {
	var page engine.EventPage
	q := pageQuery(stackIDQuery(req.StackRef), req.ListOptions)
	for k, v := range map[string]string{"deployment_id": req.DeploymentID, "filter": req.Filter, "field": req.Field} {
		if v != "" {
			q.Set(k, v)
		}
	}
	_, err := r.send(ctx, http.MethodGet, stackPath(req.Name)+"/events", q, nil, &page)
	return page, err
}

func (r *remote) ListStackResources(ctx context.Context, req engine.ListStackResourcesRequest) (engine.ResourcePage, error) {
	var page engine.ResourcePage
	_, err := r.send(ctx, http.MethodGet, stackPath(req.Name)+"/resources", pageQuery(stackIDQuery(req.StackRef), req.ListOptions), nil, &page)
	return page, err
}

func (r *remote) ListStackOutputs(ctx context.Context, req engine.ListStackOutputsRequest) (engine.OutputPage, error) {
	var page engine.OutputPage
	_, err := r.send(ctx, http.MethodGet, stackPath(req.Name)+"/outputs", pageQuery(stackIDQuery(req.StackRef), req.ListOptions), nil, &page)
	return page, err
}

func (r *remote) CreateExecutionPlan(ctx context.Context, req engine.CreateExecutionPlanRequest) (engine.PlanRef, error) {
	ref := engine.PlanRef{StackRef: req.StackRef, PlanName: req.PlanName}
	in, err := r.templateInput(ctx, req.TemplateInput)
	if err != nil {
		return ref, err
	}
	body := struct {
		StackID     string `json:"stack_id,omitempty"`
		PlanName    string `json:"execution_plan_name"`
		Description string `json:"description,omitempty"`
		engine.TemplateInput
	}{req.ID, req.PlanName, req.Description, in}
	var res struct {
		PlanID string `json:"execution_plan_id"`
	}
	_, err = r.send(ctx, http.MethodPost, stackPath(req.Name)+"/execution-plans", nil, body, &res)
	ref.PlanID = res.PlanID
	return ref, err
}

// pollEvery is how often a remote wait for a plan asks again: a plan's
// creation has no events to follow, so its clients poll, as the SDKs'
// users do.
const pollEvery = 100 * time.Millisecond

func (r *remote) WaitExecutionPlan(ctx context.Context, ref engine.PlanRef) (formation.ExecutionPlan, error) {
	return poll(ctx, func() (formation.ExecutionPlan, bool, error) {
		p, err := r.GetExecutionPlanMetadata(ctx, ref)
		return p, p.Status != formation.PlanCreationInProgress, err
	})
}

// poll calls get until it says done or fails.
func poll[T any](ctx context.Context, get func() (T, bool, error)) (T, error) {
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	for {
		v, done, err := get()
		if err != nil || done {
			return v, err
		}
		select {
		case <-ctx.Done():
			return v, ctx.Err()
		case <-t.C:
		}
	}
}

func planQuery(ref engine.PlanRef) url.Values {
	q := url.Values{}
	if ref.ID != "" {
		q.Set("stack_id", ref.ID)
	}
	if ref.PlanID != "" {
		q.Set("execution_plan_id", ref.PlanID)
	}
	return q
}

func (r *remote) GetExecutionPlan(ctx context.Context, ref engine.PlanRef) (engine.ExecutionPlanItems, error) {
	var items engine.ExecutionPlanItems
	_, err := r.send(ctx, http.MethodGet, planPath(ref), planQuery(ref), nil, &items)
	return items, err
}

func (r *remote) GetExecutionPlanMetadata(ctx context.Context, ref engine.PlanRef) (formation.ExecutionPlan, error) {
	var p formation.ExecutionPlan
	_, err := r.send(ctx, http.MethodGet, planPath(ref)+"/metadata", planQuery(ref), nil, &p)
	return p, err
}

// TerraformPlanJSON asks the owner to render the plan (Formation's
// extension: RFS's API does not carry it); the owner names itself as the
// tool.
func (r *remote) TerraformPlanJSON(ctx context.Context, ref engine.PlanRef, _ string) ([]byte, error) {
	var doc json.RawMessage
	p := "/formation/v1/" + rfsapi.DefaultProject + "/stacks/" + url.PathEscape(ref.Name) + "/execution-plans/" + url.PathEscape(ref.PlanName) + "/terraform-plan"
	_, err := r.send(ctx, http.MethodGet, p, planQuery(ref), nil, &doc)
	return doc, err
}

// GetPlannedChanges needs the plan's expanded template, which RFS's API
// does not carry.
func (r *remote) GetPlannedChanges(context.Context, engine.PlanRef) (engine.PlannedChanges, error) {
	return engine.PlannedChanges{}, formation.Errorf(formation.CodeNotImplemented, "", "",
		"another formation process holds the database, and Terraform's JSON plan needs the plan's expanded template, which RFS's API does not carry; run this when it has finished (formation wait)")
}

func (r *remote) ListExecutionPlans(ctx context.Context, req engine.ListExecutionPlansRequest) (engine.PlanPage, error) {
	var page engine.PlanPage
	_, err := r.send(ctx, http.MethodGet, stackPath(req.Name)+"/execution-plans", pageQuery(stackIDQuery(req.StackRef), req.ListOptions), nil, &page)
	return page, err
}

func (r *remote) ApplyExecutionPlan(ctx context.Context, req engine.ApplyExecutionPlanRequest) (engine.DeploymentRef, error) {
	var dep engine.DeploymentRef
	body := struct {
		StackID string `json:"stack_id,omitempty"`
		PlanID  string `json:"execution_plan_id,omitempty"`
	}{req.ID, req.PlanID}
	_, err := r.send(ctx, http.MethodPost, planPath(req.PlanRef), nil, body, &dep)
	return dep, err
}

func (r *remote) DeleteExecutionPlan(ctx context.Context, ref engine.PlanRef) (engine.DeleteExecutionPlanResult, error) {
	_, err := r.send(ctx, http.MethodDelete, planPath(ref), planQuery(ref), nil, nil)
	return engine.DeleteExecutionPlanResult{}, err
}

// stream reads the owner's live event stream (Server-Sent Events), giving
// each event to each, and returns why the stream ended (engine.FollowEnd).
func (r *remote) stream(ctx context.Context, req engine.FollowRequest, each func(formation.Event) error) (engine.FollowEnd, error) {
	q := url.Values{}
	if req.DeploymentID != "" {
		q.Set("deployment_id", req.DeploymentID)
	}
	if req.After != 0 {
		q.Set("after", strconv.FormatUint(req.After, 10))
	}
	resp, err := r.open(ctx, http.MethodGet, "/formation/v1/"+rfsapi.DefaultProject+"/stacks/"+url.PathEscape(req.Name)+"/events/stream", q, nil)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	lines := bufio.NewScanner(resp.Body)
	lines.Buffer(nil, 16<<20)
	var event, data string
	for lines.Scan() {
		line := lines.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = strings.TrimPrefix(line, "data: ")
		case line == "" && event == "event":
			var ev formation.Event
			if err := json.Unmarshal([]byte(data), &ev); err != nil {
				return "", r.lost(err)
			}
			if err := each(ev); err != nil {
				return "", err
			}
			event, data = "", ""
		case line == "" && event == "end":
			var end struct {
				Reason engine.FollowEnd `json:"reason"`
			}
			if err := json.Unmarshal([]byte(data), &end); err != nil {
				return "", r.lost(err)
			}
			return end.Reason, nil
		}
	}
	if ctx.Err() != nil {
		return engine.FollowCanceled, ctx.Err()
	}
	err = lines.Err()
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	return "", r.lost(err)
}

func (r *remote) FollowEvents(ctx context.Context, req engine.FollowRequest) (<-chan formation.Event, error) {
	// The first answer (the stack not found, say) is the caller's error;
	// the events after it arrive on the channel.
	ch := make(chan formation.Event, 64)
	started := make(chan error, 1)
	go func() {
		defer close(ch)
		first := true
		end, err := r.stream(ctx, req, func(ev formation.Event) error {
			if first {
				first = false
				started <- nil
			}
			select {
			case ch <- ev:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		if first {
			if err == nil && end == engine.FollowEngineClosed {
				err = r.ownerStopped()
			}
			started <- err
		}
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return ch, nil
}

func (r *remote) ownerStopped() error {
	return formation.Errorf(formation.CodeUnavailable, "", "",
		"the formation process holding the database stopped; formation wait NAME resumes the deployment")
}

// Wait follows the deployment's stream to its end, then reads how the
// stack was left.
func (r *remote) Wait(ctx context.Context, stack engine.StackRef, ref engine.DeploymentRef) (engine.Result, error) {
	res := engine.Result{DeploymentRef: ref, StackName: stack.Name}
	end, err := r.stream(ctx, engine.FollowRequest{StackRef: stack, DeploymentID: ref.DeploymentID}, func(formation.Event) error { return nil })
	switch {
	case formation.HasCode(err, formation.CodeStackNotFound):
		end, err = engine.FollowStackDeleted, nil
	case err != nil:
		return res, err
	}
	switch end {
	case engine.FollowStackDeleted:
		res.Deleted = true
		return res, nil
	case engine.FollowEngineClosed:
		return res, r.ownerStopped()
	}
	s, err := r.GetStackMetadata(ctx, stack)
	if errors.Is(err, formation.ErrNotFound) {
		res.Deleted = true
		return res, nil
	}
	res.StackID, res.Status, res.Message = s.ID, s.Status, s.StatusMessage
	return res, err
}

// WaitStack follows the stack's running deployment to its end on the
// owner's event stream (the newest event names it), and looks again, as
// another deployment may have started meanwhile.
func (r *remote) WaitStack(ctx context.Context, ref engine.StackRef) (formation.Stack, error) {
	var followed string
	for {
		s, err := r.GetStackMetadata(ctx, ref)
		if err != nil || !s.Status.InProgress() {
			return s, err
		}
		page, err := r.ListStackEvents(ctx, engine.ListStackEventsRequest{StackRef: ref, ListOptions: engine.ListOptions{Limit: 1}})
		if err != nil {
			return s, err
		}
		if len(page.StackEvents) == 0 || page.StackEvents[0].DeploymentID == "" {
			return s, formation.Errorf(formation.CodeInternal, "", ref.Name, "the stack is %s, but its events name no deployment", s.Status)
		}
		dep := page.StackEvents[0].DeploymentID
		if dep == followed {
			// Followed to its end, yet the stack has not moved on: its
			// final commit is on the way. Look again shortly.
			select {
			case <-ctx.Done():
				return s, ctx.Err()
			case <-time.After(pollEvery):
			}
			continue
		}
		followed = dep
		if _, err := r.Wait(ctx, ref, engine.DeploymentRef{DeploymentID: dep}); err != nil {
			return s, err
		}
	}
}

// interrupted are the stacks whose interrupted deployments the owner
// leaves stopped (interruptedPath); none when it cannot say (an owner
// from before it could, or one that has gone).
func (r *remote) interrupted(ctx context.Context) []string {
	var body interruptedStacksBody
	if _, err := r.send(ctx, http.MethodGet, interruptedPath, nil, nil, &body); err != nil {
		return nil
	}
	return body.Stacks
}
