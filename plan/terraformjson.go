package plan

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/template"
)

// Terraform's JSON plan format (terraform show -json PLANFILE, format 1.2),
// so that tools written for it — OPA and conftest policies, cost
// estimators — read Formation's plans. The fields are Terraform's, field by
// field (compared with terraform v1.11.4's rendering of an equivalent
// terraform_data plan in cmd/formation's tests); where Formation differs it
// is on purpose:
//
//   - sensitive values are never written: they read null, and are flagged
//     in before_sensitive and after_sensitive as Terraform flags them (the
//     schema's sensitive attributes, and the parts of a configuration its
//     expressions mark sensitive); a sensitive variable's value and
//     default are null too;
//   - configuration is read from the template's files as Terraform reads
//     them (see terraformconfig.go), except that a sensitive variable's
//     default is left out, and schema_version is 0 (Formation's provider
//     schemas have no versions);
//   - relevant_attributes is left out.
//
// RFS's plan items (Plan.Items) are untouched by this rendering: they stay
// what the RFS API returns.

// TerraformFormatVersion is the format_version Terraform v1.11 writes and
// this rendering follows.
const TerraformFormatVersion = "1.2"

// TerraformJSONInput is what a Terraform JSON plan needs besides the Plan.
type TerraformJSONInput struct {
	// Config is the template the plan was made from, expanded with its
	// variables. It gives variables, output_changes and configuration;
	// nil leaves them out.
	Config *template.Config
	// Version is written as terraform_version: the Formation version.
	Version string
	// Timestamp is when the plan was made.
	Timestamp time.Time
}

type tfPlan struct {
	FormatVersion    string                `json:"format_version"`
	TerraformVersion string                `json:"terraform_version"`
	Variables        map[string]tfVariable `json:"variables,omitempty"`
	PlannedValues    tfValues              `json:"planned_values"`
	ResourceDrift    []tfResourceChange    `json:"resource_drift,omitempty"`
	ResourceChanges  []tfResourceChange    `json:"resource_changes"`
	OutputChanges    map[string]tfChange   `json:"output_changes,omitempty"`
	PriorState       *tfState              `json:"prior_state,omitempty"`
	Configuration    *tfConfiguration      `json:"configuration,omitempty"`
	Timestamp        string                `json:"timestamp"`
	Applyable        bool                  `json:"applyable"`
	Complete         bool                  `json:"complete"`
	Errored          bool                  `json:"errored"`
}

type tfVariable struct {
	Value json.RawMessage `json:"value"`
}

type tfValues struct {
	Outputs    map[string]tfOutput `json:"outputs,omitempty"`
	RootModule tfModule            `json:"root_module"`
}

type tfOutput struct {
	Sensitive bool            `json:"sensitive"`
	Type      json.RawMessage `json:"type,omitempty"`
	Value     json.RawMessage `json:"value,omitempty"`
}

type tfModule struct {
	Resources    []tfResource `json:"resources,omitempty"`
	Address      string       `json:"address,omitempty"`
	ChildModules []*tfModule  `json:"child_modules,omitempty"`
}

// sortByAddress sorts the resources of m and of the modules below it by
// address as strings (vpc[10] before vpc[2]), as Terraform writes
// planned_values.
func (m *tfModule) sortByAddress() {
	slices.SortStableFunc(m.Resources, func(a, b tfResource) int { return strings.Compare(a.Address, b.Address) })
	for _, c := range m.ChildModules {
		c.sortByAddress()
	}
}

// add places r, of the module instance module ("" for the root), in m or
// below it: child_modules nest as the module calls do, as Terraform nests
// them. m is the root module or a module that module is inside.
func (m *tfModule) add(module string, r tfResource) {
	if m.Address == module {
		m.Resources = append(m.Resources, r)
		return
	}
	// The next call below m: module.a[0] of module.a[0].module.b.
	rest := module
	if m.Address != "" {
		rest = module[len(m.Address)+1:]
	}
	if i := strings.Index(rest[len("module."):], ".module."); i >= 0 {
		rest = rest[:len("module.")+i]
	}
	addr := rest
	if m.Address != "" {
		addr = m.Address + "." + rest
	}
	for _, c := range m.ChildModules {
		if c.Address == addr {
			c.add(module, r)
			return
		}
	}
	child := &tfModule{Address: addr}
	m.ChildModules = append(m.ChildModules, child)
	child.add(module, r)
}

