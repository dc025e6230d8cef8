package blueprint

import "github.com/cloudoven/cloudoven/catalog"

// providerBlocks are blocks a provider needs that its schema does not mark required, by
// normalized source: azurerm refuses to configure without `features {}`. Validate reports a
// configuration without them; NewProviderConfig adds them.
var providerBlocks = map[string][]string{
	"registry.terraform.io/hashicorp/azurerm": {"features"},
}

// requiredProviderBlocks lists the blocks the provider at source (hashicorp/azurerm, or
// normalized) cannot be configured without although its schema does not say so.
func requiredProviderBlocks(source string) []string {
	return providerBlocks[catalog.NormalizeSource(source)]
}

// missingProviderBlocks lists the blocks the provider at source cannot do without that
// config lacks.
func missingProviderBlocks(source string, config Body) []string {
	var out []string
	for _, blk := range requiredProviderBlocks(source) {
		if len(config.BlocksOf(blk)) == 0 {
			out = append(out, blk)
		}
	}
	return out
}

// NewProviderConfig is a configuration of the provider at source (hashicorp/azurerm) under
// the local name name: config, plus an empty block for each block the provider cannot do
// without that config lacks, such as azurerm's `features {}`. Every place that adds a
// provider configuration goes through it, so none of them has to know those blocks.
func NewProviderConfig(name, source string, config Body) ProviderConfig {
	for _, blk := range missingProviderBlocks(source, config) {
		config.Blocks = append(config.Blocks, Block{Type: blk})
	}
	return ProviderConfig{Name: name, Config: config}
}
