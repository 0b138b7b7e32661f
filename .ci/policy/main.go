// Command policy evaluates a Rego policy written for `terraform show -json`
// plans against a plan read from stdin, as conftest or opa eval would, and
// prints the policy's deny messages, one a line, sorted: the CLI scenario
// checks that Formation's JSON plans are what such policies read.
//
// Usage: policy POLICY.rego < plan.json
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"

	"github.com/open-policy-agent/opa/v1/rego"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: policy POLICY.rego < plan.json")
		os.Exit(2)
	}
	var input any
	if err := json.NewDecoder(os.Stdin).Decode(&input); err != nil {
		fmt.Fprintln(os.Stderr, "policy: the plan is not JSON:", err)
		os.Exit(1)
	}
	ctx := context.Background()
	q, err := rego.New(rego.Query("data.terraform.policy.deny"), rego.Load([]string{os.Args[1]}, nil)).PrepareForEval(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "policy:", err)
		os.Exit(1)
	}
	rs, err := q.Eval(ctx, rego.EvalInput(input))
	if err != nil || len(rs) != 1 || len(rs[0].Expressions) != 1 {
		fmt.Fprintln(os.Stderr, "policy: no deny set:", err)
		os.Exit(1)
	}
	var deny []string
	for _, m := range rs[0].Expressions[0].Value.([]any) {
		deny = append(deny, fmt.Sprint(m))
	}
	slices.Sort(deny)
	for _, m := range deny {
		fmt.Println(m)
	}
}
