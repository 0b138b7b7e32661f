// Command quickstart walks through a stack's lifecycle with Formation
// embedded in the process: create stacks, list them, update one, and delete
// it, printing what RFS would return at each step.
//
// Run it with: go run ./examples/quickstart
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
)

func main() {
	if err := run(context.Background()); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "formation-quickstart")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	e, err := engine.Open(filepath.Join(dir, "formation.db"))
	if err != nil {
		return err
	}
	defer e.Close()

	created, err := e.CreateStack(ctx, engine.CreateStackRequest{
		Name:                     "network",
		Description:              "VPC, subnets and security groups",
		EnableDeletionProtection: true,
	})
	if err != nil {
		return err
	}
	fmt.Println("created stack network:", created.StackID != "")
	if _, err := e.CreateStack(ctx, engine.CreateStackRequest{Name: "compute"}); err != nil {
		return err
	}

	page, err := e.ListStacks(ctx, engine.ListOptions{})
	if err != nil {
		return err
	}
	for _, s := range page.Stacks {
		fmt.Printf("%-8s %s\n", s.Name, s.Status)
	}

	// A bad name is refused with RFS's code, and nothing changes.
	_, err = e.CreateStack(ctx, engine.CreateStackRequest{Name: "9lives"})
	var fe *formation.Error
	if errors.As(err, &fe) {
		fmt.Printf("refused: %s (HTTP %d)\n", fe.Code, fe.HTTPStatus())
	}

	// Deletion protection must be lifted before the stack can go.
	_, err = e.DeleteStack(ctx, engine.DeleteStackRequest{StackRef: engine.StackRef{Name: "network"}})
	fmt.Println("delete while protected refused:", errors.Is(err, formation.ErrInvalidStatus))
	if err := e.UpdateStack(ctx, engine.UpdateStackRequest{
		StackRef:                 engine.StackRef{Name: "network", ID: created.StackID},
		EnableDeletionProtection: new(false),
	}); err != nil {
		return err
	}
	dep, err := e.DeleteStack(ctx, engine.DeleteStackRequest{StackRef: engine.StackRef{Name: "network"}})
	if err != nil {
		return err
	}
	res, err := e.Wait(ctx, dep)
	if err != nil {
		return err
	}
	fmt.Println("deletion ended:", res.Status)
	_, err = e.GetStackMetadata(ctx, engine.StackRef{Name: "network"})
	fmt.Println("network now:", errors.Is(err, formation.ErrNotFound))

	meta, err := e.GetStackMetadata(ctx, engine.StackRef{Name: "compute"})
	if err != nil {
		return err
	}
	out, err := json.MarshalIndent(struct {
		Name   string                `json:"stack_name"`
		Status formation.StackStatus `json:"status"`
	}{meta.Name, meta.Status}, "", "  ")
	if err != nil {
		return err
	}
	fmt.Println(string(out))
	return nil
}
