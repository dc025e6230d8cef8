package runner

import (
	"context"
	"strings"
	"testing"
)

func TestKubernetesNetworkPolicyPerMode(t *testing.T) {
	t.Parallel()
	k := &Kubernetes{namespace: "ns", instance: "i"}
	for _, tc := range []struct {
		name    string
		job     Job
		nilWant bool   // no policy: the pod reaches everything
		rules   int    // egress rules
		to      string // the one CIDR the last rule allows
		port    int32
		err     string
	}{
		{name: "bridge reaches everything", job: Job{NetworkMode: "bridge"}, nilWant: true},
		{name: "none reaches nothing", job: Job{NetworkMode: "none"}, rules: 0},
		{name: "egress without state reaches nothing", job: Job{NetworkMode: "bridge", Egress: &Egress{}}, rules: 0},
		{name: "egress reaches the state backend", job: Job{NetworkMode: "bridge", Egress: &Egress{State: "http://10.1.2.3:8080/state/x"}},
			rules: 1, to: "10.1.2.3/32", port: 8080},
		{name: "https state on its default port", job: Job{NetworkMode: "bridge", Egress: &Egress{State: "https://10.1.2.3/state/x"}},
			rules: 1, to: "10.1.2.3/32", port: 443},
		{name: "an allow-list is the proxy's", job: Job{NetworkMode: "bridge", Egress: &Egress{Allow: []string{"example.com"}}}, nilWant: true},
		{name: "host network is refused", job: Job{NetworkMode: "host"}, err: `network mode "host" has no meaning on Kubernetes`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := k.networkPolicy(context.Background(), tc.job, "cloudoven-run-x")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.nilWant {
				if p != nil {
					t.Errorf("policy %+v, want none", p.Spec)
				}
				return
			}
			if p == nil || len(p.Spec.PolicyTypes) != 2 || p.Spec.PodSelector.MatchLabels[LabelInstance] != "i" {
				t.Fatalf("policy %+v, want one for ingress and egress of the job's pod", p)
			}
			if len(p.Spec.Ingress) != 0 || len(p.Spec.Egress) != tc.rules {
				t.Fatalf("%d ingress and %d egress rules, want 0 and %d", len(p.Spec.Ingress), len(p.Spec.Egress), tc.rules)
			}
			if tc.rules > 0 {
				r := p.Spec.Egress[len(p.Spec.Egress)-1]
				if len(r.To) != 1 || r.To[0].IPBlock == nil || r.To[0].IPBlock.CIDR != tc.to ||
					len(r.Ports) != 1 || r.Ports[0].Port.IntVal != tc.port {
					t.Errorf("egress rule %+v, want %s port %d", r, tc.to, tc.port)
				}
			}
		})
	}
}

func TestKubernetesNamesFitTheirLimits(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 64)
	for _, tc := range []struct{ runID, name, label string }{
		{"abc-1", "cloudoven-run-abc-1-0a1b2c", "abc-1"},
		{long, "cloudoven-run-h-", "h-"},
	} {
		name, label := kubeName(tc.runID, "0a1b2c"), kubeLabel(tc.runID)
		if !strings.HasPrefix(name, tc.name) || !strings.HasSuffix(name, "-0a1b2c") || len(name) > 63 || !strings.HasPrefix(label, tc.label) || len(label) > 63 {
			t.Errorf("run id %q: name %q, label %q; want them to start %q and %q, the name to end in its suffix, at most 63 characters", tc.runID, name, label, tc.name, tc.label)
		}
		if kubeName(tc.runID, "0a1b2c") != name || kubeLabel(tc.runID) != label {
			t.Errorf("run id %q: names are not stable", tc.runID)
		}
	}
	// The suffix: two stages of a run get names of their own.
	a, errA := kubeSuffix()
	b, errB := kubeSuffix()
	if errA != nil || errB != nil || len(a) != 6 || a == b {
		t.Errorf("kubeSuffix() = %q, %v then %q, %v; want 6 hex digits each time different", a, errA, b, errB)
	}
}
