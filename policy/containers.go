package policy

import (
	"fmt"
	"strings"

	"github.com/cloudoven/cloudoven/blueprint"
)

// containerBlocks are the nested blocks that describe a container in the kubernetes
// provider's workload resources (pods, deployments, daemon sets, stateful sets, jobs, cron
// jobs), at whatever depth the resource nests its pod template.
var containerBlocks = map[string]bool{"container": true, "init_container": true}

// containers are every container block of a kubernetes resource, with its path.
func containers(r *blueprint.Resource) []block {
	if !strings.HasPrefix(r.Type, "kubernetes_") {
		return nil
	}
	var out []block
	walkBlocks(resourcePath(r), r.Config, func(typ string, b block) {
		if containerBlocks[typ] {
			out = append(out, b)
		}
	})
	return out
}

// checkAllowedRegistries finds container images from registries outside
// opts.AllowedRegistries: the image of every container and init container of kubernetes
// resources, and Helm set items named like image.registry or image.repository (paired by
// their prefix, so controller.image.registry and controller.image.repository are read
// together). An image without a registry host is Docker Hub's (docker.io/library/nginx).
// An image from a variable, and images in a release's values, cannot be told. With no
// registries configured the rule checks nothing.
func checkAllowedRegistries(c *checker, _ Rule, _ map[string]bool) []Finding {
	if len(c.opts.AllowedRegistries) == 0 {
		return nil
	}
	allowedList := strings.Join(c.opts.AllowedRegistries, ", ")
	fix := func(what string) string {
		return fmt.Sprintf("pull %s from one of %s (import or mirror it there, e.g. with az acr import)", what, allowedList)
	}
	var out []Finding
	for i := range c.b.Resources {
		r := &c.b.Resources[i]
		for _, ct := range containers(r) {
			v := ct.body.Attribute("image")
			if v == nil {
				continue
			}
			img, ok := knownString(static(*v))
			if !ok || c.registryAllowed(normalizeImage(img)) {
				continue
			}
			out = append(out, Finding{
				Resource: r.Address(),
				Path:     ct.path + ".image",
				Message:  fmt.Sprintf("image %q is not from an allowed registry", img),
				Fix:      fix("the image"),
			})
		}
		if r.Type != "helm_release" {
			continue
		}
		type image struct {
			registry, repository   string
			registryPath, repoPath string
		}
		byPrefix := map[string]*image{}
		var order []string
		for _, arg := range []string{"set", "set_list"} {
			items, _ := helmSets(r, arg)
			for _, it := range items {
				lower := strings.ToLower(it.name)
				prefix, kind := "", ""
				for _, k := range []string{"image.registry", "image.repository"} {
					if i := strings.Index(lower, k); i >= 0 && i+len(k) == len(lower) {
						prefix, kind = lower[:i], k
					}
				}
				val, ok := knownString(it.value)
				if kind == "" || !ok {
					continue
				}
				im := byPrefix[prefix]
				if im == nil {
					im = &image{}
					byPrefix[prefix] = im
					order = append(order, prefix)
				}
				if kind == "image.registry" {
					im.registry, im.registryPath = val, it.path
				} else {
					im.repository, im.repoPath = val, it.path
				}
			}
		}
		for _, p := range order {
			im := byPrefix[p]
			ref, path := normalizeImage(im.repository), im.repoPath
			if im.registry != "" {
				ref, path = strings.TrimSuffix(im.registry, "/"), im.registryPath
				if im.repository != "" {
					ref += "/" + im.repository
				}
			}
			if c.registryAllowed(ref) {
				continue
			}
			out = append(out, Finding{
				Resource: r.Address(),
				Path:     path,
				Message:  fmt.Sprintf("Helm release %s pulls %q, not from an allowed registry", r.Address(), ref),
				Fix:      fix("the chart's image") + fmt.Sprintf(", and set %simage.registry to it", p),
			})
		}
	}
	return out
}

// registryAllowed reports whether ref (registry/repository[:tag]) starts with an allowed
// registry or repository prefix, on a path boundary: myacr.azurecr.io allows
// myacr.azurecr.io/app but not myacr.azurecr.io.evil.example/app.
func (c *checker) registryAllowed(ref string) bool {
	for _, a := range c.opts.AllowedRegistries {
		a = strings.TrimSuffix(strings.TrimSpace(a), "/")
		if a == "" {
			continue
		}
		if ref == a || strings.HasPrefix(ref, a+"/") {
			return true
		}
	}
	return false
}

// normalizeImage spells out Docker Hub for images written without a registry host, the way
// the container runtime resolves them: nginx is docker.io/library/nginx.
func normalizeImage(img string) string {
	first, rest, found := strings.Cut(img, "/")
	if !found {
		return "docker.io/library/" + img
	}
	if strings.ContainsAny(first, ".:") || first == "localhost" {
		return img
	}
	return "docker.io/" + first + "/" + rest
}

// checkNoPrivilegedContainers finds containers that run privileged or may escalate: a
// kubernetes container's security_context with privileged = true or
// allow_privilege_escalation = true, and a Helm set item named *.privileged or
// *.allowPrivilegeEscalation with the value true. Values from variables cannot be told;
// a release's values documents are not read.
func checkNoPrivilegedContainers(c *checker, _ Rule, _ map[string]bool) []Finding {
	var out []Finding
	for i := range c.b.Resources {
		r := &c.b.Resources[i]
		for _, ct := range containers(r) {
			name := "a container"
			if n := ct.body.Attribute("name"); n != nil {
				if s, ok := knownString(static(*n)); ok {
					name = fmt.Sprintf("container %q", s)
				}
			}
			for _, sc := range blocksOf(ct.path, ct.body, "security_context") {
				for _, arg := range []string{"privileged", "allow_privilege_escalation"} {
					v := sc.body.Attribute(arg)
					if v == nil {
						continue
					}
					if on, ok := knownBool(static(*v)); !ok || !on {
						continue
					}
					out = append(out, Finding{
						Resource: r.Address(),
						Path:     sc.path + "." + arg,
						Message:  fmt.Sprintf("%s of %s sets %s = true", name, r.Address(), arg),
						Fix:      fmt.Sprintf("set %s = false (or remove it); grant the specific capability the container needs under capabilities.add instead", arg),
					})
				}
			}
		}
		if r.Type != "helm_release" {
			continue
		}
		for _, arg := range []string{"set", "set_list"} {
			items, _ := helmSets(r, arg)
			for _, it := range items {
				lower := strings.ToLower(it.name)
				if !(lower == "privileged" || strings.HasSuffix(lower, ".privileged") ||
					lower == "allowprivilegeescalation" || strings.HasSuffix(lower, ".allowprivilegeescalation")) {
					continue
				}
				if on, ok := knownBool(it.value); !ok || !on {
					continue
				}
				out = append(out, Finding{
					Resource: r.Address(),
					Path:     it.path,
					Message:  fmt.Sprintf("Helm release %s sets %s = true", r.Address(), it.name),
					Fix:      fmt.Sprintf("set %s to \"false\" or remove the item; if the chart really needs it, add %s to the rule's allow list after review", it.name, r.Address()),
				})
			}
		}
	}
	return out
}
