package plan

import (
	"errors"
	"io"
)

// WriteText renders the plan like terraform plan (not implemented yet).
func (p *Plan) WriteText(w io.Writer) error { return errors.New("plan: not implemented yet") }

// MarshalJSON renders the plan as JSON (not implemented yet).
func (p *Plan) MarshalJSON() ([]byte, error) { return nil, errors.New("plan: not implemented yet") }
