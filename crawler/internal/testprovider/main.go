// Command testprovider is a tiny Terraform provider, registry.terraform.io/cloudoven/testprov,
// that the crawler's tests build into a filesystem mirror so `terraform init` and
// `terraform providers schema` run against a real plugin with no network. Only its schema
// matters: resources keep whatever was planned and create nothing.
package main

import (
	"context"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// Address is the source address the provider serves as; the tests' mirror layout uses it.
const Address = "registry.terraform.io/cloudoven/testprov"

func main() {
	if err := providerserver.Serve(context.Background(), newProvider, providerserver.ServeOpts{Address: Address}); err != nil {
		log.Fatal(err)
	}
}

type testprov struct{}

func newProvider() provider.Provider { return testprov{} }

func (testprov) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "testprov"
	resp.Version = "0.1.0"
}

func (testprov) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}

func (testprov) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {}

func (testprov) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return widget{} }}
}

func (testprov) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{func() datasource.DataSource { return info{} }}
}
