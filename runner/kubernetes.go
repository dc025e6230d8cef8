package runner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/cloudoven/cloudoven/runner/stage"
)

// ErrWorkspaceTooLarge is wrapped when a job's files and environment do not fit the one
// Secret the Kubernetes executor delivers them in.
var ErrWorkspaceTooLarge = errors.New("workspace too large for a Kubernetes Secret")

const (
	// maxSecret is what the API server lets one Secret's data hold (keys and values).
	maxSecret = 1 << 20
	// inputDir is where a job's Secret is mounted, read-only, outside the workspace.
	inputDir = "/cloudoven/input"
	// inputArchive is the Secret's key holding the workspace files, a gzip-compressed tar.
	inputArchive = "workspace.tar.gz"
	// kubeContainer names the one container of a job's pod.
	kubeContainer = "stage"
	// defaultTTL is how long a finished Job stays when the executor could not delete it.
	defaultTTL = 10 * time.Minute
)

// KubernetesOptions configures NewKubernetes.
type KubernetesOptions struct {
	// Namespace is where jobs run; default "default".
	Namespace string
	// Grace is how long terraform gets to stop after SIGTERM before it is killed (the
	// pod's termination grace period); default 10s.
	Grace time.Duration
	// Instance names this server among others sharing the namespace, like
	// DockerOptions.Instance; empty means "default".
	Instance string
	// ImagePullPolicy of the job's container; default IfNotPresent.
	ImagePullPolicy corev1.PullPolicy
	// TTL is the ttlSecondsAfterFinished of a Job the executor could not delete itself;
	// default 10 minutes.
	TTL time.Duration
	// EgressImage is the image of the egress proxy of jobs whose Egress has an allow-list;
	// default DefaultEgressImage.
	EgressImage string
	// ProviderClaim, when set, is the PersistentVolumeClaim in Namespace whose volume holds
	// the provider cache, which this server sees at ProviderRoot (a ReadWriteMany volume,
	// Azure Files on AKS, mounted there in the server's pod): a job mounts it read-only,
	// each provider package by its path under ProviderRoot. Empty: each package's
	// directory from the node the pod runs on (hostPath), which holds only where the cache
	// sits at the same path on every node that runs jobs.
	ProviderClaim string
	ProviderRoot  string
	// Logger gets one line per job; default discards.
	Logger *slog.Logger
}

// Kubernetes is the Executor on a Kubernetes cluster: one Job per stage, in one namespace.
//
// The Job's one pod runs the image's stage driver (package runner/stage) as uid and gid
// 1000, non-root, with a read-only root filesystem, every capability dropped, no privilege
// escalation, seccomp RuntimeDefault, no service account token, CPU and memory limits
// (kubernetes_spec.go), the workspace and /tmp emptyDir volumes. The job's files travel in
// a Secret (a gzip-compressed tar the driver unpacks into the workspace before the first
// step; over the 1 MiB a Secret holds, split over several, at most stage.MaxUnpackParts,
// else ErrWorkspaceTooLarge), and so do the
// values of Env, which the pod spec names but never holds. The Secret is owned by the Job
// and goes with it. What the Docker executor reads from the workspace (the driver's status,
// the Collect files) comes back through the pod's log: the driver reports it in lines that
// start with a nonce of the job's, after the last step (stage.Report), and the executor
// keeps them out of the job's output. The log is followed as it is written.
//
// Each stage of a run (a plan, then its apply) is a Job of its own name, the run's id and a
// random suffix (kubeName): the previous stage's Job and Secret may still be going when the
// next one starts.
//
// Cancel deletes the Job, foreground: the pod gets SIGTERM, which the driver passes on to
// terraform, and SIGKILL after the grace period. RemoveOrphans deletes the Jobs, Secrets
// and NetworkPolicies of this instance, but those of the runs it is told to keep; RemoveRun
// those of one run.
//
// Job.Providers are mounted read-only from their Dir on the node (hostPath): the provider
// cache must be at that path on every node that runs jobs, as on a single-node cluster or
// a shared file system mounted at the same path. Job.NetworkMode "none" and Job.Egress
// without an allow-list become a NetworkPolicy (kubernetes_egress.go), which holds only on
// a cluster whose network plugin enforces NetworkPolicies; an allow-list gets the egress
// proxy as a sidecar in the pod, which steps reach as HTTPS_PROXY on loopback.
type Kubernetes struct {
	cs        kubernetes.Interface
	namespace string
	grace     time.Duration
	instance  string
	pull      corev1.PullPolicy
	ttl       time.Duration
	log       *slog.Logger

	egressImage string
	// providerClaim and providerRoot are KubernetesOptions.ProviderClaim and ProviderRoot.
	providerClaim, providerRoot string
}

