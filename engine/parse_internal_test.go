package engine

import (
	"testing"

	"github.com/formation-engine/formation/provider/sim"
)

// parse parses a template text once: the same text again, with other
// variables, finds it parsed; another text, a file set and a template that
// does not parse do not.
func TestParse_KeepsParsedTemplates(t *testing.T) {
	e, _, _ := simTestEngine(t, sim.Config{Seed: 1}, Config{})
	const body = `resource "sim_item" "i" { name = "a" }`
	first, err := e.parse(&templateSource{Body: body})
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.parse(&templateSource{Body: body, VarsBody: `x = 1`})
	if err != nil {
		t.Fatal(err)
	}
	if again != first {
		t.Error("the same template text was parsed again")
	}
	other, err := e.parse(&templateSource{Body: body + "\n"})
	if err != nil {
		t.Fatal(err)
	}
	if other == first {
		t.Error("another template text found the first one's parse")
	}
	files, err := e.parse(&templateSource{Files: map[string]string{"main.tf": body}})
	if err != nil {
		t.Fatal(err)
	}
	if files == first {
		t.Error("a file set found the parse of the same text sent as a body")
	}
	renamed, err := e.parse(&templateSource{Files: map[string]string{"other.tf": body}})
	if err != nil {
		t.Fatal(err)
	}
	if renamed == files {
		t.Error("a file set under other names found the first set's parse")
	}
	for range 2 {
		if _, err := e.parse(&templateSource{Body: `resource "sim_item" {`}); err == nil {
			t.Fatal("a broken template parsed")
		}
	}
}