type tfResource struct {
	Address         string          `json:"address"`
	Mode            string          `json:"mode"`
	Type            string          `json:"type"`
	Name            string          `json:"name"`
	Index           json.RawMessage `json:"index,omitempty"`
	ProviderName    string          `json:"provider_name"`
	SchemaVersion   int             `json:"schema_version"`
	Values          json.RawMessage `json:"values"`
	SensitiveValues json.RawMessage `json:"sensitive_values"`
	DependsOn       []string        `json:"depends_on,omitempty"`
}

type tfResourceChange struct {
	Address       string          `json:"address"`
	ModuleAddress string          `json:"module_address,omitempty"`
	Mode          string          `json:"mode"`
	Type          string          `json:"type"`
	Name          string          `json:"name"`
	Index         json.RawMessage `json:"index,omitempty"`
	Deposed       string          `json:"deposed,omitempty"`
	PrevAddress   string          `json:"previous_address,omitempty"`
	ProviderName  string          `json:"provider_name"`
	Change        tfChange        `json:"change"`
	ActionReason  string          `json:"action_reason,omitempty"`
}

type tfChange struct {
	Actions         []string        `json:"actions"`
	Before          json.RawMessage `json:"before"`
	After           json.RawMessage `json:"after,omitempty"`
	AfterUnknown    json.RawMessage `json:"after_unknown"`
	BeforeSensitive json.RawMessage `json:"before_sensitive"`
	AfterSensitive  json.RawMessage `json:"after_sensitive"`
	ReplacePaths    [][]any         `json:"replace_paths,omitempty"`
	Importing       *tfImporting    `json:"importing,omitempty"`
}

type tfImporting struct {
	ID string `json:"id"`
}

type tfState struct {
	FormatVersion    string   `json:"format_version"`
	TerraformVersion string   `json:"terraform_version"`
	Values           tfValues `json:"values"`
}