var _ Executor = (*Kubernetes)(nil)

// NewKubernetes returns an Executor for the cluster config reaches. It does not contact
// the cluster: call Ping for that.
func NewKubernetes(config *rest.Config, opts KubernetesOptions) (*Kubernetes, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	config = rest.CopyConfig(config)
	// The API server's warnings go to the log, not to stderr.
	config.WarningHandler = apiWarnings{opts.Logger}
	cs, err := kubernetes.NewForConfig(config)
	if err != nil {
		return nil, fmt.Errorf("configuring the kubernetes client: %w", err)
	}
	if opts.Namespace == "" {
		opts.Namespace = "default"
	}
	if opts.Grace <= 0 {
		opts.Grace = 10 * time.Second
	}
	if opts.Instance == "" {
		opts.Instance = "default"
	}
	if opts.ImagePullPolicy == "" {
		opts.ImagePullPolicy = corev1.PullIfNotPresent
	}
	if opts.TTL <= 0 {
		opts.TTL = defaultTTL
	}
	if opts.EgressImage == "" {
		opts.EgressImage = DefaultEgressImage
	}
	if opts.ProviderClaim != "" && !path.IsAbs(opts.ProviderRoot) {
		return nil, fmt.Errorf("the provider claim %s needs the absolute path this server sees its volume at, not %q", opts.ProviderClaim, opts.ProviderRoot)
	}
	return &Kubernetes{cs: cs, namespace: opts.Namespace, grace: opts.Grace, instance: opts.Instance,
		pull: opts.ImagePullPolicy, ttl: opts.TTL, log: opts.Logger, egressImage: opts.EgressImage,
		providerClaim: opts.ProviderClaim, providerRoot: opts.ProviderRoot}, nil
}

// apiWarnings logs the API server's warnings.
type apiWarnings struct{ log *slog.Logger }

func (w apiWarnings) HandleWarningHeader(code int, agent, text string) {
	w.log.Warn("kubernetes api server warning", "warning", text)
}

// Ping checks that the API server answers and the namespace exists.
func (k *Kubernetes) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if _, err := k.cs.CoreV1().Namespaces().Get(ctx, k.namespace, metav1.GetOptions{}); err != nil {
		return fmt.Errorf("asking the Kubernetes API server for namespace %s: %w", k.namespace, err)
	}
	return nil
}

// Run runs the job; see Executor. A step that exits non-zero ends the job with its exit
// code in Result and a nil error.
func (k *Kubernetes) Run(ctx context.Context, job Job, out io.Writer) (Result, error) {
	job, err := job.withDefaults()
	if err != nil {
		return Result{}, fmt.Errorf("checking the job: %w", err)
	}
	if out == nil {
		out = io.Discard
	}
	start := time.Now()
	ctx, cancel := context.WithTimeoutCause(ctx, job.Timeout,
		fmt.Errorf("timed out after %s: %w", job.Timeout, context.DeadlineExceeded))
	defer cancel()

	if job.Providers != nil {
		if err := k.checkProviders(job.Providers); err != nil {
			return Result{}, err
		}
		extra := make(map[string][]byte, len(job.Extra)+1)
		for name, data := range job.Extra {
			extra[name] = data
		}
		extra[cliConfigName] = cliConfig(providersDir)
		job.Extra = extra
	}
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return Result{}, err
	}
	secrets, parts, err := k.secrets(job)
	if err != nil {
		return Result{}, err
	}
	spec := stage.Spec{Steps: job.Steps, StdoutFiles: job.StdoutFiles, Unpack: inputDir + "/" + inputArchive, UnpackParts: parts,
		Report: &stage.Report{Nonce: hex.EncodeToString(nonce), Files: job.Collect}}
	arg, err := spec.Encode()
	if err != nil {
		return Result{}, fmt.Errorf("checking the job: %w", err)
	}
	if job.Egress != nil && len(job.Egress.Allow) > 0 {
		fmt.Fprintln(out, egressProxyOnlyLine)
	}
	suffix, err := kubeSuffix()
	if err != nil {
		return Result{}, err
	}
	e := &kubeRun{k: k, job: job, out: out, spec: spec, name: kubeName(job.RunID, suffix)}
	defer e.cleanup(ctx)
	res, err := e.run(ctx, arg, secrets, parts)
	if err != nil {
		return res, fmt.Errorf("run %s: %w", job.RunID, err)
	}
	k.log.Info("run finished", "run", job.RunID, "exit_code", res.ExitCode,
		"duration", time.Since(start).Round(time.Millisecond))
	return res, nil
}

