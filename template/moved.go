package template

import (
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/formation-engine/formation"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Move is a moved block, or a move Formation implies as Terraform does:
// the objects the state records at From are to be found at To, without
// being destroyed and created again. Both endpoints are relative to the
// module that declares the block, and the move applies within each
// instance of that module.
type Move struct {
	// Module is the static path of the module that declares the block
	// ("" for the root module, "module.net.module.subnet" below it).
	Module string
	// From and To are the endpoints, both resources or both modules.
	From, To MoveEndpoint
	// Whole reports that neither endpoint names an instance: every
	// instance of the resource (or of the module call) moves, keeping its
	// key.
	Whole bool
	// Implied marks a move no block declares: Terraform's move of a
	// resource's only object to [0] when count is added, and back when it
	// is removed.
	Implied bool
	// Range is the block's position (for an implied move, the resource's
	// count argument or block).
	Range hcl.Range

	names []string // the call names of Module
}

// MoveEndpoint is one side of a moved block, relative to the module that
// declares it: a module instance (Type empty) or a resource instance.
// Without a key, a resource endpoint names the no-key instance, or every
// instance when the Move is Whole; so does the last module step of a
// module endpoint.
type MoveEndpoint struct {
	Module  ModuleInstance // module steps below the declaring module
	Mode    formation.Mode // ModeResource or ModeData; "" for a module endpoint
	Type    string
	Name    string
	KeyKind KeyKind
	Key     string
}

// IsModule reports whether the endpoint names a module rather than a
// resource.
func (e MoveEndpoint) IsModule() bool { return e.Type == "" }

// String writes the endpoint as an address; a whole endpoint ends in [*],
// as Terraform writes it.
func (e MoveEndpoint) string(whole bool) string {
	if e.IsModule() {
		s := e.Module.String()
		if whole {
			s += "[*]"
		}
		return s
	}
	s := InstanceAddr(e).String()
	if whole {
		s += "[*]"
	}
	return s
}

// String writes the move as Terraform lists it: "from → to".
func (m Move) String() string {
	prefix := ""
	if m.Module != "" {
		prefix = m.Module + "."
	}
	return prefix + m.From.string(m.Whole) + " → " + prefix + m.To.string(m.Whole)
}

// Destination returns where the move puts the object the state records at
// a, and whether the move applies to it at all.
func (m Move) Destination(a InstanceAddr) (InstanceAddr, bool) {
	n := len(m.names)
	if len(a.Module) < n {
		return InstanceAddr{}, false
	}
	for i, name := range m.names {
		if a.Module[i].Name != name {
			return InstanceAddr{}, false
		}
	}
	outer, rel := a.Module[:n], a.Module[n:]
	join := func(parts ...ModuleInstance) ModuleInstance {
		var out ModuleInstance
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	if !m.From.IsModule() {
		f := m.From
		if a.Mode != f.Mode || a.Type != f.Type || a.Name != f.Name || !slices.Equal(rel, f.Module) ||
			!m.Whole && (a.KeyKind != f.KeyKind || a.Key != f.Key) {
			return InstanceAddr{}, false
		}
		out := InstanceAddr{Module: join(outer, m.To.Module), Mode: m.To.Mode, Type: m.To.Type, Name: m.To.Name, KeyKind: a.KeyKind, Key: a.Key}
		if !m.Whole {
			out.KeyKind, out.Key = m.To.KeyKind, m.To.Key
		}
		return out, true
	}
	k := len(m.From.Module)
	if len(rel) < k || !slices.Equal(rel[:k-1], m.From.Module[:k-1]) {
		return InstanceAddr{}, false
	}
	last, want := rel[k-1], m.From.Module[k-1]
	if last.Name != want.Name || !m.Whole && last != want {
		return InstanceAddr{}, false
	}
	to := slices.Clone(m.To.Module)
	if m.Whole {
		to[len(to)-1].KeyKind, to[len(to)-1].Key = last.KeyKind, last.Key
	}
	out := a
	out.Module = join(outer, to, rel[k:])
	return out, true
}

// Removal is a removed block: the objects the state records for a resource
// (every instance) or a module (every instance, everything in it) are no
// longer managed, and destroyed only when Destroy is set.
type Removal struct {
	// Module is the static path of the module removed, or of the module
	// of the resource removed ("" for the root module).
	Module string
	// Type and Name are the resource's; both "" when a module is removed.
	Type, Name string
	// Destroy is lifecycle.destroy: true (Terraform's default) destroys
	// the objects as if their blocks had only been deleted; false forgets
	// them, leaving them in the cloud.
	Destroy bool
	Range   hcl.Range
}

// Matches reports whether the removal covers the object the state
// records at a.
func (r Removal) Matches(a InstanceAddr) bool {
	path := staticPath(a.Module)
	if r.Type == "" {
		return path == r.Module || strings.HasPrefix(path, r.Module+".")
	}
	return a.Mode == formation.ModeResource && path == r.Module && a.Type == r.Type && a.Name == r.Name
}

// String writes the removed address: module.net, or module.net.t.n.
func (r Removal) String() string {
	switch {
	case r.Type == "":
		return r.Module
	case r.Module == "":
		return r.Type + "." + r.Name
	}
	return r.Module + "." + r.Type + "." + r.Name
}

// staticPath is a module instance's path without its keys:
// module.a.module.b.
func staticPath(m ModuleInstance) string {
	var b strings.Builder
	for i, s := range m {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString("module.")
		b.WriteString(s.Name)
	}
	return b.String()
}

// Moves returns the template's moved blocks, of every module, in the order
// they are to be carried out: a move whose From is another's To (a chain)
// after it, a move into or out of a module that another move moves after
// that one; otherwise in declaration order. The template has no cycles
// among them (Parse refuses those).
func (t *Template) Moves() []Move { return t.moves }

// Removals returns the template's removed blocks, of every module; a
// block of a calling module wins over one of a called module for the same
// object.
func (t *Template) Removals() []Removal { return t.removals }

// Repetition reports how the template repeats the resource block of the
// instance address a, looked up by a's static path (its module instance
// keys do not matter): NoKey without count or for_each, IntKey with count,
// StringKey with for_each; false when the template has no such block.
func (t *Template) Repetition(a InstanceAddr) (KeyKind, bool) {
	path := staticPath(a.Module)
	for _, m := range t.mods {
		if m.path != path {
			continue
		}
		block := a.Type + "." + a.Name
		if a.Mode == formation.ModeData {
			block = "data." + block
		}
		n := m.resources[block]
		switch {
		case n == nil:
			return NoKey, false
		case n.res.count != nil:
			return IntKey, true
		case n.res.forEach != nil:
			return StringKey, true
		}
		return NoKey, true
	}
	return NoKey, false
}

// moveDecl is a moved block as decoded, before its module's place in the
// template is known.
type moveDecl struct {
	from, to MoveEndpoint
	rng      hcl.Range
}

// removedDecl is a removed block as decoded.
type removedDecl struct {
	from         MoveEndpoint // no keys
	destroy      bool
	provisioners []*provisioner // checked, never run
	rng          hcl.Range
}

var movedSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "from", Required: true}, {Name: "to", Required: true}},
}

