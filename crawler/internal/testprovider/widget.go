package main

import (
	"context"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// widget is testprov_widget: every kind of attribute and a nested block, so a crawl sees
// required, optional, computed and sensitive flags, a map and block nesting; and checks in
// its code (validators.go): a name of lowercase letters, digits and dashes, a size from 1
// to 10, a rule's protocol tcp or udp.
type widget struct{}

func (widget) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_widget"
}

func (widget) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "A widget that exists only in the plan.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Description:   "The widget's identifier, chosen by the provider.",
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				Description: "The widget's name. Changing this forces a new resource to be created.",
				Required:    true,
				Validators:  []validator.String{matches{regexp.MustCompile(`^[a-z0-9-]+$`)}},
			},
			"size": schema.NumberAttribute{
				Description: "How big the widget is. Defaults to `1`.",
				Optional:    true,
				Validators:  []validator.Number{between{1, 10}},
			},
			"tags": schema.MapAttribute{
				Description: "Tags to assign to the widget.",
				ElementType: types.StringType,
				Optional:    true,
			},
			"secret": schema.StringAttribute{
				Description: "A value that never shows in plans or logs.",
				Optional:    true,
				Sensitive:   true,
			},
		},
		Blocks: map[string]schema.Block{
			// The framework reports no max_items for list blocks, so the limit lives in the
			// prose, as it does for many real providers.
			"rule": schema.ListNestedBlock{
				Description: "A rule for the widget. At most 3 `rule` blocks may be specified.",
				NestedObject: schema.NestedBlockObject{
					Attributes: map[string]schema.Attribute{
						"port": schema.NumberAttribute{
							Description: "The port the rule applies to.",
							Required:    true,
						},
						"protocol": schema.StringAttribute{
							Description: "The protocol. Possible values are `tcp` and `udp`. Defaults to `tcp`.",
							Optional:    true,
							Validators:  []validator.String{oneOf{"tcp", "udp"}},
						},
					},
				},
			},
		},
	}
}

func (widget) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.State.Raw = req.Plan.Raw
	var name types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("name"), &name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), "widget-"+name.ValueString())...)
}

func (widget) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (widget) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.Plan.Raw
}

func (widget) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
