// Importing the terraform block (required_version, required_providers) and provider blocks.

package blueprint

import (
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

func (im *importer) terraform(blk *hclsyntax.Block) {
	for _, a := range sortedAttrs(blk.Body) {
		p := "terraform." + a.Name
		if a.Name == "required_version" {
			if s, ok := im.literalString(a.Expr); ok {
				if im.b.RequiredVersion != "" {
					im.err(p, a.SrcRange, "duplicate declaration", "required_version is set twice")
				}
				im.b.RequiredVersion = s
				continue
			}
			im.err(p, a.SrcRange, "required_version must be a string", "write it as a literal string")
			continue
		}
		im.warn(p, a.SrcRange, "terraform setting skipped", "blueprints do not carry %s", a.Name)
	}
	for _, sub := range blk.Body.Blocks {
		p := labelPath("terraform."+sub.Type, sub)
		switch sub.Type {
		case "required_providers":
			im.requiredProviders(sub)
		case "backend", "cloud":
			im.warn(p, sub.DefRange(), sub.Type+" block skipped", "backend settings belong to an environment")
		default:
			im.warn(p, sub.DefRange(), "terraform block skipped", "blueprints do not carry %s", sub.Type)
		}
	}
}

func (im *importer) requiredProviders(blk *hclsyntax.Block) {
	for _, a := range sortedAttrs(blk.Body) {
		p := "required_providers[" + a.Name + "]"
		if !im.declare(p, a.SrcRange) {
			continue
		}
		v, ok := im.pureLiteral(a.Expr)
		if ok && v.Type() == cty.String && !v.IsNull() {
			// Terraform 0.12's form, which Terraform still reads: a version alone.
			im.b.RequiredProviders = append(im.b.RequiredProviders, RequiredProvider{Name: a.Name, Source: "hashicorp/" + a.Name, Version: v.AsString()})
			im.note(p, a.SrcRange, "legacy required provider converted", "%s = %q is written as { source = \"hashicorp/%s\", version = %q }, the source Terraform implies", a.Name, v.AsString(), a.Name, v.AsString())
			continue
		}
		if !ok || v.IsNull() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
			im.err(p, a.SrcRange, "unsupported required provider", "write it as { source = \"...\", version = \"...\" }")
			continue
		}
		rp := RequiredProvider{Name: a.Name}
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			key := k.AsString()
			if e.IsNull() || e.Type() != cty.String || (key != "source" && key != "version") {
				im.warn(p+"."+key, a.SrcRange, "required provider setting skipped", "only source and version (strings) are kept")
				continue
			}
			if key == "source" {
				rp.Source = e.AsString()
			} else {
				rp.Version = e.AsString()
			}
		}
		if rp.Source == "" {
			rp.Source = "hashicorp/" + a.Name
			im.note(p, a.SrcRange, "required provider source added", "without a source Terraform implies %s; the blueprint says so", rp.Source)
		}
		im.b.RequiredProviders = append(im.b.RequiredProviders, rp)
	}
	for _, sub := range blk.Body.Blocks {
		im.warn(labelPath("required_providers."+sub.Type, sub), sub.DefRange(), "block skipped", "required_providers holds only arguments")
	}
}

func (im *importer) provider(blk *hclsyntax.Block) {
	if !im.wantLabels(blk, 1, labelPath("providers", blk)) {
		return
	}
	pc := ProviderConfig{Name: blk.Labels[0]}
	body := blk.Body
	if a := body.Attributes["alias"]; a != nil {
		s, ok := im.literalString(a.Expr)
		if !ok || !validIdentifier(s) {
			im.err(labelPath("providers", blk)+".alias", a.SrcRange, "invalid alias", "an alias is a literal identifier")
			return
		}
		pc.Alias = s
	}
	p := "providers[" + pc.Address() + "]"
	if !im.declare(p, blk.DefRange()) {
		return
	}
	if a := body.Attributes["version"]; a != nil {
		im.providerVersion(p, pc.Name, a)
	}
	pc.Config = im.body(p, body, map[string]bool{"alias": true, "version": true})
	im.b.Providers = append(im.b.Providers, pc)
}
