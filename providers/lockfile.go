package providers

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// LockFileName is terraform's dependency lock file.
const LockFileName = ".terraform.lock.hcl"

// maxLockFile bounds a lock file read: a real one is a few KiB per provider.
const maxLockFile = 1 << 20

// Locked is one provider of a dependency lock file.
type Locked struct {
	Source      string   // registry.terraform.io/hashicorp/azurerm
	Version     string   // 4.57.0
	Constraints string   // as the configuration said them when it was locked; may be empty
	Hashes      []string // h1:… and zh:…, sorted
}

// Lock is a dependency lock file: its providers by source address, in the order of the
// file (terraform writes them sorted).
type Lock struct {
	Providers []Locked
}

// Provider is the lock's entry for source, if any.
func (l Lock) Provider(source string) (Locked, bool) {
	for _, p := range l.Providers {
		if p.Source == source {
			return p, true
		}
	}
	return Locked{}, false
}

// ParseLock reads a dependency lock file as terraform writes it. Module entries, which
// terraform does not write either, and unknown attributes are refused, as terraform refuses
// them.
func ParseLock(src []byte) (Lock, error) {
	if len(src) > maxLockFile {
		return Lock{}, fmt.Errorf("reading %s: over %d KiB", LockFileName, maxLockFile>>10)
	}
	f, diags := hclsyntax.ParseConfig(src, LockFileName, hcl.InitialPos)
	if diags.HasErrors() {
		return Lock{}, fmt.Errorf("reading %s: %s", LockFileName, diags.Error())
	}
	body := f.Body.(*hclsyntax.Body)
	if len(body.Attributes) > 0 {
		for name := range body.Attributes {
			return Lock{}, fmt.Errorf("reading %s: unexpected attribute %q", LockFileName, name)
		}
	}
	var lock Lock
	seen := map[string]bool{}
	for _, b := range body.Blocks {
		if b.Type != "provider" || len(b.Labels) != 1 {
			return Lock{}, fmt.Errorf("reading %s: line %d: want provider \"<source>\" blocks only", LockFileName, b.TypeRange.Start.Line)
		}
		p := Locked{Source: b.Labels[0]}
		if err := checkSource(p.Source); err != nil {
			return Lock{}, fmt.Errorf("reading %s: line %d: %w", LockFileName, b.TypeRange.Start.Line, err)
		}
		if seen[p.Source] {
			return Lock{}, fmt.Errorf("reading %s: provider %s is locked twice", LockFileName, p.Source)
		}
		seen[p.Source] = true
		if len(b.Body.Blocks) > 0 {
			return Lock{}, fmt.Errorf("reading %s: provider %s: unexpected block %q", LockFileName, p.Source, b.Body.Blocks[0].Type)
		}
		for name, attr := range b.Body.Attributes {
			v, diags := attr.Expr.Value(nil)
			if diags.HasErrors() {
				return Lock{}, fmt.Errorf("reading %s: provider %s: %s: %s", LockFileName, p.Source, name, diags.Error())
			}
			switch name {
			case "version", "constraints":
				if v.Type() != cty.String || v.IsNull() {
					return Lock{}, fmt.Errorf("reading %s: provider %s: %s must be a string", LockFileName, p.Source, name)
				}
				if name == "version" {
					p.Version = v.AsString()
				} else {
					p.Constraints = v.AsString()
				}
			case "hashes":
				if !v.Type().IsTupleType() && !v.Type().IsListType() || v.IsNull() {
					return Lock{}, fmt.Errorf("reading %s: provider %s: hashes must be a list of strings", LockFileName, p.Source)
				}
				for it := v.ElementIterator(); it.Next(); {
					_, h := it.Element()
					if h.Type() != cty.String || h.IsNull() {
						return Lock{}, fmt.Errorf("reading %s: provider %s: hashes must be a list of strings", LockFileName, p.Source)
					}
					if err := checkHash(h.AsString()); err != nil {
						return Lock{}, fmt.Errorf("reading %s: provider %s: %w", LockFileName, p.Source, err)
					}
					p.Hashes = append(p.Hashes, h.AsString())
				}
			default:
				return Lock{}, fmt.Errorf("reading %s: provider %s: unexpected attribute %q", LockFileName, p.Source, name)
			}
		}
		if p.Version == "" {
			return Lock{}, fmt.Errorf("reading %s: provider %s has no version", LockFileName, p.Source)
		}
		slices.Sort(p.Hashes)
		p.Hashes = slices.Compact(p.Hashes)
		lock.Providers = append(lock.Providers, p)
	}
	slices.SortFunc(lock.Providers, func(a, b Locked) int { return strings.Compare(a.Source, b.Source) })
	return lock, nil
}

