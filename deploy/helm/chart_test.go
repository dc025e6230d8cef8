package helm

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
)

// The value sets of the issue. A secret value is easy to spot in a manifest: hunter2.
const (
	defaults = ``

	postgresIngress = `
replicas: 1
database: {type: postgres}
stateBlob: {url: "https://acct.blob.core.windows.net/", account: acct}
secrets:
  databaseUrl: "postgres://cloudoven:hunter2@db.example.com:5432/cloudoven?sslmode=require"
  stateBlobKey: "hunter2-blob"
  secretKey: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
ingress:
  enabled: true
  className: nginx
  hosts: [{host: cloudoven.example.com}]
  tls: [{secretName: cloudoven-tls, hosts: [cloudoven.example.com]}]
runner: {type: kubernetes, namespace: cloudoven-runs, providerCache: {existingClaim: providers-runs, serverClaim: providers}}
`

	existingSecret = `
database: {type: postgres}
stateBlob: {url: "https://acct.blob.core.windows.net/", account: acct}
existingSecret: cloudoven-prod
secretKeys: {databaseUrl: db, stateBlobKey: blob, secretKey: sealing, adminPassword: admin}
`
)

// The Role allows the Kubernetes executor exactly what it does in the run namespace.
func wantRules(ns string) []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		{APIGroups: []string{"batch"}, Resources: []string{"jobs"}, Verbs: []string{"create", "delete", "list", "patch"}},
		{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"list", "watch"}},
		{APIGroups: []string{""}, Resources: []string{"pods/log"}, Verbs: []string{"get"}},
		{APIGroups: []string{""}, Resources: []string{"events"}, Verbs: []string{"watch"}},
		{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"create", "delete", "list"}},
		{APIGroups: []string{"networking.k8s.io"}, Resources: []string{"networkpolicies"}, Verbs: []string{"create", "delete", "list"}},
		{APIGroups: []string{""}, Resources: []string{"namespaces"}, ResourceNames: []string{ns}, Verbs: []string{"get"}},
	}
}

func TestChartLints(t *testing.T) {
	t.Parallel()
	for name, values := range map[string]string{"defaults": defaults, "postgres, ingress": postgresIngress, "existing secret": existingSecret} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			out, err := helm(t, "lint", "--strict", chartDir, "--namespace", namespace, "--kube-version", "1.33.0", "-f", valuesFile(t, values))
			if err != nil {
				t.Fatalf("helm lint --strict: %v\n%s", err, out)
			}
			if !strings.Contains(out, "1 chart(s) linted, 0 chart(s) failed") {
				t.Errorf("helm lint said:\n%s", out)
			}
		})
	}
}

// threeReplicas share one PostgreSQL database and the state in Azure Blob Storage.
const threeReplicas = `
replicas: 3
database: {type: postgres}
stateBlob: {url: 'https://a.blob.core.windows.net/', account: a}
secrets: {databaseUrl: 'postgres://db/x', stateBlobKey: k}
`