// moved decodes a moved block.
func (d *decoder) moved(b *hcl.Block) {
	content, diags := b.Body.Content(movedSchema)
	d.add(diags)
	if diags.HasErrors() {
		return
	}
	from, okFrom := d.moveEndpoint(content.Attributes["from"])
	to, okTo := d.moveEndpoint(content.Attributes["to"])
	if !okFrom || !okTo {
		return
	}
	if from.IsModule() != to.IsModule() {
		d.errorf(b.DefRange, `Invalid "moved" addresses`,
			`The "from" and "to" addresses must either both refer to resources or both refer to modules.`)
		return
	}
	d.m.moved = append(d.m.moved, &moveDecl{from: from, to: to, rng: b.DefRange})
}

var removedSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "from", Required: true}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "lifecycle"}, {Type: "connection"}, {Type: "provisioner", LabelNames: []string{"type"}}},
}

var removedLifecycleSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "destroy"}}}

// removed decodes a removed block.
func (d *decoder) removed(b *hcl.Block) {
	content, diags := b.Body.Content(removedSchema)
	d.add(diags)
	if diags.HasErrors() {
		return
	}
	attr := content.Attributes["from"]
	from, ok := d.moveEndpoint(attr)
	if !ok {
		return
	}
	r := &removedDecl{from: from, destroy: true, rng: b.DefRange}
	for _, s := range from.Module {
		if s.KeyKind != NoKey {
			d.errorf(attr.Expr.Range(), "Module instance keys not allowed",
				`Module address must be a module (e.g. "module.foo"), not a module instance (e.g. "module.foo[1]").`)
			return
		}
	}
	switch {
	case from.Mode == formation.ModeData:
		d.errorf(attr.Expr.Range(), "Data source address not allowed",
			"Data sources are never destroyed, so they are not valid targets of removed blocks. To remove the data source from state, remove the data source block from configuration.")
		return
	case from.KeyKind != NoKey:
		d.errorf(attr.Expr.Range(), "Resource instance keys not allowed",
			`Resource address must be a resource (e.g. "test_instance.foo"), not a resource instance (e.g. "test_instance.foo[1]").`)
		return
	}
	var provs hcl.Blocks
	for _, blk := range content.Blocks {
		switch blk.Type {
		case "lifecycle":
			lc, diags := blk.Body.Content(removedLifecycleSchema)
			d.add(diags)
			if a := lc.Attributes["destroy"]; a != nil {
				if v, ok := d.constant(a, cty.Bool); ok {
					r.destroy = v.True()
				}
			}
		default:
			provs = append(provs, blk)
		}
	}
	if len(provs) > 0 {
		r.provisioners = d.provisioners(provs, "a removed block")
		for _, p := range r.provisioners {
			if !p.destroy && p.typ != "connection" {
				d.errorf(p.rng, "Invalid provisioner block",
					"Only destroy-time provisioners are valid in \"removed\" blocks. To declare a destroy-time provisioner, use:\n    when = destroy")
			}
			p.destroy = true
		}
	}
	d.m.removed = append(d.m.removed, r)
}

