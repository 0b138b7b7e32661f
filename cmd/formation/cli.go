package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync/atomic"
	"text/tabwriter"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/rfsapi"
)

// command is one row of the command table. Adding a command is one file
// whose init calls register; the framework does the rest: dispatch by name,
// flag parsing (flags may come before or after the positional arguments),
// the positional argument checks, -h, and opening the database only if the
// action asks for it.
type command struct {
	// name is what follows "formation": "fsm", or "stack create" for a
	// command of a group. Scripts call commands by these names.
	name string
	// args are the positional arguments, all required, in order. Each is
	// checked before the action runs, so a bad name never reaches the
	// database.
	args []arg
	// summary is the one line the top-level usage shows.
	summary string
	// help, if set, is shown by -h between the synopsis and the flags.
	help string
	// setup defines the command's flags on fs and returns the action that
	// runs once they are parsed. Each invocation calls setup afresh, so an
	// action's flag variables are its own.
	setup func(fs *flag.FlagSet) action
}

// action runs a command whose flags and arguments are parsed and checked.
// It returns nil for success, exitStatus for an outcome that is not a
// success (a failed deployment), or the error to report.
type action func(ctx context.Context, inv *invocation) error

// arg is a positional argument: its name in usage text and its check.
// Optional arguments come last.
type arg struct {
	name     string
	check    func(string) error // nil: anything goes
	optional bool
}

// The positional arguments commands share.
var (
	stackArg = arg{name: "NAME", check: func(s string) error { return formation.ValidateName("", "stack_name", s) }}
	planArg  = arg{name: "PLAN", check: func(s string) error { return formation.ValidateName("", "execution_plan_name", s) }}
)

// commands is the command table, by name; commands register from init.
var commands = map[string]*command{}

// register adds c to the command table. A command without a setup, or a
// name registered twice, is a programming error, caught the moment the
// binary starts.
func register(c *command) {
	if c.setup == nil {
		panic("formation: command " + c.name + " has no setup")
	}
	if _, dup := commands[c.name]; dup {
		panic("formation: command " + c.name + " registered twice")
	}
	commands[c.name] = c
}

// invocation is one run of the tool: the parsed global flags, the
// command's checked positional arguments, where output goes, and the
// engine, opened on first use.
type invocation struct {
	g      globals
	args   []string
	stdin  io.Reader // what fmt - reads, and where answers to prompts come from
	stdout io.Writer
	out    *output
	sim    *simulation
	eng    *engine.Engine // this process's engine, when it holds the database
	back   backend        // what commands use: local{eng}, or a client of the owner
	owner  *owner         // serving eng to other processes
	// interrupted are the stacks whose deployment was interrupted when eng
	// opened; they stay so unless the command resumes them (inv.resume).
	interrupted []string
	resumed     atomic.Bool // set by the command, or by a client's follower (owner.go)
}

// run is the whole tool, callable in-process: it parses args (without the
// program name), runs the command and returns the exit status. Errors are
// reported on stderr as one line, "CODE: message".
//
// Ctrl-C stops as Terraform's does. The first stops the command
// gracefully: nothing new starts, the provider operations in flight finish
// and are stored, and an interrupted deployment stays resumable (formation
// wait NAME). The second stops at once: the calls in flight are abandoned
// (the deployment still resumes, settling them by their idempotency
// tokens). From then on Ctrl-C has its default effect.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	abort, abortNow := context.WithCancel(context.Background())
	defer abortNow()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	defer signal.Stop(sigs)
	go func() {
		select {
		case <-sigs:
			fmt.Fprintln(stderr, "Interrupt received: letting the operations in flight finish; nothing new starts and what finishes is kept. Press Ctrl-C again to stop at once.")
			cancel()
		case <-ctx.Done():
			return
		}
		select {
		case <-sigs:
			signal.Stop(sigs)
			fmt.Fprintln(stderr, "Two interrupts received: stopping at once; the operations in flight are abandoned and settled when the deployment resumes.")
			abortNow()
		case <-abort.Done():
		}
	}()
	return runInput(ctx, abort, stdin, args, stdout, stderr)
}

