package runner

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestKubernetesProvidersFromAClaim keeps the provider cache on a PersistentVolumeClaim, as
// a cluster of several nodes needs (an Azure Files share on AKS; a static hostPath volume
// here, the test cluster having no provisioner): the job mounts the claim read-only, each
// package by its path under the cache, and terraform installs the provider from there. A
// package outside the cache is refused before anything is created.
func TestKubernetesProvidersFromAClaim(t *testing.T) {
	t.Parallel()
	dir := buildPackage(t, runtime.GOARCH)
	root := filepath.Dir(dir)
	for _, d := range []string{dir, root} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	e := newKubernetes(t, KubernetesOptions{})
	ctx := context.Background()
	pv := &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{Name: e.ns + "-providers"},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")},
			AccessModes:                   []corev1.PersistentVolumeAccessMode{corev1.ReadOnlyMany},
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
			StorageClassName:              "",
			ClaimRef:                      &corev1.ObjectReference{Namespace: e.ns, Name: "provider-cache"},
			PersistentVolumeSource: corev1.PersistentVolumeSource{HostPath: &corev1.HostPathVolumeSource{
				Path: root, Type: ptr(corev1.HostPathDirectory)}},
		},
	}
	if _, err := e.cs.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		e.cs.CoreV1().PersistentVolumes().Delete(context.Background(), pv.Name, metav1.DeleteOptions{})
	})
	pvc := &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: "provider-cache", Namespace: e.ns},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadOnlyMany},
			StorageClassName: ptr(""),
			VolumeName:       pv.Name,
			Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}},
		},
	}
	if _, err := e.cs.CoreV1().PersistentVolumeClaims(e.ns).Create(ctx, pvc, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	k, err := NewKubernetes(mustConfig(t), KubernetesOptions{Namespace: e.ns, Instance: "test", ProviderClaim: "provider-cache", ProviderRoot: root})
	if err != nil {
		t.Fatal(err)
	}
	job := Job{
		RunID:     newRunID(t),
		Files:     map[string][]byte{"main.tf": []byte(testprovConfig)},
		Steps:     [][]string{{"init", "-input=false", "-no-color"}, {"plan", "-input=false", "-no-color"}},
		Providers: []ProviderPackage{{Path: testprovPath(runtime.GOARCH), Dir: dir}},
	}
	out := &output{t: t}
	res, err := k.Run(ctx, job, out)
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("run: %v, exit code %d\n%s", err, res.ExitCode, out)
	}
	if !out.has("Installed cloudoven/testprov v0.1.0 (unauthenticated)") || !out.has("Plan: 1 to add") {
		t.Errorf("the provider did not come from the claim:\n%s", out)
	}

	job.RunID, job.Providers = newRunID(t), []ProviderPackage{{Path: testprovPath(runtime.GOARCH), Dir: "/elsewhere/pkg"}}
	if _, err := k.Run(ctx, job, &output{t: t}); err == nil || !strings.Contains(err.Error(), "not inside the provider cache") {
		t.Errorf("a package outside the cache: %v, want it refused", err)
	}
	jobs, err := e.cs.BatchV1().Jobs(e.ns).List(ctx, metav1.ListOptions{LabelSelector: LabelRun + "=" + kubeLabel(job.RunID)})
	if err != nil || len(jobs.Items) != 0 {
		t.Errorf("a refused job created %d jobs (%v)", len(jobs.Items), err)
	}
}