// moveEndpoint reads the address of a moved or removed block's from or
// to: module steps with optional keys, then optionally a resource
// (data.TYPE.NAME or TYPE.NAME) with an optional key.
func (d *decoder) moveEndpoint(attr *hcl.Attribute) (MoveEndpoint, bool) {
	trav, diags := hcl.AbsTraversalForExpr(attr.Expr)
	d.add(diags)
	if diags.HasErrors() {
		return MoveEndpoint{}, false
	}
	rng := attr.Expr.Range()
	bad := func(summary, detail string) (MoveEndpoint, bool) {
		d.errorf(rng, summary, "%s", detail)
		return MoveEndpoint{}, false
	}
	names, keys, ok := traversalSteps(trav)
	if !ok {
		return bad("Invalid address", "An address is a sequence of names, each optionally followed by a constant index, such as module.net[0].huaweicloud_vpc.vpc[\"a\"].")
	}
	var e MoveEndpoint
	i := 0
	for i < len(names) && names[i] == "module" {
		if i+1 >= len(names) || keys[i] != cty.NilVal {
			return bad("Invalid address operator", `Prefix "module." must be followed by a module name.`)
		}
		kind, key, ok := stepKey(keys[i+1])
		if !ok {
			return bad("Invalid address operator", "Invalid module key: must be either a string or an integer.")
		}
		e.Module = append(e.Module, ModuleStep{Name: names[i+1], KeyKind: kind, Key: key})
		i += 2
	}
	if i == len(names) {
		return e, true
	}
	e.Mode = formation.ModeResource
	if names[i] == "data" {
		if keys[i] != cty.NilVal {
			return bad("Invalid address", `The "data" object must be followed by two attribute names: the data source type and the resource name.`)
		}
		e.Mode = formation.ModeData
		i++
	}
	if len(names)-i != 2 || keys[i] != cty.NilVal {
		return bad("Invalid address", "A resource address is a resource type and a resource name, such as huaweicloud_vpc.vpc, with an optional instance key.")
	}
	e.Type, e.Name = names[i], names[i+1]
	kind, key, ok := stepKey(keys[i+1])
	if !ok {
		return bad("Invalid address", "A resource instance key must be either a string or an integer.")
	}
	e.KeyKind, e.Key = kind, key
	return e, true
}