func TestChartRenders(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, values string
		replicas     int32
		secret       string // the Secret the pod reads
		chartSecret  bool   // the chart makes that Secret
		runNamespace string
		postgres     bool
		// The provider cache's claims: in the run namespace, and the one the server mounts;
		// the chart makes the first unless it is given.
		runClaim, serverClaim string
		chartClaim            bool
	}{
		{name: "three replicas", values: threeReplicas, replicas: 3, secret: "co-cloudoven", chartSecret: true, runNamespace: namespace, postgres: true,
			runClaim: "co-cloudoven-providers", serverClaim: "co-cloudoven-providers", chartClaim: true},
		{name: "defaults", values: defaults, replicas: 1, secret: "co-cloudoven", chartSecret: true, runNamespace: namespace,
			runClaim: "co-cloudoven-providers", serverClaim: "co-cloudoven-providers", chartClaim: true},
		{name: "postgres, ingress with TLS", values: postgresIngress, replicas: 1, secret: "co-cloudoven", chartSecret: true, runNamespace: "cloudoven-runs", postgres: true,
			runClaim: "providers-runs", serverClaim: "providers"},
		{name: "existing secret", values: existingSecret, replicas: 1, secret: "cloudoven-prod", runNamespace: namespace, postgres: true,
			runClaim: "co-cloudoven-providers", serverClaim: "co-cloudoven-providers", chartClaim: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := template(t, tt.values)
			if err != nil {
				t.Fatal(err)
			}
			d := r.Deployment
			if got := *d.Spec.Replicas; got != tt.replicas {
				t.Errorf("replicas %d, want %d", got, tt.replicas)
			}
			if got := d.Spec.Template.Spec.Containers[0].Image; got != "cloudoven/server:0.1.0" {
				t.Errorf("image %q, want the chart's appVersion as its tag", got)
			}

			// The Role, in the run namespace, bound to the pod's account.
			if r.Role == nil || r.RoleBinding == nil {
				t.Fatal("no Role or RoleBinding rendered")
			}
			if r.Role.Namespace != tt.runNamespace || r.RoleBinding.Namespace != tt.runNamespace {
				t.Errorf("Role in %q, RoleBinding in %q, want both in %q", r.Role.Namespace, r.RoleBinding.Namespace, tt.runNamespace)
			}
			if diff := cmp.Diff(wantRules(tt.runNamespace), r.Role.Rules); diff != "" {
				t.Errorf("the Role's rules (-want +got):\n%s", diff)
			}
			sa := d.Spec.Template.Spec.ServiceAccountName
			if want := []rbacv1.Subject{{Kind: "ServiceAccount", Name: sa, Namespace: namespace}}; !cmp.Equal(r.RoleBinding.Subjects, want) {
				t.Errorf("RoleBinding subjects %+v, want %+v", r.RoleBinding.Subjects, want)
			}
			if r.RoleBinding.RoleRef.Kind != "Role" || r.RoleBinding.RoleRef.Name != r.Role.Name {
				t.Errorf("RoleBinding refers to %+v, want the Role %s", r.RoleBinding.RoleRef, r.Role.Name)
			}
			if r.ServiceAccount == nil || r.ServiceAccount.Name != sa {
				t.Errorf("the pod's account %q is not the one rendered", sa)
			}
			if got := env(t, r, "CLOUDOVEN_RUNNER_KUBE_NAMESPACE"); got != tt.runNamespace {
				t.Errorf("CLOUDOVEN_RUNNER_KUBE_NAMESPACE %q, want %q", got, tt.runNamespace)
			}

			// The provider cache: a claim in the run namespace the run pods mount, the same
			// volume mounted by the server where -provider-cache points.
			var dataClaims []*corev1.PersistentVolumeClaim
			var providerClaim *corev1.PersistentVolumeClaim
			for _, c := range r.PVCs {
				if c.Name == tt.runClaim {
					providerClaim = c
				} else {
					dataClaims = append(dataClaims, c)
				}
			}
			r.PVCs = dataClaims
			if tt.chartClaim != (providerClaim != nil) {
				t.Errorf("the chart made the provider cache's claim: %v, want %v", providerClaim != nil, tt.chartClaim)
			}
			if providerClaim != nil && (providerClaim.Namespace != tt.runNamespace || !cmp.Equal(providerClaim.Spec.AccessModes, []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany})) {
				t.Errorf("the provider cache's claim is in %q with %v, want %q and ReadWriteMany", providerClaim.Namespace, providerClaim.Spec.AccessModes, tt.runNamespace)
			}
			if got := env(t, r, "CLOUDOVEN_RUNNER_KUBE_PROVIDER_CLAIM"); got != tt.runClaim {
				t.Errorf("CLOUDOVEN_RUNNER_KUBE_PROVIDER_CLAIM %q, want %q", got, tt.runClaim)
			}
			if v := volume(t, r, "providers"); v.PersistentVolumeClaim == nil || v.PersistentVolumeClaim.ClaimName != tt.serverClaim {
				t.Errorf("the server's providers volume %+v, want the claim %s", v.VolumeSource, tt.serverClaim)
			}
			if got := env(t, r, "CLOUDOVEN_PROVIDER_CACHE"); got != "/providers" || !mounted(r, "providers", "/providers") {
				t.Errorf("CLOUDOVEN_PROVIDER_CACHE %q, want /providers, where the providers volume is mounted", got)
			}

			wantHardened(t, r)
			wantProbes(t, r)
			wantSecretsByReference(t, r, tt.secret, tt.postgres)
			if tt.chartSecret != (len(r.Secrets) == 1) || len(r.Secrets) > 1 {
				t.Errorf("%d Secrets rendered; the chart should make one: %v", len(r.Secrets), tt.chartSecret)
			}

			// A disruption budget, and spreading, only for several replicas; one pod keeps
			// its data on a claim and is replaced, not surged (a second server would mark the
			// first one's runs interrupted).
			pod := d.Spec.Template.Spec
			if tt.replicas > 1 {
				if r.PDB == nil || r.PDB.Spec.MinAvailable == nil || r.PDB.Spec.MinAvailable.IntValue() != 1 {
					t.Errorf("PodDisruptionBudget %+v, want minAvailable 1", r.PDB)
				} else if !cmp.Equal(r.PDB.Spec.Selector.MatchLabels, d.Spec.Selector.MatchLabels) {
					t.Errorf("the budget selects %v, the Deployment %v", r.PDB.Spec.Selector.MatchLabels, d.Spec.Selector.MatchLabels)
				}
				if len(pod.TopologySpreadConstraints) != 2 {
					t.Errorf("%d topology spread constraints, want hostname and zone", len(pod.TopologySpreadConstraints))
				}
				if len(r.PVCs) != 0 || volume(t, r, "data").EmptyDir == nil {
					t.Errorf("several replicas share no claim: each gets an emptyDir")
				}
			} else {
				if r.PDB != nil {
					t.Errorf("a PodDisruptionBudget for one replica would block every node drain")
				}
				if len(pod.TopologySpreadConstraints) != 0 {
					t.Errorf("topology spread constraints for one replica")
				}
				if len(r.PVCs) != 1 || volume(t, r, "data").PersistentVolumeClaim == nil || d.Spec.Strategy.Type != "Recreate" {
					t.Errorf("one replica: want its data on a claim and the Recreate strategy, got %d claims, strategy %q", len(r.PVCs), d.Spec.Strategy.Type)
				}
			}
		})
	}
}

