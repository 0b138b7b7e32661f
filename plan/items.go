package plan

import (
	"slices"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/template"
	"github.com/zclconf/go-cty/cty"
)

// Items returns the plan as RFS execution plan items (spec §3.1), one per
// change, in plan order. Attribute values are strings: unknown values read
// KnownAfterApply, sensitive ones SensitiveItemValue, null ones "". A
// create lists every non-null attribute with an empty previous_value, a
// delete every non-null attribute with an empty target_value, an update or
// a replacement (and a drifted change) the attributes that change; an item
// without attribute changes (NO_OPERATION, data sources) has an empty, not
// null, list. Collection values are written as compact JSON.
func (p *Plan) Items() []formation.PlanItem {
	out := make([]formation.PlanItem, len(p.Changes))
	for i, c := range p.Changes {
		out[i] = c.Item()
	}
	return out
}

// Item returns the change as one RFS execution plan item (see Plan.Items).
func (c *Change) Item() formation.PlanItem {
	it := formation.PlanItem{
		ResourceType: c.Type, ResourceName: c.Name, Index: c.Key, ModuleAddress: template.ModuleOf(c.Addr),
		Action: c.Action, ActionReason: c.itemReason(),
		ProviderName: c.ProviderName, Mode: c.Mode,
		Drifted: c.Drifted, Imported: c.Imported, ResourceID: c.ResourceID,
		Attributes: []formation.PlanAttribute{},
	}
	if c.Mode == formation.ModeData || c.Action == formation.ActionNoOperation {
		return it
	}
	b, a := unmarked(c.Before), unmarked(c.After)
	for _, name := range attributeNames(b, a) {
		path := cty.GetAttrPath(name)
		before, _ := getPath(b, path)
		after, _ := getPath(a, path)
		if isNull(before) && isNull(after) || sameValue(before, after) {
			continue
		}
		it.Attributes = append(it.Attributes, formation.PlanAttribute{
			Name:          name,
			PreviousValue: itemValue(before, path, c.Sensitive),
			TargetValue:   itemValue(after, path, c.Sensitive),
		})
	}
	return it
}

// itemReason is the item's action_reason. An RFS item names the resource
// by type, name and index only, and RFS has no move: the item of a moved
// object is the object at its new address (resource_name and index are
// the new ones, its action what happens to it there, NO_OPERATION for a
// move alone), and the reason says where it moved from. A forgotten
// object is NO_OPERATION (the cloud does not change) with a reason saying
// the stack lets it go.
func (c *Change) itemReason() string {
	reason := c.Reason
	if c.Forget {
		reason = "no longer managed by the stack, not destroyed (" + c.Reason + ")"
	}
	switch {
	case c.PrevAddr != "" && reason != "":
		return "moved from " + c.PrevAddr + "; " + reason
	case c.PrevAddr != "":
		return "moved from " + c.PrevAddr
	}
	return reason
}

// attributeNames lists the attribute names of two objects (either may be
// null or unknown), sorted.
func attributeNames(a, b cty.Value) []string {
	var names []string
	for _, v := range []cty.Value{a, b} {
		if v == cty.NilVal || !v.Type().IsObjectType() {
			continue
		}
		for n := range v.Type().AttributeTypes() {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// isNull reports whether v is missing or a known null.
func isNull(v cty.Value) bool { return v == cty.NilVal || (v.IsKnown() && v.IsNull()) }
