package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
)

// removePoll is how often RemoveRun looks whether a deleted Job is gone.
const removePoll = 500 * time.Millisecond

// RemoveOrphans deletes the Jobs of this instance in the namespace (LabelRun and
// LabelInstance) of every run for which keep returns false, foreground, so their pods stop
// with the grace period and their Secrets and NetworkPolicies go with them, then any such
// Secret or NetworkPolicy left without its Job whose run keep does not keep; a nil keep
// keeps none. It returns how many Jobs it deleted. The run is read from the LabelRun
// annotation (the label may hold a hash of it), else the label. Call it at start-up,
// before this server runs any job: with one server on the database nothing of its instance
// is still wanted (keep none); with several replicas on one database, keep says which runs
// live replicas execute, so only what dead ones left goes. A run found dead while the
// server runs is RemoveRun's.
func (k *Kubernetes) RemoveOrphans(ctx context.Context, keep func(runID string) bool) (int, error) {
	if keep == nil {
		keep = func(string) bool { return false }
	}
	selector := metav1.ListOptions{LabelSelector: LabelRun + "," + LabelInstance + "=" + kubeLabel(k.instance)}
	list, err := k.cs.BatchV1().Jobs(k.namespace).List(ctx, selector)
	if err != nil {
		// An API server out of reach would make each list below wait as long again.
		return 0, fmt.Errorf("listing jobs: %w", err)
	}
	jobs, err := k.removeJobs(ctx, list.Items, keep)
	// A Secret or policy whose Job was never created, or is gone, has no owner to go with.
	return len(jobs), errors.Join(err, k.removeLeftovers(ctx, selector, keep, false))
}

// RemoveRun deletes whatever is left of one run of this instance: its Job, foreground (its
// pod gets SIGTERM and the grace period, as on a cancel), then its Secret and
// NetworkPolicy. It returns once the Job and its pod are gone, or when ctx ends. It is for
// a server that finds another replica's run dead (its lease expired) and must stop what
// may still run; nothing left is not an error.
func (k *Kubernetes) RemoveRun(ctx context.Context, runID string) error {
	if runID == "" {
		return errors.New("removing a run: no run id")
	}
	selector := metav1.ListOptions{LabelSelector: LabelRun + "=" + kubeLabel(runID) + "," + LabelInstance + "=" + kubeLabel(k.instance)}
	// The label may be a hash, which no other run id shares in practice; the annotation
	// says for sure.
	keep := func(id string) bool { return id != runID }
	list, err := k.cs.BatchV1().Jobs(k.namespace).List(ctx, selector)
	if err != nil {
		return fmt.Errorf("removing run %s: listing jobs: %w", runID, err)
	}
	jobs, err := k.removeJobs(ctx, list.Items, keep)
	errs := []error{err}
	for _, j := range jobs {
		// Foreground: the Job is gone only once its pods are.
		if err := k.waitJobGone(ctx, j.Name, j.UID); err != nil {
			errs = append(errs, fmt.Errorf("waiting for job %s to go: %w", j.Name, err))
		}
	}
	// Owned by the Job, the Secret and the policy would go with it, but only in the
	// background: they are deleted here, owned or not.
	errs = append(errs, k.removeLeftovers(ctx, selector, keep, true))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("removing run %s: %w", runID, err)
	}
	return nil
}

// removeJobs deletes, foreground, the jobs but those of the runs keep keeps, and returns
// those it deleted.
func (k *Kubernetes) removeJobs(ctx context.Context, jobs []batchv1.Job, keep func(string) bool) ([]batchv1.Job, error) {
	var removed []batchv1.Job
	var errs []error
	for _, j := range jobs {
		run := runOf(j.ObjectMeta)
		if keep(run) {
			continue
		}
		if err := k.deleteJob(ctx, j.Name, j.UID); err != nil {
			errs = append(errs, fmt.Errorf("deleting job %s: %w", j.Name, err))
			continue
		}
		removed = append(removed, j)
		k.log.Info("removed orphaned job", "run", run, "job", j.Name)
	}
	return removed, errors.Join(errs...)
}

// removeLeftovers deletes the Secrets and NetworkPolicies selector finds but those of the
// runs keep keeps; those with an owner (their Job, which they go with) only when owned is
// set.
func (k *Kubernetes) removeLeftovers(ctx context.Context, selector metav1.ListOptions, keep func(string) bool, owned bool) error {
	var errs []error
	secrets, err := k.cs.CoreV1().Secrets(k.namespace).List(ctx, selector)
	if err != nil {
		errs = append(errs, fmt.Errorf("listing secrets: %w", err))
	} else {
		for _, s := range secrets.Items {
			if (len(s.OwnerReferences) > 0 && !owned) || keep(runOf(s.ObjectMeta)) {
				continue
			}
			if err := k.cs.CoreV1().Secrets(k.namespace).Delete(ctx, s.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
				errs = append(errs, fmt.Errorf("deleting secret %s: %w", s.Name, err))
			}
		}
	}
	policies, err := k.cs.NetworkingV1().NetworkPolicies(k.namespace).List(ctx, selector)
	if err != nil {
		errs = append(errs, fmt.Errorf("listing network policies: %w", err))
	} else {
		for _, p := range policies.Items {
			if (len(p.OwnerReferences) > 0 && !owned) || keep(runOf(p.ObjectMeta)) {
				continue
			}
			if err := k.cs.NetworkingV1().NetworkPolicies(k.namespace).Delete(ctx, p.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
				errs = append(errs, fmt.Errorf("deleting network policy %s: %w", p.Name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// runOf is the run an object of a job belongs to: its LabelRun annotation, which holds the
// run id whole, else its LabelRun label (objects made before the annotation).
func runOf(m metav1.ObjectMeta) string {
	if run, ok := m.Annotations[LabelRun]; ok {
		return run
	}
	return m.Labels[LabelRun]
}

// waitJobGone waits until the Job of this uid is deleted. It lists rather than gets: the
// chart's Role lets the server list Jobs, not get them.
func (k *Kubernetes) waitJobGone(ctx context.Context, name string, uid types.UID) error {
	opts := metav1.ListOptions{FieldSelector: "metadata.name=" + name}
	return wait.PollUntilContextCancel(ctx, removePoll, true, func(ctx context.Context) (bool, error) {
		list, err := k.cs.BatchV1().Jobs(k.namespace).List(ctx, opts)
		if err != nil {
			return false, err
		}
		for _, j := range list.Items {
			if j.UID == uid {
				return false, nil
			}
		}
		return true, nil
	})
}
