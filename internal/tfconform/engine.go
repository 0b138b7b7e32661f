package tfconform

import (
	"context"
	"encoding/json"
	"testing/fstest"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/store"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// deploy runs a module case as a user would: a stack created with the
// template on an engine with an in-memory store (terraform_data comes from
// the engine's built-in terraform provider), and the stack's outputs once
// the deployment is over.
func deploy(ctx context.Context, c Case) Result {
	e, err := engine.New(engine.Config{Store: store.NewMemory(), IDSeed: 1})
	if err != nil {
		return Result{Error: err.Error()}
	}
	defer e.Close()
	in := engine.TemplateInput{TemplateBody: c.Source()}
	if len(c.Children) > 0 {
		fsys := fstest.MapFS{}
		for name, src := range c.Files() {
			fsys[name] = &fstest.MapFile{Data: []byte(src), Mode: 0o644}
		}
		in = engine.TemplateInput{Files: fsys}
	}
	created, err := e.CreateStack(ctx, engine.CreateStackRequest{Name: "conformance", TemplateInput: in})
	if err != nil {
		return errorResult(err)
	}
	res, err := e.Wait(ctx, created.DeploymentRef)
	if err != nil {
		return errorResult(err)
	}
	if !res.Succeeded() {
		return Result{Error: "deployment " + string(res.Status) + ": " + res.Message}
	}
	page, err := e.ListStackOutputs(ctx, engine.ListStackOutputsRequest{StackRef: engine.StackRef{Name: "conformance"}})
	if err != nil {
		return errorResult(err)
	}
	r := Result{Outputs: map[string]Output{}}
	for _, o := range page.Outputs {
		val, _ := json.Marshal(o.Value)
		ty, _ := json.Marshal(o.Type)
		r.Outputs[o.Name] = Output{Sensitive: o.Sensitive, Type: ty, Value: val}
	}
	return r
}

// asStackOutputs renders a result as the engine's stack outputs do (the
// type as a type expression, the value as text, a sensitive one hidden),
// so that Terraform's outputs compare with a stack's.
func asStackOutputs(r Result) Result {
	if r.Failed() {
		return r
	}
	out := Result{Outputs: map[string]Output{}}
	for name, o := range r.Outputs {
		ty, err := ctyjson.UnmarshalType(o.Type)
		if err != nil {
			return Result{Error: "golden type: " + err.Error()}
		}
		v, err := ctyjson.Unmarshal(o.Value, ty)
		if err != nil {
			return Result{Error: "golden value: " + err.Error()}
		}
		typ, text := typeexpr.TypeString(ty), engine.OutputText(v)
		if o.Sensitive {
			typ, text = formation.SensitiveValue, formation.SensitiveValue
		}
		tj, _ := json.Marshal(typ)
		vj, _ := json.Marshal(text)
		out.Outputs[name] = Output{Sensitive: o.Sensitive, Type: tj, Value: vj}
	}
	return out
}