// egressProxyOnlyLine says, in the output of a job with an egress allow-list, what holds
// it in on Kubernetes.
const egressProxyOnlyLine = "cloudoven: egress is held to the allow-list by a proxy terraform and its providers are pointed at (HTTPS_PROXY); on Kubernetes a program that ignores the proxy is not held in"

// kubeRun is one job on the cluster.
type kubeRun struct {
	k    *Kubernetes
	job  Job
	out  io.Writer
	spec stage.Spec
	name string

	created bool
	uid     types.UID
}

func (e *kubeRun) run(ctx context.Context, arg string, secrets []*corev1.Secret, parts int) (Result, error) {
	cs, ns := e.k.cs, e.k.namespace
	job := e.k.jobObject(e.job, e.name, arg, parts)
	created, err := cs.BatchV1().Jobs(ns).Create(ctx, job, metav1.CreateOptions{})
	switch {
	case apierrors.IsAlreadyExists(err):
		return Result{}, fmt.Errorf("job %s already exists: a job's name is drawn at random, draw again", e.name)
	case err != nil:
		return Result{}, interruptedBy(ctx, fmt.Errorf("creating job %s: %w", e.name, err))
	}
	e.created, e.uid = true, created.UID
	// The Job is created suspended, so that its pod starts only once what the pod mounts
	// exists; the Secret and the policy are owned by it, so they go with it.
	owner := []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "Job", Name: e.name, UID: created.UID}}
	for i, secret := range secrets {
		secret.Name, secret.OwnerReferences = secretName(e.name, i), owner
		if _, err := cs.CoreV1().Secrets(ns).Create(ctx, secret, metav1.CreateOptions{}); err != nil {
			return Result{}, interruptedBy(ctx, fmt.Errorf("creating secret %s: %w", secret.Name, err))
		}
	}
	if policy, err := e.k.networkPolicy(ctx, e.job, e.name); err != nil {
		return Result{}, err
	} else if policy != nil {
		policy.OwnerReferences = owner
		if _, err := cs.NetworkingV1().NetworkPolicies(ns).Create(ctx, policy, metav1.CreateOptions{}); err != nil {
			return Result{}, interruptedBy(ctx, fmt.Errorf("creating network policy %s: %w", e.name, err))
		}
	}
	if _, err := cs.BatchV1().Jobs(ns).Patch(ctx, e.name, types.MergePatchType,
		[]byte(`{"spec":{"suspend":false}}`), metav1.PatchOptions{}); err != nil {
		return Result{}, interruptedBy(ctx, fmt.Errorf("starting job %s: %w", e.name, err))
	}
	return e.follow(ctx)
}

// cleanup deletes the Job, its pod, Secret and policy with it, whatever state it ended in.
// A failure is logged: the Job's TTL and RemoveOrphans reap what is left.
func (e *kubeRun) cleanup(ctx context.Context) {
	if !e.created {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if err := e.k.deleteJob(ctx, e.name, e.uid); err != nil {
		e.k.log.Warn("deleting job", "run", e.job.RunID, "job", e.name, "err", err)
	}
}

// deleteJob deletes a Job, foreground: its pod gets the grace period to stop.
func (k *Kubernetes) deleteJob(ctx context.Context, name string, uid types.UID) error {
	grace := int64(k.grace.Seconds())
	policy := metav1.DeletePropagationForeground
	opts := metav1.DeleteOptions{GracePeriodSeconds: &grace, PropagationPolicy: &policy}
	if uid != "" {
		opts.Preconditions = &metav1.Preconditions{UID: &uid}
	}
	err := k.cs.BatchV1().Jobs(k.namespace).Delete(ctx, name, opts)
	if err != nil && !apierrors.IsNotFound(err) {
		return err
	}
	return nil
}

// interruptedBy returns why ctx ended (a cancel or the job's timeout) in place of err, whose
// cause it most likely is.
func interruptedBy(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return err
}
