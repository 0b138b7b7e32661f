// Package plan is Formation's pure planner. It diffs a template's desired
// instances against a stack's recorded state, through the providers'
// schemas, and returns what a deployment would do as data: one Change per
// resource instance in RFS execution plan shape (spec §2.4, §3.1), with a
// summary, and renders it as text like terraform plan, as RFS plan items
// and as JSON.
//
// # The simplest path
//
// Expand a template, Make a plan against the stack's state, write it:
//
//	cfg, err := tpl.Expand(ctx, template.Input{VarsBody: vars})
//	if err != nil {
//		return err
//	}
//	p, err := plan.Make(ctx, cfg, state, registry, plan.Options{Refresh: true})
//	if err != nil {
//		return err // *formation.Error: CodeInvalidTemplate for template problems
//	}
//	return p.WriteText(os.Stdout)
//
// A *provider.Registry serves as Providers; state is nil or empty for a
// new stack. Plan.Items gives GetExecutionPlan's items, Plan.Summary the
// plan metadata's summary, and json.Marshal(p) the JSON form below.
//
// # How a plan is made
//
// Make walks the template's instances in dependency order, each as soon as
// what it depends on is planned (on one goroutine per CPU, more while
// provider calls wait, at most Options.Parallelism; the result does not
// depend on scheduling). For each it evaluates the configuration
// with template.Config.Evaluate, giving every instance planned before it
// its planned value (After): the prior object for an unchanged resource,
// so a re-plan of an unchanged deployed stack is all NO_OPERATION, and
// unknowns ("known after apply") for what a provider computes, which
// propagate to whatever refers to them. It then plans the value against
// the provider's schema (provider.LoadSchemaOf; provider.InferSchema for
// schema-less types) and calls the provider's Validator, if any, with the
// configuration coerced to the schema (every attribute, null when unset),
// as Terraform validates. The action:
//
//	ADD              not in the state: Schema.PlannedValue, computed
//	                 attributes unknown ("new resource in the template";
//	                 "resource was deleted outside Formation" after a
//	                 refresh found it gone)
//	UPDATE           Schema.PlannedUpdate differs from the prior object
//	                 ("attribute description changed in the template", or
//	                 "… changed outside Formation" when it repairs drift)
//	DELETE_THEN_ADD  a force-new attribute changes (Schema.RequiresReplace,
//	ADD_THEN_DELETE  an unknown counts as a change) or replace_triggered_by
//	                 fires: ADD_THEN_DELETE with create_before_destroy, else
//	                 the provider's order (provider.ReplaceOrderOf)
//	                 ("force-new attribute cidr changed",
//	                 "replace_triggered_by huaweicloud_vpc.a")
//	DELETE           in the state, not in the template ("removed from the
//	                 template"); everything with Options.Destroy ("the stack
//	                 is being deleted"); deposed objects
//	NO_OPERATION     unchanged
//
// Summary counts an ADD as one add, an UPDATE as one update, a DELETE as
// one delete, a replacement as one add and one delete, and an import as one
// import besides its action. Drifted changes and data sources are not
// counted.
//
// # Lifecycle
//
// ignore_changes keeps the prior value at each listed path (a map key
// included; all: every attribute the configuration may set), for updates
// and replacements alike; a force-new attribute it covers never replaces.
// replace_triggered_by replaces the instance when a referenced instance is
// updated or replaced, or, for a reference to an attribute, when that
// attribute's value changes (unknown counts as changed); creating the
// referenced instance does not trigger. prevent_destroy fails any plan
// that would delete or replace the resource, destroy plans included. The
// state remembers it (Resource.PreventDestroy): removing the resource
// block does not lift it — deploy prevent_destroy = false first.
// create_before_destroy makes replacements ADD_THEN_DELETE.
//
// # Refresh and drift
//
// With Options.Refresh every recorded resource is read through its
// provider first. An object that changed yields two changes for its
// address: a Drifted one (Before the recorded object, After the remote
// one, Action UPDATE), and the change from the remote object to the
// desired one. An object deleted outside Formation yields a Drifted DELETE
// and, if the template still has it, an ADD. Plan.Drifted lists the
// drifted changes, for DRIFT events.
//
// # Moved and removed blocks
//
// Before anything else, Make carries out on a copy of the state what the
// template's moved blocks say (Options.Moves first, then the blocks in
// template.Template.Moves order, then the moves Terraform implies when
// count is added to or removed from a resource): each recorded object
// they name is planned at its new address, from its recorded object, and
// its Change has PrevAddr set. A move alone is NO_OPERATION; a move may
// come with any other action (moved and updated, moved and replaced). A
// move whose destination the state already records is not made (a
// Warning says so) and the object is planned where it was; a move across
// resource types is an error. An object a removed block with destroy =
// false names is planned as Forget (NO_OPERATION, nothing destroyed), with
// a Warning listing what the stack will no longer manage; with destroy =
// true it is deleted as any object the template no longer declares. A
// template with neither costs one map lookup per recorded resource.
//
// # Imports, data sources and deposed objects
//
// An instance an import block targets that the state does not have is
// read through its provider with the import id at plan time (a missing
// object is an error naming the address and the id). It is planned from
// that object with Imported set: NO_OPERATION when the template matches
// it, UPDATE otherwise. Once in the state the import block changes
// nothing.
//
// A data source is a NO_OPERATION change of mode DATA. Its After is what
// Expand read (template.Instance.DataResult), or what Make reads through
// the provider's DataSourceReader when its configuration is wholly known
// and nothing it depends on changes, or not yet known: it is read during
// apply, and until then its After is what Terraform plans for it, its
// configuration with the attributes the read computes unknown (from the
// provider's provider.DataSourceSchemas; without one, the id).
//
// A deposed object (an old object a create-before-destroy replacement left
// behind) is a DELETE change with the instance's address and Deposed set
// to the object's id; prevent_destroy does not hold it back.
//
// # Executing a plan
//
// Plan.Encode gives the form to store between creating an execution plan
// and applying it, and Decode reads it back. Plan.Change(addr) is an
// instance's change. An executor:
//
//   - drops from the state what a Drifted DELETE reports deleted, and takes
//     the remote value (the drifted change's After) for a Drifted UPDATE;
//   - deletes DELETE changes (deposed ones included) before what their
//     Dependencies name, in reverse dependency order;
//   - creates, updates and replaces in dependency order; before each, it
//     evaluates the instance's configuration again with the applied values
//     and calls Change.Refine, which plans it again as Make did and returns
//     the provider's Create Config or Update Planned value (or an error
//     when a value planned as known changed);
//   - records the outcome with Change.Applied, for NO_OPERATION changes too
//     (their lifecycle settings and dependencies may have changed).
//
// # Renderings
//
// WriteText writes what terraform plan writes, without colour: symbols
// "+" create, "~" update in place, "-/+" and "+/-" replace, "-" destroy,
// "<=" read during apply; "(known after apply)", "(sensitive value)",
// "# forces replacement"; and "Plan: N to add, N to change, N to
// destroy." or "No changes.".
//
// Items gives RFS plan items: every value a string, unknown values
// KnownAfterApply, sensitive ones SensitiveItemValue, attributes an empty
// list (never null) when none change.
//
// MarshalJSON writes one object, whose fields are only ever added to:
//
//	{
//	  "format_version": "1.0",
//	  "resource_changes": [            // Plan.Changes, in order
//	    {
//	      "address": "huaweicloud_vpc.vpc[0]",
//	      "mode": "RESOURCE",          // or "DATA"
//	      "type": "huaweicloud_vpc",
//	      "name": "vpc",
//	      "index": "0",                // RFS index; left out without count/for_each
//	      "provider_name": "huaweicloud",
//	      "provider_alias": "west",    // left out when ""
//	      "deposed": "…",              // the deposed object's id; left out when ""
//	      "previous_address": "…",     // where a moved block moved it from; left out when ""
//	      "forget": true,              // a removed block forgets it; left out when false
//	      "action": "ADD",             // formation.Action
//	      "action_reason": "…",        // left out when ""
//	      "drifted": false,
//	      "imported": false,
//	      "import_id": "…",            // left out when ""
//	      "resource_id": "…",          // left out when ""
//	      "dependencies": [],          // addresses
//	      "create_before_destroy": false,
//	      "prevent_destroy": false,
//	      "requires_replace": [],      // attribute paths: "cidr", "network[0].uuid"
//	      "before": null,              // the values as JSON: unknown and
//	      "after": {…},                // sensitive parts written as null
//	      "after_unknown": {…},        // true where After is unknown
//	      "before_sensitive": {},      // true where Before is sensitive
//	      "after_sensitive": {}        // true where After is sensitive
//	    }
//	  ],
//	  "summary": {"resource_add": 1, "resource_update": 0, "resource_delete": 0, "resource_import": 0}
//	}
//
// A marker tree (after_unknown, before_sensitive, after_sensitive) is true
// for a marked value, an object (by attribute or key) or array (by index,
// false for an unmarked element) for a collection with marked parts, and
// {} when nothing is marked. Sensitive values are never written.
//
// # Errors
//
// Make returns *formation.Error values: CodeInvalidTemplate for an
// unregistered provider (reported once, at the first address using it), a
// configuration the schema or the provider refuses (Resource is the
// address, the cause a cty.PathError naming the attribute), template
// diagnostics (errors.As finds the hcl.Diagnostics), a missing import
// target, a failed data source read and a prevent_destroy violation;
// CodeInternal for a failed refresh read. Every problem is reported: two
// or more are joined under one *formation.Error ("N problems").
//
// # Concurrency
//
// Make may run concurrently with other Makes, on the same Config and the
// same State, which it only reads. It calls the providers from several
// goroutines at once, as the provider contract allows. A Plan is data:
// safe to read from many goroutines, not to modify while shared.
//
// # Caveats
//
//   - Make does not call provider.Configurer: pass configured providers.
//     Providers is asked for "name.alias" first, then "name".
//   - Providers get values without marks: the planner takes them off a
//     configuration and records their paths in Change.Sensitive, with
//     the schema's sensitive attributes. A provider returning marked
//     values gets them compared as they are.
//   - A schema-less type is planned with InferSchema of its
//     configuration: an attribute removed from the template is an update
//     (to its absence), and nothing forces a replacement.
package plan