// Bytes writes the lock file as terraform does: a header, then one block per provider,
// sorted by source, hashes sorted.
func (l Lock) Bytes() []byte {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	ps := slices.Clone(l.Providers)
	slices.SortFunc(ps, func(a, b Locked) int { return strings.Compare(a.Source, b.Source) })
	for i, p := range ps {
		if i > 0 {
			body.AppendNewline()
		}
		b := body.AppendNewBlock("provider", []string{p.Source}).Body()
		b.SetAttributeValue("version", cty.StringVal(p.Version))
		if p.Constraints != "" {
			b.SetAttributeValue("constraints", cty.StringVal(p.Constraints))
		}
		hashes := slices.Clone(p.Hashes)
		slices.Sort(hashes)
		hashes = slices.Compact(hashes)
		// One hash per line, as terraform writes them.
		toks := hclwrite.Tokens{{Type: hclsyntax.TokenOBrack, Bytes: []byte("[")}, {Type: hclsyntax.TokenNewline, Bytes: []byte("\n")}}
		for _, h := range hashes {
			toks = append(toks, hclwrite.TokensForValue(cty.StringVal(h))...)
			toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenComma, Bytes: []byte(",")}, &hclwrite.Token{Type: hclsyntax.TokenNewline, Bytes: []byte("\n")})
		}
		toks = append(toks, &hclwrite.Token{Type: hclsyntax.TokenCBrack, Bytes: []byte("]")})
		b.SetAttributeRaw("hashes", toks)
	}
	header := "# This file is maintained automatically by \"terraform init\".\n# Manual edits may be lost in future updates.\n\n"
	return append([]byte(header), hclwrite.Format(f.Bytes())...)
}

// checkSource accepts a full provider address: host/namespace/type.
func checkSource(s string) error {
	parts := strings.Split(s, "/")
	if len(parts) != 3 || slices.Contains(parts, "") || strings.ContainsAny(s, " \t\\\x00") {
		return fmt.Errorf("provider address %q: want host/namespace/type", s)
	}
	return nil
}

// checkHash accepts a hash as lock files write it: a scheme, a colon, then its value.
func checkHash(h string) error {
	scheme, value, ok := strings.Cut(h, ":")
	if !ok || value == "" || scheme == "" {
		return fmt.Errorf("hash %q: want scheme:value (h1:…, zh:…)", h)
	}
	return nil
}

// ErrChecksumMismatch is wrapped when a package's hashes are not among those its lock file
// records.
var ErrChecksumMismatch = errors.New("checksum mismatch")

// Verify checks that p is the package locked: the lock records p's version, and at least one
// of p's hashes. A provider the lock does not mention passes (terraform adds it to the lock).
func (l Lock) Verify(p Package) error {
	locked, ok := l.Provider(p.Source)
	if !ok {
		return nil
	}
	if locked.Version != p.Version {
		return fmt.Errorf("provider %s: the lock file records version %s, not %s", p.Source, locked.Version, p.Version)
	}
	for _, h := range p.Hashes {
		if slices.Contains(locked.Hashes, h) {
			return nil
		}
	}
	return fmt.Errorf("provider %s %s for %s: the package's checksums (%s) are none of those the lock file records (%s): %w",
		p.Source, p.Version, p.Platform, strings.Join(p.Hashes, ", "), strings.Join(locked.Hashes, ", "), ErrChecksumMismatch)
}
