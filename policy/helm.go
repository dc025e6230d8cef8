package policy

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/blueprint"
)

// helmSet is one item of a helm_release's set (or set_sensitive) list.
type helmSet struct {
	path  string // resources[helm_release.x].set[2]
	name  string // "" when not a literal
	value cty.Value
}

// helmSets reads a helm_release's set-style argument. known is false when the list itself
// cannot be told (a variable, a concat(...)); items with a non-literal name are kept with an
// empty name.
func helmSets(r *blueprint.Resource, arg string) (items []helmSet, known bool) {
	v := r.Config.Attribute(arg)
	if v == nil || isNull(*v) {
		return nil, true
	}
	elems, ok := elements(static(*v))
	if !ok {
		return nil, false
	}
	for i, e := range elems {
		name, _ := knownString(attr(e, "name"))
		items = append(items, helmSet{
			path:  fmt.Sprintf("%s.%s[%d]", resourcePath(r), arg, i),
			name:  name,
			value: attr(e, "value"),
		})
	}
	return items, true
}

// checkHelmResourceLimits finds Helm releases that set no CPU and memory limits. A release
// passes when its set items name both ...resources...limits.cpu and ...limits.memory (for
// any component: controller.resources.limits.cpu, resources.operator.limits.cpu), or when
// its values mention limits with cpu and memory, following the locals they use. Values
// that come from elsewhere (file(...), a variable, a resource) and set lists that are not
// written out cannot be told and give no finding.
func checkHelmResourceLimits(c *checker, _ Rule, _ map[string]bool) []Finding {
	var out []Finding
	for _, r := range c.resources("helm_release") {
		cpu, mem := false, false
		opaque := false
		for _, arg := range []string{"set", "set_list"} {
			items, known := helmSets(r, arg)
			opaque = opaque || !known
			for _, it := range items {
				if it.name == "" {
					opaque = true
					continue
				}
				cpu = cpu || isLimit(it.name, "cpu")
				mem = mem || isLimit(it.name, "memory")
			}
		}
		if v := r.Config.Attribute("values"); v != nil && !isNull(*v) {
			text, visible := c.valuesText(*v)
			if limitsCPU.MatchString(text) {
				cpu = true
			}
			if limitsMemory.MatchString(text) {
				mem = true
			}
			opaque = opaque || !visible
		}
		if (cpu && mem) || opaque {
			continue
		}
		var missing []string
		if !cpu {
			missing = append(missing, "cpu")
		}
		if !mem {
			missing = append(missing, "memory")
		}
		out = append(out, Finding{
			Resource: r.Address(),
			Path:     resourcePath(r),
			Message:  fmt.Sprintf("Helm release %s sets no %s limit", r.Address(), strings.Join(missing, " or ")),
			Fix:      "add set items for the chart's resources, e.g. { name = \"resources.limits.cpu\", value = \"500m\" } and { name = \"resources.limits.memory\", value = \"512Mi\" } (the key's prefix depends on the chart, e.g. controller.resources.limits.cpu), or put resources.limits in values",
		})
	}
	return out
}

// isLimit reports whether a Helm value name sets a limit of kind (cpu, memory): its last two
// segments are limits.KIND and a resources segment comes before them.
func isLimit(name, kind string) bool {
	segs := strings.Split(strings.ToLower(name), ".")
	n := len(segs)
	if n < 3 || segs[n-1] != kind || segs[n-2] != "limits" {
		return false
	}
	for _, s := range segs[:n-2] {
		if s == "resources" {
			return true
		}
	}
	return false
}

// limitsCPU and limitsMemory find a limits map with cpu and memory keys in YAML or HCL text.
var (
	limitsCPU    = regexp.MustCompile(`(?s)\blimits\b\s*[:=]\s*\{?.*?\bcpu\b\s*[:=]`)
	limitsMemory = regexp.MustCompile(`(?s)\blimits\b\s*[:=]\s*\{?.*?\bmemory\b\s*[:=]`)
)

// encoders are the functions whose argument is the Helm values themselves.
var encoders = map[string]bool{"yamlencode": true, "jsonencode": true}

// valuesText is the source of a helm_release's values with the locals it uses appended, and
// whether every document in it is visible: a literal string or heredoc, or yamlencode /
// jsonencode of an expression whose references are locals (followed) or leaf values.
// file(...), templatefile(...) or a whole document from a variable are not visible.
func (c *checker) valuesText(v blueprint.Value) (string, bool) {
	e, src, ok := parseSource(v)
	if !ok {
		return "", false
	}
	var sb strings.Builder
	visible := true
	tuple, ok := e.(*hclsyntax.TupleConsExpr)
	if !ok {
		return "", false
	}
	for _, item := range tuple.Exprs {
		switch item := item.(type) {
		case *hclsyntax.TemplateExpr:
		case *hclsyntax.FunctionCallExpr:
			if !encoders[item.Name] || len(item.Args) != 1 {
				visible = false
			}
		default:
			visible = false
		}
		sb.Write(item.Range().SliceBytes(src))
		sb.WriteString("\n")
	}
	seen := map[string]bool{}
	c.appendLocals(&sb, e.Variables(), seen)
	return sb.String(), visible
}

func (c *checker) appendLocals(sb *strings.Builder, trs []hcl.Traversal, seen map[string]bool) {
	for _, t := range trs {
		if t.RootName() != "local" || len(t) < 2 {
			continue
		}
		a, ok := t[1].(hcl.TraverseAttr)
		if !ok || seen[a.Name] {
			continue
		}
		seen[a.Name] = true
		for _, l := range c.b.Locals {
			if l.Name != a.Name {
				continue
			}
			src, err := blueprint.FormatValue(l.Value)
			if err != nil {
				continue
			}
			sb.WriteString(src)
			sb.WriteString("\n")
			if e, ok := parse(l.Value); ok {
				c.appendLocals(sb, e.Variables(), seen)
			}
		}
	}
}
