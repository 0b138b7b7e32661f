package engine

import (
	"bytes"
	"context"
	"maps"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/template"
)

// ResourcePage is one page of ListStackResources.
type ResourcePage struct {
	StackResources []formation.StackResource `json:"stack_resources"`
	PageInfo       PageInfo                  `json:"page_info"`
}

// ListStackResourcesRequest is ListStackResources' input.
type ListStackResourcesRequest struct {
	StackRef
	ListOptions
}

// ListStackResources lists a stack's resources by address (spec §3.2): their
// physical ids and statuses, and their attributes when the stack is in a
// terminal status. Sensitive attributes read "<sensitive>". An object a
// create-before-destroy replacement superseded and that is not deleted yet
// (its deletion failed: DELETION_FAILED) is listed after the resource's
// live object, under the same name: it still exists.
func (e *Engine) ListStackResources(ctx context.Context, req ListStackResourcesRequest) (ResourcePage, error) {
	const op = "engine.ListStackResources"
	if err := req.validate(op); err != nil {
		return ResourcePage{}, err
	}
	var listed []formation.StackResource
	var terminal bool
	err := e.view(ctx, op, func(tx store.Tx) error {
		rec, err := e.peekStack(tx, op, req.StackRef)
		if err != nil {
			return err
		}
		terminal = rec.Status.Terminal()
		listed, err = e.listResources(tx, rec.ID)
		return err
	})
	if err != nil {
		return ResourcePage{}, err
	}
	page, info, err := paginate(op, listed, byPosition(len(listed)), req.ListOptions)
	if err != nil {
		return ResourcePage{}, err
	}
	out := ResourcePage{StackResources: make([]formation.StackResource, len(page)), PageInfo: info}
	for i, sr := range page {
		// Shared (e.resourceListings): the caller gets its own attributes.
		sr.ResourceAttributes = nil
		if terminal {
			sr.ResourceAttributes = slices.Clone(page[i].ResourceAttributes)
		}
		out.StackResources[i] = sr
	}
	return out, nil
}

// listResources returns what ListStackResources lists of a stack's
// resources, attributes included, in order; the listings are shared
// (e.resourceListings) and must not be changed.
func (e *Engine) listResources(tx store.Tx, stackID string) ([]formation.StackResource, error) {
	type miss struct {
		key, raw []byte
		listing  []formation.StackResource
	}
	var out []formation.StackResource
	var misses []miss
	vd := plan.NewValueDecoder()
	err := e.resourceListings.reading(func(get func(key, raw []byte) ([]formation.StackResource, bool)) error {
		return tx.Scan(store.Resources, store.ScanOptions{Prefix: childPrefix(stackID)}, func(k, v []byte) (bool, error) {
			listing, ok := get(k, v)
			if !ok {
				var err error
				if listing, err = resourceListing(vd, v); err != nil {
					return false, err
				}
				misses = append(misses, miss{bytes.Clone(k), bytes.Clone(v), listing})
			}
			out = append(out, listing...)
			return true, nil
		})
	})
	for _, m := range misses {
		e.resourceListings.put(m.key, m.raw, m.listing)
	}
	return out, err
}

// resourceListing decodes a resource record into what ListStackResources
// lists of it: its live object, then its deposed ones.
func resourceListing(vd *plan.ValueDecoder, raw []byte) ([]formation.StackResource, error) {
	r := new(resourceRecord)
	if err := decode(raw, r); err != nil {
		return nil, err
	}
	objs := listedObjects(r)
	out := make([]formation.StackResource, 0, len(objs))
	for _, o := range objs {
		sr := formation.StackResource{
			PhysicalResourceID: o.id, LogicalResourceName: r.Name, LogicalResourceType: r.Type,
			IndexKey: r.Key, ModuleAddress: template.ModuleOf(r.Addr), ResourceStatus: o.status,
		}
		if strings.HasSuffix(string(o.status), "_FAILED") {
			sr.StatusMessage = o.message
		}
		v, err := decodeValue(vd, o.value)
		if err != nil {
			return nil, err
		}
		sr.PhysicalResourceName = stringAttr(v, "name")
		sr.ResourceAttributes = attributesOf(v, r.Sensitive)
		out = append(out, sr)
	}
	return out, nil
}

// listedObject is one object ListStackResources lists: a resource's live
// object, or one a create-before-destroy replacement superseded and that
// is not deleted yet (its deletion failed, or has not run). Both exist in
// the cloud, so both are listed, under the resource's name.
type listedObject struct {
	id      string
	value   []byte
	status  formation.ResourceStatus
	message string
}

// listedObjects lists the objects of a resource, its live object first and
// then its deposed ones.
func listedObjects(r *resourceRecord) []listedObject {
	out := make([]listedObject, 0, 1+len(r.Deposed))
	out = append(out, listedObject{id: r.ID, value: r.Value, status: r.Status, message: r.StatusMessage})
	for _, d := range r.Deposed {
		status := d.Status
		if status == "" {
			status = formation.ResourceCreationComplete
		}
		out = append(out, listedObject{id: d.ID, value: d.Value, status: status, message: d.StatusMessage})
	}
	return out
}