func TestChartIngressWithTLS(t *testing.T) {
	t.Parallel()
	r, err := template(t, postgresIngress)
	if err != nil {
		t.Fatal(err)
	}
	ing := r.Ingress
	if ing == nil {
		t.Fatal("no Ingress rendered")
	}
	if ing.Spec.IngressClassName == nil || *ing.Spec.IngressClassName != "nginx" {
		t.Errorf("ingressClassName %v, want nginx", ing.Spec.IngressClassName)
	}
	if len(ing.Spec.TLS) != 1 || ing.Spec.TLS[0].SecretName != "cloudoven-tls" || !cmp.Equal(ing.Spec.TLS[0].Hosts, []string{"cloudoven.example.com"}) {
		t.Errorf("TLS %+v", ing.Spec.TLS)
	}
	if len(ing.Spec.Rules) != 1 || ing.Spec.Rules[0].Host != "cloudoven.example.com" {
		t.Fatalf("rules %+v", ing.Spec.Rules)
	}
	backend := ing.Spec.Rules[0].HTTP.Paths[0].Backend.Service
	if backend.Name != r.Service.Name || backend.Port.Name != "http" {
		t.Errorf("the Ingress sends to %+v, want the Service %s's http port", backend, r.Service.Name)
	}
	if got := env(t, r, "CLOUDOVEN_SECURE_COOKIES"); got != "true" {
		t.Errorf("behind TLS the session cookie must be Secure: CLOUDOVEN_SECURE_COOKIES %q", got)
	}
	r, err = template(t, defaults)
	if err != nil {
		t.Fatal(err)
	}
	if r.Ingress != nil {
		t.Errorf("an Ingress by default")
	}
}

// The value sets the chart refuses, each with a message that says what to change.
func TestChartRefuses(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, values, want string }{
		{"two replicas on SQLite", "replicas: 2", "replicas is 2 but database.type is sqlite: SQLite allows one replica"},
		{"postgres without a URL", "database: {type: postgres}\nreplicas: 1", "database.type is postgres but no database URL is given"},
		{"replicas without shared state", "database: {type: postgres}\nreplicas: 2\nsecrets: {databaseUrl: 'postgres://db/x'}", "replicas is 2 but stateBlob.url is empty"},
		{"a blob store without its key", "stateBlob: {url: 'https://a.blob.core.windows.net/', account: a}", "stateBlob.url is set but no account key is given"},
		{"a misspelt value", "replica: 2", "additional properties 'replica' not allowed"},
		{"the Docker runner", "runner: {type: docker}", "/runner/type"},
		{"a secret in extraEnv", "extraEnv: {CLOUDOVEN_STATE_BLOB_KEY: x}", "invalid propertyName 'CLOUDOVEN_STATE_BLOB_KEY'"},
		{"a database URL of another kind", "secrets: {databaseUrl: 'mysql://db/x'}", "/secrets/databaseUrl"},
		{"an API server given as a URL", "runner: {type: kubernetes, apiServer: {host: 'https://10.0.0.5:6443'}}", "/runner/apiServer/host"},
		{"a run namespace without the provider cache's claims", "runner: {type: kubernetes, namespace: runs}", "the provider cache's claim must be in both"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := template(t, tt.values)
			if err == nil {
				t.Fatalf("helm template accepted:\n%s", tt.values)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("helm template: %v\nwant it to say %q", err, tt.want)
			}
		})
	}
}

