package engine

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"testing/fstest"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/template"
)

// phase is a stage of a deployment, decided by the stack's status:
// DEPLOYMENT_IN_PROGRESS deploys the deployment's template,
// ROLLBACK_IN_PROGRESS returns to the last stable one, DELETION_IN_PROGRESS
// deletes everything. Recovery needs nothing more than the status to know
// where to resume.
type phase string

const (
	phaseDeploy   phase = "deploy"
	phaseRollback phase = "rollback"
	phaseDelete   phase = "delete"
)

// templateSource is a template and its variables as a deployment stores
// them: enough to evaluate it again after a crash, to roll back to it, and
// to return it from GetStackTemplate.
type templateSource struct {
	Body          string                    `json:"template_body,omitempty"`
	Files         map[string]string         `json:"files,omitempty"`
	VarsBody      string                    `json:"vars_body,omitempty"`
	VarsStructure []formation.VarsStructure `json:"vars_structure,omitempty"`
	// VarsURIContent is the vars_uri file's content, as the request
	// carried it (absent from records written before it existed: none).
	VarsURIContent string `json:"vars_uri_content,omitempty"`
	// PlanTimestamp is what plantimestamp() returns: an execution plan's
	// creation time, so that applying it sees what planning saw. Zero
	// (a deployment, planned and applied with one expansion) reads the
	// clock once per expansion.
	PlanTimestamp time.Time `json:"plan_timestamp,omitzero"`
}

// sourceOf reads a TemplateInput into a storable source. A file set is
// first held to what template.ParseFS allows of one given to it — its
// limits, no .tfvars file — and then its template files are copied.
func (e *Engine) sourceOf(op string, in TemplateInput) (*templateSource, error) {
	src := &templateSource{Body: in.TemplateBody, VarsBody: in.VarsBody, VarsStructure: slices.Clone(in.VarsStructure), VarsURIContent: in.VarsURIContent}
	if in.Files == nil {
		return src, nil
	}
	if _, err := template.ParseFS(in.Files, e.templateOptions()); err != nil {
		return nil, err
	}
	src.Files = map[string]string{}
	err := fs.WalkDir(in.Files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(path, ".tf") || strings.HasSuffix(path, ".tf.json")) {
			return err
		}
		b, err := fs.ReadFile(in.Files, path)
		if err != nil {
			return err
		}
		if err := formation.ValidateText(op, path, string(b)); err != nil {
			return err
		}
		src.Files[path] = string(b)
		return nil
	})
	var fe *formation.Error
	if errors.As(err, &fe) {
		return nil, fe
	}
	if err != nil {
		return nil, formation.Wrap(formation.CodeInvalidTemplate, op, "", err)
	}
	return src, nil
}

func (e *Engine) templateOptions() template.Options {
	return template.Options{Limits: e.cfg.TemplateLimits, Now: e.clock.Now}
}

// parse parses the source's template, or finds it parsed already: RFS
// clients send the whole template with every deployment, most of them one
// the engine has parsed before, and a Template is immutable. Parsing was
// the largest part of a deployment's CPU under load.
func (e *Engine) parse(src *templateSource) (*template.Template, error) {
	key := src.templateKey()
	if tpl, ok := e.parsed.Get(key); ok {
		return tpl, nil
	}
	tpl, err := e.parseSource(src)
	if err == nil {
		e.parsed.Put(key, tpl, src.templateSize())
	}
	return tpl, err
}

// maxParsedSource bounds the source text of the templates parse keeps, per
// generation of its cache (recent.Cache): a few hundred typical templates,
// or 20 of the largest RFS takes.
const maxParsedSource = 1 << 20

// templateKey is a digest of the source's template text (its body, or its
// files with their names), not of its variables.
func (src *templateSource) templateKey() [sha256.Size]byte {
	h := sha256.New()
	if src.Files == nil {
		writeField(h, src.Body)
	} else {
		for _, name := range slices.Sorted(maps.Keys(src.Files)) {
			writeField(h, name)
			writeField(h, src.Files[name])
		}
	}
	return [sha256.Size]byte(h.Sum(nil))
}

// writeField writes s with its length, so that no two lists of strings
// write the same bytes.
func writeField(h hash.Hash, s string) {
	h.Write(binary.AppendUvarint(nil, uint64(len(s))))
	io.WriteString(h, s)
}

// templateSize is the length of the source's template text.
func (src *templateSource) templateSize() int {
	n := len(src.Body)
	for name, body := range src.Files {
		n += len(name) + len(body)
	}
	return n
}

