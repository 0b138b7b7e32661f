package plan

import (
	"context"
	"sort"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/template"
	"github.com/zclconf/go-cty/cty"
)

// Resource is one resource instance as a stack's state records it: what the
// executor stored after the instance was last created, updated, imported or
// read. The planner reads it and never modifies it.
type Resource struct {
	// Addr is the instance address, e.g. huaweicloud_vpc.vpc[0].
	Addr string
	// Mode is formation.ModeResource; state entries of mode DATA are
	// ignored by the planner (data sources are read again on every plan).
	Mode formation.Mode
	// Type, Name and Key are the block's labels and the instance key (""
	// without count or for_each), as template.Instance has them.
	Type, Name, Key string
	// ProviderName and ProviderAlias name the provider configuration the
	// instance used when last applied.
	ProviderName, ProviderAlias string
	// ID is the physical id.
	ID string
	// Value is the complete object as last applied or read, with no
	// unknowns.
	Value cty.Value
	// Dependencies lists the addresses the instance depended on when last
	// applied. Once the instance is removed from the template they are
	// what orders its deletion (it is deleted before them).
	Dependencies []string
	// PreventDestroy is lifecycle.prevent_destroy as last applied. It is
	// remembered: removing the resource block from the template does not
	// lift it (set prevent_destroy = false and deploy first).
	PreventDestroy bool
	// CreateBeforeDestroy is lifecycle.create_before_destroy as last
	// applied.
	CreateBeforeDestroy bool
	// Imported reports that the instance came into the stack through an
	// import block.
	Imported bool
	// Sensitive lists the attributes whose values were sensitive when
	// last applied (as Terraform's state keeps sensitive_attributes): a
	// change that deletes or updates the object hides them too.
	Sensitive []cty.Path
	// Deposed lists objects this instance replaced with
	// create_before_destroy whose deletion has not finished (a crash or a
	// failure between the create and the delete). The planner plans their
	// deletion.
	Deposed []Deposed
}

// Deposed is an object a create-before-destroy replacement left behind: the
// new object is in place, the old one still has to be deleted.
type Deposed struct {
	ID    string    // physical id of the old object
	Value cty.Value // its last recorded value
}

// State is a stack's recorded resources by address. The planner only reads
// it.
type State map[string]*Resource

// Providers gives the planner the provider of an instance.
// *provider.Registry implements it.
//
// Make asks for the provider configuration address first when an instance
// names an alias ("huaweicloud.west"), then for the provider name
// ("huaweicloud"): an engine that configures providers per alias can serve
// both, while a Registry (whose names never contain a dot) answers the
// second. Make does not call provider.Configurer: pass configured providers.
type Providers interface {
	Provider(name string) (provider.Provider, bool)
}

// Options tunes Make. The zero value plans against the recorded state
// without reading anything through the providers.
type Options struct {
	// Refresh reads every recorded resource through its provider before
	// diffing, to detect drift (spec §3.1): a changed object yields a
	// drifted item and the change from the remote object to the desired
	// one; a deleted object yields a drifted DELETE and an ADD.
	Refresh bool
	// Destroy plans deleting everything the state records (DeleteStack);
	// the template is not consulted and cfg may be nil.
	Destroy bool
	// Parallelism bounds how many instances are planned, and how many
	// recorded resources a refresh reads, at once; zero means 10. The plan
	// does not depend on it. Instances are planned on one goroutine per
	// CPU, and on more, up to Parallelism, while provider calls (Validate,
	// data-source and import reads) are seen waiting.
	Parallelism int
	// Moves are carried out on the state before the template's own moved
	// blocks: the engine rolls a deployment's moves back with them.
	Moves []Move
}

// Plan is the outcome of Make: what a deployment would do, as data. A Plan
// is not modified by its methods and is safe for concurrent reads; a caller
// that modifies Changes must not share the Plan meanwhile.
type Plan struct {
	// Changes holds one change per managed instance of the template or of
	// the state, one per data source instance of the template (Mode DATA,
	// NO_OPERATION), one per deposed object, and for every instance that
	// drifted a second, Drifted, change. They are sorted by address
	// (template.CompareAddrs); for one address the drifted change comes
	// first, then the change to make, then deposed objects by id.
	Changes []*Change
	// Summary counts the changes to make (drifted changes, data sources
	// and NO_OPERATION are not counted): an ADD is one add, an UPDATE one
	// update, a DELETE one delete, a replacement one add and one delete,
	// and every imported instance one import besides its action. Moves
	// and forgotten objects are not counted, as in Terraform v1.11.
	Summary formation.PlanSummary
	// Warnings are what the plan reports without failing: moves that could
	// not be made, objects a removed block forgets.
	Warnings []Warning
}

