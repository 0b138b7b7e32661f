package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/internal/recent"
	"github.com/formation-engine/formation/provider"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Decode reads a plan Encode wrote, in the current form or in
// "formation.plan/2". Any problem is a CodeInternal *formation.Error: a
// stored plan that does not decode is corrupt.
func Decode(data []byte) (p *Plan, err error) {
	const op = "plan.Decode"
	d := &decoder{names: map[string]string{}}
	defer func() {
		// cty's constructors panic on what a well-formed plan never holds
		// (a type naming an undeclared optional attribute, a list of mixed
		// element types); a damaged stored plan must come back as an
		// error, not bring the process down.
		if r := recover(); r != nil {
			p, err = nil, formation.Errorf(formation.CodeInternal, op, d.addr, "the stored plan is damaged: %v", r)
		}
	}()
	if p, err = d.plan(&reader{data: data}); err != nil {
		return nil, formation.Wrap(formation.CodeInternal, op, d.addr, err)
	}
	return p, nil
}

// ValueDecoder reads values cty's JSON encoding wrote with their type
// (ctyjson.Marshal(v, cty.DynamicPseudoType), as a stack's records hold
// them), building what ctyjson.Unmarshal builds, with Decode's reader:
// cty's own decoder copies the document into a token buffer for each
// value, and again for each part of a value written with its type. It
// keeps every type it reads by its text, so a decoder that reads many
// values of a few types parses each type once. A ValueDecoder is for one
// goroutine at a time.
type ValueDecoder struct{ d decoder }

// NewValueDecoder returns a decoder with no types read yet.
func NewValueDecoder() *ValueDecoder {
	return &ValueDecoder{decoder{names: map[string]string{}, typeText: map[string]cty.Type{}}}
}

// Decode reads one value. A document cty cannot read is an error: cty's
// constructors panic on some malformed types, which come back as errors.
func (vd *ValueDecoder) Decode(data []byte) (v cty.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = cty.NilVal, fmt.Errorf("a damaged value: %v", r)
		}
	}()
	r := &reader{data: data}
	if v, err = vd.d.ctyValue(r, cty.DynamicPseudoType, nil); err == nil {
		err = r.end()
	}
	if err != nil {
		return cty.NilVal, err
	}
	return v, nil
}

// decoder reads one stored plan. It reads the document in place (reader)
// and builds each distinct type and schema once: in the current form they
// are in tables, in formatV2 they are written in place, and the decoder
// keeps what it built by the text it was built from.
type decoder struct {
	types      []cty.Type                 // the type table
	schemas    []provider.Schema          // the schema table
	typeText   map[string]cty.Type        // formatV2's types, by their text
	schemaText map[string]provider.Schema // formatV2's schemas, by their text
	names      map[string]string          // strings that recur, such as attribute names, by themselves
	addr       string                     // of the change being read, for errors
}

// name returns b as a string, one string for every occurrence.
func (d *decoder) name(b []byte) string {
	if s, ok := d.names[string(b)]; ok {
		return s
	}
	s := string(b)
	d.names[s] = s
	return s
}

