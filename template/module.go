package template

import (
	"slices"
	"strings"

	"github.com/formation-engine/formation"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/zclconf/go-cty/cty"
)

// module holds the decoded declarations of one module of a template (the
// root module, or a local module a module block calls): every block and
// its expressions. It is built once by Parse and never changed afterwards,
// so any number of Expand calls may share it. A module called from two
// places is decoded twice: each call is a module of its own, with its own
// static path.
type module struct {
	index     int              // in Template.mods; the root is 0
	nodes     []*node          // in declaration order; node.idx indexes it
	variables map[string]*node // by name
	locals    map[string]*node // by name
	outputs   map[string]*node // by name
	resources map[string]*node // managed and data, by block address
	providers map[string]*node // by "name" or "name.alias"; the root module's only
	calls     map[string]*node // module calls, by name
	imports   []*importDecl
	moved     []*moveDecl
	removed   []*removedDecl
	checks    []*checkBlock
	// planTime is set when an expression of the module calls
	// plantimestamp, whose value each Config fixes.
	planTime bool
	// ephemeral is set when the module declares an ephemeral variable
	// or output, or reads terraform.applying: its configurations are
	// then checked for ephemeral values.
	ephemeral bool

	requiredProviders map[string]RequiredProvider
	// configurationAliases are, by local name, the aliased configurations
	// the module needs its callers to pass ("huaweicloud.east"), as its
	// required_providers' configuration_aliases declare them.
	configurationAliases map[string][]string

	// Where the module sits: the call that made it (nil for the root) and
	// its parent, its static path ("module.net.module.subnet", "" for the
	// root) and its directory in the template's file set ("." for the
	// root).
	parent *module
	call   *node
	path   string
	dir    string
	depth  int // 0 for the root, 1 for a module the root calls, …

	// passed maps the provider configurations the module's resources
	// name ("huaweicloud", "huaweicloud.east") to the root module's
	// configuration they use, through the providers arguments of the
	// calls above it.
	passed map[string]providerAddr
}

// providerAddr is a provider configuration of the root module: its name,
// its alias, and its block (nil for an implicit default configuration).
type providerAddr struct {
	name, alias string
	node        *node
}

type nodeKind uint8

const (
	kindVariable nodeKind = iota
	kindLocal
	kindData
	kindResource
	kindOutput
	kindProvider
	kindModule // a module call
)

// node is one declaration in the block-level graph. Exactly one of the
// payload pointers is set, according to kind.
type node struct {
	id   int // in Template.nodes, which is in topological order
	idx  int // in mod.nodes
	mod  *module
	kind nodeKind
	addr string    // within its module: "var.x", "local.x", "data.t.n", "t.n", "output.x", "provider.p[.alias]", "module.x"
	rng  hcl.Range // the declaration's range, for diagnostics
	deps []*node   // block-level dependencies, deduplicated

	// dynamic is set on locals, data sources, providers, and the
	// variables and outputs of called modules whose value depends,
	// directly or through others, on a managed resource: those are
	// evaluated again with the caller's Values.
	dynamic bool
	// deferReads is set on module calls whose depends_on, or an
	// enclosing call's, names managed resources (directly or through
	// named values, or whole modules): the data sources inside wait, as in
	// Terraform, for the plan to know whether those change, and are not
	// read at Expand.
	deferReads bool

	variable *variable
	local    *local
	res      *resource
	output   *output
	provider *providerConfig
	call     *moduleCall
}

// readsEach reports whether n is a called module's variable whose
// argument reads each: its value changes with each.value, which the call's
// for_each may know only in part at Expand.
func (n *node) readsEach() bool {
	return n.kind == kindVariable && n.variable.arg != nil && n.variable.arg.scope.each
}

// static is the node's address with its module's static path, for
// messages and for ordering nodes of every module together:
// "module.net.var.name".
func (n *node) static() string {
	if n.mod == nil || n.mod.path == "" {
		return n.addr
	}
	return n.mod.path + "." + n.addr
}