// traversalSteps takes an absolute traversal apart into names, each with
// the constant key that follows it (cty.NilVal for none).
func traversalSteps(trav hcl.Traversal) ([]string, []cty.Value, bool) {
	var names []string
	var keys []cty.Value
	for _, step := range trav {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			names, keys = append(names, s.Name), append(keys, cty.NilVal)
		case hcl.TraverseAttr:
			names, keys = append(names, s.Name), append(keys, cty.NilVal)
		case hcl.TraverseIndex:
			if len(keys) == 0 || keys[len(keys)-1] != cty.NilVal {
				return nil, nil, false
			}
			keys[len(keys)-1] = s.Key
		default:
			return nil, nil, false
		}
	}
	return names, keys, true
}

// stepKey turns an index key into an address key: none, a whole number
// (count) or a string (for_each).
func stepKey(k cty.Value) (KeyKind, string, bool) {
	switch {
	case k == cty.NilVal:
		return NoKey, "", true
	case k.IsNull() || !k.IsKnown():
		return NoKey, "", false
	case k.Type() == cty.String:
		return StringKey, k.AsString(), true
	case k.Type() == cty.Number:
		bf := k.AsBigFloat()
		if !bf.IsInt() || bf.Sign() < 0 {
			return NoKey, "", false
		}
		i, _ := bf.Int(new(big.Int))
		return IntKey, i.String(), true
	}
	return NoKey, "", false
}

// refactorings gathers the moved and removed blocks of every module, once
// every module is loaded: it orders the moves (refusing cycles) and
// refuses a removed block whose resource or module is still declared.
func (t *Template) refactorings() hcl.Diagnostics {
	var diags hcl.Diagnostics
	var moves []Move
	seen := map[string]bool{}
	for _, m := range t.mods {
		names := pathNames(m.path)
		for _, md := range m.moved {
			whole := md.from.KeyKind == NoKey && md.to.KeyKind == NoKey
			if md.from.IsModule() {
				whole = md.from.Module[len(md.from.Module)-1].KeyKind == NoKey && md.to.Module[len(md.to.Module)-1].KeyKind == NoKey
			}
			moves = append(moves, Move{Module: m.path, names: names, From: md.from, To: md.to, Whole: whole, Range: md.rng})
		}
		for _, rd := range m.removed {
			r := Removal{Module: joinPath(m.path, staticPath(rd.from.Module)), Type: rd.from.Type, Name: rd.from.Name, Destroy: rd.destroy, Range: rd.rng}
			if seen[r.String()] {
				continue // a calling module's block wins: t.mods lists callers first
			}
			seen[r.String()] = true
			diags = append(diags, t.stillDeclared(r)...)
			t.removals = append(t.removals, r)
		}
	}
	order, cyc := orderMoves(moves)
	for _, comp := range cyc {
		lines := make([]string, len(comp))
		for k, i := range comp {
			mv := moves[i]
			lines[k] = fmt.Sprintf("\n  - %s:%d,%d: %s", mv.Range.Filename, mv.Range.Start.Line, mv.Range.Start.Column, mv)
		}
		slices.Sort(lines)
		diags = append(diags, errorDiag("Cyclic dependency in move statements",
			"The following chained move statements form a cycle, and so there is no final location to move objects to:"+strings.Join(lines, "")+
				"\n\nA chain of move statements must end with an address that doesn't appear in any other statements, and which typically also refers to an object still declared in the configuration.",
			rangePtr(moves[comp[0]].Range)))
	}
	for _, i := range order {
		t.moves = append(t.moves, moves[i])
	}
	return diags
}

// stillDeclared refuses a removed block whose target the template still
// declares.
func (t *Template) stillDeclared(r Removal) hcl.Diagnostics {
	for _, m := range t.mods {
		switch {
		case r.Type == "" && m.path == r.Module:
			return hcl.Diagnostics{errorDiag("Removed module still exists",
				fmt.Sprintf("This statement declares that %s was removed, but it is still declared in configuration.", r), rangePtr(m.call.rng))}
		case r.Type != "" && m.path == r.Module:
			if n := m.resources[r.Type+"."+r.Name]; n != nil {
				return hcl.Diagnostics{errorDiag("Removed resource still exists",
					fmt.Sprintf("This statement declares that %s was removed, but it is still declared in configuration.", r), rangePtr(n.rng))}
			}
		}
	}
	return nil
}