// attributesOf flattens an object's top-level attributes to RFS's
// key/value strings, in name order.
func attributesOf(v cty.Value, sensitive []string) []formation.ResourceAttribute {
	if v == cty.NilVal || v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() {
		return nil
	}
	names := slices.Sorted(maps.Keys(v.Type().AttributeTypes()))
	out := make([]formation.ResourceAttribute, 0, len(names))
	for _, name := range names {
		value := OutputText(v.GetAttr(name))
		if slices.Contains(sensitive, name) {
			value = formation.SensitiveValue
		}
		out = append(out, formation.ResourceAttribute{Key: name, Value: value})
	}
	return out
}

// OutputText is a value as RFS's string fields (stack outputs, resource
// attributes) show it: strings as they are, numbers and bools as
// literals, null as "", anything else as JSON.
func OutputText(v cty.Value) string {
	switch {
	case v == cty.NilVal || v.IsNull():
		return ""
	case !v.IsKnown():
		return "(known after apply)"
	case v.Type() == cty.String:
		return v.AsString()
	case v.Type() == cty.Number:
		f := v.AsBigFloat()
		if i, acc := f.Int64(); acc == big.Exact {
			return strconv.FormatInt(i, 10) // the same text, without big.Float's costly formatting
		}
		return f.Text('f', -1)
	case v.Type() == cty.Bool:
		if v.True() {
			return "true"
		}
		return "false"
	}
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return v.GoString()
	}
	return string(b)
}

// OutputPage is one page of ListStackOutputs.
type OutputPage struct {
	Outputs  []formation.StackOutput `json:"outputs"`
	PageInfo PageInfo                `json:"page_info"`
}

// ListStackOutputsRequest is ListStackOutputs' input.
type ListStackOutputsRequest struct {
	StackRef
	ListOptions
}

// ListStackOutputs lists a stack's outputs by name (spec §3.3): empty while
// the stack is *_IN_PROGRESS; a sensitive output's value and type read
// "<sensitive>".
func (e *Engine) ListStackOutputs(ctx context.Context, req ListStackOutputsRequest) (OutputPage, error) {
	const op = "engine.ListStackOutputs"
	if err := req.validate(op); err != nil {
		return OutputPage{}, err
	}
	var outs []formation.StackOutput
	err := e.view(ctx, op, func(tx store.Tx) error {
		rec, err := e.peekStack(tx, op, req.StackRef)
		if err != nil || rec.Status.InProgress() {
			return err
		}
		return tx.Scan(store.Outputs, store.ScanOptions{Prefix: childPrefix(rec.ID)}, func(_, v []byte) (bool, error) {
			var o formation.StackOutput
			if err := decode(v, &o); err != nil {
				return false, err
			}
			outs = append(outs, o)
			return true, nil
		})
	})
	if err != nil {
		return OutputPage{}, err
	}
	page, info, err := paginate(op, outs, byPosition(len(outs)), req.ListOptions)
	if err != nil {
		return OutputPage{}, err
	}
	if page == nil {
		page = []formation.StackOutput{}
	}
	return OutputPage{Outputs: page, PageInfo: info}, nil
}

// writeOutputs replaces a stack's outputs.
func writeOutputs(tx *txn, stackID string, outs []formation.StackOutput) error {
	if err := deletePrefix(tx, store.Outputs, childPrefix(stackID)); err != nil {
		return err
	}
	for i := range outs {
		if err := putJSON(tx, store.Outputs, childKey(stackID, outs[i].Name), &outs[i]); err != nil {
			return err
		}
	}
	return nil
}

// StackTemplate is a stack's deployed template and variables.
type StackTemplate struct {
	// TemplateBody is the template text, when it was given as one body.
	TemplateBody string `json:"template_body,omitempty"`
	// Files are the template's files by path, when it was given as files.
	Files map[string]string `json:"files,omitempty"`
	// VarsBody, VarsStructure and VarsURIContent (the content of the file
	// vars_uri named) are the variables it was deployed with.
	VarsBody       string                    `json:"vars_body,omitempty"`
	VarsStructure  []formation.VarsStructure `json:"vars_structure,omitempty"`
	VarsURIContent string                    `json:"vars_uri_content,omitempty"`
}

// GetStackTemplate returns the template of the stack's latest terminal
// deployment (spec §1.1): while a deployment runs, the one before it; after
// a rollback, the stable one rolled back to. A stack never deployed
// (CREATION_COMPLETE) has none: CodeTemplateNotFound (404). RFS answers with
// a download URL; an embedded engine returns the content.
func (e *Engine) GetStackTemplate(ctx context.Context, ref StackRef) (StackTemplate, error) {
	const op = "engine.GetStackTemplate"
	if err := ref.validate(op); err != nil {
		return StackTemplate{}, err
	}
	var src *templateSource
	err := e.view(ctx, op, func(tx store.Tx) error {
		rec, err := e.peekStack(tx, op, ref)
		if err != nil {
			return err
		}
		if src, err = templateOf(tx, rec.ID, rec.TemplateDeployment); err != nil {
			return err
		}
		if src == nil {
			return formation.Errorf(formation.CodeTemplateNotFound, op, ref.Name, "template does not exist")
		}
		return nil
	})
	if err != nil {
		return StackTemplate{}, err
	}
	return StackTemplate{TemplateBody: src.Body, Files: src.Files, VarsBody: src.VarsBody, VarsStructure: src.VarsStructure, VarsURIContent: src.VarsURIContent}, nil
}
