package formation_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/formation-engine/formation"
)

// Every error Formation returns for something a caller can act on is a
// *formation.Error with an RFS-style code. Branch on its class with
// errors.Is, on one code with HasCode, and read its fields with errors.As —
// through any wrapping.
func ExampleErrorf() {
	err := formation.Errorf(formation.CodeStackNotFound, "myapp.ShowStack", "web", "stack does not exist")
	wrapped := fmt.Errorf("showing the stack: %w", err)

	fmt.Println(err)
	fmt.Println("not found:", errors.Is(wrapped, formation.ErrNotFound))
	fmt.Println("invalid argument:", errors.Is(wrapped, formation.ErrInvalidArgument))
	fmt.Println("has code:", formation.HasCode(wrapped, formation.CodeStackNotFound))
	fmt.Println("code:", formation.CodeOf(wrapped))

	var fe *formation.Error
	if errors.As(wrapped, &fe) {
		fmt.Println("HTTP status:", fe.HTTPStatus(), "resource:", fe.Resource)
	}
	// Output:
	// myapp.ShowStack: RF.10014001 web: stack does not exist
	// not found: true
	// invalid argument: false
	// has code: true
	// code: RF.10014001
	// HTTP status: 404 resource: web
}

// A code-only *Error matches every error with that code, whatever its
// message: errors.Is(err, &formation.Error{Code: …}) is HasCode for callers
// that prefer errors.Is.
func ExampleError_Is() {
	err := formation.Wrap(formation.CodeStackBusy, "engine.DeployStack", "web", errors.New("stack status DEPLOYMENT_IN_PROGRESS"))

	fmt.Println(errors.Is(err, &formation.Error{Code: formation.CodeStackBusy}))
	fmt.Println(errors.Is(err, &formation.Error{Code: formation.CodeDeletionProtected}))
	fmt.Println(errors.Is(err, formation.ErrInvalidStatus)) // the class of both codes
	// Output:
	// true
	// false
	// true
}

// Each code has one HTTP status and one class; the codes, statuses and
// classes are the table in the package documentation.
func ExampleCode_HTTPStatus() {
	for _, c := range []formation.Code{
		formation.CodeInvalidTemplate,
		formation.CodeStackBusy,
		formation.CodePlanExpired,
		formation.CodeStackNotFound,
		formation.CodeNameConflict,
		formation.CodeUnavailable,
		"RF.99999999",
	} {
		fmt.Println(c, c.HTTPStatus(), c.Class(), c.Known())
	}
	// Output:
	// RF.10011030 400 formation: invalid argument true
	// RF.10012519 403 formation: invalid status true
	// RF.10012530 403 formation: expired plan true
	// RF.10014001 404 formation: not found true
	// RF.10019001 409 formation: conflict true
	// RF.10010002 503 formation: unavailable true
	// RF.99999999 500 formation: internal error false
}

// Times render the RFS way: to the second, in UTC. A zero time is left out
// of JSON (the fields are tagged omitzero).
func ExampleTime() {
	beijing := time.FixedZone("CST", 8*60*60)
	t := formation.NewTime(time.Date(2023, 5, 15, 20, 23, 38, 750_000_000, beijing))
	fmt.Println(t)

	b, _ := json.Marshal(formation.Event{Sequence: 1, Time: t, EventType: formation.EventLog, EventMessage: "Stack web is DEPLOYMENT_IN_PROGRESS."})
	fmt.Println(string(b))
	b, _ = json.Marshal(formation.Stack{Name: "web", Status: formation.StackCreationComplete}) // no times yet
	fmt.Println(string(b))

	var back formation.Time
	_ = json.Unmarshal([]byte(`"2023-05-15T20:23:38.75+08:00"`), &back)
	fmt.Println(back.Equal(t.Time))
	// Output:
	// 2023-05-15T12:23:38Z
	// {"sequence":1,"time":"2023-05-15T12:23:38Z","event_type":"LOG","event_message":"Stack web is DEPLOYMENT_IN_PROGRESS."}
	// {"stack_name":"web","stack_id":"","description":"","status":"CREATION_COMPLETE","enable_deletion_protection":false,"enable_auto_rollback":false}
	// true
}

// A scaled clock makes simulated time pass faster than real time: here an
// hour passes in a millisecond. Give the same clock to the engine
// (engine.Config.Clock) and the simulated provider (sim.Config.Clock), and a
// deployment whose resources take hours runs in moments while its events
// report the simulated durations.
func ExampleNewScaledClock() {
	clock := formation.NewScaledClock(3_600_000)
	start := clock.Now()
	realStart := time.Now()

	if err := clock.Sleep(context.Background(), time.Hour); err != nil {
		fmt.Println(err)
	}
	fmt.Println("an hour of simulated time passed:", clock.Now().Sub(start) >= time.Hour)
	fmt.Println("in under a second of real time:", time.Since(realStart) < time.Second)
	// Output:
	// an hour of simulated time passed: true
	// in under a second of real time: true
}

// A stack's status says whether an operation is running (every mutating
// request is refused meanwhile) and how the last one ended.
func ExampleStackStatus() {
	for _, s := range []formation.StackStatus{
		formation.StackDeploymentInProgress,
		formation.StackDeploymentComplete,
		formation.StackRollbackComplete,
		formation.StackDeploymentFailed,
	} {
		fmt.Printf("%-22s in progress=%-5v terminal=%-5v failed=%v\n", s, s.InProgress(), s.Terminal(), s.Failed())
	}
	// Output:
	// DEPLOYMENT_IN_PROGRESS in progress=true  terminal=false failed=false
	// DEPLOYMENT_COMPLETE    in progress=false terminal=true  failed=false
	// ROLLBACK_COMPLETE      in progress=false terminal=true  failed=false
	// DEPLOYMENT_FAILED      in progress=false terminal=true  failed=true
}