// wantHardened: the pod runs as a non-root user on a read-only root with no capabilities,
// no privilege escalation and the runtime's seccomp profile; what it writes goes to volumes.
func wantHardened(t *testing.T, r *rendered) {
	t.Helper()
	pod := r.Deployment.Spec.Template.Spec
	psc := pod.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 ||
		psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("pod security context %+v is not hardened", psc)
	}
	if psc != nil && (psc.FSGroup == nil || psc.RunAsGroup == nil || *psc.FSGroup != *psc.RunAsGroup) {
		t.Errorf("fsGroup must be the process's group, so the secret key's file is readable by it alone")
	}
	sc := r.container(t).SecurityContext
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.Capabilities == nil || !cmp.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) != 0 ||
		sc.Privileged != nil && *sc.Privileged {
		t.Errorf("container security context %+v is not hardened", sc)
	}
	mounts := map[string]bool{}
	for _, m := range r.container(t).VolumeMounts {
		mounts[m.MountPath] = true
	}
	for _, dir := range []string{"/data", "/tmp"} {
		if !mounts[dir] {
			t.Errorf("%s is not a volume: on a read-only root nothing could write it", dir)
		}
	}
	if volume(t, r, "tmp").EmptyDir == nil {
		t.Errorf("/tmp is not an emptyDir")
	}
}

// wantProbes: liveness and startup ask /healthz, readiness /readyz, all on the served port.
func wantProbes(t *testing.T, r *rendered) {
	t.Helper()
	c := r.container(t)
	for _, p := range []struct {
		name  string
		probe *corev1.Probe
		path  string
	}{
		{"liveness", c.LivenessProbe, "/healthz"}, {"readiness", c.ReadinessProbe, "/readyz"}, {"startup", c.StartupProbe, "/healthz"},
	} {
		if p.probe == nil || p.probe.HTTPGet == nil {
			t.Errorf("no HTTP %s probe", p.name)
			continue
		}
		if p.probe.HTTPGet.Path != p.path || p.probe.HTTPGet.Port.String() != "http" {
			t.Errorf("%s probe asks %s on port %s, want %s on http", p.name, p.probe.HTTPGet.Path, p.probe.HTTPGet.Port.String(), p.path)
		}
	}
	if len(c.Ports) != 1 || c.Ports[0].Name != "http" || c.Ports[0].ContainerPort != 8080 {
		t.Errorf("ports %+v, want http on 8080", c.Ports)
	}
	if got := env(t, r, "CLOUDOVEN_ADDR"); got != "0.0.0.0:8080" {
		t.Errorf("CLOUDOVEN_ADDR %q: the probes would find nothing on 8080", got)
	}
}

// wantSecretsByReference: the database URL, the blob key and the admin password come from
// the Secret by secretKeyRef, the secret key as a file from it, and no secret value is a
// literal anywhere but in a Secret the chart makes.
func wantSecretsByReference(t *testing.T, r *rendered, secret string, postgres bool) {
	t.Helper()
	refs := map[string]bool{"CLOUDOVEN_STATE_BLOB_KEY": postgres, "CLOUDOVEN_ADMIN_PASSWORD": true, "CLOUDOVEN_DATABASE": postgres}
	for name, want := range refs {
		e := r.env(t, name)
		switch {
		case !want && e == nil:
		case !want:
			t.Errorf("%s is set without a database to set it for", name)
		case e == nil:
			t.Errorf("%s is not set", name)
		case e.Value != "" || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil || e.ValueFrom.SecretKeyRef.Name != secret:
			t.Errorf("%s = %+v, want a secretKeyRef to %s", name, e, secret)
		}
	}
	for _, e := range r.container(t).Env {
		upper := strings.ToUpper(e.Name)
		if e.Value != "" && (strings.Contains(upper, "PASSWORD") || strings.HasSuffix(upper, "_KEY") || upper == "CLOUDOVEN_DATABASE") {
			t.Errorf("%s has a literal value", e.Name)
		}
	}
	replica := false
	for _, e := range r.container(t).Env {
		if e.Name == "CLOUDOVEN_REPLICA" {
			replica = e.ValueFrom != nil && e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "metadata.name"
		}
	}
	if !replica {
		t.Errorf("CLOUDOVEN_REPLICA is not the pod's name: the runs a replica claims must carry a name unique among live ones")
	}
	if got := env(t, r, "CLOUDOVEN_SECRET_KEY_FILE"); got != "/etc/cloudoven/secret-key/secret-key" {
		t.Errorf("CLOUDOVEN_SECRET_KEY_FILE %q", got)
	}
	v := volume(t, r, "secret-key")
	if v.Secret == nil || v.Secret.SecretName != secret || v.Secret.DefaultMode == nil || *v.Secret.DefaultMode&0o007 != 0 || len(v.Secret.Items) != 1 || v.Secret.Items[0].Path != "secret-key" {
		t.Errorf("secret-key volume %+v, want the Secret %s's key as the file secret-key, nothing for others", v.Secret, secret)
	}
	// The manifest holds secret values only inside the chart's own Secret.
	for _, doc := range strings.Split(r.Manifest, "\n---\n") {
		if strings.Contains(doc, "kind: Secret\n") {
			continue
		}
		if strings.Contains(doc, "hunter2") {
			t.Errorf("a secret value is written outside the Secret:\n%s", doc)
		}
	}
}