// TerraformJSON renders the plan in Terraform's JSON plan format.
func (p *Plan) TerraformJSON(in TerraformJSONInput) ([]byte, error) {
	out := tfPlan{
		FormatVersion: TerraformFormatVersion, TerraformVersion: in.Version,
		ResourceChanges: []tfResourceChange{},
		Timestamp:       in.Timestamp.UTC().Format(time.RFC3339),
		Applyable:       p.HasChanges(), Complete: true,
	}
	planned := map[string]cty.Value{} // after, by address, for the outputs
	prior := map[string]cty.Value{}   // before
	var priorResources []tfResource
	var priorModules []string
	for _, c := range p.Changes {
		before, after := unmarked(c.Before), unmarked(c.After)
		if c.Drifted {
			out.ResourceDrift = append(out.ResourceDrift, c.tfResourceChange(before, after))
			continue
		}
		if c.Deposed == "" {
			if !isNull(after) {
				planned[c.Addr] = after
			}
			if !isNull(before) {
				prior[c.Addr] = before
			}
		}
		if !isNull(before) && c.Deposed == "" {
			r := c.tfResource(before)
			if c.Mode == formation.ModeResource {
				r.DependsOn = slices.Clone(c.Dependencies) // as the state records them
			}
			priorResources = append(priorResources, r)
			priorModules = append(priorModules, template.ModuleOf(c.Addr))
		}
		if !isNull(after) && c.Deposed == "" {
			out.PlannedValues.RootModule.add(template.ModuleOf(c.Addr), c.tfResource(after))
		}
		if c.Mode == formation.ModeData && after.IsWhollyKnown() {
			continue // read while planning: a value, not a change
		}
		if c.Forget {
			after = nullOf(before) // Terraform's forget change has no after, though its planned values keep the object
		}
		out.ResourceChanges = append(out.ResourceChanges, c.tfResourceChange(before, after))
	}
	terraformOrder(out.ResourceChanges, func(r tfResourceChange) (string, bool) { return r.ModuleAddress, r.Mode == "data" })
	out.PlannedValues.RootModule.sortByAddress()
	if len(priorResources) > 0 {
		out.PriorState = &tfState{FormatVersion: "1.0", TerraformVersion: in.Version}
		for i, r := range priorResources {
			out.PriorState.Values.RootModule.add(priorModules[i], r)
		}
	}
	if cfg := in.Config; cfg != nil {
		out.Variables = tfVariables(cfg)
		out.PlannedValues.Outputs, out.OutputChanges = tfOutputs(cfg, prior, planned, out.PriorState)
		out.Configuration = tfConfig(cfg)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return nil, formation.Wrap(formation.CodeInternal, "plan.TerraformJSON", "", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// tfActions are Terraform's actions for a change.
func (c *Change) tfActions(after cty.Value) []string {
	switch {
	case c.Mode == formation.ModeData:
		return []string{"read"}
	case c.Drifted && c.Action == formation.ActionDelete:
		return []string{"delete"}
	case c.Drifted:
		return []string{"update"}
	case c.Forget:
		return []string{"forget"}
	}
	switch c.Action {
	case formation.ActionAdd:
		return []string{"create"}
	case formation.ActionUpdate:
		return []string{"update"}
	case formation.ActionDelete:
		return []string{"delete"}
	case formation.ActionDeleteThenAdd:
		return []string{"delete", "create"}
	case formation.ActionAddThenDelete:
		return []string{"create", "delete"}
	}
	return []string{"no-op"}
}

// tfActionReason maps Formation's free-text reason to Terraform's
// action_reason values, where one applies.
func (c *Change) tfActionReason() string {
	switch {
	case c.Mode == formation.ModeData && c.Reason == reasonReadDepends:
		return "read_because_dependency_pending"
	case c.Mode == formation.ModeData && c.Reason == reasonReadUnknown:
		return "read_because_config_unknown"
	}
	switch c.Action {
	case formation.ActionDeleteThenAdd, formation.ActionAddThenDelete:
		if strings.Contains(c.Reason, "replace_triggered_by") {
			return "replace_by_triggers"
		}
		if len(c.RequiresReplace) > 0 {
			return "replace_because_cannot_update"
		}
		if strings.Contains(c.Reason, "outside") {
			return "replace_because_tainted"
		}
	case formation.ActionDelete:
		if c.Deposed == "" && !c.Drifted && c.PrevAddr != "" {
			return "delete_because_no_move_target"
		}
		if c.Deposed == "" && !c.Drifted {
			return "delete_because_no_resource_config"
		}
	case formation.ActionNoOperation:
		switch {
		case c.Forget && c.PrevAddr != "":
			return "delete_because_no_move_target"
		case c.Forget:
			return "delete_because_no_resource_config" // as Terraform v1.11 gives it
		}
	}
	return ""
}

func (c *Change) tfResourceChange(before, after cty.Value) tfResourceChange {
	sensitive := func(_ cty.Value, path cty.Path) bool { return underAny(path, c.Sensitive) }
	ch := tfChange{
		Actions:         c.tfActions(after),
		Before:          c.tfValue(before),
		AfterUnknown:    markers(after, nil, func(v cty.Value, _ cty.Path) bool { return !v.IsKnown() }),
		BeforeSensitive: json.RawMessage("false"),
		AfterSensitive:  json.RawMessage("false"),
	}
	if !isNull(before) {
		ch.BeforeSensitive = markers(before, nil, sensitive)
	}
	switch {
	case !after.IsKnown():
		ch.AfterUnknown = json.RawMessage("true")
	case !isNull(after):
		ch.After = c.tfValue(after)
		ch.AfterSensitive = markers(after, nil, sensitive)
	default:
		ch.After = json.RawMessage("null")
	}
	for _, path := range c.RequiresReplace {
		ch.ReplacePaths = append(ch.ReplacePaths, tfPath(path))
	}
	if c.Imported {
		ch.Importing = &tfImporting{ID: c.ImportID}
	}
	rc := tfResourceChange{
		Address: c.Addr, ModuleAddress: template.ModuleOf(c.Addr),
		Mode: tfMode(c.Mode), Type: c.Type, Name: c.Name, Index: c.tfIndex(),
		Deposed: c.Deposed, ProviderName: tfProviderSource(c.ProviderName),
		Change: ch,
	}
	if !c.Drifted {
		rc.ActionReason = c.tfActionReason()
		rc.PrevAddress = c.PrevAddr
	}
	return rc
}

func (c *Change) tfResource(v cty.Value) tfResource {
	sensitive := func(_ cty.Value, path cty.Path) bool { return underAny(path, c.Sensitive) }
	return tfResource{
		Address: c.Addr, Mode: tfMode(c.Mode), Type: c.Type, Name: c.Name, Index: c.tfIndex(),
		ProviderName: tfProviderSource(c.ProviderName),
		Values:       c.tfValue(v), SensitiveValues: markers(v, nil, sensitive),
	}
}

// tfIndex is the instance key as Terraform writes it: a number for count,
// a string for for_each, nothing without either.
func (c *Change) tfIndex() json.RawMessage {
	switch {
	case c.Key == "":
		return nil
	case strings.HasSuffix(c.Addr, "["+c.Key+"]"):
		return json.RawMessage(c.Key)
	}
	return json.RawMessage(quote(c.Key))
}

// tfValue writes a value as Terraform's plan does: attributes not known
// yet left out of objects (after_unknown flags them), unknown elements of
// lists null; sensitive parts are null too (Formation never writes them).
func (c *Change) tfValue(v cty.Value) json.RawMessage {
	enc := &jsonValue{unknown: []byte("null"), sensitive: []byte("null"), paths: c.Sensitive, omitUnknown: true}
	var buf bytes.Buffer
	enc.encode(&buf, v, nil)
	return buf.Bytes()
}

// tfPath is a path as replace_paths writes it: attribute names and keys.
func tfPath(path cty.Path) []any {
	out := make([]any, 0, len(path))
	for _, step := range path {
		switch s := step.(type) {
		case cty.GetAttrStep:
			out = append(out, s.Name)
		case cty.IndexStep:
			if s.Key.Type() == cty.Number {
				n, _ := s.Key.AsBigFloat().Int64()
				out = append(out, n)
			} else {
				out = append(out, s.Key.AsString())
			}
		}
	}
	return out
}

func tfMode(m formation.Mode) string {
	if m == formation.ModeData {
		return "data"
	}
	return "managed"
}

// tfProviderSource is the registry address Terraform writes for a
// provider's local name: huaweicloud/huaweicloud for huaweicloud, the
// built-in provider for terraform, the hashicorp namespace (Terraform's
// default) for any other.
func tfProviderSource(name string) string {
	switch name {
	case "huaweicloud":
		return "registry.terraform.io/huaweicloud/huaweicloud"
	case "terraform":
		return "terraform.io/builtin/terraform" // terraform_data's
	}
	return "registry.terraform.io/hashicorp/" + name
}

// tfVariables are the variables' values; a sensitive variable's is null
// (Terraform writes it, Formation never writes a sensitive value), and an
// ephemeral one's too (Terraform keeps none in a plan).
func tfVariables(cfg *template.Config) map[string]tfVariable {
	out := map[string]tfVariable{}
	values := cfg.Variables()
	for _, v := range cfg.Template().Variables() {
		if val, ok := values[v.Name]; ok {
			if v.Sensitive || v.Ephemeral {
				val = cty.NilVal
			}
			out[v.Name] = tfVariable{Value: ctyJSON(val)}
		}
	}
	return out
}

// ctyJSON is a known value as plain JSON; null for anything else.
func ctyJSON(v cty.Value) json.RawMessage {
	v = unmarked(v)
	if v == cty.NilVal || !v.IsWhollyKnown() {
		return json.RawMessage("null")
	}
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}

// tfOutputs evaluates the outputs against the planned values and the prior
// ones: planned_values.outputs and output_changes. Before is null when the
// stack held nothing.
func tfOutputs(cfg *template.Config, prior, planned map[string]cty.Value, state *tfState) (map[string]tfOutput, map[string]tfChange) {
	lookup := func(m map[string]cty.Value) template.Values {
		return template.ValuesFunc(func(addr string) cty.Value {
			if v, ok := m[addr]; ok {
				return v
			}
			return cty.DynamicVal
		})
	}
	after, _ := cfg.Outputs(context.Background(), lookup(planned))
	var before []template.Output
	if state != nil {
		before, _ = cfg.Outputs(context.Background(), lookup(prior))
	}
	values := map[string]tfOutput{}
	changes := map[string]tfChange{}
	for i, o := range after {
		v := unmarked(o.Value)
		sens := json.RawMessage(strconv.FormatBool(o.Sensitive))
		out := tfOutput{Sensitive: o.Sensitive}
		ch := tfChange{Before: json.RawMessage("null"), AfterUnknown: json.RawMessage("false"), BeforeSensitive: json.RawMessage("false"), AfterSensitive: sens}
		if v.IsWhollyKnown() {
			out.Type = ctyTypeJSON(v.Type())
			if !o.Sensitive {
				out.Value = ctyJSON(v)
			}
			ch.After = out.Value
			if o.Sensitive {
				ch.After = json.RawMessage("null")
			}
		} else {
			ch.AfterUnknown = json.RawMessage("true")
		}
		ch.Actions = []string{"create"}
		if before != nil {
			b := unmarked(before[i].Value)
			ch.BeforeSensitive = sens
			if !o.Sensitive && b.IsWhollyKnown() {
				ch.Before = ctyJSON(b)
			}
			ch.Actions = []string{"update"}
			if b.IsWhollyKnown() && v.IsWhollyKnown() && b.Equals(v).True() {
				ch.Actions = []string{"no-op"}
			}
		}
		values[o.Name] = out
		changes[o.Name] = ch
	}
	return values, changes
}

func ctyTypeJSON(ty cty.Type) json.RawMessage {
	b, err := ctyjson.MarshalType(ty)
	if err != nil {
		return nil
	}
	return b
}
