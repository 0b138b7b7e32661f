package main

import (
	"context"
	"encoding/json"
	"flag"

	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// sim list: what exists in the simulated cloud.
func init() {
	register(&command{
		name:    "sim list",
		summary: "List the simulated world's resources",
		help: `Prints the resources that exist in the simulated cloud stored in the
database — type, address and id; with -json their attributes too — so that
anyone can check that a stack's recorded resources ('formation resources')
and the world agree.`,
		setup: simList,
	})
}

// simResource is one resource of sim list's -json output.
type simResource struct {
	Type       string          `json:"type"`
	Address    string          `json:"address"`
	ID         string          `json:"id"`
	Attributes json.RawMessage `json:"attributes"`
}

// simDocument is sim list's -json output.
type simDocument struct {
	Resources []simResource `json:"resources"`
}

func simList(*flag.FlagSet) action {
	return func(_ context.Context, inv *invocation) error {
		s, err := inv.simulation()
		if err != nil {
			return err
		}
		all := s.sim.Resources()
		if !inv.out.json {
			rows := make([][]string, len(all))
			for i, r := range all {
				rows[i] = []string{r.Type, r.Address, r.ID}
			}
			return inv.out.table([]string{"TYPE", "ADDRESS", "ID"}, rows)
		}
		doc := simDocument{Resources: make([]simResource, len(all))}
		for i, r := range all {
			attrs, err := ctyjson.Marshal(r.State, r.State.Type())
			if err != nil {
				return err
			}
			doc.Resources[i] = simResource{r.Type, r.Address, r.ID, attrs}
		}
		return inv.out.printJSON(doc)
	}
}