// runContext is run under ctx with nothing to read: when ctx is done
// (Ctrl-C), a command that follows a deployment stops following and
// reports the interruption, and the engine stops at once, as after a
// second Ctrl-C.
func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runInput(ctx, ctx, strings.NewReader(""), args, stdout, stderr)
}

// runInput is runContext reading stdin, stopping the engine gracefully
// when ctx is done (the first Ctrl-C) and at once when abort is.
func runInput(ctx, abort context.Context, stdin io.Reader, args []string, stdout, stderr io.Writer) int {
	inv := &invocation{g: defaultGlobals(), stdin: stdin, stdout: stdout}
	inv.g.environ, inv.g.warnings = os.Environ(), stderr
	err := inv.dispatch(ctx, args)
	if cerr := inv.close(ctx, abort); err == nil {
		err = cerr
	}
	return report(stdout, stderr, err, inv.g.json)
}

// dispatch parses the global flags, finds the command and runs it.
func (inv *invocation) dispatch(ctx context.Context, args []string) error {
	global := newFlagSet("formation")
	inv.g.register(global)
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return helpText(topUsage(global))
		}
		return usageError(formation.CodeInvalidParameter, "", "%v", err)
	}
	cmd, rest, err := resolve(global.Args())
	if err != nil {
		return err
	}
	return inv.runCommand(ctx, cmd, rest)
}

// resolve finds the command words name: a command ("fsm"), or a group and
// one of its commands ("stack create"). It returns the words after it.
func resolve(words []string) (*command, []string, error) {
	if len(words) == 0 {
		return nil, nil, usageError(formation.CodeMissingParameter, "", "missing command")
	}
	if c := commands[words[0]]; c != nil {
		return c, words[1:], nil
	}
	group := words[0]
	if len(groupCommands(group)) == 0 {
		return nil, nil, usageError(formation.CodeInvalidParameter, "", "unknown command %q%s", group, didYouMean(group, commandWords()))
	}
	switch {
	case len(words) == 1:
		return nil, nil, usageError(formation.CodeMissingParameter, group, "missing subcommand")
	case isHelpFlag(words[1]):
		return nil, nil, helpText(groupUsage(group))
	}
	if c := commands[group+" "+words[1]]; c != nil {
		return c, words[2:], nil
	}
	return nil, nil, usageError(formation.CodeInvalidParameter, group, "unknown command %q%s", group+" "+words[1], didYouMean(group+" "+words[1], subcommandNames(group)))
}

// flagSuggestion is the did-you-mean for an unknown flag, among fs's.
func flagSuggestion(fs *flag.FlagSet, err error) string {
	m := undefinedFlag.FindStringSubmatch(err.Error())
	if m == nil {
		return ""
	}
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	if s := didYouMean(m[1], names); s != "" {
		return strings.Replace(s, "mean ", "mean -", 1)
	}
	return ""
}

func isHelpFlag(s string) bool {
	return s == "-h" || s == "-help" || s == "--help" || s == "--h"
}

// runCommand parses the command's flags and arguments, checks them, and
// runs its action. Everything that can be refused without the database is
// refused before the action opens it.
func (inv *invocation) runCommand(ctx context.Context, cmd *command, words []string) error {
	fs := newFlagSet("formation " + cmd.name)
	act := cmd.setup(fs)
	// The usage shows the command's own flags: render it before the
	// globals join the set (they are accepted after the command too, as in
	// "formation stack list -json").
	usage := commandUsage(cmd, fs)
	inv.g.register(fs)
	pos, err := parseInterspersed(fs, words)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return helpText(usage)
	case err != nil:
		return usageError(formation.CodeInvalidParameter, cmd.name, "%v%s", err, flagSuggestion(fs, err))
	case len(pos) < len(cmd.args) && !cmd.args[len(pos)].optional:
		return usageError(formation.CodeMissingParameter, cmd.name, "missing %s", cmd.args[len(pos)].name)
	case len(pos) > len(cmd.args):
		return usageError(formation.CodeInvalidParameter, cmd.name, "unexpected argument %q", pos[len(cmd.args)])
	}
	for i, a := range cmd.args {
		if a.check == nil || i >= len(pos) {
			continue
		}
		if err := a.check(pos[i]); err != nil {
			return err
		}
	}
	inv.args = pos
	inv.out = newOutput(inv.stdout, inv.g.json)
	err = act(ctx, inv)
	if len(cmd.args) > 0 && cmd.args[0].name == stackArg.name {
		err = busyHint(err, inv.args[0])
	}
	return err
}

