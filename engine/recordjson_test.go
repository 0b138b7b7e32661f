package engine

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/formation-engine/formation"
)

// The records that write their own JSON must write what encoding/json
// writes for them, field for field: stored records are read back with
// encoding/json, and records written before they wrote their own must stay
// byte-comparable. Records are drawn at random, every optional field set or
// empty, with strings that need escaping.
func TestRecordJSON_AsEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	strs := []string{"", "vpc", `sim_item.i["a<b>&\"c\\"]`, "ünï\u2028", "line\nbreak\x01"}
	str := func() string { return strs[rng.IntN(len(strs))] }
	raw := func() json.RawMessage {
		return []json.RawMessage{nil, json.RawMessage(`{"value":{"a":"<x>"},"type":["object",{"a":"string"}]}`), json.RawMessage(`null`), json.RawMessage("[\"\u2028\"]")}[rng.IntN(4)]
	}
	list := func() []string {
		out := make([]string, rng.IntN(3))
		for i := range out {
			out[i] = str()
		}
		return out
	}
	for range 2000 {
		r := resourceRecord{
			Addr: str(), Mode: formation.Mode(str()), Type: str(), Name: str(), Key: str(),
			ProviderName: str(), ProviderAlias: str(), ID: str(), IDKey: str(), Value: raw(),
			Sensitive: list(), Dependencies: list(),
			PreventDestroy: rng.IntN(2) == 0, CreateBeforeDestroy: rng.IntN(2) == 0, Imported: rng.IntN(2) == 0,
			Status: formation.ResourceStatus(str()), StatusMessage: str(), Deployment: str(),
		}
		for range rng.IntN(3) {
			r.Deposed = append(r.Deposed, deposedRecord{ID: str(), Value: raw()})
		}
		in := intentRecord{
			Op: str(), Addr: str(), Token: str(), ID: str(), Deployment: str(), Phase: phase(str()),
			Type: str(), ProviderName: str(), ProviderAlias: str(), Config: raw(),
		}
		for _, v := range []jsonAppender{r, &r, in} {
			want, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			if got := v.appendJSON(nil); !bytes.Equal(got, want) {
				t.Fatalf("%T\n got %s\nwant %s", v, got, want)
			}
		}
	}
}
