package sim

import (
	"fmt"

	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/tfschema"
)

// schemaSet is where the world finds the schema of a type: the declared
// schemas (Config.Schemas and the catalog), then the provider schema
// documents in order.
type schemaSet struct {
	declared map[string]provider.Schema
	docs     []*tfschema.Document
}

// resource returns a resource type's schema, false for a schema-less type,
// and an error wrapping provider.ErrInvalidConfig when a document's schema
// of the type cannot be decoded.
func (s *schemaSet) resource(typ string) (provider.Schema, bool, error) {
	if sc, ok := s.declared[typ]; ok {
		return sc, true, nil
	}
	for _, d := range s.docs {
		sc, ok, err := d.Resource(typ)
		if err != nil {
			return provider.Schema{}, false, fmt.Errorf("%w: %w", provider.ErrInvalidConfig, err)
		}
		if ok {
			return sc, true, nil
		}
	}
	return provider.Schema{}, false, nil
}

// dataSource returns a data source type's schema from the documents, like
// resource.
func (s *schemaSet) dataSource(typ string) (provider.Schema, bool, error) {
	for _, d := range s.docs {
		sc, ok, err := d.DataSource(typ)
		if err != nil {
			return provider.Schema{}, false, fmt.Errorf("%w: %w", provider.ErrInvalidConfig, err)
		}
		if ok {
			return sc, true, nil
		}
	}
	return provider.Schema{}, false, nil
}

// get is resource without the error: a type whose schema cannot be decoded
// is treated as schema-less here, and refused where it is validated.
func (s *schemaSet) get(typ string) (provider.Schema, bool) {
	sc, ok, _ := s.resource(typ)
	return sc, ok
}