// newFlagSet returns a flag set that reports errors to its caller instead
// of printing them: the framework prints one line per error, and usage only
// when asked.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseInterspersed parses fs's flags wherever they appear among args, as
// users write them ("stack create web -description x"), and returns the
// positional arguments in order. After "--" everything is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if consumed := args[:len(args)-len(rest)]; len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// simulation opens the database and the simulated world it holds on first
// use. Commands that never call it (fsm, -h, anything refused before its
// action) need no database and create none.
func (inv *invocation) simulation() (*simulation, error) {
	if inv.sim == nil {
		s, err := inv.g.openSimulation()
		if err != nil {
			return nil, err
		}
		inv.sim = s
	}
	return inv.sim, nil
}

// engine is what the command asks of Formation, opened on first use.
// When another formation process holds the database and serves it on the
// socket beside it, that is a client of it (remote); otherwise this
// process opens the database, which resumes any deployment a crash or an
// interrupted command left running, and serves it to other processes on
// the socket while it holds it (owner.go).
func (inv *invocation) engine() (backend, error) {
	if inv.back != nil {
		return inv.back, nil
	}
	socket := socketPath(inv.g.db)
	// A shared store (etcd) needs no owner: every process opens it.
	sharing := lookupEnv(inv.g.environ, shareEnv) != "off" && !sharedStore(inv.g.db)
	r, err := findOwner(context.Background(), socket)
	if !sharing {
		r, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	if r != nil {
		inv.back = r
		inv.g.noteOwnersSimulation()
		return r, nil
	}
	s, err := inv.simulation()
	if isInUse(err) && sharing {
		// The owner may have been starting: it listens just after it
		// takes the database, and opening waited a second for it.
		if r, ferr := findOwner(context.Background(), socket); ferr != nil || r != nil {
			if r != nil {
				inv.back = r
				inv.g.noteOwnersSimulation()
			}
			return r, ferr
		}
	}
	if err != nil {
		return nil, err
	}
	cfg := inv.g.engineConfig(s)
	cfg.DeferRecovery = true // reported, not resumed, unless the command resumes (inv.resume)
	// A database formation serve has served keeps each project's stacks
	// apart: the CLI's are the default project's.
	if cfg.Store, err = rfsapi.OpenProject(context.Background(), s.st, rfsapi.DefaultProject); err != nil {
		return nil, err
	}
	e, err := engine.New(cfg)
	if err != nil {
		inv.sim = nil // engine.New closed the store
		return nil, err
	}
	inv.eng = e
	inv.back = local{e}
	if inv.interrupted, err = interruptedStacks(context.Background(), e); err != nil {
		return nil, err
	}
	if !sharing {
		return inv.back, nil
	}
	logger := slog.New(slog.NewTextHandler(inv.g.warnings, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if inv.owner, err = serveOwner(rfsapi.Single(rfsapi.DefaultProject, e), socket, logger, inv.resumeFor, inv.stopped); err != nil {
		// The command works all the same; only other processes cannot
		// reach the database meanwhile.
		fmt.Fprintf(inv.g.warnings, "Warning: other formation commands cannot use %s while this one runs: %v\n", inv.g.db, err)
	}
	return inv.back, nil
}

// close closes what the invocation opened: the engine, which owns the
// store, or else the store alone. An owner first stays until deployments
// its clients started are terminal (unless ctx, Ctrl-C, says stop). The
// engine shuts down gracefully, letting the provider calls in flight
// finish, unless abort (a second Ctrl-C) says stop at once.
func (inv *invocation) close(ctx, abort context.Context) error {
	switch {
	case inv.eng != nil:
		var err error
		if !inv.resumed.Load() {
			reportInterrupted(inv.g.warnings, inv.interrupted)
		}
		if inv.owner != nil {
			err = inv.owner.stay(ctx, inv.eng, inv.stopped(), inv.g.warnings)
			if ctx.Err() != nil {
				err = nil // interrupted: the deployments resume at the next start
			}
			err = errors.Join(err, inv.owner.close(ctx))
		}
		return errors.Join(err, inv.eng.Shutdown(abort))
	case inv.sim != nil:
		return inv.sim.st.Close()
	case inv.back != nil:
		r := inv.back.(*remote)
		reportInterrupted(inv.g.warnings, r.interrupted(ctx))
		// A client hangs up, so that its owner, which waits for its
		// clients before it ends, need not.
		r.client.CloseIdleConnections()
	}
	return nil
}

// openError words a failed engine.Open. A locked file is the common case
// (another formation process holds it) and gets a plain sentence. The store
// reports it as ErrUnavailable wrapping the lock timeout; the other
// unavailable case, a file from a newer Formation, has no cause and keeps
// the store's own message.
func openError(path string, err error) error {
	var fe *formation.Error
	if errors.As(err, &fe) && fe.Code == formation.CodeUnavailable && fe.Err != nil {
		return formation.Errorf(formation.CodeUnavailable, "", "", "database %s %s that does not share it (formation serve, or a command run with %s=off); try again when it has ended", path, inUse, shareEnv)
	}
	return err
}

// inUse ends the message of a database another process holds.
const inUse = "is in use by another process"

// synopsis is the command's name and positional arguments: "plan show NAME PLAN".
func (c *command) synopsis() string {
	s := c.name
	for _, a := range c.args {
		if a.optional {
			s += " [" + a.name + "]"
		} else {
			s += " " + a.name
		}
	}
	return s
}

// groupCommands lists the commands of a group ("stack"), sorted.
func groupCommands(group string) []*command {
	var out []*command
	for _, c := range sortedCommands() {
		if strings.HasPrefix(c.name, group+" ") {
			out = append(out, c)
		}
	}
	return out
}

func sortedCommands() []*command {
	out := make([]*command, 0, len(commands))
	for _, c := range commands {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *command) int { return strings.Compare(a.name, b.name) })
	return out
}

// commandList renders commands as an aligned synopsis / summary list.
func commandList(cmds []*command) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 3, ' ', 0)
	for _, c := range cmds {
		fmt.Fprintf(tw, "  %s\t%s\n", c.synopsis(), c.summary)
	}
	_ = tw.Flush()
	return b.String()
}

