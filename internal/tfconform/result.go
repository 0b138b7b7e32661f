package tfconform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/formation-engine/formation/template"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Result is what one case gives: its outputs, as `terraform output -json`
// prints them, or the summary of its first error.
type Result struct {
	Outputs map[string]Output `json:"outputs,omitempty"`
	Error   string            `json:"error,omitempty"`
}

// Output is one output value as `terraform output -json` prints it.
type Output struct {
	Sensitive bool            `json:"sensitive"`
	Type      json.RawMessage `json:"type"`
	Value     json.RawMessage `json:"value"`
}

// Failed reports whether the case ended in an error.
func (r Result) Failed() bool { return r.Error != "" }

// Same reports whether two successful results have the same outputs: the
// same names, sensitivity, types and values (JSON compared as values, so
// key order and spacing do not count, and numbers compare as written).
func (r Result) Same(o Result) bool {
	if len(r.Outputs) != len(o.Outputs) {
		return false
	}
	for name, a := range r.Outputs {
		b, ok := o.Outputs[name]
		if !ok || a.Sensitive != b.Sensitive || !sameJSON(a.Type, b.Type) || !sameJSON(a.Value, b.Value) {
			return false
		}
	}
	return true
}

func sameJSON(a, b json.RawMessage) bool {
	return canonical(a) == canonical(b)
}

// canonical re-encodes JSON with sorted keys and numbers as written.
func canonical(raw json.RawMessage) string {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return "invalid: " + string(raw)
	}
	out, _ := json.Marshal(normalizeNumbers(v))
	return string(out)
}

// normalizeNumbers writes numbers in one form: Terraform prints 1e+21 where
// cty's JSON prints 1000000000000000000000.
func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, ok := new(big.Float).SetPrec(256).SetString(x.String())
		if !ok {
			return x.String()
		}
		if f.Sign() == 0 {
			return json.Number("0") // -0 is 0, as Terraform prints it
		}
		return json.Number(f.Text('g', -1))
	case []any:
		for i := range x {
			x[i] = normalizeNumbers(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = normalizeNumbers(x[k])
		}
	}
	return v
}

// String shows a result in a test failure.
func (r Result) String() string {
	if r.Failed() {
		return "error: " + r.Error
	}
	names := make([]string, 0, len(r.Outputs))
	for name := range r.Outputs {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		o := r.Outputs[name]
		fmt.Fprintf(&b, "%s = %s (%s", name, o.Value, o.Type)
		if o.Sensitive {
			b.WriteString(", sensitive")
		}
		b.WriteString(") ")
	}
	return strings.TrimSpace(b.String())
}

// outputResult turns evaluated outputs into a Result, as Terraform would
// print them after apply: an output not wholly known is an error, since
// apply must leave nothing unknown.
func outputResult(outs []template.Output) Result {
	r := Result{Outputs: map[string]Output{}}
	for _, o := range outs {
		v, _ := o.Value.UnmarkDeep()
		if v.IsKnown() && v.IsNull() {
			continue // Terraform keeps no null outputs, as the engine's stack outputs
		}
		if !v.IsWhollyKnown() {
			return Result{Error: "Output " + o.Name + " is unknown after apply"}
		}
		val, err := ctyjson.Marshal(v, v.Type())
		if err != nil {
			return Result{Error: err.Error()}
		}
		ty, err := ctyjson.MarshalType(v.Type())
		if err != nil {
			return Result{Error: err.Error()}
		}
		r.Outputs[o.Name] = Output{Sensitive: o.Sensitive || o.Value.ContainsMarked(), Type: ty, Value: val}
	}
	return r
}
