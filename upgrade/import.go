package upgrade

import (
	"fmt"
	"regexp"
	"sort"

	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
)

// maxRounds bounds how often a resource that misses what the current schema requires is
// held and the rest imported again; each round holds at least one more resource.
const maxRounds = 50

// missingRequired matches validation's errors for what a resource misses, with its address.
var missingRequired = regexp.MustCompile(`^(resources|data)\[([^\]]+)\]\.`)

// Import imports Terraform files like blueprint.Import, holding back what the catalog's
// schemas no longer have (see the package doc) and reporting it. The diagnostics are
// blueprint.Import's and blueprint.Complete's of what was kept (Complete states what
// Terraform implies, so the holding judges what the caller will validate); Validate is the
// caller's to run, as for any import. A configuration without anything to hold imports
// exactly as blueprint.Import and Complete have it, and one that blueprint.Import cannot
// read (a syntax error, a file too deep) is left to it.
func Import(files map[string][]byte, cat *catalog.Catalog) (*blueprint.Blueprint, Report, blueprint.Diagnostics) {
	parsed, ok := parse(files)
	if !ok || cat == nil {
		b, diags := importComplete(files, cat)
		return b, Report{}, diags
	}
	a := analyse(cat, parsed)
	if len(a.items) == 0 {
		b, diags := importComplete(files, cat)
		return b, Report{}, diags
	}
	for range maxRounds {
		b, diags := importComplete(a.kept(files), cat)
		if diags.HasErrors() {
			return b, a.report(), diags
		}
		if !a.holdInvalid(blueprint.Validate(b, cat)) {
			return b, a.report(), diags
		}
		a.references()
	}
	b, diags := importComplete(a.kept(files), cat)
	return b, a.report(), diags
}

// importComplete is blueprint.Import, then blueprint.Complete when there is a catalog and
// the files imported: what Terraform implies (required_providers) is stated before
// anything validates the blueprint, here and in the caller.
func importComplete(files map[string][]byte, cat *catalog.Catalog) (*blueprint.Blueprint, blueprint.Diagnostics) {
	b, diags := blueprint.Import(files)
	if b != nil && cat != nil && !diags.HasErrors() {
		diags = append(diags, blueprint.Complete(b, cat)...)
	}
	return b, diags
}

// kept is files with every held item removed; files that are not .tf pass unchanged, for
// blueprint.Import to report.
func (a *analysis) kept(files map[string][]byte) map[string][]byte {
	for _, it := range a.items {
		if it.at.block != nil {
			it.at.body.RemoveBlock(it.at.block)
		} else {
			it.at.body.RemoveAttribute(it.at.attr)
		}
	}
	out := make(map[string][]byte, len(files))
	for n, b := range files {
		out[n] = b
	}
	for _, f := range a.files {
		out[f.name] = hclwrite.Format(f.wr.Bytes())
	}
	return out
}

// holdInvalid holds, whole, each kept resource or data source that validation finds
// missing a required argument or block: the older configuration did not need it, and no
// value can be guessed for it. It reports whether it held anything.
func (a *analysis) holdInvalid(diags blueprint.Diagnostics) bool {
	why := map[string][]string{}
	var order []string
	for _, d := range diags.Errors() {
		m := missingRequired.FindStringSubmatch(d.Path)
		if m == nil || !isMissingRequired(d.Summary) {
			continue
		}
		addr := m[2]
		if m[1] == "data" {
			addr = "data." + addr
		}
		if _, seen := why[addr]; !seen {
			order = append(order, addr)
		}
		why[addr] = append(why[addr], d.Summary)
	}
	held := false
	for _, addr := range order {
		if a.holdWhole(addr, why[addr]) {
			held = true
		}
	}
	return held
}

func isMissingRequired(summary string) bool {
	return regexp.MustCompile(`^missing required (argument|block) `).MatchString(summary)
}

// holdWhole holds the kept top-level block with an address.
func (a *analysis) holdWhole(addr string, reasons []string) bool {
	for _, f := range a.files {
		for _, blk := range f.syn.Blocks {
			if a.removed[blk] || address(blk) != addr {
				continue
			}
			it := &held{file: f, at: node{body: f.wr.Body(), block: f.pair[blk], top: blk}}
			it.What, it.Address = WhatRequired, addr
			it.File, it.Line, it.HCL = f.name, blk.TypeRange.Start.Line, text(f.src, blockRange(blk))
			p := a.cat.ProviderOfType(blk.Labels[0])
			version := ""
			if p != nil {
				version = p.Name + " " + p.Version + ": "
			}
			it.Why = fmt.Sprintf("%s%s; the configuration was written for a version that did not need it", version, joinReasons(reasons))
			a.add(it, blk)
			a.gone[addr] = true
			return true
		}
	}
	return false
}

func joinReasons(rs []string) string {
	sort.Strings(rs)
	out := ""
	for i, r := range rs {
		if i > 0 {
			out += ", "
		}
		out += r
	}
	return out
}

// report lists the held items by file and line.
func (a *analysis) report() Report {
	items := make([]Item, len(a.items))
	for i, it := range a.items {
		items[i] = it.Item
	}
	sort.SliceStable(items, func(i, j int) bool {
		if items[i].File != items[j].File {
			return items[i].File < items[j].File
		}
		return items[i].Line < items[j].Line
	})
	return Report{Format: 1, Items: items}
}
