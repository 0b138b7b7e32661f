package sim

import (
	"context"
	"strings"
	"testing"

	"github.com/formation-engine/formation/provider"
	"github.com/zclconf/go-cty/cty"
)

// A world written before the token index existed (records only) gets its
// index when a Provider opens it, so that a Provider opened earlier, which
// finds tokens through the index, replays a create instead of repeating it.
func TestWorld_OpenIndexesALegacyWorld(t *testing.T) {
	ctx := context.Background()
	ws := NewMemoryWorld()
	early, err := New(Config{World: ws})
	if err != nil {
		t.Fatal(err)
	}
	writer, err := New(Config{World: ws})
	if err != nil {
		t.Fatal(err)
	}
	req := provider.CreateRequest{TypeName: "acme_thing", Address: "acme_thing.x", Token: "dep-1/acme_thing.x",
		Config: cty.ObjectVal(map[string]cty.Value{"n": cty.NumberIntVal(1)})}
	made, err := writer.Create(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	var index []KV
	_ = ws.Load(ctx, func(key string, _ []byte) error {
		if strings.HasPrefix(key, tokenPrefix) {
			index = append(index, KV{Key: key})
		}
		return nil
	})
	if len(index) != 1 {
		t.Fatalf("%d index entries after one create, want 1", len(index))
	}
	if err := ws.Write(ctx, index); err != nil { // as a world written before the index
		t.Fatal(err)
	}

	if _, err := New(Config{World: ws}); err != nil { // indexes the world
		t.Fatal(err)
	}
	again, err := early.Create(ctx, req)
	if err != nil || again.ID != made.ID || !early.Calls()[0].Replayed {
		t.Fatalf("a create under the token by a Provider opened before it: %s (%v), replayed %v; want %s replayed",
			again.ID, err, early.Calls()[0].Replayed, made.ID)
	}
}

// A record whose stored state cannot be decoded opens (states are decoded
// when first needed) and then fails the calls that need its state, with an
// error naming it, as ReadWorld does.
func TestWorld_CorruptStateFailsWhenRead(t *testing.T) {
	ctx := context.Background()
	ws := NewMemoryWorld()
	header := `{"format":1,"type":"acme_thing","id":"x","address":"acme_thing.x","key":"token/t","gen":1}`
	if err := ws.Write(ctx, []KV{{Key: "acme_thing/x", Value: []byte(header + "\n\"object\"\n{not json")}}); err != nil {
		t.Fatal(err)
	}
	p, err := New(Config{World: ws})
	if err != nil {
		t.Fatalf("opening a world with a corrupt state: %v", err)
	}
	if _, err := p.Read(ctx, provider.ReadRequest{TypeName: "acme_thing", ID: "x"}); err == nil || !strings.Contains(err.Error(), "acme_thing x") {
		t.Fatalf("reading the corrupt resource: %v, want an error naming it", err)
	}
	if _, err := ReadWorld(ctx, ws); err == nil {
		t.Fatal("ReadWorld read a corrupt state")
	}
}
