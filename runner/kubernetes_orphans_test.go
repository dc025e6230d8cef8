// The Kubernetes executor's sweeps: what a previous process left, and one run another
// server found dead.

package runner

import (
	"context"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// RemoveOrphans deletes what its own instance left of the runs it does not keep, and
// nothing of the runs it keeps (another live replica's), nor anything of another server
// sharing the namespace.
func TestKubernetesRemoveOrphans(t *testing.T) {
	t.Parallel()
	e := newKubernetes(t, KubernetesOptions{Instance: "orphans"})
	other, err := NewKubernetes(mustConfig(t), KubernetesOptions{Namespace: e.ns, Instance: "another"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// What a crash leaves: a Job (suspended, as before its pod started) and a Secret
	// without its Job, of a dead run and a live one of this instance's, and of another
	// server's run.
	dead, live, others := newRunID(t), newRunID(t), newRunID(t)
	for runID, k := range map[string]*Kubernetes{dead: e.k, live: e.k, others: other} {
		job := Job{RunID: runID, Steps: [][]string{{"version"}}, Files: map[string][]byte{"main.tf": nil}}
		job, _ = job.withDefaults()
		if _, err := e.cs.BatchV1().Jobs(e.ns).Create(ctx, k.jobObject(job, kubeName(job.RunID, "a1b2c3"), "{}", 0), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		secrets, _, err := k.secrets(job)
		if err != nil {
			t.Fatal(err)
		}
		secret := secrets[0]
		secret.Name = kubeName(job.RunID, "d4e5f6")
		if _, err := e.cs.CoreV1().Secrets(e.ns).Create(ctx, secret, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := e.k.RemoveOrphans(ctx, func(runID string) bool { return runID == live })
	if err != nil || n != 1 {
		t.Fatalf("RemoveOrphans = %d, %v; want 1 job", n, err)
	}
	for runID, want := range map[string]int{dead: 0, live: 1, others: 1} {
		sel := metav1.ListOptions{LabelSelector: LabelRun + "=" + kubeLabel(runID)}
		err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
			jobs, err := e.cs.BatchV1().Jobs(e.ns).List(ctx, sel)
			if err != nil {
				return false, err
			}
			secrets, err := e.cs.CoreV1().Secrets(e.ns).List(ctx, sel)
			return err == nil && len(jobs.Items) == want && len(secrets.Items) == want, err
		})
		if err != nil {
			t.Errorf("run %s: want %d job and secret left: %v", runID, want, err)
		}
	}
}

// RemoveRun, as another replica of the same instance calls it on a run whose server died,
// deletes the run's running Job and returns once it is gone, its pod, Secret and
// NetworkPolicy with it; a second call finds nothing and is no error.
func TestKubernetesRemoveRunStopsItsJob(t *testing.T) {
	t.Parallel()
	e := newKubernetes(t, KubernetesOptions{})
	b := nodeBackend(t, e)
	job := lockedJob(t, b)
	// Egress held to the state backend: the job gets a NetworkPolicy too.
	job.NetworkMode = "bridge"
	job.Egress = &Egress{State: b.url}

	type result struct {
		res Result
		err error
	}
	done := make(chan result, 1)
	out := &output{t: t}
	go func() {
		res, err := e.k.Run(context.Background(), job, out)
		done <- result{res, err}
	}()
	select {
	case <-b.locked:
	case r := <-done:
		t.Fatalf("the run ended before terraform waited on the lock: %+v, %v\n%s", r.res, r.err, out)
	}
	policies, err := e.cs.NetworkingV1().NetworkPolicies(e.ns).List(context.Background(), metav1.ListOptions{})
	if err != nil || len(policies.Items) != 1 {
		t.Fatalf("network policies %d, %v; want the job's", len(policies.Items), err)
	}

	replica, err := NewKubernetes(mustConfig(t), KubernetesOptions{Namespace: e.ns, Instance: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := replica.RemoveRun(ctx, job.RunID); err != nil {
		t.Fatal(err)
	}
	sel := metav1.ListOptions{LabelSelector: LabelRun + "=" + kubeLabel(job.RunID)}
	jobs, err := e.cs.BatchV1().Jobs(e.ns).List(ctx, sel)
	if err != nil {
		t.Fatal(err)
	}
	pods, err := e.cs.CoreV1().Pods(e.ns).List(ctx, sel)
	if err != nil {
		t.Fatal(err)
	}
	secrets, err := e.cs.CoreV1().Secrets(e.ns).List(ctx, sel)
	if err != nil {
		t.Fatal(err)
	}
	policies, err = e.cs.NetworkingV1().NetworkPolicies(e.ns).List(ctx, sel)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs.Items)+len(pods.Items)+len(secrets.Items)+len(policies.Items) > 0 {
		t.Errorf("after RemoveRun: %d jobs, %d pods, %d secrets, %d network policies left",
			len(jobs.Items), len(pods.Items), len(secrets.Items), len(policies.Items))
	}
	// The server that ran it is gone in production; here its Run sees the pod end.
	r := <-done
	if r.err == nil && r.res.ExitCode == 0 {
		t.Errorf("the run whose job was removed succeeded\n%s", out)
	}
	t.Logf("the run ended: exit code %d, %v", r.res.ExitCode, r.err)
	if err := replica.RemoveRun(ctx, job.RunID); err != nil {
		t.Errorf("removing the run again: %v", err)
	}
}
