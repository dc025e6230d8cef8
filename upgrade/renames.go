package upgrade

import (
	"errors"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/cloudoven/cloudoven/catalog"
)

// ErrNotParsed is ApplyRenames' answer for a configuration it cannot read: import it for
// the errors that say why.
var ErrNotParsed = errors.New("the configuration does not parse, or nests too deeply; import it to see its errors")

// ApplyRenames rewrites every mechanical item of the configuration (see Item.Mechanical):
// a renamed type in its resource's or data source's labels and in every reference to it, a
// renamed argument or block at its place. Values, comments and the rest of the text are
// kept; the files are formatted as terraform fmt would. Files that are not .tf are returned
// unchanged. It returns the items it applied.
func ApplyRenames(files map[string][]byte, cat *catalog.Catalog) (map[string][]byte, []Item, error) {
	parsed, ok := parse(files)
	if !ok {
		return nil, nil, ErrNotParsed
	}
	a := analyse(cat, parsed)
	var applied []Item
	for _, it := range a.items {
		if !it.Mechanical {
			continue
		}
		to := lastName(it.Replacements[0])
		switch {
		case it.at.top != nil && (it.What == WhatResource || it.What == WhatDataSource):
			blk := it.at.top
			a.renameType(blk.Type == "data", blk.Labels[0], blk.Labels[1], it.Replacements[0])
			it.at.block.SetLabels([]string{it.Replacements[0], blk.Labels[1]})
		case it.at.block != nil:
			it.at.block.SetType(to)
		default:
			it.at.body.RenameAttribute(it.at.attr, to)
		}
		applied = append(applied, it.Item)
	}
	out := make(map[string][]byte, len(files))
	for n, b := range files {
		out[n] = b
	}
	if len(applied) == 0 {
		return out, nil, nil
	}
	for _, f := range a.files {
		out[f.name] = hclwrite.Format(f.wr.Bytes())
	}
	return out, applied, nil
}

// renameType rewrites references to one resource (type.name) or data source
// (data.type.name) in every file's expressions.
func (a *analysis) renameType(data bool, from, name, to string) {
	for _, f := range a.files {
		toks := f.wr.BuildTokens(nil)
		for i := 0; i+2 < len(toks); i++ {
			t := toks[i]
			if t.Type != hclsyntax.TokenIdent || string(t.Bytes) != from ||
				toks[i+1].Type != hclsyntax.TokenDot || string(toks[i+2].Bytes) != name {
				continue
			}
			before := i - 1
			switch {
			case data && (before < 1 || toks[before].Type != hclsyntax.TokenDot || string(toks[before-1].Bytes) != "data"):
				continue
			case !data && before >= 0 && toks[before].Type == hclsyntax.TokenDot:
				continue // an attribute of something else, foo.azurerm_x.name
			}
			t.Bytes = []byte(to)
		}
	}
}