// Change is the plan of one resource instance (or one deposed object, or
// one drift).
//
// What Before and After hold, by Action:
//
//	ADD              Before null; After the planned object, unknown where
//	                 the provider computes the value
//	UPDATE           Before the prior object; After the planned object
//	                 (computed attributes keep their prior value)
//	DELETE           Before the prior object; After null
//	DELETE_THEN_ADD  Before the prior object; After the planned object of
//	ADD_THEN_DELETE  the new resource, as for ADD
//	NO_OPERATION     Before and After the prior object (for a data
//	                 source: null and the value read, or unknown when it
//	                 can only be read during apply)
//
// The prior object is the recorded value, or with Options.Refresh the value
// the provider read. A Drifted change has Before the recorded value and
// After the remote one (null when the object was deleted outside
// Formation), and Action UPDATE or DELETE.
type Change struct {
	// Addr is the instance address; a deposed object has its instance's
	// address and a non-empty Deposed.
	Addr string
	// Mode is formation.ModeResource or formation.ModeData.
	Mode formation.Mode
	// Type, Name and Key are the block's labels and the instance key.
	Type, Name, Key string
	// ProviderName and ProviderAlias name the provider configuration.
	ProviderName, ProviderAlias string
	// Action is what the deployment does.
	Action formation.Action
	// Reason is RFS's action_reason, free text: "new resource in the
	// template", "removed from the template", "force-new attribute cidr
	// changed", "replace_triggered_by huaweicloud_vpc.a", "resource was
	// deleted outside Formation", … Empty for an unchanged resource.
	Reason string
	// Before and After: see the table on Change.
	Before, After cty.Value
	// ResourceID is the physical id of the prior object ("" for ADD).
	ResourceID string
	// RequiresReplace lists the force-new attributes whose change makes a
	// replacement.
	RequiresReplace []cty.Path
	// Dependencies lists what the change waits for: the instance's
	// DependsOn for everything but a DELETE, whose Dependencies are the
	// recorded ones (it runs before their deletions).
	Dependencies []string
	// CreateBeforeDestroy and PreventDestroy are the instance's lifecycle
	// settings (the recorded ones for an instance no longer in the
	// template).
	CreateBeforeDestroy, PreventDestroy bool
	// IgnoreChanges lists the attribute paths ignore_changes keeps at their
	// prior value, "all" resolved to every configurable attribute. Refine
	// applies them again.
	IgnoreChanges []cty.Path
	// Imported reports that the instance is imported by this plan.
	Imported bool
	// ImportID is the id its import block gives ("" unless Imported).
	ImportID string
	// Deposed is the physical id of the deposed object this change deletes;
	// "" for every other change.
	Deposed string
	// PrevAddr is the address the state recorded the object under before
	// a moved block (or a move Terraform implies when count is added or
	// removed) renamed it; "" when it did not move. Applying the plan
	// renames the record; a moved object is not destroyed and created
	// again, and may change as any other (moved and updated).
	PrevAddr string
	// Forget marks an object a removed block with lifecycle.destroy =
	// false takes out of the stack: applying the plan drops its record and
	// leaves the object itself alone. Its Action is NO_OPERATION (the
	// cloud does not change; RFS has no action for it), Before and After
	// the recorded object.
	Forget bool
	// Drifted marks a change that describes drift: Before is the recorded
	// object, After the remote one. Its twin, with Drifted false,
	// describes the change from the remote object to the desired one.
	Drifted bool
	// Sensitive lists attributes never to render: the schema's Sensitive
	// attributes, and the parts of the configuration its expressions
	// marked sensitive (template.SensitivePaths). Instances that read the
	// object see those parts marked.
	Sensitive []cty.Path
	// Schema is the schema the change was planned against; Inferred
	// reports that it was inferred from the configuration
	// (provider.InferSchema) for a schema-less type.
	Schema   provider.Schema
	Inferred bool
}

// HasChanges reports whether applying the plan would change anything: a
// change to make other than NO_OPERATION, an import, a move or an object
// forgotten. Drift alone is not a change.
func (p *Plan) HasChanges() bool {
	for _, c := range p.Changes {
		if !c.Drifted && c.Mode != formation.ModeData && (c.Action != formation.ActionNoOperation || c.Imported || c.PrevAddr != "" || c.Forget) {
			return true
		}
	}
	return false
}

// Drifted lists the changes that describe drift (Change.Drifted), in plan
// order: one per resource that changed or was deleted outside Formation.
// The engine emits a DRIFT event for each.
func (p *Plan) Drifted() []*Change {
	var out []*Change
	for _, c := range p.Changes {
		if c.Drifted {
			out = append(out, c)
		}
	}
	return out
}

// Change returns the change to make for the instance at addr (not a
// drifted or deposed one), or nil. Changes must be sorted as Make sorts
// them.
func (p *Plan) Change(addr string) *Change {
	i := sort.Search(len(p.Changes), func(i int) bool { return template.CompareAddrs(p.Changes[i].Addr, addr) >= 0 })
	for ; i < len(p.Changes) && p.Changes[i].Addr == addr; i++ {
		if c := p.Changes[i]; !c.Drifted && c.Deposed == "" {
			return c
		}
	}
	return nil
}

// Make plans cfg against the prior state: for every instance of the
// template, in dependency order, it evaluates the configuration with what
// is known of the instances planned before it, plans the value against the
// provider's schema and decides the action; instances the state has and
// the template has not are deleted. It is pure except for the provider
// reads that a refresh, an import and a data source whose configuration is
// known make; it honours ctx.
//
// Errors are *formation.Error values: CodeInvalidTemplate for an
// unregistered provider, a configuration the schema refuses (naming the
// address and the attribute), template diagnostics (hcl.Diagnostics inside),
// a missing import target and a prevent_destroy violation; CodeInternal
// for a failed provider read. Several problems are reported together. A
// cancelled ctx returns ctx.Err().
func Make(ctx context.Context, cfg *template.Config, prior State, providers Providers, opts Options) (*Plan, error) {
	return newPlanner(cfg, prior, providers, opts).run(ctx)
}
