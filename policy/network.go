package policy

import (
	"fmt"
	"strings"

	"github.com/cloudoven/cloudoven/blueprint"
)

// internalLBAnnotation makes AKS give a LoadBalancer service a private frontend.
const internalLBAnnotation = "service.beta.kubernetes.io/azure-load-balancer-internal"

// checkNoPublicLBIP finds load balancers reachable from the internet: an azurerm_lb frontend
// with a public IP (or prefix), the azurerm_public_ip it uses, and a Kubernetes LoadBalancer
// service without the internal annotation. A frontend whose public IP comes from a variable
// still counts: it is public whatever the value. Annotations that are not a literal map
// cannot be told and give no finding. Allowing either the load balancer or its public IP lets
// both through.
func checkNoPublicLBIP(c *checker, _ Rule, allowed map[string]bool) []Finding {
	var out []Finding
	for _, lb := range c.resources("azurerm_lb") {
		for _, fe := range blocksOf(resourcePath(lb), lb.Config, "frontend_ip_configuration") {
			for _, arg := range []string{"public_ip_address_id", "public_ip_prefix_id"} {
				v := fe.body.Attribute(arg)
				if v == nil || isNull(*v) {
					continue
				}
				ips := publicIPs(c, *v)
				if allowed[lb.Address()] || anyAllowed(ips, allowed) {
					continue
				}
				out = append(out, Finding{
					Resource: lb.Address(),
					Path:     fe.path + "." + arg,
					Message:  fmt.Sprintf("load balancer %s has a public frontend", lb.Address()),
					Fix:      fmt.Sprintf("make the frontend internal: remove %s and set subnet_id with private_ip_address_allocation; publish through an Application Gateway with WAF, or add %s to the rule's allow list", arg, lb.Address()),
				})
				for _, ip := range ips {
					out = append(out, Finding{
						Resource: ip,
						Path:     "resources[" + ip + "]",
						Message:  fmt.Sprintf("public IP %s is the frontend of load balancer %s", ip, lb.Address()),
						Fix:      fmt.Sprintf("detach it from %s (use a private frontend), or add %s to the rule's allow list", lb.Address(), lb.Address()),
					})
				}
			}
		}
	}
	for _, svc := range c.resources("kubernetes_service", "kubernetes_service_v1") {
		prefix := resourcePath(svc)
		for _, spec := range blocksOf(prefix, svc.Config, "spec") {
			t := spec.body.Attribute("type")
			if t == nil {
				continue
			}
			if s, ok := knownString(static(*t)); !ok || s != "LoadBalancer" {
				continue
			}
			internal, known := internalAnnotation(svc.Config)
			if !known || internal {
				continue
			}
			out = append(out, Finding{
				Resource: svc.Address(),
				Path:     spec.path + ".type",
				Message:  fmt.Sprintf("service %s of type LoadBalancer gets a public IP", svc.Address()),
				Fix:      fmt.Sprintf("add the annotation %q = \"true\" under metadata, or use type ClusterIP behind the ingress controller", internalLBAnnotation),
			})
		}
	}
	return out
}

// publicIPs are the azurerm_public_ip resources a frontend value refers to.
func publicIPs(c *checker, v blueprint.Value) []string {
	var out []string
	for _, addr := range referencedResources(v) {
		if r := c.b.Resource(addr); r != nil && r.Mode == blueprint.ManagedMode && r.Type == "azurerm_public_ip" {
			out = append(out, addr)
		}
	}
	return out
}

func anyAllowed(addrs []string, allowed map[string]bool) bool {
	for _, a := range addrs {
		if allowed[a] {
			return true
		}
	}
	return false
}

// internalAnnotation reports whether metadata carries the internal load balancer annotation
// set to "true", and whether that can be told at all.
func internalAnnotation(config blueprint.Body) (internal, known bool) {
	mds := config.BlocksOf("metadata")
	if len(mds) == 0 {
		return false, true
	}
	ann := mds[0].Body.Attribute("annotations")
	if ann == nil {
		return false, true
	}
	v := static(*ann)
	keys, ok := knownKeys(v)
	if !ok {
		return false, false
	}
	for _, k := range keys {
		if k != internalLBAnnotation {
			continue
		}
		b, ok := knownBool(attr(v, k))
		return b, ok
	}
	return false, true
}

