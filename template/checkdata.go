package template

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// scopedData is a data block inside a check block: read when the check
// is, readable by the check's assertions only, and a failure to read it
// is a warning, as in Terraform.
type scopedData struct {
	typ, name                   string
	providerName, providerAlias string
	body                        *bodyShape
	scope                       scope
	rng                         hcl.Range
}

// scopedData decodes a check's data block: its configuration, and the
// provider meta-argument (count, for_each and depends_on have no meaning
// for a read made with the check's assertions).
func (d *decoder) scopedData(b *hcl.Block, ck *checkBlock) *scopedData {
	if !d.validName(b, 0, "data source type") || !d.validName(b, 1, "data source") {
		return nil
	}
	sd := &scopedData{typ: b.Labels[0], name: b.Labels[1], rng: b.DefRange}
	for _, prev := range ck.data {
		if prev.typ == sd.typ && prev.name == sd.name {
			d.errorf(b.DefRange, "Duplicate data source configuration",
				"A data source %q %q was already declared in check %q at %s.", sd.typ, sd.name, ck.name, prev.rng)
			return nil
		}
	}
	content, remain, diags := b.Body.PartialContent(resourceMetaSchema)
	d.add(diags)
	sd.providerName, _, _ = strings.Cut(sd.typ, "_")
	for name, attr := range content.Attributes {
		if name != "provider" {
			d.errorf(attr.NameRange, "Invalid scoped data source argument",
				"A data source in a check block is read once with the check; it cannot use %q.", name)
			continue
		}
		t, tdiags := hcl.AbsTraversalForExpr(attr.Expr)
		pname, alias, ok := providerRef(t)
		if tdiags.HasErrors() || !ok {
			d.errorf(attr.Expr.Range(), "Invalid provider reference",
				"The provider argument takes a provider name, optionally with an alias: huaweicloud or huaweicloud.west.")
			continue
		}
		sd.providerName, sd.providerAlias = pname, alias
	}
	for _, blk := range content.Blocks {
		d.errorf(blk.DefRange, "Invalid scoped data source block", "A data source in a check block cannot have a %s block.", blk.Type)
	}
	body, diags := newShape(remain, resourceMetaSchema)
	d.add(diags)
	sd.body = body
	return sd
}

// readScoped reads the scoped data sources of ck in ev's module instance
// and puts them into ectx, the context of its assertions, under data:
// unknown when their configuration is not known yet or read is nil, and
// when reading fails (a warning says why, as Terraform reports it).
func (ev *evaluator) readScoped(ctx context.Context, ck *checkBlock, ectx *hcl.EvalContext, read func(context.Context, DataRequest) (cty.Value, error)) hcl.Diagnostics {
	var diags hcl.Diagnostics
	types := map[string]map[string]cty.Value{}
	if v, ok := ectx.Variables["data"]; ok {
		for typ, group := range v.AsValueMap() {
			types[typ] = group.AsValueMap()
		}
	}
	for _, sd := range ck.data {
		v := ev.readOne(ctx, sd, read, &diags)
		if types[sd.typ] == nil {
			types[sd.typ] = map[string]cty.Value{}
		}
		types[sd.typ][sd.name] = v
	}
	data := make(map[string]cty.Value, len(types))
	for typ, names := range types {
		data[typ] = record(names)
	}
	ectx.Variables["data"] = record(data)
	return diags
}

// readOne reads one scoped data source; unknown when it cannot.
func (ev *evaluator) readOne(ctx context.Context, sd *scopedData, read func(context.Context, DataRequest) (cty.Value, error), diags *hcl.Diagnostics) cty.Value {
	sctx, d := ev.context(&sd.scope, nil, nil)
	cfg, bd := sd.body.eval(sctx, nil)
	*diags = append(*diags, append(d, bd...)...)
	if d.HasErrors() || bd.HasErrors() || !cfg.IsWhollyKnown() || read == nil {
		return cty.DynamicVal
	}
	cfg, paths := SensitivePaths(cfg)
	addr := ev.mi.prefix + "data." + sd.typ + "." + sd.name
	v, err := read(ctx, DataRequest{Addr: addr, Type: sd.typ, Name: sd.name, ProviderName: sd.providerName, ProviderAlias: sd.providerAlias, Config: cfg})
	switch {
	case err != nil:
		*diags = append(*diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Failed to read data source",
			Detail: fmt.Sprintf("Reading %s failed: %s.", addr, err), Subject: rangePtr(sd.rng)})
		return cty.DynamicVal
	case v.Type() == cty.NilType:
		return cty.DynamicVal
	}
	return MarkSensitive(v, paths)
}