func topUsage(global *flag.FlagSet) string {
	var b strings.Builder
	b.WriteString(`Usage: formation [global flags] COMMAND [arguments] [flags]

Formation runs Huawei Cloud RFS stacks, execution plans and deployments
in-process, against the simulated provider, with everything stored in one
database file.

Commands:
`)
	b.WriteString(commandList(sortedCommands()))
	b.WriteString("\nGlobal flags (accepted before or after the command):\n")
	global.SetOutput(&b)
	global.PrintDefaults()
	global.SetOutput(io.Discard)
	b.WriteString(globalsNote + `
Exit status: 0 success; 1 a deployment ended in *_FAILED or ROLLBACK_COMPLETE
(the deployment failed; only continue-rollback asks for ROLLBACK_COMPLETE), or
an execution plan ended CREATION_FAILED; 2 invalid usage or a rejected request
(the error's code and message on stderr, after the diagnostics of a template
error), or Ctrl-C while following a deployment.

Run 'formation COMMAND -h' for a command's arguments and flags.
`)
	return b.String()
}

func groupUsage(group string) string {
	return fmt.Sprintf("Usage: formation %s COMMAND [arguments] [flags]\n\nCommands:\n%s\nRun 'formation %s COMMAND -h' for a command's arguments and flags.\n",
		group, commandList(groupCommands(group)), group)
}

// commandUsage renders -h for cmd from its table row and its flag set.
func commandUsage(cmd *command, fs *flag.FlagSet) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: formation %s [flags]\n\n%s.\n", cmd.synopsis(), cmd.summary)
	if cmd.help != "" {
		fmt.Fprintf(&b, "\n%s\n", strings.TrimSpace(cmd.help))
	}
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		b.WriteString("\nFlags:\n")
		fs.SetOutput(&b)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	b.WriteString("\nGlobal flags (-db, -json, …) may come before or after the command: see 'formation -h'.\n")
	return b.String()
}