func pathNames(path string) []string {
	if path == "" {
		return nil
	}
	var out []string
	for _, part := range strings.Split(path, ".") {
		if part != "module" {
			out = append(out, part)
		}
	}
	return out
}

func joinPath(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "." + b
}

// orderMoves sorts the moves so that each runs after those it depends on
// (ties in declaration order), and returns the cycles among them.
func orderMoves(moves []Move) ([]int, [][]int) {
	n := len(moves)
	if n == 0 {
		return nil, nil
	}
	deps := make([][]int, n)
	rdeps := make([][]int, n)
	for a := range moves {
		for b := range moves {
			if a != b && moveDependsOn(&moves[a], &moves[b]) {
				deps[a] = append(deps[a], b)
				rdeps[b] = append(rdeps[b], a)
			}
		}
	}
	var cyc [][]int
	for _, comp := range cycles(n, deps) {
		if len(comp) > 1 {
			cyc = append(cyc, comp)
		}
	}
	if len(cyc) > 0 {
		return nil, cyc
	}
	return kahn(n, deps, rdeps), nil
}

// absEndpoint is an endpoint written with its declaring module's static
// path, for comparing endpoints of different modules.
type absEndpoint struct {
	module ModuleInstance // the declaring module's calls (no keys), then the endpoint's steps
	e      MoveEndpoint
	whole  bool
}

func (m *Move) abs(e MoveEndpoint) absEndpoint {
	var mod ModuleInstance
	for _, name := range m.names {
		mod = append(mod, ModuleStep{Name: name})
	}
	return absEndpoint{module: append(mod, e.Module...), e: e, whole: m.Whole}
}

// same reports whether two endpoints name the same objects: what chains
// one move to another.
func (x absEndpoint) same(y absEndpoint) bool {
	return x.whole == y.whole && slices.Equal(x.module, y.module) && x.e.IsModule() == y.e.IsModule() &&
		x.e.Mode == y.e.Mode && x.e.Type == y.e.Type && x.e.Name == y.e.Name && x.e.KeyKind == y.e.KeyKind && x.e.Key == y.e.Key
}

// nestedWithin reports whether x lies inside module endpoint y: a
// resource in it or below, or a module below it.
func (x absEndpoint) nestedWithin(y absEndpoint) bool {
	if !y.e.IsModule() || len(x.module) < len(y.module) || x.e.IsModule() && len(x.module) == len(y.module) {
		return false
	}
	for i, s := range y.module {
		xs := x.module[i]
		if xs.Name != s.Name || !(y.whole && i == len(y.module)-1) && xs != s {
			return false
		}
	}
	return true
}

// moveDependsOn reports whether move a must run after move b: a continues
// a chain b starts, or one of them moves something the other's module
// endpoint moves as a whole (Terraform's nesting rules, with its
// exception for a move inside a module whose instance key only changes).
func moveDependsOn(a, b *Move) bool {
	af, at, bf, bt := a.abs(a.From), a.abs(a.To), b.abs(b.From), b.abs(b.To)
	if af.same(bt) {
		return true
	}
	if !(af.nestedWithin(bt) || at.nestedWithin(bt) || bf.nestedWithin(af) || bt.nestedWithin(af)) {
		return false
	}
	if len(at.module) >= len(bt.module) {
		return true
	}
	return !a.isModuleReIndex()
}

// isModuleReIndex reports whether a module move only changes the instance
// key of one module call.
func (m *Move) isModuleReIndex() bool {
	f, t := m.From.Module, m.To.Module
	if !m.From.IsModule() || len(f) != len(t) {
		return false
	}
	for i := range f {
		if f[i].Name != t[i].Name {
			return false
		}
	}
	return true
}

