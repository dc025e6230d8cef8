package policy

import (
	"fmt"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/cloudoven/cloudoven/blueprint"
)

// checkRequiredTags finds resources missing the required tag keys: every azurerm resource
// whose schema has a tags argument, by its tags, and every kubernetes resource whose
// metadata takes labels, by metadata.labels. Azure compares tag names without regard to
// case, so owner and Owner are the same tag; Kubernetes labels are compared exactly.
//
// Only what is written can be checked: a literal map is checked key by key, and a map
// whose values are references still has known keys. A tags value that is a reference or an
// expression (var.tags, merge(local.tags, {...})) cannot be told and gives no finding; so
// does a resource type the catalog does not know.
func checkRequiredTags(c *checker, rule Rule, _ map[string]bool) []Finding {
	want := rule.Tags
	if len(want) == 0 {
		want = defaultTags
	}
	cat := c.catalog()
	if cat == nil {
		return nil
	}
	var out []Finding
	for i := range c.b.Resources {
		r := &c.b.Resources[i]
		typ := cat.Resource(r.Type)
		if typ == nil || typ.Schema == nil || typ.Schema.Block == nil {
			continue
		}
		switch {
		case strings.HasPrefix(r.Type, "azurerm_") && settable(typ.Schema.Block.Attributes["tags"]):
			path := resourcePath(r) + ".tags"
			if f, ok := missingKeys(r, path, r.Config.Attribute("tags"), want, true, "tags"); ok {
				out = append(out, f)
			}
		case strings.HasPrefix(r.Type, "kubernetes_") && takesLabels(typ.Schema.Block):
			mds := r.Config.BlocksOf("metadata")
			path := resourcePath(r) + ".metadata[0].labels"
			var labels *blueprint.Value
			if len(mds) > 0 {
				labels = mds[0].Body.Attribute("labels")
			}
			if f, ok := missingKeys(r, path, labels, want, false, "labels"); ok {
				out = append(out, f)
			}
		}
	}
	return out
}

func settable(a *tfjson.SchemaAttribute) bool {
	return a != nil && (a.Optional || a.Required)
}

func takesLabels(b *tfjson.SchemaBlock) bool {
	md := b.NestedBlocks["metadata"]
	return md != nil && md.Block != nil && settable(md.Block.Attributes["labels"])
}

// missingKeys is a finding when v (nil: not set) lacks some of want.
func missingKeys(r *blueprint.Resource, path string, v *blueprint.Value, want []string, foldCase bool, what string) (Finding, bool) {
	have := map[string]bool{}
	if v != nil && !isNull(*v) {
		keys, ok := knownKeys(static(*v))
		if !ok {
			return Finding{}, false // cannot tell
		}
		for _, k := range keys {
			if foldCase {
				k = strings.ToLower(k)
			}
			have[k] = true
		}
	}
	var missing []string
	for _, k := range want {
		key := k
		if foldCase {
			key = strings.ToLower(k)
		}
		if !have[key] {
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return Finding{}, false
	}
	sort.Strings(missing)
	example := make([]string, len(missing))
	for i, k := range missing {
		example[i] = fmt.Sprintf("%s = \"...\"", k)
	}
	msg := fmt.Sprintf("%s has no %s", r.Address(), what)
	if len(have) > 0 {
		msg = fmt.Sprintf("%s lacks the required %s %s", r.Address(), what, strings.Join(quoteAll(missing), ", "))
	} else if v == nil || isNull(*v) {
		msg = fmt.Sprintf("%s sets no %s; %s requires %s", r.Address(), what, RequiredTags, strings.Join(quoteAll(missing), ", "))
	}
	return Finding{
		Resource: r.Address(),
		Path:     path,
		Message:  msg,
		Fix:      fmt.Sprintf("add %s to %s (or set %s from a variable that carries them)", strings.Join(example, ", "), what, what),
	}, true
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
