package engine

import (
	"bytes"
	"encoding/json"
	"strconv"
	"sync"

	"github.com/formation-engine/formation/internal/valuejson"
)

// The records written for every operation — a resource record at its start
// and at its end, an intent before it — write their own JSON: the bytes
// encoding/json writes for them (a test compares the two), without its
// reflection, and without its second pass over the cty JSON they embed,
// which valuejson wrote compact. They are most of what a deployment's
// writer encodes.

// recordBuffers hold the JSON of records on their way into the store.
var recordBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// jsonAppender is a record that appends its own JSON.
type jsonAppender interface {
	appendJSON(b []byte) []byte
}

// jsonObject writes the fields of one JSON object, in order.
type jsonObject struct {
	b      []byte
	fields int
}

func (o *jsonObject) key(name string) {
	if o.fields == 0 {
		o.b = append(o.b, '{')
	} else {
		o.b = append(o.b, ',')
	}
	o.fields++
	o.b = append(valuejson.AppendString(o.b, name), ':')
}

func (o *jsonObject) str(name, v string) {
	o.key(name)
	o.b = valuejson.AppendString(o.b, v)
}

// The omit methods leave out an empty value, as omitempty does.

func (o *jsonObject) strOmit(name, v string) {
	if v != "" {
		o.str(name, v)
	}
}

// rawOmit writes v, compact JSON (what valuejson writes), HTML-escaped as
// encoding/json escapes an embedded RawMessage.
func (o *jsonObject) rawOmit(name string, v json.RawMessage) {
	if len(v) == 0 {
		return
	}
	o.key(name)
	if !bytes.ContainsAny(v, "<>&\u2028\u2029") {
		o.b = append(o.b, v...)
		return
	}
	var escaped bytes.Buffer
	json.HTMLEscape(&escaped, v)
	o.b = append(o.b, escaped.Bytes()...)
}

func (o *jsonObject) boolOmit(name string, v bool) {
	if v {
		o.key(name)
		o.b = strconv.AppendBool(o.b, v)
	}
}

func (o *jsonObject) stringsOmit(name string, v []string) {
	if len(v) == 0 {
		return
	}
	o.key(name)
	for i, s := range v {
		o.element(i)
		o.b = valuejson.AppendString(o.b, s)
	}
	o.b = append(o.b, ']')
}

// element starts the ith element of an array the caller closes.
func (o *jsonObject) element(i int) {
	if i == 0 {
		o.b = append(o.b, '[')
	} else {
		o.b = append(o.b, ',')
	}
}

func (o *jsonObject) end() []byte {
	if o.fields == 0 {
		return append(o.b, "{}"...)
	}
	return append(o.b, '}')
}

func (r resourceRecord) appendJSON(b []byte) []byte {
	o := jsonObject{b: b}
	o.str("addr", r.Addr)
	o.str("mode", string(r.Mode))
	o.str("type", r.Type)
	o.str("name", r.Name)
	o.strOmit("key", r.Key)
	o.str("provider", r.ProviderName)
	o.strOmit("provider_alias", r.ProviderAlias)
	o.strOmit("id", r.ID)
	o.strOmit("id_key", r.IDKey)
	o.rawOmit("value", r.Value)
	o.stringsOmit("sensitive", r.Sensitive)
	o.stringsOmit("dependencies", r.Dependencies)
	o.boolOmit("prevent_destroy", r.PreventDestroy)
	o.boolOmit("create_before_destroy", r.CreateBeforeDestroy)
	o.boolOmit("imported", r.Imported)
	if len(r.Deposed) > 0 {
		o.key("deposed")
		for i, d := range r.Deposed {
			o.element(i)
			do := jsonObject{b: o.b}
			do.str("id", d.ID)
			do.rawOmit("value", d.Value)
			do.strOmit("status", string(d.Status))
			do.strOmit("status_message", d.StatusMessage)
			o.b = do.end()
		}
		o.b = append(o.b, ']')
	}
	o.str("status", string(r.Status))
	o.strOmit("status_message", r.StatusMessage)
	o.strOmit("deployment", r.Deployment)
	return o.end()
}

func (in intentRecord) appendJSON(b []byte) []byte {
	o := jsonObject{b: b}
	o.str("op", in.Op)
	o.str("addr", in.Addr)
	o.str("token", in.Token)
	o.strOmit("id", in.ID)
	o.str("deployment", in.Deployment)
	o.str("phase", string(in.Phase))
	o.strOmit("type", in.Type)
	o.strOmit("provider", in.ProviderName)
	o.strOmit("provider_alias", in.ProviderAlias)
	o.rawOmit("config", in.Config)
	return o.end()
}
