// Package helm holds the tests of CloudOven's Helm chart (deploy/helm/cloudoven): helm lint,
// and helm template with several value sets whose rendered objects are decoded strictly into
// Kubernetes' own types and checked (the Role's rules, the hardened pod, the probes, secrets
// only by reference, the PodDisruptionBudget, refused value sets), and helm install into the
// real test cluster (install_test.go: testenv.Kubernetes with the server image of this
// checkout; the pod must become Ready, run hardened and log no warning). It has no code of
// its own.
//
// The helm binary comes from internal/testenv (Helm), built from the module proxy.
package helm
