package runner

import (
	"context"
	"fmt"
	"net"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/cloudoven/cloudoven/egress"
)

// networkPolicy is the NetworkPolicy that holds a job's pod to its network mode, unnamed;
// nil when the job may reach anything (network mode bridge without Egress).
//
//   - NetworkMode "none": no egress and no ingress at all.
//   - Egress without Allow: egress only to the State address's IPs (resolved here, when
//     the job starts) on its port, and to DNS on port 53 when it is a host name.
//   - Egress with Allow: none. The allow-list names hosts, which a NetworkPolicy cannot;
//     the pod's egress proxy (a sidecar, kubernetes_spec.go) holds to it what honours
//     HTTPS_PROXY (terraform, Go providers), and the job's output says a program that
//     ignores the proxy is not held in, unlike in the Docker executor.
//
// A NetworkPolicy holds only where the cluster's network plugin enforces it (Calico,
// Cilium, Azure's NPM; not the plain bridge plugin).
func (k *Kubernetes) networkPolicy(ctx context.Context, job Job, name string) (*networkingv1.NetworkPolicy, error) {
	policy := &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: k.namespace, Labels: k.labels(job.RunID),
			Annotations: k.annotations(job.RunID)},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: k.labels(job.RunID)},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
		},
	}
	switch {
	case job.Egress != nil && len(job.Egress.Allow) > 0:
		return nil, nil
	case job.Egress != nil:
		if job.Egress.State == "" {
			return policy, nil
		}
		u, err := egress.ParseState(job.Egress.State)
		if err != nil {
			return nil, fmt.Errorf("checking the job: egress: %w", err)
		}
		port := u.Port()
		if port == "" {
			port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
		}
		p, _ := strconv.Atoi(port)
		var ips []net.IP
		if ip := net.ParseIP(u.Hostname()); ip != nil {
			ips = []net.IP{ip}
		} else {
			addrs, err := net.DefaultResolver.LookupIPAddr(ctx, u.Hostname())
			if err != nil {
				return nil, interruptedBy(ctx, fmt.Errorf("resolving the state address for the job's network policy: %w", err))
			}
			for _, a := range addrs {
				ips = append(ips, a.IP)
			}
			dns := intstr.FromInt32(53)
			policy.Spec.Egress = append(policy.Spec.Egress, networkingv1.NetworkPolicyEgressRule{Ports: []networkingv1.NetworkPolicyPort{
				{Protocol: ptr(corev1.ProtocolUDP), Port: &dns}, {Protocol: ptr(corev1.ProtocolTCP), Port: &dns}}})
		}
		rule := networkingv1.NetworkPolicyEgressRule{Ports: []networkingv1.NetworkPolicyPort{
			{Protocol: ptr(corev1.ProtocolTCP), Port: ptr(intstr.FromInt32(int32(p)))}}}
		for _, ip := range ips {
			bits := 32
			if ip.To4() == nil {
				bits = 128
			}
			rule.To = append(rule.To, networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: ip.String() + "/" + strconv.Itoa(bits)}})
		}
		policy.Spec.Egress = append(policy.Spec.Egress, rule)
		return policy, nil
	case job.NetworkMode == "none":
		return policy, nil
	case job.NetworkMode == "bridge":
		return nil, nil
	}
	return nil, fmt.Errorf("checking the job: network mode %q has no meaning on Kubernetes: want none, or leave it empty", job.NetworkMode)
}