type variable struct {
	name        string
	typ         cty.Type // cty.DynamicPseudoType when no type is given
	typeText    string
	defaults    *typeexpr.Defaults
	def         cty.Value // cty.NilVal without a default
	description string
	sensitive   bool
	ephemeral   bool
	nullable    bool
	validations []*validation

	// arg is, in a called module, the argument the module block gives
	// this variable; nil in the root module, and in a called module when
	// the block leaves the variable to its default.
	arg *moduleArg
}

// moduleArg is one argument of a module block: an expression of the
// calling module, evaluated in the calling module instance with the
// call's count.index or each.
type moduleArg struct {
	expr  hcl.Expression
	scope scope
}

// moduleCall is a module block: which module it calls and how many
// instances of it there are.
type moduleCall struct {
	name           string
	source         string
	sourceRange    hcl.Range
	count, forEach hcl.Expression
	meta           scope // references of count and for_each
	dependsOn      []hcl.Traversal
	extra          []*ref // depends_on: graph and every instance of the module
	args           map[string]*hcl.Attribute
	providers      []providerPass
	child          *module
}

func (mc *moduleCall) multi() bool { return mc.count != nil || mc.forEach != nil }

// providerPass is one entry of a module block's providers argument: the
// child's configuration address and the caller's it receives.
type providerPass struct {
	child, parent string
	rng           hcl.Range
	childRange    hcl.Range // the entry's key
}

type validation struct {
	condition, message hcl.Expression
	conditionText      string
	messageText        string
	scope              scope
}

type local struct {
	name  string
	expr  hcl.Expression
	scope scope
}

type output struct {
	name        string
	expr        hcl.Expression
	description string
	sensitive   bool
	ephemeral   bool // a called module's only
	dependsOn   []hcl.Traversal
	pre         []*condition
	scope       scope // references of the value and the preconditions
	extra       []*ref
}

type providerConfig struct {
	name, alias string
	body        *bodyShape
	scope       scope
}

// resource is a resource or data block.
type resource struct {
	mode           formation.Mode
	typ, name      string
	count, forEach hcl.Expression
	providerName   string
	providerAlias  string
	providerRange  hcl.Range
	provider       *node // the provider block used, nil for an implicit default
	dependsOn      []hcl.Traversal
	lifecycle      lifecycle
	body           *bodyShape

	meta scope // references of count and for_each
	cfg  scope // references of the configuration body and the preconditions
	pre  []*condition
	post []*condition
	// postScope holds the references of the postconditions, which may
	// also read self.
	postScope scope
	extra     []*ref // depends_on: graph only

	// provisioners are never run; provScope holds their references, which
	// order the graph only.
	provisioners []*provisioner
	provScope    scope

	// patch lists the attribute names other blocks read from this block's
	// instances; Evaluate adds the missing ones, unknown, to objects that
	// are not yet final (not wholly known).
	patch     []string
	patchSet  map[string]bool
	opaqueUse bool
}

func (r *resource) multi() bool { return r.count != nil || r.forEach != nil }

type lifecycle struct {
	createBeforeDestroy bool
	preventDestroy      bool
	ignoreAll           bool
	ignore              []cty.Path
	triggers            []*trigger
}

// trigger is one replace_triggered_by entry, a reference to a resource
// instance or to one of its attributes.
type trigger struct {
	expr hcl.Expression
	ref  *ref // resolved by the analyzer
	rng  hcl.Range
}

type importDecl struct {
	to      hcl.Traversal
	toRange hcl.Range
	id      hcl.Expression
	scope   scope
	rng     hcl.Range
	target  *node     // the resource block imported into, set by the analyzer
	key     cty.Value // its literal instance key, cty.NilVal if none
}

// scope is what the expressions of one evaluation context reference: it
// decides which names Evaluate puts into the hcl.EvalContext.
type scope struct {
	refs      []*ref
	targets   []*targetUse // resource and data blocks, in first-use order
	modules   []*node      // module calls whose outputs are read
	varNodes  []*node      // variables read, in first-use order
	groups    []targetGroup
	dataTypes int // how many groups are of data sources
	locals    []*node
	vars      bool
	path      bool
	terraform bool
	count     bool
	each      bool
	funcs     []string // the functions its expressions call
}

