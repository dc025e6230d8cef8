package runner

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// providerClaimVolume is the name of the volume of KubernetesOptions.ProviderClaim in a
// job's pod.
const providerClaimVolume = "provider-cache"

// checkProviders refuses a provider package whose directory is not an absolute path, or,
// with a provider claim, not inside KubernetesOptions.ProviderRoot: the pod could not
// reach it.
func (k *Kubernetes) checkProviders(pkgs []ProviderPackage) error {
	for _, p := range pkgs {
		if !strings.HasPrefix(p.Dir, "/") {
			return fmt.Errorf("checking the job: provider package %s: directory %q is not an absolute path", p.Path, p.Dir)
		}
		if k.providerClaim != "" {
			if _, ok := k.claimSubPath(p.Dir); !ok {
				return fmt.Errorf("checking the job: provider package %s: directory %q is not inside the provider cache %q the claim %s holds",
					p.Path, p.Dir, k.providerRoot, k.providerClaim)
			}
		}
	}
	return nil
}

// claimSubPath is dir's path inside the provider claim's volume.
func (k *Kubernetes) claimSubPath(dir string) (string, bool) {
	rel, ok := strings.CutPrefix(path.Clean(dir), path.Clean(k.providerRoot)+"/")
	return rel, ok && rel != "" && path.Clean(rel) == rel && !strings.HasPrefix(rel, "../")
}

// providerVolumes are the volumes and mounts of a job's provider packages, each read-only
// at providersDir/<Path>: from the node (hostPath, the cache at the same path on every node
// that runs jobs), or, with KubernetesOptions.ProviderClaim, from that claim's volume by
// the package's path under ProviderRoot (one volume, a sub-path mount per package).
func (k *Kubernetes) providerVolumes(pkgs []ProviderPackage) ([]corev1.Volume, []corev1.VolumeMount) {
	var volumes []corev1.Volume
	var mounts []corev1.VolumeMount
	if len(pkgs) == 0 {
		// An empty mirror must exist: terraform says a missing one is missing rather
		// than that it lacks the provider.
		volumes = append(volumes, corev1.Volume{Name: "providers", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
		mounts = append(mounts, corev1.VolumeMount{Name: "providers", MountPath: providersDir, ReadOnly: true})
		return volumes, mounts
	}
	if k.providerClaim != "" {
		volumes = append(volumes, corev1.Volume{Name: providerClaimVolume, VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: k.providerClaim, ReadOnly: true}}})
		for _, p := range pkgs {
			sub, _ := k.claimSubPath(p.Dir) // checkProviders has checked it
			mounts = append(mounts, corev1.VolumeMount{Name: providerClaimVolume, MountPath: providersDir + "/" + p.Path, SubPath: sub, ReadOnly: true})
		}
		return volumes, mounts
	}
	for i, p := range pkgs {
		v := "provider-" + strconv.Itoa(i)
		volumes = append(volumes, corev1.Volume{Name: v, VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{
			Path: p.Dir, Type: ptr(corev1.HostPathDirectory)}}})
		mounts = append(mounts, corev1.VolumeMount{Name: v, MountPath: providersDir + "/" + p.Path, ReadOnly: true})
	}
	return volumes, mounts
}