// plan reads the document. Changes refer to the format and the tables,
// which Encode writes before them; changes met before those are set aside
// and read last.
func (d *decoder) plan(r *reader) (*Plan, error) {
	p := &Plan{}
	var format string
	var types, schemas, changes reader // spans; no data when absent
	read := false                      // the changes
	err := r.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "format":
			format, err = r.string()
		case "summary":
			var s encodedSummary
			s, err = readSummary(r)
			p.Summary = formation.PlanSummary(s)
		case "warnings":
			err = r.array(func() error {
				var w Warning
				err := r.object(func(key []byte) error {
					var err error
					switch string(key) {
					case "summary":
						w.Summary, err = r.string()
					case "detail":
						w.Detail, err = r.string()
					default:
						_, err = r.skip()
					}
					return err
				})
				p.Warnings = append(p.Warnings, w)
				return err
			})
		case "types":
			types, err = r.span()
		case "schemas":
			schemas, err = r.span()
		case "changes":
			if format == formatV2 || (format == encodedFormat && types.data != nil && schemas.data != nil) {
				if err = d.prepare(format, types, schemas); err == nil {
					p.Changes, err = d.changes(r)
				}
				read = true
			} else {
				changes, err = r.span()
			}
		default:
			_, err = r.skip()
		}
		return err
	})
	if err == nil {
		err = r.end()
	}
	if err == nil && !read {
		if err = d.prepare(format, types, schemas); err == nil {
			p.Changes, err = d.changes(&changes)
		}
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// prepare sets the decoder up for the format and reads the tables.
func (d *decoder) prepare(format string, types, schemas reader) error {
	switch format {
	case encodedFormat:
	case formatV2:
		d.typeText, d.schemaText = map[string]cty.Type{}, map[string]provider.Schema{}
	default:
		return fmt.Errorf("unknown plan format %q", format)
	}
	if types.data != nil {
		if err := d.readTypes(&types); err != nil {
			return fmt.Errorf("types: %w", err)
		}
	}
	if schemas.data != nil {
		if err := d.readSchemas(&schemas); err != nil {
			return fmt.Errorf("schemas: %w", err)
		}
	}
	return nil
}

// changes reads the list of changes; a document without one has none.
func (d *decoder) changes(r *reader) ([]*Change, error) {
	out := []*Change{}
	if r.data == nil {
		return out, nil
	}
	err := r.array(func() error {
		d.addr = ""
		c, err := d.change(r)
		out = append(out, c)
		return err
	})
	if err == nil {
		d.addr = ""
	}
	return out, err
}

func readSummary(r *reader) (encodedSummary, error) {
	var s encodedSummary
	err := r.object(func(key []byte) error {
		var n *int
		switch string(key) {
		case "resource_add":
			n = &s.ResourceAdd
		case "resource_update":
			n = &s.ResourceUpdate
		case "resource_delete":
			n = &s.ResourceDelete
		case "resource_import":
			n = &s.ResourceImport
		default:
			_, err := r.skip()
			return err
		}
		v, err := r.int()
		*n = int(v)
		return err
	})
	return s, err
}

func (d *decoder) readTypes(r *reader) error {
	return r.array(func() error {
		text, err := r.skip()
		if err != nil {
			return err
		}
		ty, err := ctyjson.UnmarshalType(text)
		d.types = append(d.types, ty)
		return err
	})
}

func (d *decoder) readSchemas(r *reader) error {
	return r.array(func() error {
		s, err := d.schema(r)
		d.schemas = append(d.schemas, s)
		return err
	})
}

// typeRef reads a type: its position in the table, or (formatV2) the type
// itself.
func (d *decoder) typeRef(r *reader) (cty.Type, error) {
	if d.typeText == nil {
		i, err := r.int()
		if err != nil {
			return cty.NilType, err
		}
		if i < 0 || i >= int64(len(d.types)) {
			return cty.NilType, r.errorf("type %d is not in the table", i)
		}
		return d.types[i], nil
	}
	text, err := r.skip()
	if err != nil {
		return cty.NilType, err
	}
	return d.typeOf(text)
}

// typeOf reads a type written as cty writes types, once per text when the
// decoder keeps types by their text, and once per text in the process
// while the text is among readTypes.
func (d *decoder) typeOf(text []byte) (cty.Type, error) {
	if ty, ok := d.typeText[string(text)]; ok {
		return ty, nil
	}
	ty, ok := readTypes.Get(string(text))
	if !ok {
		var err error
		if ty, err = ctyjson.UnmarshalType(text); err != nil {
			return ty, err
		}
		readTypes.Put(string(text), ty, len(text))
	}
	if d.typeText != nil {
		d.typeText[string(text)] = ty
	}
	return ty, nil
}

// readTypes keeps the types the decoders of this process read, by their
// text (cty types are immutable): a server decodes the stored states of
// many stacks whose resources are of a few types, and parsing each
// state's type was a twentieth of a loaded server's CPU.
var readTypes = recent.New[string, cty.Type](4 << 20)

// schemaRef reads a change's schema: its position in the table, or
// (formatV2) the schema itself. Changes of one type share the Attributes
// map, as they do in the plan Make returns.
func (d *decoder) schemaRef(r *reader) (provider.Schema, error) {
	if d.schemaText == nil {
		i, err := r.int()
		if err != nil {
			return provider.Schema{}, err
		}
		if i < 0 || i >= int64(len(d.schemas)) {
			return provider.Schema{}, r.errorf("schema %d is not in the table", i)
		}
		return d.schemas[i], nil
	}
	sr, err := r.span()
	if err != nil {
		return provider.Schema{}, err
	}
	text := sr.data[sr.pos:]
	if s, ok := d.schemaText[string(text)]; ok {
		return s, nil
	}
	s, err := d.schema(&sr)
	if err != nil {
		return provider.Schema{}, err
	}
	d.schemaText[string(text)] = s
	return s, nil
}

// schema reads an encodedSchema.
func (d *decoder) schema(r *reader) (provider.Schema, error) {
	var s provider.Schema
	err := r.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "id_attribute":
			s.IDAttribute, err = r.string()
		case "attributes":
			s.Attributes, err = d.attributes(r)
		case "force_new_enabled":
			s.ForceNewEnabled, err = r.bool()
		case "non_updatable":
			err = r.array(func() error {
				k, err := r.string()
				s.NonUpdatable = append(s.NonUpdatable, k)
				return err
			})
		default:
			_, err = r.skip()
		}
		return err
	})
	if len(s.Attributes) == 0 {
		s.Attributes = nil
	}
	if err == nil {
		s = s.Compile() // an apply refines every change of the type against it
	}
	return s, err
}

