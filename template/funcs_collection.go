package template

import (
	"errors"
	"fmt"
	"sort"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// lengthFunc is Terraform's length: lists, tuples, sets and maps as in
// go-cty, plus objects (number of attributes) and strings (number of
// characters).
var lengthFunc = function.New(&function.Spec{
	Description: "Returns the number of elements of a collection, attributes of an object, or characters of a string.",
	Params: []function.Parameter{
		// AllowMarked spares cty a deep walk of the argument per call
		// (Impl keeps the argument's own mark): length(block) stays O(1).
		{Name: "value", Type: cty.DynamicPseudoType, AllowDynamicType: true, AllowUnknown: true, AllowMarked: true},
	},
	Type: func(args []cty.Value) (cty.Type, error) {
		ty := args[0].Type()
		if ty == cty.String || ty.IsObjectType() || ty.IsTupleType() || ty.IsListType() || ty.IsMapType() || ty.IsSetType() || ty == cty.DynamicPseudoType {
			return cty.Number, nil
		}
		return cty.NilType, errors.New("argument must be a string, a collection type, or a structural type")
	},
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		// The length of a sensitive value is sensitive; marks inside a
		// collection do not make its length so, as in Terraform.
		v, marks := args[0].Unmark()
		ty := v.Type()
		switch {
		case !v.IsKnown() && (ty == cty.DynamicPseudoType || ty == cty.String):
			return cty.UnknownVal(cty.Number).WithMarks(marks), nil
		case ty == cty.String:
			n, err := stdlib.Strlen(v)
			return n.WithMarks(marks), err
		case ty.IsObjectType():
			return cty.NumberIntVal(int64(len(ty.AttributeTypes()))).WithMarks(marks), nil
		case ty == cty.DynamicPseudoType:
			return cty.UnknownVal(cty.Number).WithMarks(marks), nil
		}
		return v.Length().WithMarks(marks), nil
	},
})

// listOf converts a list, tuple or set to a list of ty.
func listOf(v cty.Value, ty cty.Type) ([]cty.Value, error) {
	lv, err := convert.Convert(v, cty.List(ty))
	if err != nil {
		return nil, err
	}
	if lv.IsNull() {
		return nil, errors.New("argument must not be null")
	}
	return lv.AsValueSlice(), nil
}

// boolListFunc makes alltrue (stop at false) and anytrue (stop at true).
// As in Terraform, a null element counts as false: alltrue stops at it,
// anytrue passes it by.
func boolListFunc(desc string, empty, stop bool) function.Function {
	return function.New(&function.Spec{
		Description: desc,
		Params:      []function.Parameter{{Name: "list", Type: cty.List(cty.Bool)}},
		Type:        function.StaticReturnType(cty.Bool),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			result, unknown := empty, false
			for _, v := range args[0].AsValueSlice() {
				switch {
				case !v.IsKnown():
					unknown = true
				case v.IsNull():
					if !stop {
						return cty.False, nil
					}
				case v.True() == stop:
					return cty.BoolVal(stop), nil
				}
			}
			if unknown {
				return cty.UnknownVal(cty.Bool), nil
			}
			return cty.BoolVal(result), nil
		},
	})
}

var (
	allTrueFunc = boolListFunc("Returns true if every element of the list is true (or the list is empty).", true, false)
	anyTrueFunc = boolListFunc("Returns true if any element of the list is true.", false, true)
)

var sumFunc = function.New(&function.Spec{
	Description: "Returns the total of a list or set of numbers.",
	Params:      []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}},
	Type:        function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		nums, err := listOf(args[0], cty.Number)
		if err != nil {
			return cty.NilVal, fmt.Errorf("sum takes a list or set of numbers: %s", err)
		}
		if len(nums) == 0 {
			return cty.NilVal, errors.New("cannot sum an empty list")
		}
		total := cty.Zero
		for _, n := range nums {
			if !n.IsKnown() {
				return cty.UnknownVal(cty.Number), nil
			}
			if n.IsNull() {
				return cty.NilVal, errors.New("cannot sum a null number")
			}
			total = total.Add(n)
		}
		return total, nil
	},
})

