package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/template"
)

// Warning is something a plan reports without failing: Terraform's
// warnings, such as objects a removed block forgets, or moves that could
// not be made.
type Warning struct {
	Summary, Detail string
}

// refactor carries out, on a copy of the prior state, what the template
// says moved (Options.Moves first, then its moved blocks in order, then
// the moves Terraform implies for count added or removed), and finds what
// its removed blocks forget. It costs one map lookup per recorded
// resource when the template has neither.
//
// As in Terraform, a move whose destination the state already records is
// not made (a warning says so), and the object stays where it was; a
// move across resource types is refused, since no Formation provider can
// convert an object to another type.
func (p *planner) refactor() {
	tpl := p.cfg.Template()
	moves := append(slices.Clone(p.opts.Moves), tpl.Moves()...)
	var stray []template.InstanceAddr // recorded where the template declares nothing
	for addr, rec := range p.prior {
		if rec == nil || rec.Mode == formation.ModeData || p.cfg.Instance(addr) != nil {
			continue
		}
		a, err := template.ParseInstanceAddr(addr)
		if err != nil {
			continue
		}
		stray = append(stray, a)
	}
	if len(moves) == 0 && len(stray) == 0 {
		return
	}
	slices.SortFunc(stray, func(a, b template.InstanceAddr) int { return template.CompareAddrs(a.String(), b.String()) })
	moves = append(moves, tpl.ImpliedMoves(stray)...)
	if len(moves) > 0 {
		p.applyMoves(moves)
	}
	p.findForgotten(tpl.Removals())
}

// applyMoves renames the records the moves apply to, in p.prior (a copy
// by then) and records each object's first address in p.moved.
func (p *planner) applyMoves(moves []Move) {
	state := make(State, len(p.prior))
	for addr, rec := range p.prior {
		state[addr] = rec
	}
	p.prior = state
	p.moved = map[string]string{}
	var blocked []string
	for _, mv := range moves {
		// group the records the move applies to by what moves as one: a
		// module instance, a resource, or an instance.
		type unit struct {
			from, to []string
			dest     string // the destination unit
		}
		units := map[string]*unit{}
		var order []string
		for _, addr := range sortedAddrs(state) {
			a, err := template.ParseInstanceAddr(addr)
			if err != nil || state[addr].Mode == formation.ModeData {
				continue
			}
			dest, ok := mv.Destination(a)
			if !ok {
				continue
			}
			key, destKey := mv.Group(a, false), mv.Group(dest, true)
			u := units[key]
			if u == nil {
				u = &unit{dest: destKey}
				units[key] = u
				order = append(order, key)
			}
			u.from, u.to = append(u.from, addr), append(u.to, dest.String())
		}
		for _, key := range order {
			u := units[key]
			if occupied(state, mv, u.dest, u.from) {
				blocked = append(blocked, fmt.Sprintf("\n  - %s could not move to %s", key, u.dest))
				continue
			}
			for i, from := range u.from {
				rec := state[from]
				if !mv.From.IsModule() && mv.From.Type != mv.To.Type {
					p.errs = append(p.errs, &formation.Error{Code: formation.CodeInvalidTemplate, Op: opMake, Resource: from,
						Message: fmt.Sprintf("Unsupported `moved` across resource types: the provider %q does not support moved operations across resource types and providers", rec.ProviderName)})
					continue
				}
				to, _ := template.ParseInstanceAddr(u.to[i])
				moved := *rec
				moved.Addr, moved.Type, moved.Name, moved.Key = u.to[i], to.Type, to.Name, to.Key
				delete(state, from)
				state[moved.Addr] = &moved
				first := from
				if prev, ok := p.moved[from]; ok {
					first = prev // a chain: the object's first address
					delete(p.moved, from)
				}
				p.moved[moved.Addr] = first
			}
		}
	}
	if len(blocked) > 0 {
		p.warnings = append(p.warnings, Warning{Summary: "Unresolved resource instance address changes",
			Detail: "Formation tried to adjust resource instance addresses in the prior state based on change information recorded in the template, but some adjustments did not succeed due to existing objects already at the intended addresses:" +
				strings.Join(blocked, "") +
				"\n\nFormation has planned to destroy these objects. If the proposed changes aren't appropriate, move or remove the objects at the intended addresses first and then create a new plan."})
	}
}

// Move is template.Move, what Options.Moves holds.
type Move = template.Move

// occupied reports whether the state records something in the
// destination group other than the objects moving there.
func occupied(state State, mv Move, dest string, moving []string) bool {
	for addr := range state {
		if slices.Contains(moving, addr) {
			continue
		}
		if a, err := template.ParseInstanceAddr(addr); err == nil && mv.Group(a, true) == dest {
			return true
		}
	}
	return false
}

// sortedAddrs lists a state's addresses in plan order.
func sortedAddrs(s State) []string {
	out := make([]string, 0, len(s))
	for addr := range s {
		out = append(out, addr)
	}
	slices.SortFunc(out, template.CompareAddrs)
	return out
}

// findForgotten records which objects removed blocks with destroy = false
// forget: recorded, not declared by the template (a removed block cannot
// name what it declares).
func (p *planner) findForgotten(removals []template.Removal) {
	var forgotten []string
	for _, r := range removals {
		if r.Destroy {
			continue // destroyed as any object the template no longer declares
		}
		for _, addr := range sortedAddrs(p.prior) {
			a, err := template.ParseInstanceAddr(addr)
			if err != nil || p.cfg.Instance(addr) != nil || !r.Matches(a) {
				continue
			}
			if p.forget == nil {
				p.forget = map[string]bool{}
			}
			if !p.forget[addr] {
				p.forget[addr] = true
				forgotten = append(forgotten, "\n - "+addr)
			}
		}
	}
	if len(forgotten) > 0 {
		slices.SortFunc(forgotten, func(a, b string) int { return template.CompareAddrs(a[4:], b[4:]) })
		p.warnings = append(p.warnings, Warning{Summary: "Some objects will no longer be managed by Formation",
			Detail: "If you apply this plan, Formation will discard its tracking information for the following objects, but it will not delete them:" +
				strings.Join(forgotten, "") +
				"\n\nAfter applying this plan, Formation will no longer manage these objects. You will need to import them into the stack to manage them again."})
	}
}

// planForget plans forgetting a recorded resource (and its deposed
// objects): the stack stops managing it, and nothing is destroyed.
func (p *planner) planForget(rec *Resource) *Change {
	prov, ok := p.provider(rec.ProviderName, rec.ProviderAlias, rec.Addr, rec.Type)
	if !ok {
		return nil
	}
	ch := p.stateChange(rec, p.schemaFor(prov, rec.ProviderName, rec.ProviderAlias, rec.Type))
	ch.Action, ch.Forget, ch.Reason = formation.ActionNoOperation, true, reasonForget
	ch.Before, ch.After = rec.Value, rec.Value
	ch.ResourceID = rec.ID
	return ch
}

// reasonForget is the action_reason of a forgotten object.
const reasonForget = "destroy = false is set in the template"