// parseSource parses the source's template.
func (e *Engine) parseSource(src *templateSource) (*template.Template, error) {
	if src.Files == nil {
		return template.Parse(src.Body, e.templateOptions())
	}
	fsys := fstest.MapFS{}
	for name, body := range src.Files {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return template.ParseFS(fsys, e.templateOptions())
}

// load parses and expands a source. With read set, data sources whose
// configuration is known are read through their providers; without, reads
// are left to the plan (validation at request time makes no provider call).
func (e *Engine) load(ctx context.Context, src *templateSource, read bool) (*template.Config, error) {
	tpl, err := e.parse(src)
	if err != nil {
		return nil, err
	}
	return e.expand(ctx, tpl, src, read)
}

// expand expands a parsed source, reading data sources with read set.
func (e *Engine) expand(ctx context.Context, tpl *template.Template, src *templateSource, read bool) (*template.Config, error) {
	if read {
		return e.expandWith(ctx, tpl, src, e.readData)
	}
	return e.expandWith(ctx, tpl, src, nil)
}

// expandWith expands a parsed source, reading data sources through read
// (nil: none). A done ctx is a typed error, as everywhere in the engine.
func (e *Engine) expandWith(ctx context.Context, tpl *template.Template, src *templateSource, read func(context.Context, template.DataRequest) (cty.Value, error)) (*template.Config, error) {
	cfg, err := tpl.Expand(ctx, template.Input{VarsBody: src.VarsBody, VarsURIContent: src.VarsURIContent, VarsStructure: src.VarsStructure, DataSource: read, PlanTimestamp: src.PlanTimestamp})
	if err != nil {
		return nil, formation.ContextError("template.Expand", err)
	}
	return cfg, nil
}

// readData reads a data source during expansion, through the base provider
// of its name.
func (e *Engine) readData(ctx context.Context, req template.DataRequest) (cty.Value, error) {
	p := e.base(req.ProviderName)
	r, ok := p.(provider.DataSourceReader)
	if !ok {
		return cty.NilVal, fmt.Errorf("provider %q cannot read data source %s", req.ProviderName, req.Addr)
	}
	resp, err := r.ReadDataSource(ctx, provider.ReadDataSourceRequest{TypeName: req.Type, Address: req.Addr, Config: req.Config})
	if err != nil {
		return cty.NilVal, err
	}
	return resp.State, nil
}

// previewRead reads a data source for a preview: one its provider finds
// nothing for is unknown, as Terraform shows a data source it cannot read
// yet, instead of failing the preview; a count or for_each that then
// cannot be decided fails with Terraform's error.
func (e *Engine) previewRead(ctx context.Context, req template.DataRequest) (cty.Value, error) {
	v, err := e.readData(ctx, req)
	if errors.Is(err, provider.ErrNotFound) {
		return cty.DynamicVal, nil
	}
	return v, err
}

// hasImports reports whether a source's template has import blocks, which
// RFS refuses with auto-rollback (spec §1.1): a property of the template,
// read without expanding it.
func (e *Engine) hasImports(src *templateSource) (bool, error) {
	tpl, err := e.parse(src)
	if err != nil {
		return false, err
	}
	return tpl.HasImports(), nil
}

// loadState reads a stack's resource records, and the planner's view of
// them: every record with an object (a failed creation has none).
func loadState(tx store.Tx, stackID string) (map[string]*resourceRecord, plan.State, error) {
	recs, err := loadResources(tx, stackID)
	if err != nil {
		return nil, nil, err
	}
	byAddr := make(map[string]*resourceRecord, len(recs))
	st := make(plan.State, len(recs))
	vd := plan.NewValueDecoder()
	for _, r := range recs {
		byAddr[r.Addr] = r
		v, err := decodeValue(vd, r.Value)
		if err != nil {
			return nil, nil, err
		}
		res := &plan.Resource{
			Addr: r.Addr, Mode: r.Mode, Type: r.Type, Name: r.Name, Key: r.Key,
			ProviderName: r.ProviderName, ProviderAlias: r.ProviderAlias, ID: r.ID, Value: v,
			Dependencies: r.Dependencies, PreventDestroy: r.PreventDestroy,
			CreateBeforeDestroy: r.CreateBeforeDestroy, Imported: r.Imported,
		}
		for _, name := range r.Sensitive {
			res.Sensitive = append(res.Sensitive, cty.GetAttrPath(name))
		}
		for _, d := range r.Deposed {
			dv, err := decodeValue(vd, d.Value)
			if err != nil {
				return nil, nil, err
			}
			res.Deposed = append(res.Deposed, plan.Deposed{ID: d.ID, Value: dv})
		}
		if r.ID == "" && len(res.Deposed) == 0 {
			continue // never created: nothing to plan against
		}
		if r.ID == "" {
			res.Value = cty.NullVal(cty.DynamicPseudoType)
		}
		st[r.Addr] = res
	}
	return byAddr, st, nil
}

// phaseOutcome is what running a phase leaves.
type phaseOutcome struct {
	ok      bool
	message string                  // why it failed
	summary string                  // the SUMMARY event's text
	outputs []formation.StackOutput // the template's outputs, after a successful deploy or rollback
}

// runPhase plans src (nil: delete everything) against the stack's state and
// applies the plan; with first.plan, it applies that plan instead, made
// earlier against the same state, and with first.cfg it uses that expansion
// of src rather than expanding it again. A resource failure is an outcome
// (ok false); an error means the phase could not finish (the engine is
// closing, the store failed) and resumes at the next open.
//
// Everything the phase records goes through w, which the caller closes:
// the transaction that ends the phase joins the phase's last writes, so
// that ending a deployment costs one commit, not two.
func (e *Engine) runPhase(ctx context.Context, w *writer, rec *stackRecord, dep *deploymentRecord, ph phase, src *templateSource, first prepared) (phaseOutcome, error) {
	var records map[string]*resourceRecord
	var prior plan.State
	var leftovers map[string]intentRecord
	var gens map[string]uint64
	err := e.st.View(ctx, func(tx store.Tx) (err error) {
		if records, prior, err = loadState(tx, rec.ID); err != nil {
			return err
		}
		if gens, err = loadGenerations(tx, rec.ID); err != nil {
			return err
		}
		leftovers, err = leftoverCreations(tx, rec.ID)
		return err
	})
	if err != nil {
		return phaseOutcome{}, err
	}
	fail := func(err error) (phaseOutcome, error) {
		if stop := e.stopped(ctx); stop != nil {
			return phaseOutcome{}, stop
		}
		if e.isDraining() && errors.Is(err, context.Canceled) {
			return phaseOutcome{}, errDraining // the refresh was abandoned: the phase resumes at the next open
		}
		msg := err.Error()
		w.submit(func(tx *txn) error {
			return tx.appendEvents(rec.ID, &formation.Event{DeploymentID: dep.ID, EventType: formation.EventError, EventMessage: msg})
		})
		return phaseOutcome{message: msg, summary: "Apply failed. Resources: 0 added, 0 changed, 0 destroyed."}, nil
	}
	cfg := first.cfg
	if cfg == nil && src != nil {
		if cfg, err = e.load(ctx, src, true); err != nil {
			return fail(err)
		}
	}
	priorValues := template.ValuesFunc(func(addr string) cty.Value {
		if r := prior[addr]; r != nil {
			return r.Value
		}
		return cty.DynamicVal
	})
	provs, err := e.configureProviders(ctx, cfg, priorValues)
	if err != nil {
		return fail(err)
	}
	p := first.plan
	if p == nil {
		opts := plan.Options{Refresh: ph != phaseDelete, Destroy: src == nil, Parallelism: e.cfg.Parallelism}
		if ph == phaseRollback {
			opts.Moves = movesBack(dep)
		}
		planCtx, cancel := e.untilDraining(ctx)
		p, err = plan.Make(planCtx, cfg, prior, provs, opts)
		cancel()
		if err != nil {
			return fail(err)
		}
	}
	if err = e.reserveImports(ctx, "engine.deploy", rec, dep.ID, importsOfPlan(p)); err != nil {
		return fail(err)
	}
	w.submitEvents(rec.ID, driftEvents(p, dep.ID))

	x := &execution{
		e: e, stack: rec, dep: dep, phase: ph, cfg: cfg, plan: p, provs: provs, w: w,
		parallelism: dep.Parallelism, keepGoing: dep.KeepGoing,
		records: records, applied: newAppliedValues(), leftover: map[string]bool{}, generations: gens,
	}
	if x.parallelism <= 0 {
		x.parallelism = e.cfg.Parallelism
	}
	for _, c := range p.Changes {
		if !c.Drifted && c.Deposed == "" {
			x.applied.values[c.Addr] = template.MarkSensitive(c.After, c.Sensitive)
		}
	}
	for addr := range leftovers {
		x.leftover[addr] = true
	}
	x.refactor()
	x.recordDrift()
	x.settleCreations(ctx, leftovers)
	nodes, err := buildGraph(p)
	if err != nil {
		return fail(err)
	}
	ok, err := x.run(ctx, nodes)
	if err != nil {
		return phaseOutcome{}, err
	}
	var outputs []formation.StackOutput
	if ok && ph != phaseDelete {
		// Outputs are part of the deployment: one that cannot be evaluated
		// fails the phase like a resource would.
		if outputs, err = outputsOf(ctx, cfg, x.applied); err != nil {
			ok = false
			msg := err.Error()
			x.mu.Lock()
			x.errs = append(x.errs, msg)
			x.mu.Unlock()
			x.w.submit(func(tx *txn) error {
				return tx.appendEvents(rec.ID, &formation.Event{DeploymentID: dep.ID, EventType: formation.EventError, EventMessage: msg})
			})
		}
	}
	if ok && ph != phaseDelete && cfg != nil {
		x.checkWarnings(ctx, cfg, rec.ID, dep.ID)
	}
	if ok {
		x.recordUnchanged()
	}
	out := phaseOutcome{ok: ok, summary: x.summary(ok), outputs: outputs}
	if !ok {
		out.message = failureMessage(x.errs)
	}
	return out, nil
}

// recordDrift makes the records say what the refresh found, before
// anything runs: a resource changed outside Formation is recorded with its
// remote value (the change the plan makes starts from there), and one
// deleted outside Formation that the plan does not create again is dropped —
// there is nothing left to delete, and a record of it would describe
// nothing. (A deletion whose result a crash lost looks exactly like that.)
func (x *execution) recordDrift() {
	drifted := x.plan.Drifted()
	if len(drifted) == 0 {
		return
	}
	planned := map[string]bool{}
	for _, c := range x.plan.Changes {
		if !c.Drifted {
			planned[c.Addr] = true
		}
	}
	var forget, changed []resourceRecord
	x.mu.Lock()
	for _, c := range drifted {
		rec := x.records[c.Addr]
		switch {
		case rec == nil || c.Deposed != "":
		case c.Action == formation.ActionDelete && !planned[c.Addr]:
			forget = append(forget, *rec)
			delete(x.records, c.Addr)
			x.applied.forget(c)
		case c.Action == formation.ActionUpdate:
			v, err := encodeValue(c.After)
			if err != nil {
				continue // not storable: keep the recorded value
			}
			rec.Value = v
			changed = append(changed, *rec)
		}
	}
	x.mu.Unlock()
	x.writeRecords(forget, changed)
}

// recordUnchanged, after a successful phase, keeps the records of unchanged
// resources in step with the template — dependencies and lifecycle settings
// can change without any attribute changing, prevent_destroy must be
// remembered as deployed, and a failure an earlier operation recorded (a
// deletion a rollback could not make) no longer describes an object the
// phase has kept as the template wants it — and drops the records of
// creations that failed earlier and that this phase made moot (a rollback,
// or a deployment that no longer wants them).
func (x *execution) recordUnchanged() {
	var changed, moot []resourceRecord
	x.mu.Lock()
	for addr, rec := range x.records {
		if rec.ID == "" && len(rec.Deposed) == 0 {
			moot = append(moot, *rec)
			delete(x.records, addr)
		}
	}
	for _, c := range x.plan.Changes {
		if c.Drifted || c.Deposed != "" || c.Action != formation.ActionNoOperation || c.Imported || c.Mode == formation.ModeData {
			continue
		}
		rec := x.records[c.Addr]
		if rec == nil {
			continue
		}
		status := settledStatus(rec.Status)
		if slices.Equal(rec.Dependencies, c.Dependencies) && rec.PreventDestroy == c.PreventDestroy && rec.CreateBeforeDestroy == c.CreateBeforeDestroy &&
			rec.Status == status {
			continue
		}
		rec.Dependencies, rec.PreventDestroy, rec.CreateBeforeDestroy = c.Dependencies, c.PreventDestroy, c.CreateBeforeDestroy
		if rec.Status != status {
			rec.Status, rec.StatusMessage, rec.Deployment = status, "", x.dep.ID
		}
		changed = append(changed, *rec)
	}
	x.mu.Unlock()
	x.writeRecords(moot, changed)
}

// settledStatus is the status of an object a successful phase keeps
// unchanged: what the last operation left when it completed, and otherwise
// (it failed, or was cut short) the status of an object that exists as
// the template wants it.
func settledStatus(s formation.ResourceStatus) formation.ResourceStatus {
	switch s {
	case formation.ResourceCreationComplete, formation.ResourceUpdateComplete:
		return s
	case formation.ResourceUpdateFailed, formation.ResourceUpdateInProgress:
		return formation.ResourceUpdateComplete
	}
	return formation.ResourceCreationComplete
}

// writeRecords queues the removal of the records remove, with the
// ownership of what they recorded, and the writing of put: one write
// each, which the writer groups into transactions within the store's
// limits.
func (x *execution) writeRecords(remove, put []resourceRecord) {
	for _, r := range remove {
		x.w.submit(func(tx *txn) error {
			if err := tx.Delete(store.Resources, resourceKey(x.stack.ID, r.Addr)); err != nil {
				return err
			}
			for _, id := range r.objectIDs() {
				if err := tx.disown(x.stack.ID, r.ProviderName, r.Type, id); err != nil {
					return err
				}
			}
			return nil
		})
	}
	for _, r := range put {
		x.w.submit(func(tx *txn) error { return putJSON(tx, store.Resources, resourceKey(x.stack.ID, r.Addr), &r) })
	}
}

// failureMessage is a stack's status_message after failed operations.
func failureMessage(errs []string) string {
	switch len(errs) {
	case 0:
		return "the deployment failed"
	case 1:
		return "1 resource operation failed: " + errs[0]
	}
	return fmt.Sprintf("%d resource operations failed; first: %s", len(errs), errs[0])
}

// outputsOf evaluates the template's outputs with the applied values.
func outputsOf(ctx context.Context, cfg *template.Config, values template.Values) ([]formation.StackOutput, error) {
	if cfg == nil {
		return nil, nil
	}
	outs, diags := cfg.Outputs(ctx, values)
	if err := cfg.DiagnosticsError("engine.outputs", "", diags); err != nil {
		return nil, err
	}
	res := make([]formation.StackOutput, 0, len(outs))
	for _, o := range outs {
		if o.Value.IsKnown() && o.Value.IsNull() {
			continue // Terraform keeps no null outputs: they are as if unset
		}
		if !o.Value.IsWhollyKnown() {
			// Everything is applied: what is still unknown never will be
			// known (a function that cannot decide, such as contains with
			// a null element). Terraform refuses it; so does Formation,
			// rather than completing with "(known after apply)".
			return nil, formation.Errorf(formation.CodeInvalidTemplate, "engine.outputs", o.Name,
				"output %q is not known after apply: its value depends on something no apply makes known", o.Name)
		}
		so := formation.StackOutput{Name: o.Name, Description: o.Description, Type: o.Type, Sensitive: o.Sensitive, Value: OutputText(o.Value)}
		if o.Sensitive {
			so.Type, so.Value = formation.SensitiveValue, formation.SensitiveValue
		}
		res = append(res, so)
	}
	return res, nil
}

// checkWarnings evaluates the template's check blocks with the applied
// values, reading their scoped data sources through the deployment's
// providers, and records what they find as LOG events: as in Terraform, a
// failed check warns and never fails the deployment.
func (x *execution) checkWarnings(ctx context.Context, cfg *template.Config, stackID, depID string) {
	var evs []*formation.Event
	for _, d := range cfg.Checks(ctx, x.applied, x.readScoped) {
		msg := "Warning: " + d.Summary
		if d.Detail != "" {
			msg += ": " + d.Detail
		}
		evs = append(evs, &formation.Event{DeploymentID: depID, EventType: formation.EventLog, EventMessage: msg})
	}
	if len(evs) > 0 {
		x.w.submit(func(tx *txn) error { return tx.appendEvents(stackID, evs...) })
	}
}

// readScoped reads a check block's data source with the provider
// configuration it names.
func (x *execution) readScoped(ctx context.Context, req template.DataRequest) (cty.Value, error) {
	p, err := x.provs.forResource(req.ProviderName, req.ProviderAlias, req.Addr)
	if err != nil {
		return cty.NilVal, err
	}
	r, ok := p.(provider.DataSourceReader)
	if !ok {
		return cty.NilVal, fmt.Errorf("provider %q cannot read data sources", req.ProviderName)
	}
	resp, err := r.ReadDataSource(ctx, provider.ReadDataSourceRequest{TypeName: req.Type, Address: req.Addr, Config: req.Config})
	if err != nil {
		return cty.NilVal, err
	}
	return resp.State, nil
}
