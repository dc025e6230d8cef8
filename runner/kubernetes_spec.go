package runner

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/cloudoven/cloudoven/runner/stage"
)

// What a job is made of on Kubernetes: its Job (and the pod template with the hardening
// every pod gets), its Secret, and the names and labels they carry.

const (
	kubeUID = 1000
	// kubeTmpSize bounds /tmp, like the Docker executor's tmpfs.
	kubeTmpSize = 256 << 20
	// kubeWorkspaceSize bounds the workspace emptyDir.
	kubeWorkspaceSize = 4 << 30
)

var labelValuePattern = regexp.MustCompile(`^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$`)

// kubeLabel is value as a label value: itself when valid, else a hash of it (label values
// are at most 63 characters).
func kubeLabel(value string) string {
	if labelValuePattern.MatchString(value) {
		return value
	}
	sum := sha256.Sum256([]byte(value))
	return "h-" + hex.EncodeToString(sum[:16])
}

// kubeName is a job's Job, Secret and NetworkPolicy name: the run id (a hash of it when
// the name would pass the 63 characters a Job's name may have) and the job's own suffix.
// The stages of a run are Jobs of their own names: a plan's Job, deleted in the
// foreground, and its Secret, which the garbage collector deletes after it, may still be
// there when the apply's are created.
func kubeName(runID, suffix string) string {
	if name := "cloudoven-run-" + runID + "-" + suffix; len(name) <= 63 {
		return name
	}
	sum := sha256.Sum256([]byte(runID))
	return "cloudoven-run-h-" + hex.EncodeToString(sum[:16]) + "-" + suffix
}