// checkMoves refuses, once the template is expanded, the moves Terraform
// refuses: one whose From is still declared (in any instance of its
// module), one that moves to where it starts, and two that give one object
// two destinations or one destination two objects.
func (c *Config) checkMoves() hcl.Diagnostics {
	var diags hcl.Diagnostics
	type seenEnd struct {
		other string
		rng   hcl.Range
	}
	froms, tos := map[string]seenEnd{}, map[string]seenEnd{}
	for _, mv := range c.t.moves {
		noun, short := "resource instance", "instance"
		switch {
		case mv.From.IsModule() && mv.Whole:
			noun, short = "module call", "call"
		case mv.From.IsModule():
			noun, short = "module instance", "instance"
		case mv.Whole:
			noun, short = "resource", "resource"
		}
		for _, mi := range c.modInstsAt(mv.Module) {
			from, to := c.absolute(mi, mv.From, mv.Whole), c.absolute(mi, mv.To, mv.Whole)
			fromText, toText := from.text(), to.text()
			at := rangePtr(mv.Range)
			if fromText == toText {
				diags = append(diags, errorDiag("Redundant move statement",
					fmt.Sprintf("This statement declares a move from %s to the same address, which is the same as not declaring this move at all.", fromText), at))
				continue
			}
			if rng, ok := c.declared(from); ok {
				diags = append(diags, errorDiag("Moved object still exists",
					fmt.Sprintf("This statement declares a move from %s, but that %s is still declared at %s.\n\nChange your configuration so that this %s will be declared as %s instead.",
						fromText, noun, startString(rng), short, toText), at))
			}
			if prev, ok := froms[fromText]; !ok {
				froms[fromText] = seenEnd{toText, mv.Range}
			} else if prev.other != toText {
				diags = append(diags, errorDiag("Ambiguous move statements",
					fmt.Sprintf("A statement at %s declared that %s moved to %s, but this statement instead declares that it moved to %s.\n\nEach %s can move to only one destination %s.",
						startString(prev.rng), fromText, prev.other, toText, noun, short), at))
			}
			if prev, ok := tos[toText]; !ok {
				tos[toText] = seenEnd{fromText, mv.Range}
			} else if prev.other != fromText {
				diags = append(diags, errorDiag("Ambiguous move statements",
					fmt.Sprintf("A statement at %s declared that %s moved to %s, but this statement instead declares that %s moved there.\n\nEach %s can have moved from only one source %s.",
						startString(prev.rng), prev.other, toText, fromText, noun, short), at))
			}
		}
	}
	return diags
}

func startString(r hcl.Range) string {
	return fmt.Sprintf("%s:%d,%d", r.Filename, r.Start.Line, r.Start.Column)
}

// movedObject is an endpoint of a move in one instance of its module.
type movedObject struct {
	MoveEndpoint
	whole bool
}

func (c *Config) absolute(mi *modInst, e MoveEndpoint, whole bool) movedObject {
	e.Module = append(slices.Clone(mi.addr), e.Module...)
	return movedObject{MoveEndpoint: e, whole: whole}
}

// text writes the object as Terraform's messages do (no [*] for a whole
// resource or module call).
func (o movedObject) text() string { return o.string(false) }

// modInstsAt lists the instances of the module at a static path.
func (c *Config) modInstsAt(path string) []*modInst {
	for _, m := range c.t.mods {
		if m.path == path {
			return c.insts[m.index]
		}
	}
	return nil
}

// modInstAt is the module instance at addr, nil when the template has
// none.
func (c *Config) modInstAt(addr ModuleInstance) *modInst {
	for _, mi := range c.modInstsAt(staticPath(addr)) {
		if slices.Equal(mi.addr, addr) {
			return mi
		}
	}
	return nil
}

// declared reports whether the configuration still declares what o
// names — a resource block (even with no instances), a resource instance,
// a module call or a module instance — and where: the block, or the count
// or for_each that declares the instance.
func (c *Config) declared(o movedObject) (hcl.Range, bool) {
	repeat := func(rng hcl.Range, count, forEach hcl.Expression) hcl.Range {
		switch {
		case forEach != nil:
			return forEach.Range()
		case count != nil:
			return count.Range()
		}
		return rng
	}
	if o.IsModule() {
		n := len(o.Module)
		parent := c.modInstAt(o.Module[:n-1])
		if parent == nil {
			return hcl.Range{}, false
		}
		call := parent.mod.calls[o.Module[n-1].Name]
		switch {
		case call == nil:
			return hcl.Range{}, false
		case o.whole:
			return call.rng, true
		case c.modInstAt(o.Module) != nil:
			return repeat(call.rng, call.call.count, call.call.forEach), true
		}
		return hcl.Range{}, false
	}
	mi := c.modInstAt(o.Module)
	if mi == nil {
		return hcl.Range{}, false
	}
	block := o.Type + "." + o.Name
	if o.Mode == formation.ModeData {
		block = "data." + block
	}
	n := mi.mod.resources[block]
	switch {
	case n == nil || mi.exp[n.idx] == nil:
		return hcl.Range{}, false
	case o.whole:
		return n.rng, true
	}
	addr := InstanceAddr(o.MoveEndpoint)
	if c.byAddr[addr.String()] != nil {
		return repeat(n.rng, n.res.count, n.res.forEach), true
	}
	return hcl.Range{}, false
}

