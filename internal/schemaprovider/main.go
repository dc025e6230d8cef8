// Command schemaprovider serves a provider's schema over Terraform's plugin protocol (v6),
// so that tests can run the real terraform validate against the real schemas of the
// catalog's providers, where the providers themselves cannot be downloaded. It reads
// $SCHEMAPROVIDER_DIR/<name>.json (one provider's schema as `terraform providers schema
// -json` writes it, the provider's address as key), <name> being what its binary is called
// after "terraform-provider-", so one build serves every provider under several names.
//
// Only the schema is served: every configuration the schema accepts is valid, since no
// provider-side check runs (a value out of a provider's range is not caught). It is a
// program of tests: no product code runs it.
package main

import (
	"context"
	"encoding/json"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// server answers the calls terraform validate makes; any other call panics on the nil
// embedded interface, which a validate never reaches.
type server struct {
	tfprotov6.ProviderServer
	schema *tfprotov6.GetProviderSchemaResponse
}

func (s server) GetProviderSchema(context.Context, *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	return s.schema, nil
}
func (s server) GetMetadata(context.Context, *tfprotov6.GetMetadataRequest) (*tfprotov6.GetMetadataResponse, error) {
	return &tfprotov6.GetMetadataResponse{}, nil
}
func (s server) ValidateProviderConfig(context.Context, *tfprotov6.ValidateProviderConfigRequest) (*tfprotov6.ValidateProviderConfigResponse, error) {
	return &tfprotov6.ValidateProviderConfigResponse{}, nil
}
func (s server) ValidateResourceConfig(context.Context, *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return &tfprotov6.ValidateResourceConfigResponse{}, nil
}
func (s server) ValidateDataResourceConfig(context.Context, *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return &tfprotov6.ValidateDataResourceConfigResponse{}, nil
}
func (s server) StopProvider(context.Context, *tfprotov6.StopProviderRequest) (*tfprotov6.StopProviderResponse, error) {
	return &tfprotov6.StopProviderResponse{}, nil
}

func main() {
	name := strings.TrimPrefix(filepath.Base(os.Args[0]), "terraform-provider-")
	data, err := os.ReadFile(filepath.Join(os.Getenv("SCHEMAPROVIDER_DIR"), name+".json"))
	if err != nil {
		log.Fatal(err)
	}
	var ps map[string]*tfjson.ProviderSchema
	if err := json.Unmarshal(data, &ps); err != nil {
		log.Fatal(err)
	}
	var p *tfjson.ProviderSchema
	var addr string
	for a, v := range ps {
		p, addr = v, a
	}
	if p == nil {
		log.Fatalf("%s.json holds no provider schema", name)
	}
	resp := &tfprotov6.GetProviderSchemaResponse{
		Provider:          schema(p.ConfigSchema),
		ResourceSchemas:   map[string]*tfprotov6.Schema{},
		DataSourceSchemas: map[string]*tfprotov6.Schema{},
	}
	for n, s := range p.ResourceSchemas {
		resp.ResourceSchemas[n] = schema(s)
	}
	for n, s := range p.DataSourceSchemas {
		resp.DataSourceSchemas[n] = schema(s)
	}
	if err := tf6server.Serve(addr, func() tfprotov6.ProviderServer { return server{schema: resp} }); err != nil {
		log.Fatal(err)
	}
}

func schema(s *tfjson.Schema) *tfprotov6.Schema {
	if s == nil || s.Block == nil {
		return &tfprotov6.Schema{Block: &tfprotov6.SchemaBlock{}}
	}
	return &tfprotov6.Schema{Version: int64(s.Version), Block: block(s.Block)}
}

func block(b *tfjson.SchemaBlock) *tfprotov6.SchemaBlock {
	out := &tfprotov6.SchemaBlock{}
	for _, n := range keys(b.Attributes) {
		out.Attributes = append(out.Attributes, attr(n, b.Attributes[n]))
	}
	for _, n := range keys(b.NestedBlocks) {
		nb := b.NestedBlocks[n]
		modes := map[tfjson.SchemaNestingMode]tfprotov6.SchemaNestedBlockNestingMode{
			tfjson.SchemaNestingModeSingle: tfprotov6.SchemaNestedBlockNestingModeSingle,
			tfjson.SchemaNestingModeList:   tfprotov6.SchemaNestedBlockNestingModeList,
			tfjson.SchemaNestingModeSet:    tfprotov6.SchemaNestedBlockNestingModeSet,
			tfjson.SchemaNestingModeMap:    tfprotov6.SchemaNestedBlockNestingModeMap,
			tfjson.SchemaNestingModeGroup:  tfprotov6.SchemaNestedBlockNestingModeGroup,
		}
		out.BlockTypes = append(out.BlockTypes, &tfprotov6.SchemaNestedBlock{
			TypeName: n, Block: block(nb.Block), Nesting: modes[nb.NestingMode],
			MinItems: int64(nb.MinItems), MaxItems: int64(nb.MaxItems),
		})
	}
	return out
}

func attr(n string, a *tfjson.SchemaAttribute) *tfprotov6.SchemaAttribute {
	out := &tfprotov6.SchemaAttribute{Name: n, Required: a.Required, Optional: a.Optional, Computed: a.Computed, Sensitive: a.Sensitive, Deprecated: a.Deprecated}
	if a.AttributeNestedType != nil {
		modes := map[tfjson.SchemaNestingMode]tfprotov6.SchemaObjectNestingMode{
			tfjson.SchemaNestingModeSingle: tfprotov6.SchemaObjectNestingModeSingle,
			tfjson.SchemaNestingModeList:   tfprotov6.SchemaObjectNestingModeList,
			tfjson.SchemaNestingModeSet:    tfprotov6.SchemaObjectNestingModeSet,
			tfjson.SchemaNestingModeMap:    tfprotov6.SchemaObjectNestingModeMap,
		}
		obj := &tfprotov6.SchemaObject{Nesting: modes[a.AttributeNestedType.NestingMode]}
		for _, k := range keys(a.AttributeNestedType.Attributes) {
			obj.Attributes = append(obj.Attributes, attr(k, a.AttributeNestedType.Attributes[k]))
		}
		out.NestedType = obj
		return out
	}
	js, err := ctyjson.MarshalType(a.AttributeType)
	if err != nil {
		log.Fatal(err)
	}
	t, err := tftypes.ParseJSONType(js)
	if err != nil {
		log.Fatal(err)
	}
	out.Type = t
	return out
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