// attributes reads the attributes of an encodedSchema or encodedBlock.
func (d *decoder) attributes(r *reader) (map[string]provider.Attribute, error) {
	attrs := map[string]provider.Attribute{}
	err := r.object(func(key []byte) error {
		name := d.name(key)
		a, err := d.attribute(r)
		if err != nil {
			return fmt.Errorf("schema attribute %q: %w", name, err)
		}
		attrs[name] = a
		return nil
	})
	return attrs, err
}

// block reads an encodedBlock.
func (d *decoder) block(r *reader) (*provider.Block, error) {
	b := &provider.Block{}
	err := r.object(func(key []byte) error {
		var err error
		var n int64
		switch string(key) {
		case "nesting":
			var s string
			s, err = r.string()
			b.Nesting = provider.NestingMode(s)
		case "min_items":
			n, err = r.int()
			b.MinItems = int(n)
		case "max_items":
			n, err = r.int()
			b.MaxItems = int(n)
		case "attributes":
			b.Attributes, err = d.attributes(r)
		default:
			_, err = r.skip()
		}
		return err
	})
	return b, err
}

// attribute reads an encodedAttribute.
func (d *decoder) attribute(r *reader) (provider.Attribute, error) {
	var a provider.Attribute
	err := r.object(func(key []byte) error {
		var flag *bool
		switch string(key) {
		case "type":
			var err error
			a.Type, err = d.typeRef(r)
			return err
		case "required":
			flag = &a.Required
		case "optional":
			flag = &a.Optional
		case "computed":
			flag = &a.Computed
		case "force_new":
			flag = &a.ForceNew
		case "sensitive":
			flag = &a.Sensitive
		case "block":
			var err error
			a.Block, err = d.block(r)
			return err
		case "default":
			var err error
			a.Default, err = d.value(r)
			return err
		default:
			_, err := r.skip()
			return err
		}
		var err error
		*flag, err = r.bool()
		return err
	})
	if err == nil && a.Type == cty.NilType {
		err = fmt.Errorf("no type")
	}
	return a, err
}

