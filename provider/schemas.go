package provider

// Schemas is implemented by a provider that declares the schemas of its
// resource types. It is pure and cheap: the engine calls it while planning,
// for every resource, from many goroutines.
//
// A type for which Schema reports false, like every type of a provider that
// does not implement Schemas, is schema-less: the engine plans it with
// InferSchema (every configured attribute kept, "id" computed, nothing
// force-new).
type Schemas interface {
	// Schema returns the schema of a resource type and whether the
	// provider declares one. The returned Schema must not be modified.
	Schema(typeName string) (Schema, bool)
}

// SchemaLoader is implemented by a provider whose schemas are loaded as
// they are asked for, where loading one can fail: one decoded from a schema
// document only when a template uses its type, for one. The engine asks
// LoadSchema instead of Schema, and refuses the resources of a type whose
// schema does not load rather than planning them schema-less.
type SchemaLoader interface {
	Schemas
	// LoadSchema is Schema, with the error that kept the type's schema
	// from loading, wrapping ErrInvalidConfig.
	LoadSchema(typeName string) (Schema, bool, error)
}

// SchemaOf returns p's declared schema for typeName, and false when p declares
// none (the caller then uses InferSchema).
func SchemaOf(p Provider, typeName string) (Schema, bool) {
	s, ok, _ := LoadSchemaOf(p, typeName)
	return s, ok
}

// LoadSchemaOf is SchemaOf, with the error of a SchemaLoader.
func LoadSchemaOf(p Provider, typeName string) (Schema, bool, error) {
	switch p := p.(type) {
	case SchemaLoader:
		return p.LoadSchema(typeName)
	case Schemas:
		s, ok := p.Schema(typeName)
		return s, ok, nil
	}
	return Schema{}, false, nil
}
