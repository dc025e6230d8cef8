package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/cloudoven/cloudoven/runner"
)

// runnerLabelKubernetes is how the UI names the Kubernetes runner.
const runnerLabelKubernetes = "Kubernetes Jobs (isolated)"

// kubeFlags configure -runner kubernetes.
type kubeFlags struct {
	namespace     *string
	providerClaim *string
}

func addKubeFlags(fs *flag.FlagSet) kubeFlags {
	return kubeFlags{
		namespace:     fs.String("runner-kube-namespace", "default", "namespace the Kubernetes runner creates its Jobs, Secrets and NetworkPolicies in (with -runner kubernetes; the cluster comes from KUBECONFIG, else the in-cluster configuration)"),
		providerClaim: fs.String("runner-kube-provider-claim", "", "PersistentVolumeClaim in -runner-kube-namespace holding the provider cache, which this server mounts at -provider-cache (ReadWriteMany, e.g. Azure Files): run pods mount it read-only (default: each provider package from the node's file system, so the cache must be at the same path on every node that runs jobs)"),
	}
}

// executor is the Kubernetes executor on the cluster KUBECONFIG names, or, without it, the
// one CloudOven runs in (its service account's token). A cluster that does not answer is
// logged, not fatal: runs fail saying so until it does, the rest of CloudOven works.
//
// cacheDir is the provider cache's directory: where this server sees -runner-kube-provider-claim.
func (f kubeFlags) executor(ctx context.Context, instance, cacheDir string, logger *slog.Logger) (*runner.Kubernetes, error) {
	// Not clientcmd.BuildConfigFromFlags("", ""): it reaches the in-cluster configuration
	// too, but logs a warning that it "might not work" on every start in a pod.
	var cfg *rest.Config
	var err error
	if path := os.Getenv("KUBECONFIG"); path != "" {
		cfg, err = clientcmd.BuildConfigFromFlags("", path)
	} else {
		cfg, err = rest.InClusterConfig()
	}
	if err != nil {
		return nil, fmt.Errorf("-runner kubernetes: reading the cluster's configuration (KUBECONFIG, else in-cluster): %w", err)
	}
	root, err := filepath.Abs(cacheDir)
	if err != nil {
		return nil, err
	}
	k, err := runner.NewKubernetes(cfg, runner.KubernetesOptions{Namespace: *f.namespace, Instance: instance, Logger: logger,
		ProviderClaim: *f.providerClaim, ProviderRoot: root})
	if err != nil {
		return nil, err
	}
	if err := k.Ping(ctx); err != nil {
		logger.Warn("the Kubernetes cluster does not answer: plans and applies will fail until it does", "err", err)
	}
	return k, nil
}