// InstanceMove is the move of one resource instance from one address to
// another, as a moved block of the root module naming both instances
// declares it. The engine moves objects back with it when it rolls back a
// deployment that moved them.
func InstanceMove(from, to InstanceAddr) Move {
	return Move{From: MoveEndpoint(from), To: MoveEndpoint(to)}
}

// impliedMove is the move Terraform implies for the object at a, whose
// resource block in the template repeats as kind: a no-key object moves
// to [0] once the block has count, a [0] object to no key once it has
// neither count nor for_each.
func impliedMove(a InstanceAddr, kind KeyKind) (Move, bool) {
	to := a
	switch {
	case kind == IntKey && a.KeyKind == NoKey:
		to.KeyKind, to.Key = IntKey, "0"
	case kind == NoKey && a.KeyKind == IntKey && a.Key == "0":
		to.KeyKind, to.Key = NoKey, ""
	default:
		return Move{}, false
	}
	m := InstanceMove(a, to)
	m.Implied = true
	return m, true
}

// ImpliedMoves returns the moves Terraform implies for the objects a state
// records (addrs, in any order), which no moved block names: the object
// of a resource that has gained count moves to [0]; the [0] object of one
// that has lost count (and has no for_each) moves to no key. Both are
// Terraform's compatibility with configurations written before moved
// blocks existed.
func (t *Template) ImpliedMoves(addrs []InstanceAddr) []Move {
	var out []Move
	for _, a := range addrs {
		kind, ok := t.Repetition(a)
		if !ok {
			continue
		}
		m, ok := impliedMove(a, kind)
		if !ok || slices.ContainsFunc(t.moves, func(mv Move) bool { return mv.selects(a) }) {
			continue
		}
		m.Range = t.blockRange(a)
		out = append(out, m)
	}
	return out
}

// selects reports whether either endpoint of the move names the resource
// of a (any of its instances), in some instance of the declaring module.
func (m Move) selects(a InstanceAddr) bool {
	if m.From.IsModule() {
		return false
	}
	n := len(m.names)
	if len(a.Module) < n {
		return false
	}
	for i, name := range m.names {
		if a.Module[i].Name != name {
			return false
		}
	}
	rel := a.Module[n:]
	for _, e := range []MoveEndpoint{m.From, m.To} {
		if e.Mode == a.Mode && e.Type == a.Type && e.Name == a.Name && slices.Equal(e.Module, rel) {
			return true
		}
	}
	return false
}

// blockRange is where the template declares the resource of a: its count,
// or its block.
func (t *Template) blockRange(a InstanceAddr) hcl.Range {
	path := staticPath(a.Module)
	for _, m := range t.mods {
		if n := m.resources[a.Type+"."+a.Name]; m.path == path && n != nil {
			if n.res.count != nil {
				return n.res.count.Range()
			}
			return n.rng
		}
	}
	return hcl.Range{}
}

// Group names what the move carries as one with the object at a, taken as
// a source (to false: a matches From) or as a destination (to true): its
// module instance for a module move, its resource for a whole-resource
// move, the instance itself otherwise; "" when a lies outside any such
// group. Terraform moves a group whole or, when the state already records
// something in the destination group, not at all.
func (m Move) Group(a InstanceAddr, to bool) string {
	e := m.From
	if to {
		e = m.To
	}
	switch {
	case e.IsModule():
		depth := len(m.names) + len(e.Module)
		if len(a.Module) < depth {
			return ""
		}
		return a.Module[:depth].String()
	case m.Whole:
		a.KeyKind, a.Key = NoKey, ""
	}
	return a.String()
}
