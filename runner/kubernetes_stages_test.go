// The stages of one run on Kubernetes: a plan, then its apply, Jobs of the same run.

package runner

import (
	"context"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// A run's next stage (its apply) starts while the Job of its previous one (its plan) and
// that Job's Secret are still being deleted, as they are for as long as the pod takes to
// go after the plan has returned (a foreground deletion; the Secret goes after its Job).
// A finalizer holds the previous Job in deletion here, whatever the timing: the stage runs
// beside it. Then two stages back to back, as a plan approved at once and its apply are.
func TestKubernetesStagesOfOneRunFollowEachOther(t *testing.T) {
	t.Parallel()
	e := newKubernetes(t, KubernetesOptions{})
	ctx := context.Background()
	job := Job{RunID: newRunID(t), Files: map[string][]byte{"main.tf": []byte(dataConfig)}, Steps: [][]string{{"version"}}}

	checked, err := job.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	prevName := kubeName(job.RunID, "0a0a0a")
	previous := e.k.jobObject(checked, prevName, "{}", 0)
	previous.Finalizers = []string{"cloudoven.test/hold"}
	prev, err := e.cs.BatchV1().Jobs(e.ns).Create(ctx, previous, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	release := func() {
		e.cs.BatchV1().Jobs(e.ns).Patch(context.Background(), prevName, types.MergePatchType, []byte(`{"metadata":{"finalizers":null}}`), metav1.PatchOptions{})
	}
	t.Cleanup(release)
	secrets, _, err := e.k.secrets(checked)
	if err != nil {
		t.Fatal(err)
	}
	secret := secrets[0]
	secret.Name = prevName
	secret.OwnerReferences = []metav1.OwnerReference{{APIVersion: "batch/v1", Kind: "Job", Name: prevName, UID: prev.UID}}
	if _, err := e.cs.CoreV1().Secrets(e.ns).Create(ctx, secret, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := e.k.deleteJob(ctx, prevName, prev.UID); err != nil {
		t.Fatal(err)
	}

	for i := range 3 {
		out := &output{t: t}
		res, err := e.k.Run(ctx, job, out)
		if err != nil || res.ExitCode != 0 {
			t.Fatalf("stage %d of the run: %v, exit code %d\n%s", i+1, err, res.ExitCode, out)
		}
		if !out.has("Terraform v1.5.7") {
			t.Errorf("stage %d's output lacks terraform's version:\n%s", i+1, out)
		}
		if i == 0 {
			release()
		}
	}
	e.assertJobGone(t, job.RunID)
}