func isNull(v blueprint.Value) bool {
	return v.Kind == blueprint.LiteralKind && v.Literal.IsNull()
}

// checkHTTPSOnlyIngress finds plain-HTTP entry points: an Application Gateway listener with
// protocol Http whose routing rules do not redirect, a Kubernetes ingress without a tls
// block, and a storage account with https_traffic_only_enabled = false. Listener and rule
// names are compared as written (literals by value, anything else by its source text); a
// protocol that is not a literal cannot be told.
func checkHTTPSOnlyIngress(c *checker, _ Rule, _ map[string]bool) []Finding {
	var out []Finding
	for _, gw := range c.resources("azurerm_application_gateway") {
		prefix := resourcePath(gw)
		redirected := map[string]bool{}
		for _, rr := range gw.Config.BlocksOf("request_routing_rule") {
			listener := rr.Body.Attribute("http_listener_name")
			redirect := rr.Body.Attribute("redirect_configuration_name")
			if listener != nil && redirect != nil && !isNull(*redirect) {
				redirected[nameKey(*listener)] = true
			}
		}
		for _, l := range blocksOf(prefix, gw.Config, "http_listener") {
			p := l.body.Attribute("protocol")
			if p == nil {
				continue
			}
			proto, ok := knownString(static(*p))
			if !ok || !strings.EqualFold(proto, "Http") {
				continue
			}
			name := l.body.Attribute("name")
			if name != nil && redirected[nameKey(*name)] {
				continue
			}
			label := "an HTTP listener"
			if name != nil {
				if s, ok := knownString(static(*name)); ok {
					label = fmt.Sprintf("HTTP listener %q", s)
				}
			}
			out = append(out, Finding{
				Resource: gw.Address(),
				Path:     l.path + ".protocol",
				Message:  fmt.Sprintf("%s of %s serves plain HTTP without redirecting to HTTPS", label, gw.Address()),
				Fix:      "add an Https listener with an ssl_certificate (from Key Vault), then give this listener's request_routing_rule a redirect_configuration_name pointing at a redirect_configuration with redirect_type = \"Permanent\" and target_listener_name = the Https listener",
			})
		}
	}
	for _, ing := range c.resources("kubernetes_ingress_v1", "kubernetes_ingress") {
		for _, spec := range blocksOf(resourcePath(ing), ing.Config, "spec") {
			if len(spec.body.BlocksOf("tls")) > 0 {
				continue
			}
			out = append(out, Finding{
				Resource: ing.Address(),
				Path:     spec.path + ".tls",
				Message:  fmt.Sprintf("ingress %s has no tls block, so it serves plain HTTP", ing.Address()),
				Fix:      "add a tls block with hosts and secret_name (a certificate secret, e.g. issued by cert-manager)",
			})
		}
	}
	for _, sa := range c.resources("azurerm_storage_account") {
		v := sa.Config.Attribute("https_traffic_only_enabled")
		if v == nil {
			continue // the provider defaults to true
		}
		if on, ok := knownBool(static(*v)); ok && !on {
			out = append(out, Finding{
				Resource: sa.Address(),
				Path:     resourcePath(sa) + ".https_traffic_only_enabled",
				Message:  fmt.Sprintf("storage account %s accepts plain HTTP", sa.Address()),
				Fix:      "set https_traffic_only_enabled = true, or remove it (true is the default)",
			})
		}
	}
	return out
}

// nameKey compares names as written: a literal string by value, anything else by source.
func nameKey(v blueprint.Value) string {
	if s, ok := knownString(static(v)); ok {
		return "=" + s
	}
	src, err := blueprint.FormatValue(v)
	if err != nil {
		return "?"
	}
	return "~" + src
}