// targetUse is how a scope uses one resource or data block: whole (the
// collection of all its instances) or only through instance keys known per
// instance (keyed references such as prev[count.index]).
type targetUse struct {
	node  *node
	whole bool
	keyed []*ref
}

// targetGroup lists the targets of a scope that share a name in the
// evaluation context: resources of one type (huaweicloud_vpc.a,
// huaweicloud_vpc.b), or data sources of one type under data. Kept as
// targets are added, so that Evaluate builds each record directly.
type targetGroup struct {
	typ     string
	data    bool
	targets []int // indexes in scope.targets
}

// ref is one reference found in an expression.
type ref struct {
	root          string         // first traversal step: "var", "local", "data", "count", a resource type, …
	name          string         // variable or local name, resource name
	target        *node          // the var, local, data or resource node; nil for count, each, path, terraform
	rng           hcl.Range      // the traversal as written
	trav          hcl.Traversal  // the root traversal (without a dynamic index)
	text          string         // the traversal as source text, for messages
	key           cty.Value      // a literal instance key (vpc[0], vpc["a"]), cty.NilVal if none
	keyExpr       hcl.Expression // a dynamic instance key: prev[count.index]
	ownKey        bool           // keyExpr is count.index or each.key: the referring instance's own key
	everyInstance bool           // depends_on names a whole module: every instance in it
	attr          string         // the first attribute read from the instance, "" if none
	rest          hcl.Traversal  // steps after the instance, for replace_triggered_by
}

// whole reports whether the reference needs every instance of its target.
func (r *ref) whole() bool { return r.key == cty.NilVal && r.keyExpr == nil }

func (s *scope) add(r *ref) {
	s.refs = append(s.refs, r)
	switch r.root {
	case "count":
		s.count = true
		return
	case "each":
		s.each = true
		return
	case "path":
		s.path = true
		return
	case "terraform":
		s.terraform = true
		return
	}
	if r.target == nil {
		return
	}
	switch r.target.kind {
	case kindVariable:
		s.vars = true
		if !slices.Contains(s.varNodes, r.target) {
			s.varNodes = append(s.varNodes, r.target)
		}
	case kindModule:
		if !slices.Contains(s.modules, r.target) {
			s.modules = append(s.modules, r.target)
		}
	case kindLocal:
		for _, l := range s.locals {
			if l == r.target {
				return
			}
		}
		s.locals = append(s.locals, r.target)
	case kindResource, kindData:
		var tu *targetUse
		for _, t := range s.targets {
			if t.node == r.target {
				tu = t
				break
			}
		}
		if tu == nil {
			tu = &targetUse{node: r.target}
			s.targets = append(s.targets, tu)
			s.group(len(s.targets) - 1)
		}
		if !r.target.res.multi() || r.whole() {
			tu.whole = true
		} else {
			tu.keyed = append(tu.keyed, r)
		}
	}
}

// group adds target i to the group of its type.
func (s *scope) group(i int) {
	n := s.targets[i].node
	data := n.kind == kindData
	for g := range s.groups {
		if s.groups[g].typ == n.res.typ && s.groups[g].data == data {
			s.groups[g].targets = append(s.groups[g].targets, i)
			return
		}
	}
	s.groups = append(s.groups, targetGroup{typ: n.res.typ, data: data, targets: []int{i}})
	if data {
		s.dataTypes++
	}
}

// RequiredProvider is one entry of terraform { required_providers { … } }.
type RequiredProvider struct {
	Name    string `json:"name"`              // the local name, e.g. "huaweicloud"
	Source  string `json:"source,omitempty"`  // e.g. "huaweicloud/huaweicloud"
	Version string `json:"version,omitempty"` // a version constraint, e.g. ">= 1.40.0"
}

// fqn is the provider's fully qualified source, as Terraform names it in
// messages: "registry.terraform.io/huaweicloud/huaweicloud"; without a
// source, the hashicorp namespace's provider of the local name.
func (rp RequiredProvider) fqn() string {
	switch src := strings.ToLower(rp.Source); strings.Count(src, "/") {
	case 0:
		if src == "" {
			src = rp.Name
		}
		return "registry.terraform.io/hashicorp/" + src
	case 1:
		return "registry.terraform.io/" + src
	default:
		return src
	}
}