var indexFunc = function.New(&function.Spec{
	Description: "Returns the index of the first element equal to value, or an error if there is none.",
	Params: []function.Parameter{
		{Name: "list", Type: cty.DynamicPseudoType},
		{Name: "value", Type: cty.DynamicPseudoType},
	},
	Type: function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		ty := args[0].Type()
		if !ty.IsListType() && !ty.IsTupleType() {
			return cty.NilVal, errors.New("argument must be a list or tuple")
		}
		if !args[0].IsWhollyKnown() {
			return cty.UnknownVal(cty.Number), nil
		}
		for it, i := args[0].ElementIterator(), int64(0); it.Next(); i++ {
			_, v := it.Element()
			eq, err := stdlib.Equal(v, args[1])
			if err != nil {
				return cty.NilVal, err
			}
			if !eq.IsKnown() {
				return cty.UnknownVal(cty.Number), nil
			}
			if eq.True() {
				return cty.NumberIntVal(i), nil
			}
		}
		return cty.NilVal, errors.New("item not found")
	},
})

var oneFunc = function.New(&function.Spec{
	Description: "Returns the only element of a list, set or tuple, null if it is empty, and an error if it has more.",
	Params:      []function.Parameter{{Name: "list", Type: cty.DynamicPseudoType}},
	Type: func(args []cty.Value) (cty.Type, error) {
		ty := args[0].Type()
		switch {
		case ty.IsListType() || ty.IsSetType():
			return ty.ElementType(), nil
		case ty.IsTupleType():
			switch n := ty.Length(); n {
			case 0:
				return cty.DynamicPseudoType, nil
			case 1:
				return ty.TupleElementType(0), nil
			default:
				return cty.NilType, fmt.Errorf("must be a list, set, or tuple value with either zero or one elements")
			}
		}
		return cty.NilType, errors.New("must be a list, set, or tuple value with either zero or one elements")
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		v := args[0]
		if !v.IsKnown() {
			return cty.UnknownVal(retType), nil
		}
		switch v.LengthInt() {
		case 0:
			return cty.NullVal(retType), nil
		case 1:
			it := v.ElementIterator()
			it.Next()
			_, el := it.Element()
			return el, nil
		}
		return cty.NilVal, errors.New("must be a list, set, or tuple value with either zero or one elements")
	},
})

var matchKeysFunc = function.New(&function.Spec{
	Description: "Returns the elements of values whose corresponding element of keys is in searchset.",
	Params: []function.Parameter{
		{Name: "values", Type: cty.List(cty.DynamicPseudoType)},
		{Name: "keys", Type: cty.List(cty.DynamicPseudoType)},
		{Name: "searchset", Type: cty.List(cty.DynamicPseudoType)},
	},
	Type: func(args []cty.Value) (cty.Type, error) {
		return args[0].Type(), nil
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		values, keys, search := args[0], args[1], args[2]
		if values.LengthInt() != keys.LengthInt() {
			return cty.NilVal, errors.New("length of keys and values should be equal")
		}
		if !values.IsWhollyKnown() || !keys.IsWhollyKnown() || !search.IsWhollyKnown() {
			return cty.UnknownVal(retType), nil
		}
		vs, ks := values.AsValueSlice(), keys.AsValueSlice()
		var out []cty.Value
		for i, k := range ks {
			for _, s := range search.AsValueSlice() {
				eq, err := stdlib.Equal(k, s)
				if err != nil {
					return cty.NilVal, err
				}
				if eq.True() {
					out = append(out, vs[i])
					break
				}
			}
		}
		if len(out) == 0 {
			return cty.ListValEmpty(retType.ElementType()), nil
		}
		return cty.ListVal(out), nil
	},
})

var transposeFunc = function.New(&function.Spec{
	Description: "Swaps the keys and values of a map of lists of strings.",
	Params:      []function.Parameter{{Name: "values", Type: cty.Map(cty.List(cty.String))}},
	Type:        function.StaticReturnType(cty.Map(cty.List(cty.String))),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if !args[0].IsWhollyKnown() {
			return cty.UnknownVal(cty.Map(cty.List(cty.String))), nil
		}
		tmp := map[string][]string{}
		for k, list := range args[0].AsValueMap() {
			if list.IsNull() {
				return cty.NilVal, errors.New("lists must not be null")
			}
			for _, v := range list.AsValueSlice() {
				if v.IsNull() {
					return cty.NilVal, errors.New("list elements must not be null")
				}
				tmp[v.AsString()] = append(tmp[v.AsString()], k)
			}
		}
		out := make(map[string]cty.Value, len(tmp))
		for k, vs := range tmp {
			sort.Strings(vs)
			list := make([]cty.Value, len(vs))
			for i, v := range vs {
				list[i] = cty.StringVal(v)
			}
			out[k] = cty.ListVal(list)
		}
		if len(out) == 0 {
			return cty.MapValEmpty(cty.List(cty.String)), nil
		}
		return cty.MapVal(out), nil
	},
})