// change reads an encodedChange.
func (d *decoder) change(r *reader) (*Change, error) {
	c := &Change{}
	err := r.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "addr":
			c.Addr, err = r.string()
			d.addr = c.Addr
		case "mode":
			var s string
			s, err = d.recurring(r)
			c.Mode = formation.Mode(s)
		case "type":
			c.Type, err = d.recurring(r)
		case "name":
			c.Name, err = d.recurring(r)
		case "key":
			c.Key, err = d.recurring(r)
		case "provider_name":
			c.ProviderName, err = d.recurring(r)
		case "provider_alias":
			c.ProviderAlias, err = d.recurring(r)
		case "action":
			var s string
			s, err = d.recurring(r)
			c.Action = formation.Action(s)
		case "reason":
			c.Reason, err = d.recurring(r)
		case "before":
			if c.Before, err = d.value(r); err != nil {
				err = fmt.Errorf("before: %w", err)
			}
		case "after":
			if c.After, err = d.value(r); err != nil {
				err = fmt.Errorf("after: %w", err)
			}
		case "resource_id":
			c.ResourceID, err = r.string()
		case "requires_replace":
			c.RequiresReplace, err = d.paths(r)
		case "dependencies":
			err = r.array(func() error {
				dep, err := d.recurring(r)
				c.Dependencies = append(c.Dependencies, dep)
				return err
			})
		case "create_before_destroy":
			c.CreateBeforeDestroy, err = r.bool()
		case "prevent_destroy":
			c.PreventDestroy, err = r.bool()
		case "ignore_changes":
			c.IgnoreChanges, err = d.paths(r)
		case "imported":
			c.Imported, err = r.bool()
		case "import_id":
			c.ImportID, err = r.string()
		case "deposed":
			c.Deposed, err = r.string()
		case "prev_addr":
			c.PrevAddr, err = r.string()
		case "forget":
			c.Forget, err = r.bool()
		case "drifted":
			c.Drifted, err = r.bool()
		case "sensitive":
			c.Sensitive, err = d.paths(r)
		case "schema":
			c.Schema, err = d.schemaRef(r)
		case "inferred":
			c.Inferred, err = r.bool()
		default:
			_, err = r.skip()
		}
		return err
	})
	return c, err
}

// recurring reads a string that many changes share (a type, a provider, a
// dependency), keeping one copy.
func (d *decoder) recurring(r *reader) (string, error) {
	b, err := r.bytes()
	if err != nil {
		return "", err
	}
	return d.name(b), nil
}

// paths reads a list of encodedPath.
func (d *decoder) paths(r *reader) ([]cty.Path, error) {
	var out []cty.Path
	err := r.array(func() error {
		var p cty.Path
		err := r.array(func() error {
			var step cty.PathStep
			err := r.object(func(key []byte) error {
				switch string(key) {
				case "attr":
					name, err := r.bytes()
					step = cty.GetAttrStep{Name: d.name(name)}
					return err
				case "key":
					k, err := r.string()
					step = cty.IndexStep{Key: cty.StringVal(k)}
					return err
				case "index":
					n, err := r.int()
					step = cty.IndexStep{Key: cty.NumberIntVal(n)}
					return err
				}
				_, err := r.skip()
				return err
			})
			if err == nil && step == nil {
				err = fmt.Errorf("empty path step")
			}
			p = append(p, step)
			return err
		})
		out = append(out, p)
		return err
	})
	return out, err
}

// value reads an encodedValue: a missing value when it has none.
func (d *decoder) value(r *reader) (cty.Value, error) {
	var ty cty.Type
	var value, unknown reader // spans; no data when absent
	err := r.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "type":
			ty, err = d.typeRef(r)
		case "value":
			value, err = r.span()
		case "unknown":
			unknown, err = r.span()
		default:
			_, err = r.skip()
		}
		return err
	})
	switch {
	case err != nil:
		return cty.NilVal, err
	case value.data == nil:
		return cty.NilVal, nil
	case ty == cty.NilType:
		return cty.NilVal, fmt.Errorf("a value without a type")
	}
	var marks *unknowns
	if unknown.data != nil {
		if marks, err = d.unknowns(&unknown); err != nil {
			return cty.NilVal, fmt.Errorf("unknown markers: %w", err)
		}
	}
	v, err := d.ctyValue(&value, ty, marks)
	if err == nil {
		err = value.end()
	}
	return v, err
}

// unknowns is a marker tree (see markers) read back: which parts of a value
// are unknown. nil marks nothing, wholly the whole value; otherwise keys
// marks attributes or map elements, and elems (when list is set) list or
// tuple elements.
type unknowns struct {
	keys  []markedKey // sorted by name, as markers writes them
	elems []*unknowns
	list  bool
}

// markedKey is an attribute or map key with unknown parts. A sorted slice
// rather than a map: a marker tree has one per unknown attribute of each
// change, most of them a single entry.
type markedKey struct {
	name  string
	marks *unknowns
}