// kubeSuffix is a job's random name suffix: 6 hex digits.
func kubeSuffix() (string, error) {
	b := make([]byte, 3)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// labels are what every object of a job carries: RemoveOrphans finds them by the instance,
// RemoveRun by the run.
func (k *Kubernetes) labels(runID string) map[string]string {
	return map[string]string{LabelRun: kubeLabel(runID), LabelInstance: kubeLabel(k.instance)}
}

// annotations are what the Job, the Secret and the NetworkPolicy of a job carry beside their
// labels: the run id and the instance whole, where a label may hold a hash of them, so that
// RemoveOrphans can ask whether the run is kept.
func (k *Kubernetes) annotations(runID string) map[string]string {
	return map[string]string{LabelRun: runID, LabelInstance: k.instance}
}

// envNames are the job's environment variable names in a stable order; the i-th one's
// value is the Secret's key envKey(i).
func envNames(env map[string]string) []string {
	names := make([]string, 0, len(env))
	for name := range env {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func envKey(i int) string { return "env-" + strconv.Itoa(i) }

// secretPart bounds the part of the workspace archive one Secret holds when the archive is
// split: under the 1 MiB a Secret may hold, with room for its key.
const secretPart = maxSecret - 1<<10

// partKey is the Secret key, and the file under inputDir, of part i of a split archive.
func partKey(i int) string { return inputArchive + "." + strconv.Itoa(i) }

// secretName is the name of the job's i-th Secret: the Job's name, then <name>-<i>.
func secretName(name string, i int) string {
	if i == 0 {
		return name
	}
	return name + "-" + strconv.Itoa(i)
}

// secrets are the job's Secrets in order, unnamed (secretName names them): the first holds
// the values of Env and, when they fit in it, the workspace files as a gzip-compressed tar
// (parts 0). A larger archive is split: the first Secret holds Env and the archive's first
// part, each further Secret one more part, up to stage.MaxUnpackParts parts, which the
// driver reads in order as one (stage.Spec.UnpackParts). A job that needs more is refused.
func (k *Kubernetes) secrets(job Job) (secrets []*corev1.Secret, parts int, err error) {
	archive, err := workspaceArchive(job.Files, job.Extra)
	if err != nil {
		return nil, 0, err
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := io.Copy(zw, archive); err != nil {
		return nil, 0, fmt.Errorf("compressing the workspace: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, 0, fmt.Errorf("compressing the workspace: %w", err)
	}
	first := map[string][]byte{}
	envSize := 0
	for i, name := range envNames(job.Env) {
		first[envKey(i)] = []byte(job.Env[name])
		envSize += len(envKey(i)) + len(job.Env[name])
	}
	newSecret := func(data map[string][]byte) *corev1.Secret {
		return &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: k.namespace, Labels: k.labels(job.RunID), Annotations: k.annotations(job.RunID)},
			Type:       corev1.SecretTypeOpaque,
			Immutable:  ptr(true),
			Data:       data,
		}
	}
	if envSize+len(inputArchive)+buf.Len() <= maxSecret {
		first[inputArchive] = buf.Bytes()
		return []*corev1.Secret{newSecret(first)}, 0, nil
	}
	room := maxSecret - envSize - len(partKey(0))
	if room < 0 {
		return nil, 0, fmt.Errorf("checking the job: its environment takes %d KiB, more than the %d KiB one Kubernetes Secret holds: %w",
			(envSize+1023)>>10, maxSecret>>10, ErrWorkspaceTooLarge)
	}
	rest := buf.Bytes()
	chunks := [][]byte{rest[:min(room, len(rest))]}
	for rest = rest[len(chunks[0]):]; len(rest) > 0; rest = rest[len(chunks[len(chunks)-1]):] {
		chunks = append(chunks, rest[:min(secretPart, len(rest))])
	}
	if len(chunks) > stage.MaxUnpackParts {
		return nil, 0, fmt.Errorf("checking the job: its files take %d KiB compressed, more than the %d Kubernetes Secrets of %d KiB a job's files may be split over: make the workspace smaller or run it with the Docker executor: %w",
			buf.Len()>>10, stage.MaxUnpackParts, secretPart>>10, ErrWorkspaceTooLarge)
	}
	first[partKey(0)] = chunks[0]
	secrets = []*corev1.Secret{newSecret(first)}
	for i, c := range chunks[1:] {
		secrets = append(secrets, newSecret(map[string][]byte{partKey(i + 1): c}))
	}
	return secrets, len(chunks), nil
}

// jobObject is the job's Job, suspended, its pod running the stage driver with arg, its
// files in the Secret named name, or, split into parts, in the Secrets secretName names.
func (k *Kubernetes) jobObject(job Job, name, arg string, parts int) *batchv1.Job {
	labels := k.labels(job.RunID)
	var env []corev1.EnvVar
	// The job's Env wins over these, as in the Docker executor.
	for _, kv := range [][2]string{{"TF_IN_AUTOMATION", "1"}, {"TF_INPUT", "0"}, {"HOME", "/tmp"}, {"CHECKPOINT_DISABLE", "1"}} {
		if _, ok := job.Env[kv[0]]; !ok {
			env = append(env, corev1.EnvVar{Name: kv[0], Value: kv[1]})
		}
	}
	for i, n := range envNames(job.Env) {
		env = append(env, corev1.EnvVar{Name: n, ValueFrom: &corev1.EnvVarSource{
			SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: envKey(i)}}})
	}
	mounts := []corev1.VolumeMount{
		{Name: "workspace", MountPath: workdir},
		{Name: "tmp", MountPath: "/tmp"},
		{Name: "input", MountPath: inputDir, ReadOnly: true},
	}
	volumes := []corev1.Volume{
		{Name: "workspace", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{
			SizeLimit: resource.NewQuantity(kubeWorkspaceSize, resource.BinarySI)}}},
		{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{
			Medium: corev1.StorageMediumMemory, SizeLimit: resource.NewQuantity(kubeTmpSize, resource.BinarySI)}}},
		{Name: "input", VolumeSource: inputVolume(name, parts)},
	}
	if job.Providers != nil {
		// Set after Env, which withDefaults has checked does not name it.
		env = append(env, corev1.EnvVar{Name: "TF_CLI_CONFIG_FILE", Value: workdir + "/" + cliConfigName})
		vs, ms := k.providerVolumes(job.Providers)
		volumes, mounts = append(volumes, vs...), append(mounts, ms...)
	}
	var sidecars []corev1.Container
	if job.Egress != nil && len(job.Egress.Allow) > 0 {
		// Set after Env, which withDefaults has checked does not name them.
		for _, n := range []string{"HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"} {
			env = append(env, corev1.EnvVar{Name: n, Value: "http://127.0.0.1:" + egressPort})
		}
		env = append(env, corev1.EnvVar{Name: "NO_PROXY", Value: ""}, corev1.EnvVar{Name: "no_proxy", Value: ""})
		sidecars = append(sidecars, k.egressSidecar(job))
	}
	cpu := resource.NewMilliQuantity(int64(math.Ceil(job.Limits.CPUs*1000)), resource.DecimalSI)
	mem := resource.NewQuantity(job.Limits.MemoryBytes, resource.BinarySI)
	// Requests are a quarter of the limits: a job mostly waits on the network, and
	// requests equal to the limits would leave a small node running one job at a time.
	cpuReq := resource.NewMilliQuantity(max(100, cpu.MilliValue()/4), resource.DecimalSI)
	memReq := resource.NewQuantity(max(64<<20, job.Limits.MemoryBytes/4), resource.BinarySI)
	uid := int64(kubeUID)
	deadline := int64(math.Ceil(job.Timeout.Seconds()))
	grace := int64(math.Ceil(k.grace.Seconds()))
	return &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: k.namespace, Labels: labels,
			Annotations: k.annotations(job.RunID)},
		Spec: batchv1.JobSpec{
			Suspend:                 ptr(true),
			BackoffLimit:            ptr(int32(0)),
			ActiveDeadlineSeconds:   &deadline,
			TTLSecondsAfterFinished: ptr(int32(k.ttl.Seconds())),
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					RestartPolicy:                 corev1.RestartPolicyNever,
					AutomountServiceAccountToken:  ptr(false),
					EnableServiceLinks:            ptr(false),
					TerminationGracePeriodSeconds: &grace,
					SecurityContext: &corev1.PodSecurityContext{
						RunAsNonRoot:   ptr(true),
						RunAsUser:      &uid,
						RunAsGroup:     &uid,
						FSGroup:        &uid,
						SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
					},
					InitContainers: sidecars,
					Containers: []corev1.Container{{
						Name:            kubeContainer,
						Image:           job.Image,
						ImagePullPolicy: k.pull,
						Command:         []string{stage.Path},
						Args:            []string{arg},
						WorkingDir:      workdir,
						Env:             env,
						VolumeMounts:    mounts,
						Resources: corev1.ResourceRequirements{
							Limits:   corev1.ResourceList{corev1.ResourceCPU: *cpu, corev1.ResourceMemory: *mem},
							Requests: corev1.ResourceList{corev1.ResourceCPU: *cpuReq, corev1.ResourceMemory: *memReq},
						},
						SecurityContext: &corev1.SecurityContext{
							RunAsNonRoot:             ptr(true),
							RunAsUser:                &uid,
							RunAsGroup:               &uid,
							Privileged:               ptr(false),
							AllowPrivilegeEscalation: ptr(false),
							ReadOnlyRootFilesystem:   ptr(true),
							Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
							SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
						},
						TerminationMessagePolicy: corev1.TerminationMessageReadFile,
					}},
					Volumes: volumes,
				},
			},
		},
	}
}