// coalesceFunc is Terraform's coalesce: the first argument that is neither
// null nor an empty string, all converted to one type.
var coalesceFunc = function.New(&function.Spec{
	Description: "Returns the first argument that is not null and not an empty string.",
	VarParam: &function.Parameter{
		Name: "vals", Type: cty.DynamicPseudoType, AllowUnknown: true, AllowDynamicType: true, AllowNull: true,
	},
	Type: func(args []cty.Value) (cty.Type, error) {
		types := make([]cty.Type, len(args))
		for i, a := range args {
			types[i] = a.Type()
		}
		ty, _ := convert.UnifyUnsafe(types)
		if ty == cty.NilType {
			return cty.NilType, errors.New("all arguments must have the same type")
		}
		return ty, nil
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		for _, a := range args {
			v, err := convert.Convert(a, retType)
			if err != nil {
				return cty.NilVal, err
			}
			switch {
			case !v.IsKnown():
				return cty.UnknownVal(retType), nil
			case v.IsNull():
			case retType == cty.String && v.AsString() == "":
			default:
				return v, nil
			}
		}
		return cty.NilVal, errors.New("no non-null, non-empty-string arguments")
	},
})

// lookupFunc is Terraform's lookup: lookup(map, key) or lookup(map, key,
// default). go-cty's requires the default and refuses a null one; Terraform
// takes two or three arguments, a null default included, and without one
// a missing key is an error.
var lookupFunc = function.New(&function.Spec{
	Description: "Reads the element of a map or the attribute of an object under key, or default when it has none.",
	Params: []function.Parameter{
		{Name: "inputMap", Type: cty.DynamicPseudoType, AllowMarked: true, AllowUnknown: true},
		{Name: "key", Type: cty.String, AllowMarked: true, AllowUnknown: true},
	},
	VarParam: &function.Parameter{
		Name: "default", Type: cty.DynamicPseudoType, AllowUnknown: true, AllowDynamicType: true, AllowNull: true, AllowMarked: true,
	},
	Type: func(args []cty.Value) (cty.Type, error) {
		if len(args) > 3 {
			return cty.NilType, fmt.Errorf("lookup() takes two or three arguments, got %d", len(args))
		}
		ty := args[0].Type()
		switch {
		case ty.IsObjectType():
			if !args[1].IsKnown() {
				return cty.DynamicPseudoType, nil
			}
			key, _ := args[1].Unmark()
			switch {
			case ty.HasAttribute(key.AsString()):
				return ty.AttributeType(key.AsString()), nil
			case len(args) == 3:
				return args[2].Type(), nil
			}
			return cty.DynamicPseudoType, function.NewArgErrorf(0, "the given object has no attribute %q", key.AsString())
		case ty.IsMapType():
			if len(args) == 3 {
				if _, err := convert.Convert(args[2], ty.ElementType()); err != nil {
					return cty.NilType, function.NewArgErrorf(2, "the default value must have the same type as the map elements")
				}
			}
			return ty.ElementType(), nil
		case ty == cty.DynamicPseudoType:
			return cty.DynamicPseudoType, nil
		}
		return cty.NilType, function.NewArgErrorf(0, "lookup() requires a map as the first argument")
	},
	Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
		coll, collMarks := args[0].Unmark()
		key, keyMarks := args[1].Unmark()
		marks := []cty.ValueMarks{collMarks, keyMarks}
		if !coll.IsKnown() || !key.IsKnown() {
			return cty.UnknownVal(retType).WithMarks(marks...), nil
		}
		k := key.AsString()
		switch {
		case coll.Type().IsObjectType():
			if coll.Type().HasAttribute(k) {
				return coll.GetAttr(k).WithMarks(marks...), nil
			}
		case coll.HasIndex(cty.StringVal(k)) == cty.True:
			return coll.Index(cty.StringVal(k)).WithMarks(marks...), nil
		}
		if len(args) < 3 {
			if len(keyMarks) > 0 {
				k = "(sensitive value)"
			}
			return cty.DynamicVal, fmt.Errorf("lookup failed to find key %s", k)
		}
		def, err := convert.Convert(args[2], retType)
		if err != nil {
			return cty.NilVal, err
		}
		return def.WithMarks(marks...), nil
	},
})