func compareMarkedKey(m markedKey, name string) int { return strings.Compare(m.name, name) }

var wholly = &unknowns{}

// unknowns reads a marker tree.
func (d *decoder) unknowns(r *reader) (*unknowns, error) {
	switch r.next() {
	case 't', 'f':
		if b, err := r.bool(); !b {
			return nil, err
		}
		return wholly, nil
	case '{':
		u := &unknowns{}
		err := r.object(func(key []byte) error {
			sub, err := d.unknowns(r)
			u.keys = append(u.keys, markedKey{d.name(key), sub})
			return err
		})
		if len(u.keys) == 0 {
			return nil, err
		}
		slices.SortFunc(u.keys, func(a, b markedKey) int { return compareMarkedKey(a, b.name) })
		return u, err
	case '[':
		u := &unknowns{list: true}
		err := r.array(func() error {
			sub, err := d.unknowns(r)
			u.elems = append(u.elems, sub)
			return err
		})
		return u, err
	}
	return nil, r.errorf("invalid unknown marker")
}

// ctyValue reads a value of type ty written by cty's JSON encoding, with the
// parts marks marks unknown. It builds what cty's json.Unmarshal builds,
// which it leaves the types and forms Encode does not write to.
func (d *decoder) ctyValue(r *reader, ty cty.Type, marks *unknowns) (cty.Value, error) {
	if marks == wholly {
		v, err := d.ctyValue(r, ty, nil)
		return cty.UnknownVal(v.Type()), err
	}
	if marks != nil && (ty.IsPrimitiveType() || ty.IsCapsuleType()) {
		return cty.NilVal, r.errorf("unknown markers inside %s", ty.FriendlyName())
	}
	c := r.next()
	if c == 'n' && r.literal("null") {
		if marks != nil {
			return cty.NilVal, r.errorf("unknown markers inside null")
		}
		return cty.NullVal(ty), nil
	}
	switch {
	case ty == cty.String && c == '"':
		s, err := r.string()
		return cty.StringVal(s), err
	case ty == cty.Number && (c == '-' || (c >= '0' && c <= '9')):
		text, err := r.number()
		if err != nil {
			return cty.NilVal, err
		}
		return cty.ParseNumberVal(string(text))
	case ty == cty.Bool && (c == 't' || c == 'f'):
		b, err := r.bool()
		return cty.BoolVal(b), err
	case ty.IsObjectType() && c == '{':
		return d.object(r, ty, marks)
	case ty.IsMapType() && c == '{':
		return d.mapValue(r, ty.ElementType(), marks)
	case (ty.IsListType() || ty.IsSetType() || ty.IsTupleType()) && c == '[':
		return d.sequence(r, ty, marks)
	case ty == cty.DynamicPseudoType && c == '{':
		return d.dynamic(r, marks)
	}
	// Primitives written as another primitive, capsules and whatever
	// is not of its type: as cty reads them, or its error.
	text, err := r.skip()
	if err != nil {
		return cty.NilVal, err
	}
	if marks != nil {
		return cty.NilVal, fmt.Errorf("unknown markers inside %s", ty.FriendlyName())
	}
	return ctyjson.Unmarshal(text, ty)
}

// object reads an object value; attributes it leaves out are null.
func (d *decoder) object(r *reader, ty cty.Type, marks *unknowns) (cty.Value, error) {
	atys := ty.AttributeTypes()
	vals := make(map[string]cty.Value, len(atys))
	err := r.object(func(key []byte) error {
		aty, ok := atys[string(key)]
		if !ok {
			return r.errorf("unsupported attribute %q", key)
		}
		name := d.name(key)
		v, err := d.ctyValue(r, aty, marks.key(name))
		vals[name] = v
		return err
	})
	if err != nil {
		return cty.NilVal, err
	}
	for name, aty := range atys {
		if _, ok := vals[name]; ok {
			continue
		}
		switch m := marks.key(name); m {
		case nil:
			vals[name] = cty.NullVal(aty)
		case wholly:
			vals[name] = cty.UnknownVal(aty)
		default:
			return cty.NilVal, fmt.Errorf("unknown markers inside null")
		}
	}
	if err := marks.keysIn(vals); err != nil {
		return cty.NilVal, err
	}
	if len(vals) == 0 {
		return cty.EmptyObjectVal, nil
	}
	return cty.ObjectVal(vals), nil
}

