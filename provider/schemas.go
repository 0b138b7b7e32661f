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

// SchemaOf returns p's declared schema for typeName, and false when p declares
// none (the caller then uses InferSchema).
func SchemaOf(p Provider, typeName string) (Schema, bool) {
	if s, ok := p.(Schemas); ok {
		return s.Schema(typeName)
	}
	return Schema{}, false
}
