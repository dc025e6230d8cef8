package main

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// info is the testprov_info data source: a required argument and a computed list.
type info struct{}

func (info) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_info"
}

func (info) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Facts about a region.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				Description: "The region to describe.",
				Required:    true,
			},
			"zones": schema.ListAttribute{
				Description: "The region's availability zones.",
				ElementType: types.StringType,
				Computed:    true,
			},
		},
	}
}

func (info) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var region types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("region"), &region)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r := region.ValueString()
	resp.State.Raw = req.Config.Raw
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("zones"), []string{r + "-1", r + "-2", r + "-3"})...)
}
