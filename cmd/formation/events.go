package main

import (
	"context"
	"flag"
	"strconv"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/store"
)

// events: a stack's events (RFS ListStackEvents), every page.
func init() {
	register(&command{
		name:    "events",
		args:    []arg{stackArg},
		summary: "List a stack's events, newest first",
		help: `Prints every event of the stack (or of one deployment), newest first, as
RFS lists them: a table of time, type, resource and message, or with -json
one document {"stack_events": […], "page_info": …} holding them all.

-filter takes RFS's syntax: conditions on event_type, resource_type and
resource_name, ',' for AND and '|' for OR within a field, e.g.
  -filter 'event_type==ERROR|event_type==LOG,resource_type==huaweicloud_vpc'
-field lists the attributes to return (event_type always is), e.g.
  -field event_message,timestamp`,
		setup: eventsCommand,
	})
}

func eventsCommand(fs *flag.FlagSet) action {
	var req engine.ListStackEventsRequest
	fs.StringVar(&req.DeploymentID, "deployment", "", "only the events of the deployment `ID`")
	fs.StringVar(&req.Filter, "filter", "", "RFS filter `EXPR`, e.g. event_type==LOG|event_type==ERROR")
	fs.StringVar(&req.Field, "field", "", "the event fields to show, a comma-separated `LIST`")
	live := fs.Bool("follow", false, "follow the stack's running deployment (or -deployment ID) live to its end, as deploy shows it")
	return func(ctx context.Context, inv *invocation) error {
		req.StackRef = engine.StackRef{Name: inv.args[0]}
		if *live && (req.Filter != "" || req.Field != "") {
			return usageError(formation.CodeInvalidParameter, "events", "-follow shows whole events: not with -filter or -field")
		}
		if err := checkEventQuery(ctx, req); err != nil {
			return err
		}
		e, err := inv.engine()
		if err != nil {
			return err
		}
		if *live {
			inv.resume()
			return followRunning(ctx, inv, e, req.StackRef, req.DeploymentID)
		}
		all, err := allPages(func(opts engine.ListOptions) ([]formation.Event, string, error) {
			req.ListOptions = opts
			page, err := e.ListStackEvents(ctx, req)
			return page.StackEvents, page.PageInfo.NextMarker, err
		})
		if err != nil {
			return err
		}
		if inv.out.json {
			return inv.out.printJSON(engine.EventPage{StackEvents: all, PageInfo: engine.PageInfo{CurrentCount: len(all)}})
		}
		rows := make([][]string, len(all))
		for i, ev := range all {
			rows[i] = []string{ev.Time.String(), eventTypeCell(inv.out, ev.EventType), resourceAddr(ev), ev.EventMessage}
		}
		return inv.out.table([]string{"TIME", inv.out.header("TYPE"), "RESOURCE", "MESSAGE"}, rows)
	}
}

// followRunning follows a deployment another command started (its id, or
// else the stack's running one) as deploy follows its own: its events so
// far, each new one as it happens, how it ended. A stack with nothing
// running has nothing to follow: its latest deployment's result is
// printed at once.
func followRunning(ctx context.Context, inv *invocation, e backend, ref engine.StackRef, id string) error {
	if id == "" {
		page, err := e.ListStackEvents(ctx, engine.ListStackEventsRequest{StackRef: ref, ListOptions: engine.ListOptions{Limit: 10}})
		if err != nil {
			return err
		}
		if len(page.StackEvents) > 0 {
			id = page.StackEvents[0].DeploymentID // newest first: the latest deployment's
		}
		if id == "" {
			return formation.Errorf(formation.CodeDeploymentNotFound, "", ref.Name, "the stack has had no deployment to follow")
		}
	}
	_, watching := e.(*remote) // else this process resumed it, and runs it
	return follow(ctx, inv, e, started{what: "Following deployment of stack " + ref.Name, stack: ref.Name, deploymentID: id, watching: watching})
}

// checkEventQuery refuses a malformed filter, field list or deployment id
// before the database is opened, so that bad input neither creates nor
// touches it. The engine checks a query before it looks for the stack, so
// asking an empty in-memory engine gives exactly its refusal; the stack it
// then does not find is no concern here.
func checkEventQuery(ctx context.Context, req engine.ListStackEventsRequest) error {
	e, err := engine.New(engine.Config{Store: store.NewMemory()})
	if err != nil {
		return err
	}
	defer e.Close()
	_, err = e.ListStackEvents(ctx, req)
	if formation.HasCode(err, formation.CodeStackNotFound) {
		return nil
	}
	return err
}

// eventTypeCell paints an event type: errors and failures red, work in
// progress yellow. Every cell is painted, as status cells are, so the
// column lines up (see output.status).
func eventTypeCell(out *output, t formation.EventType) string {
	switch t {
	case formation.EventError, formation.EventCreationFailed, formation.EventUpdateFailed, formation.EventDeletionFailed:
		return out.paint(sgrRed, string(t))
	case formation.EventCreationInProgress, formation.EventUpdateInProgress, formation.EventDeletionInProgress, formation.EventDrift:
		return out.paint(sgrYellow, string(t))
	}
	return out.paint(sgrDefault, string(t))
}

// resourceAddr is an event's resource address as the template writes it:
// the module instance and a dot inside a module, type.name, then [index]
// for a number key or ["key"] otherwise; "" for an event about no
// resource.
func resourceAddr(ev formation.Event) string {
	if ev.ResourceName == "" {
		return ""
	}
	addr := ev.ResourceType + "." + ev.ResourceName
	if ev.ModuleAddress != "" {
		addr = ev.ModuleAddress + "." + addr
	}
	switch {
	case ev.ResourceKey == "":
		return addr
	case isIndex(ev.ResourceKey):
		return addr + "[" + ev.ResourceKey + "]"
	}
	return addr + "[" + strconv.Quote(ev.ResourceKey) + "]"
}

func isIndex(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 0 && strconv.Itoa(n) == s
}
