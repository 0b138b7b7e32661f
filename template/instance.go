package template

import (
	"context"
	"time"

	"github.com/formation-engine/formation"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Instance is one resource or data source instance of an expanded
// template: a block without count or for_each has one, a block with count
// has one per index, a block with for_each one per key. Instances are
// created by Expand and read-only afterwards; their slices may be shared
// between instances, so never modify them.
type Instance struct {
	// Addr is the Terraform address: huaweicloud_vpc.vpc,
	// huaweicloud_vpc.vpc[0], huaweicloud_vpc.vpc["vpc1"],
	// data.huaweicloud_vpcs.all for a data source, with the module
	// instance in front inside a module:
	// module.net[0].huaweicloud_vpc.vpc. ParseInstanceAddr takes it apart.
	Addr string
	// Resource is the address of the block in its module instance: Addr
	// without the key. It is what VersionedValues.Version receives.
	Resource string
	// Module is the module instance the instance belongs to; nil in the
	// root module.
	Module ModuleInstance
	// Mode is formation.ModeResource or formation.ModeData.
	Mode formation.Mode
	// Type and Name are the block's labels.
	Type, Name string
	// Key is the RFS index: "" without count or for_each, "0", "1", … with
	// count, the key ("vpc1") with for_each.
	Key string
	// ProviderName is the provider's local name: the type's prefix before
	// the first '_' (huaweicloud_vpc → huaweicloud), or the name given by
	// the provider meta-argument. ProviderAlias is the alias given there
	// (provider = huaweicloud.west → "west"), "" for the default
	// configuration. Inside a module both name the root module's
	// configuration the module's configuration stands for (passed with
	// the providers argument of the module blocks, or inherited).
	ProviderName, ProviderAlias string
	// DependsOn lists the addresses of the instances this one depends on,
	// through references (directly or through locals and provider
	// configurations) and depends_on, deduplicated and sorted by
	// CompareAddrs. A reference naming an instance (prev[count.index],
	// vpc["a"]) depends on that instance only; any other reference to a
	// block with count or for_each depends on all its instances.
	DependsOn []string
	// Lifecycle is the lifecycle block of a managed resource.
	Lifecycle Lifecycle
	// ImportID is the id an import block gives for this instance; "" when
	// none targets it.
	ImportID string
	// DataResult is, for a data source read by Expand (through
	// Input.DataSource), what the read returned, marked Sensitive where
	// the configuration was (SensitivePaths finds them). It is cty.NilVal when the
	// read is left to the caller: the configuration depends on managed
	// resources, or no DataSource was given. The caller then reads the data
	// source at apply time and supplies the result through Values.
	DataResult cty.Value
	// DeclRange is the block's declaration, for diagnostics.
	DeclRange hcl.Range

	node      *node
	mi        *modInst
	index     int       // count index; -1 without count
	eachValue cty.Value // each.value
	keys      [][]string
}

// iter is the instance's count.index and each.
func (i *Instance) iter() iteration {
	r := i.node.res
	return iteration{index: i.index, key: i.Key, each: i.eachValue, forEach: r.forEach, meta: &r.meta}
}

// ProviderAddr is the provider configuration the instance uses:
// "huaweicloud" or "huaweicloud.west".
func (i *Instance) ProviderAddr() string {
	if i.ProviderAlias == "" {
		return i.ProviderName
	}
	return i.ProviderName + "." + i.ProviderAlias
}

// Lifecycle is a managed resource's lifecycle block.
type Lifecycle struct {
	CreateBeforeDestroy bool
	PreventDestroy      bool
	// IgnoreAllChanges is set by ignore_changes = all.
	IgnoreAllChanges bool
	// IgnoreChanges lists the attribute paths of ignore_changes = [...].
	IgnoreChanges []cty.Path
	// ReplaceTriggeredBy lists what replaces this instance when it changes.
	ReplaceTriggeredBy []Trigger
}

// Trigger is one replace_triggered_by entry resolved for an instance: the
// instance whose replacement or update triggers, and, when the entry names
// an attribute, the path whose change triggers (empty for the whole
// instance).
type Trigger struct {
	Addr string
	Path cty.Path
}

// DataRequest asks the engine to read one data source instance during
// Expand.
type DataRequest struct {
	Addr, Type, Name, Key       string
	ProviderName, ProviderAlias string
	// Config is the evaluated configuration, wholly known.
	Config cty.Value
}

// Input is what Expand binds to a template.
type Input struct {
	// VarsBody is tfvars text (HCL, or JSON when it starts with '{').
	VarsBody string
	// VarsURIContent is the content of the tfvars file a vars_uri names
	// (HCL, or JSON when it starts with '{'), read as VarsBody is.
	VarsURIContent string
	// VarsStructure gives variables as strings converted to the declared
	// type: "10" is a number for a number variable, and a list or object is
	// written as an HCL expression (["a", "b"]).
	VarsStructure []formation.VarsStructure
	// Values gives variables as cty values.
	Values map[string]cty.Value
	// DataSource reads a data source instance whose configuration does not
	// depend on managed resources. Nil leaves every read to the caller (see
	// Instance.DataResult).
	DataSource func(ctx context.Context, req DataRequest) (cty.Value, error)
	// PlanTimestamp is what plantimestamp() returns, the time of the plan
	// the Config is made for: give the plan's time again to a Config that
	// applies a plan made earlier. Zero means the template's clock
	// (Options.Now) when Expand runs, read once for the whole Config.
	PlanTimestamp time.Time
}
