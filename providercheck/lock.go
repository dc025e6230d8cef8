package providercheck

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/hcllimit"
)

// maxLockBytes bounds the lock file read: a few hundred bytes a provider.
const maxLockBytes = 1 << 20

// LockVersions reads the provider versions of a .terraform.lock.hcl, by source address
// (registry.terraform.io/hashicorp/time → 0.14.2).
func LockVersions(lock []byte) (map[string]string, error) {
	if len(lock) > maxLockBytes {
		return nil, fmt.Errorf("reading the lock file: %d bytes, more than the %d read", len(lock), maxLockBytes)
	}
	if err := hcllimit.Config(lock, ".terraform.lock.hcl"); err != nil {
		return nil, fmt.Errorf("reading the lock file: %w", err)
	}
	f, diags := hclsyntax.ParseConfig(lock, ".terraform.lock.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		return nil, fmt.Errorf("reading the lock file: %w", diags)
	}
	out := map[string]string{}
	for _, blk := range f.Body.(*hclsyntax.Body).Blocks {
		if blk.Type != "provider" || len(blk.Labels) != 1 {
			continue
		}
		a := blk.Body.Attributes["version"]
		if a == nil {
			continue
		}
		v, diags := a.Expr.Value(nil)
		if diags.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
			return nil, fmt.Errorf("reading the lock file: provider %s: the version is not a string", blk.Labels[0])
		}
		out[strings.ToLower(blk.Labels[0])] = v.AsString()
	}
	return out, nil
}