// mapValue reads a map value of elements of type ety.
func (d *decoder) mapValue(r *reader, ety cty.Type, marks *unknowns) (cty.Value, error) {
	vals := map[string]cty.Value{}
	err := r.object(func(key []byte) error {
		k := d.name(key)
		v, err := d.ctyValue(r, ety, marks.key(k))
		vals[k] = v
		return err
	})
	if err == nil {
		err = marks.keysIn(vals)
	}
	if err != nil {
		return cty.NilVal, err
	}
	if len(vals) == 0 {
		return cty.MapValEmpty(ety), nil
	}
	return cty.MapVal(vals), nil
}

// sequence reads a list, set or tuple value.
func (d *decoder) sequence(r *reader, ty cty.Type, marks *unknowns) (cty.Value, error) {
	tuple := ty.IsTupleType()
	var etys []cty.Type
	if tuple {
		etys = ty.TupleElementTypes()
	}
	if marks != nil && (!marks.list || ty.IsSetType()) {
		return cty.NilVal, r.errorf("unknown markers do not match %s", ty.FriendlyName())
	}
	var elems []cty.Value
	err := r.array(func() error {
		i := len(elems)
		var ety cty.Type
		switch {
		case !tuple:
			ety = ty.ElementType()
		case i < len(etys):
			ety = etys[i]
		default:
			return r.errorf("too many tuple elements (need %d)", len(etys))
		}
		var m *unknowns
		if marks != nil && i < len(marks.elems) {
			m = marks.elems[i]
		}
		v, err := d.ctyValue(r, ety, m)
		elems = append(elems, v)
		return err
	})
	switch {
	case err != nil:
		return cty.NilVal, err
	case marks != nil && len(marks.elems) != len(elems):
		return cty.NilVal, fmt.Errorf("%d unknown markers for %d elements", len(marks.elems), len(elems))
	case tuple && len(elems) != len(etys):
		return cty.NilVal, fmt.Errorf("not enough tuple elements (need %d)", len(etys))
	case tuple:
		if len(elems) == 0 {
			return cty.EmptyTupleVal, nil
		}
		return cty.TupleVal(elems), nil
	case ty.IsSetType():
		if len(elems) == 0 {
			return cty.SetValEmpty(ty.ElementType()), nil
		}
		return cty.SetVal(elems), nil
	}
	if len(elems) == 0 {
		return cty.ListValEmpty(ty.ElementType()), nil
	}
	return cty.ListVal(elems), nil
}

// dynamic reads a value of no fixed type, which cty writes with its type:
// {"value": …, "type": …}.
func (d *decoder) dynamic(r *reader, marks *unknowns) (cty.Value, error) {
	var value reader // no data when absent
	var typ []byte
	err := r.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "value":
			value, err = r.span()
		case "type":
			typ, err = r.skip()
		default:
			err = r.errorf("invalid key %q in dynamically-typed value", key)
		}
		return err
	})
	if err != nil {
		return cty.NilVal, err
	}
	if value.data == nil || typ == nil {
		return cty.NilVal, fmt.Errorf("a dynamically-typed value without its value or its type")
	}
	ty, err := d.typeOf(typ)
	if err != nil {
		return cty.NilVal, err
	}
	v, err := d.ctyValue(&value, ty, marks)
	if err == nil {
		err = value.end()
	}
	return v, err
}

// key returns the markers of an attribute or map element.
func (u *unknowns) key(k string) *unknowns {
	if u == nil {
		return nil
	}
	if i, ok := slices.BinarySearchFunc(u.keys, k, compareMarkedKey); ok {
		return u.keys[i].marks
	}
	return nil
}

// keysIn checks that every key u marks is in vals.
func (u *unknowns) keysIn(vals map[string]cty.Value) error {
	if u == nil {
		return nil
	}
	if u.list {
		return fmt.Errorf("unknown markers for elements of an object or map")
	}
	for _, k := range u.keys {
		if _, ok := vals[k.name]; !ok {
			return fmt.Errorf("unknown marker for missing key %q", k.name)
		}
	}
	return nil
}