// egressSidecar is the job's egress proxy (package egress), a sidecar in the job's pod:
// started, and listening (its startup probe), before the stage container starts, and
// stopped when it ends. It shares the pod's network, so steps reach it on loopback.
func (k *Kubernetes) egressSidecar(job Job) corev1.Container {
	uid := int64(65534)
	port := intstr.Parse(egressPort)
	return corev1.Container{
		Name:            "egress",
		Image:           k.egressImage,
		ImagePullPolicy: k.pull,
		Args:            job.Egress.args(),
		RestartPolicy:   ptr(corev1.ContainerRestartPolicyAlways),
		StartupProbe: &corev1.Probe{
			ProbeHandler:     corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: port}},
			PeriodSeconds:    1,
			FailureThreshold: 30,
		},
		Resources: corev1.ResourceRequirements{
			Limits: corev1.ResourceList{
				corev1.ResourceCPU:    *resource.NewMilliQuantity(egressCPUs*1000, resource.DecimalSI),
				corev1.ResourceMemory: *resource.NewQuantity(egressMemoryBytes, resource.BinarySI),
			},
		},
		SecurityContext: &corev1.SecurityContext{
			RunAsNonRoot:             ptr(true),
			RunAsUser:                &uid,
			RunAsGroup:               &uid,
			Privileged:               ptr(false),
			AllowPrivilegeEscalation: ptr(false),
			ReadOnlyRootFilesystem:   ptr(true),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
	}
}

func ptr[T any](v T) *T { return &v }

// inputVolume mounts the job's files: the one Secret's archive, or the parts of a split
// archive from each Secret, side by side.
func inputVolume(name string, parts int) corev1.VolumeSource {
	if parts == 0 {
		return corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
			SecretName: name, DefaultMode: ptr(int32(0o440)),
			Items: []corev1.KeyToPath{{Key: inputArchive, Path: inputArchive}}}}
	}
	sources := make([]corev1.VolumeProjection, parts)
	for i := range parts {
		sources[i] = corev1.VolumeProjection{Secret: &corev1.SecretProjection{
			LocalObjectReference: corev1.LocalObjectReference{Name: secretName(name, i)},
			Items:                []corev1.KeyToPath{{Key: partKey(i), Path: partKey(i)}}}}
	}
	return corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: sources, DefaultMode: ptr(int32(0o440))}}
}
