package plan

import (
	"context"
	"errors"
	"io"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/template"
)

type planner struct{}

func newPlanner(*template.Config, State, Providers, Options) *planner { return &planner{} }

func (*planner) run(context.Context) (*Plan, error) { return nil, errors.New("plan: not implemented yet") }

// Items returns the plan as RFS execution plan items (not implemented yet).
func (p *Plan) Items() []formation.PlanItem { return nil }

// WriteText renders the plan like terraform plan (not implemented yet).
func (p *Plan) WriteText(w io.Writer) error { return errors.New("plan: not implemented yet") }

// MarshalJSON renders the plan as JSON (not implemented yet).
func (p *Plan) MarshalJSON() ([]byte, error) { return nil, errors.New("plan: not implemented yet") }
