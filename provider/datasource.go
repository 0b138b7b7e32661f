package provider

import (
	"context"

	"github.com/zclconf/go-cty/cty"
)

// DataSourceReader is implemented by a provider that answers data blocks
// (data "huaweicloud_vpc" "x" { name = "…" }).
//
// The engine calls ReadDataSource while it evaluates a template, for plans
// and deployments alike; the result is a plan item of mode DATA and changes
// nothing. ReadDataSource has no side effects and may be called any number of
// times. When nothing matches, it returns an error wrapping ErrNotFound. A
// template that uses a data source of a provider without this capability is
// invalid.
type DataSourceReader interface {
	// ReadDataSource looks up the object the data block describes.
	ReadDataSource(ctx context.Context, req ReadDataSourceRequest) (ReadDataSourceResponse, error)
}

// ReadDataSourceRequest carries one data block.
type ReadDataSourceRequest struct {
	// TypeName is the data source type, e.g. "huaweicloud_vpc".
	TypeName string
	// Address is the data block's address, e.g. "data.huaweicloud_vpc.x".
	Address string
	// Config is the data block's arguments, an object with known values.
	Config cty.Value
}

// ReadDataSourceResponse is the object a data block reads.
type ReadDataSourceResponse struct {
	// State is the complete object the template's references see, with
	// no unknowns.
	State cty.Value
}

// DataSourceSchemas is implemented by a provider that declares the schemas
// of its data source types. With one, a plan shows a data source read
// during apply as Terraform does: its arguments, and "(known after apply)"
// for what the read computes; without, its arguments and id.
type DataSourceSchemas interface {
	// DataSourceSchema returns the schema of a data source type and
	// whether the provider declares one. The returned Schema must not be
	// modified.
	DataSourceSchema(typeName string) (Schema, bool)
}

// DataSourceSchemaOf returns p's declared schema for the data source type
// typeName, or InferSchema(config) when p declares none.
func DataSourceSchemaOf(p Provider, typeName string, config cty.Value) Schema {
	if ds, ok := p.(DataSourceSchemas); ok {
		if s, ok := ds.DataSourceSchema(typeName); ok {
			return s
		}
	}
	return InferSchema(config)
}
