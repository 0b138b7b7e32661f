// Package template turns RFS template text and variables into what the
// planner and executor need: the desired resource and data source
// instances, their dependency graph, and their configuration as cty values,
// unknown where a value is known only after apply. It is pure: no store,
// no provider calls (data sources are read through a callback the engine
// supplies), no file system (RFS's file functions are refused).
//
// # The simplest path
//
// Parse the template once, Expand it with variables, then Evaluate each
// instance in dependency order with what you know of the others:
//
//	tpl, err := template.Parse(body, template.Options{})
//	if err != nil {
//		return err // *formation.Error, CodeInvalidTemplate, hcl.Diagnostics inside
//	}
//	cfg, err := tpl.Expand(ctx, template.Input{VarsBody: varsBody})
//	if err != nil {
//		return err // CodeInvalidVariables or CodeInvalidTemplate
//	}
//	known := map[string]cty.Value{}
//	for _, addr := range cfg.Graph().TopologicalOrder() {
//		inst := cfg.Instance(addr)
//		obj, diags := cfg.Evaluate(inst, template.ValuesFunc(func(a string) cty.Value { return known[a] }))
//		if diags.HasErrors() {
//			return diags
//		}
//		known[addr] = plan(inst, obj) // the planner's business: prior state, unknown computed attributes
//	}
//
// Evaluate cannot be done once up front: an instance's attributes refer to
// other instances' attributes, which the planner knows only as it walks the
// graph (prior state for unchanged resources, unknown for computed
// attributes of new ones) and the executor only after each apply. So the
// caller supplies Values, and Evaluate builds a small evaluation context per
// instance holding only what that instance's expressions reference.
//
// # Sources and variables
//
// Parse takes one body, HCL or JSON (detected from its first character);
// ParseFS takes the .tf and .tf.json files of a directory or zip (a
// *zip.Reader is an fs.FS). Variables come from a tfvars body, from
// vars_structure strings converted to the declared type, and from Go
// values; giving one variable through two channels, an undeclared
// variable, a missing required variable, a value of the wrong type or a
// failed validation is a CodeInvalidVariables error naming the variable.
// Template.Variables lists the declarations as ParseTemplateVariables
// does.
//
// # Blocks
//
// terraform (required_providers; backend and cloud are refused as RFS
// refuses them), provider (configuration and alias), variable (type
// constraints with optional attributes, default, description, sensitive,
// nullable, validation), locals, resource and data (count, for_each,
// depends_on, provider, lifecycle), output, import, and module. Custom
// conditions are evaluated as Terraform does: preconditions with the
// configuration (Evaluate, Outputs), postconditions against the planned
// and the applied object (Postconditions); a condition not yet known waits
// for apply. Check blocks, of any module, are evaluated by Checks, whose
// findings are warnings, never errors; their scoped data sources are
// read with them, and a read that fails is a warning too.
// required_version is checked against LanguageVersion, the Terraform release whose language Formation
// implements. Moved and removed blocks, of any module, are decoded with
// Terraform's address rules: Template.Moves lists the moves in the order
// they are carried out (chains and moves into or out of moved modules in
// order; a cycle is refused at Parse), Move.Destination says where a move
// puts a recorded object, Template.ImpliedMoves gives the moves Terraform
// implies when count is added or removed, and Template.Removals the
// removed blocks (one whose target the template still declares is refused
// at Parse). Expand refuses the moves Terraform's validation refuses: one
// whose from is still declared, two that disagree about an object, one to
// its own address. Carrying them out on a stack's state is the planner's
// business. Provisioner and connection blocks are refused as RFS refuses
// them (Limits.NoProvisioners); without that limit they are checked as
// Terraform checks them, order the graph, and are never run (a warning
// says so).
//
// # Modules
//
// RFS deploys local modules only: module "net" { source = "./modules/net" }
// names a directory of the template's own file set (ParseFS), whose .tf
// and .tf.json files are the module. The block's arguments are the
// module's variables (an undeclared one, or a missing required one, is an
// error at Parse); count, for_each and depends_on work as on resources;
// providers = { huaweicloud = huaweicloud.west } passes the root module's
// provider configurations down (default configurations are inherited).
// module.net.vpc_id reads an output; module.net is an object of them, a
// tuple with count, an object by key with for_each. Instances inside
// modules have Terraform's addresses, module.net[0].huaweicloud_vpc.vpc:
// InstanceAddr takes them apart and CompareAddrs orders them as
// terraform plan lists them. A source leading outside the file set (../
// above its root) is an error; a registry, git or HTTP source is refused
// with CodeUnsupported. Limits.MaxModuleCalls bounds the module blocks of
// the whole template (RFS: 50) and Limits.MaxModuleDepth their nesting
// (RFS: 3); a module that calls itself, directly or through others, is
// an error.
//
// # Expressions and functions
//
// The whole HCL expression language, with the functions of go-cty's stdlib
// that Terraform offers, try and can, encoding and hashing functions,
// timestamp (on Options.Now; plantimestamp is one time per Config, the
// plan's: Input.PlanTimestamp), and cidrhost, cidrnetmask, cidrsubnet and
// cidrsubnets on net/netip. RFS's forbidden file-system functions (file,
// templatefile, fileset, abspath, …) are rejected at Parse with a
// diagnostic naming the function.
//
// # Sensitivity
//
// Sensitivity is a cty mark (Sensitive) on values, as in Terraform:
// sensitive variables and sensitive() mark, cty and hcl carry the mark
// through every operator, function, for expression, conditional and
// template, nonsensitive() removes it and issensitive() tests it. A root
// output whose value is sensitive must say sensitive = true (Terraform's
// "Output refers to sensitive values"); a sensitive for_each is refused,
// a sensitive count allowed. Evaluate returns configurations marked where
// they are sensitive: SensitivePaths takes the marks off (providers never
// see them) and says where they were, and MarkSensitive marks the values
// a caller gives back through Values.
//
// Ephemeral values (Terraform v1.10: ephemeral variables,
// terraform.applying, called modules' ephemeral outputs) carry the
// Ephemeral mark: a configuration, a root output, a module variable not
// declared ephemeral, count and for_each refuse them; ephemeralasnull
// turns them into null. terraform.applying is false: Formation evaluates
// what may read it when it plans.
//
// # Schema-less evaluation
//
// The package does not know provider schemas. A configuration body
// evaluates to an object of its attributes, with nested blocks as tuples of
// objects under their type (JSON writes them as arrays of objects, which
// evaluate the same). A reference to an attribute of an instance whose
// value is unknown is unknown, and so is a reference to an attribute a
// planned (not wholly known) object lacks.
//
// # Diagnostics
//
// Every problem is an hcl.Diagnostic with file, line, column and snippet,
// returned inside a *formation.Error (errors.As(err, &diags) finds the
// hcl.Diagnostics); WriteDiagnostics renders them as terraform does.
// Warnings are returned separately, never as an error.
//
// # Limits
//
// Options.Limits bounds count (1024), for_each keys (1024), body sizes
// (51200 characters) and vars_structure (100 items), the RFS values by
// default; a field set to zero lifts that limit.
//
// A template runs code its author wrote, so each evaluation — Expand,
// Evaluate, Outputs, Providers, Postconditions, Checks,
// EvaluateExpression — has a budget (Limits.MaxElements, 250,000
// iterations and collection values; Limits.MaxStringBytes, 32 MiB of
// strings; and the context it is given), charged as values are built:
// for-expression iterations, template parts, function arguments and what
// range, setproduct, format and their kin will build, estimated before
// they run. The first overrun stops the evaluation with a CodeTooLong
// error naming the expression's file and line; a cancelled context or one
// past its deadline stops it with CodeCanceled or CodeTimeout, through
// which errors.Is sees the context's error (Config.DiagnosticsError types
// the diagnostics of the evaluations that return them). RaisedLimits (the command line's -limits none) raises the budget
// tenfold. Nesting is counted on every source's tokens before hcl parses
// it, and nothing lifts its limit (MaxNesting): hcl parses and evaluates
// recursively, and a stack overflow would kill the whole process. Files
// are read only when regular, and at most the file set's limit.
//
// A JSON template is metered as its native form: each string's template
// is parsed once when the file is decoded (hcl would parse it at every
// evaluation, out of the budget's reach), with its source range kept for
// diagnostics. The template templatestring renders is metered within the
// budget of the evaluation that calls it.
//
// # Concurrency
//
// Template and Config are immutable once returned and safe for concurrent
// use; Evaluate, Outputs and Providers may run in parallel, provided the
// Values passed in are themselves safe for concurrent use.
package template
