package template

import (
	"fmt"
	"time"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// timestampFunc returns the clock's current time in RFC 3339, UTC.
func timestampFunc(now func() time.Time) function.Function {
	return function.New(&function.Spec{
		Description: "Returns the current date and time in RFC 3339 format, UTC.",
		Type:        function.StaticReturnType(cty.String),
		Impl: func(_ []cty.Value, _ cty.Type) (cty.Value, error) {
			return cty.StringVal(now().UTC().Format(time.RFC3339)), nil
		},
	})
}

var timeCmpFunc = function.New(&function.Spec{
	Description: "Compares two RFC 3339 timestamps: -1, 0 or 1.",
	Params: []function.Parameter{
		{Name: "timestamp_a", Type: cty.String},
		{Name: "timestamp_b", Type: cty.String},
	},
	Type: function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		a, err := time.Parse(time.RFC3339, args[0].AsString())
		if err != nil {
			return cty.NilVal, function.NewArgError(0, fmt.Errorf("not a valid RFC3339 timestamp: %s", err))
		}
		b, err := time.Parse(time.RFC3339, args[1].AsString())
		if err != nil {
			return cty.NilVal, function.NewArgError(1, fmt.Errorf("not a valid RFC3339 timestamp: %s", err))
		}
		return cty.NumberIntVal(int64(a.Compare(b))), nil
	},
})