// env is the literal value of the container's variable name ("" when unset).
func env(t *testing.T, r *rendered, name string) string {
	t.Helper()
	if e := r.env(t, name); e != nil {
		return e.Value
	}
	return ""
}

// volume is the pod's volume name; the test fails without it.
func volume(t *testing.T, r *rendered, name string) corev1.Volume {
	t.Helper()
	for _, v := range r.Deployment.Spec.Template.Spec.Volumes {
		if v.Name == name {
			return v
		}
	}
	t.Fatalf("no volume %s", name)
	return corev1.Volume{}
}

// runner.apiServer replaces the API server's address the in-cluster configuration reads,
// for clusters where the kubernetes Service does not route (no kube-proxy).
func TestChartAPIServer(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, values string
		host, port   string
	}{
		{name: "the cluster's own by default", values: defaults},
		{name: "an address given", values: "runner: {type: kubernetes, apiServer: {host: 10.0.0.5, port: 6443}}", host: "10.0.0.5", port: "6443"},
		{name: "the port defaults to 443", values: "runner: {type: kubernetes, apiServer: {host: api.example.com, port: null}}", host: "api.example.com", port: "443"},
		{name: "not without runs", values: "runner: {type: none, apiServer: {host: 10.0.0.5, port: 6443}}"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := template(t, tt.values)
			if err != nil {
				t.Fatal(err)
			}
			if got := env(t, r, "KUBERNETES_SERVICE_HOST"); got != tt.host {
				t.Errorf("KUBERNETES_SERVICE_HOST %q, want %q", got, tt.host)
			}
			if got := env(t, r, "KUBERNETES_SERVICE_PORT"); got != tt.port {
				t.Errorf("KUBERNETES_SERVICE_PORT %q, want %q", got, tt.port)
			}
		})
	}
}

// Without runs the server gets no Role and no API token at all.
func TestChartWithoutRuns(t *testing.T) {
	t.Parallel()
	r, err := template(t, "runner: {type: none}")
	if err != nil {
		t.Fatal(err)
	}
	if r.Role != nil || r.RoleBinding != nil {
		t.Errorf("a Role or RoleBinding without runs")
	}
	if a := r.Deployment.Spec.Template.Spec.AutomountServiceAccountToken; a == nil || *a {
		t.Errorf("automountServiceAccountToken %v, want false without runs", a)
	}
	if got := env(t, r, "CLOUDOVEN_RUNNER"); got != "none" {
		t.Errorf("CLOUDOVEN_RUNNER %q, want none", got)
	}
	if e := r.env(t, "CLOUDOVEN_RUNNER_KUBE_NAMESPACE"); e != nil {
		t.Errorf("CLOUDOVEN_RUNNER_KUBE_NAMESPACE set without runs")
	}
	for _, c := range r.PVCs {
		if strings.HasSuffix(c.Name, "-providers") {
			t.Errorf("a provider cache claim %s without runs", c.Name)
		}
	}
}

// mounted reports whether the server's container mounts the volume name at path.
func mounted(r *rendered, name, path string) bool {
	for _, m := range r.Deployment.Spec.Template.Spec.Containers[0].VolumeMounts {
		if m.Name == name && m.MountPath == path {
			return true
		}
	}
	return false
}
