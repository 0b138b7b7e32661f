package sim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// recordData is a record as it is persisted: three lines, each a JSON text
// (JSON texts never hold a raw newline): the header fields, the state's cty
// type and the state. A tombstone has the header only. Splitting the lines
// spares encoding/json re-validating the embedded state, which matters when
// 10,000 resources are created.
type recordData struct {
	Format  int    `json:"format"`
	Type    string `json:"type"`
	ID      string `json:"id"`
	Address string `json:"address"`
	Token   string `json:"token,omitempty"`
	Key     string `json:"key"`
	Gen     int    `json:"gen"`
	Deleted bool   `json:"deleted,omitempty"`

	state   cty.Value
	encoded []byte // the state's type and value lines, when state was never decoded
}

// recordFormat is the version of recordData's encoding.
const recordFormat = 1

// encode renders the record, taking the state type's JSON from types.
func (d recordData) encode(types *typeCache) ([]byte, error) {
	header, err := json.Marshal(d)
	if err != nil || d.Deleted {
		return header, err
	}
	if d.encoded != nil {
		return append(append(header, '\n'), d.encoded...), nil
	}
	if d.state == cty.NilVal {
		return header, nil
	}
	ty := d.state.Type()
	tyJSON, err := types.marshal(d.Type, ty)
	if err != nil {
		return nil, err
	}
	state, err := ctyjson.Marshal(d.state, ty)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(header)+len(tyJSON)+len(state)+2)
	out = append(append(append(append(append(out, header...), '\n'), tyJSON...), '\n'), state...)
	return out, nil
}

// decodeRecord parses a persisted record's header, keeping its state
// encoded until it is needed (record.value): a world of 10,000 resources
// then opens without decoding 10,000 states.
func decodeRecord(b []byte) (*record, error) {
	header, rest, hasState := bytes.Cut(b, []byte("\n"))
	var d recordData
	if err := json.Unmarshal(header, &d); err != nil {
		return nil, err
	}
	if d.Format != recordFormat {
		return nil, fmt.Errorf("record format %d is not %d", d.Format, recordFormat)
	}
	r := &record{typ: d.Type, id: d.ID, address: d.Address, token: d.Token, key: d.Key, gen: d.Gen,
		deleted: d.Deleted, version: 1, written: 1}
	if d.Deleted {
		return r, nil
	}
	if !hasState || !bytes.Contains(rest, []byte("\n")) {
		return nil, errors.New("record of a live resource has no state")
	}
	r.encoded = rest
	return r, nil
}

// value returns the record's state, decoding it on first use. It must be
// called with world.mu held, or before the record is shared.
func (r *record) value() (cty.Value, error) {
	if r.encoded == nil {
		return r.state, nil
	}
	tyJSON, state, _ := bytes.Cut(r.encoded, []byte("\n"))
	ty, err := stateTypes.unmarshal(tyJSON)
	if err == nil {
		r.state, err = ctyjson.Unmarshal(state, ty)
	}
	if err != nil {
		return cty.NilVal, fmt.Errorf("the stored state of %s %s: %w", r.typ, r.id, err)
	}
	r.encoded = nil
	return r.state, nil
}

// typeCache remembers the JSON of the last state type seen per resource
// type: resources of one type nearly always share one.
type typeCache struct {
	mu sync.Mutex
	m  map[string]cachedType
}

type cachedType struct {
	ty   cty.Type
	json []byte
}

// marshal returns ty's JSON, from the cache when typ's last type equals ty.
func (c *typeCache) marshal(typ string, ty cty.Type) ([]byte, error) {
	c.mu.Lock()
	hit, ok := c.m[typ]
	c.mu.Unlock()
	if ok && hit.ty.Equals(ty) {
		return hit.json, nil
	}
	b, err := ctyjson.MarshalType(ty)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[string]cachedType)
	}
	c.m[typ] = cachedType{ty: ty, json: b}
	c.mu.Unlock()
	return b, nil
}

// stateTypes are the state types decoded so far, by their JSON: the
// resources of one type nearly always share one, and parsing a type is a
// third of decoding a small state.
var stateTypes = parsedTypes{m: map[string]cty.Type{}}

// maxParsedTypes bounds stateTypes: a world of many resource types still
// decodes, it only stops remembering.
const maxParsedTypes = 4096

type parsedTypes struct {
	mu sync.Mutex
	m  map[string]cty.Type
}

// unmarshal parses a state type's JSON, once per distinct JSON.
func (c *parsedTypes) unmarshal(b []byte) (cty.Type, error) {
	c.mu.Lock()
	ty, ok := c.m[string(b)]
	c.mu.Unlock()
	if ok {
		return ty, nil
	}
	ty, err := ctyjson.UnmarshalType(b)
	if err != nil {
		return cty.NilType, err
	}
	c.mu.Lock()
	if len(c.m) < maxParsedTypes {
		c.m[string(b)] = ty
	}
	c.mu.Unlock()
	return ty, nil
}
