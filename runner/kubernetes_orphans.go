package runner

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// RemoveOrphans deletes every Job of this instance in the namespace (LabelRun and
// LabelInstance), foreground, so their pods stop with the grace period and their Secrets
// and NetworkPolicies go with them, then any such Secret or NetworkPolicy left without
// its Job; it returns how many Jobs it deleted. Call it at start-up, before any job runs:
// whatever carries this instance's label was left by a crash.
func (k *Kubernetes) RemoveOrphans(ctx context.Context) (int, error) {
	selector := metav1.ListOptions{LabelSelector: LabelRun + "," + LabelInstance + "=" + kubeLabel(k.instance)}
	jobs, err := k.cs.BatchV1().Jobs(k.namespace).List(ctx, selector)
	if err != nil {
		return 0, fmt.Errorf("listing jobs: %w", err)
	}
	removed := 0
	var errs []error
	for _, j := range jobs.Items {
		if err := k.deleteJob(ctx, j.Name, j.UID); err != nil {
			errs = append(errs, fmt.Errorf("deleting job %s: %w", j.Name, err))
			continue
		}
		removed++
		k.log.Info("removed orphaned job", "run", j.Annotations[LabelRun], "job", j.Name)
	}
	// A Secret or policy whose Job was never created, or is gone, has no owner to go with.
	secrets, err := k.cs.CoreV1().Secrets(k.namespace).List(ctx, selector)
	if err != nil {
		errs = append(errs, fmt.Errorf("listing secrets: %w", err))
	} else {
		for _, s := range secrets.Items {
			if len(s.OwnerReferences) > 0 {
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
			if len(p.OwnerReferences) > 0 {
				continue
			}
			if err := k.cs.NetworkingV1().NetworkPolicies(k.namespace).Delete(ctx, p.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
				errs = append(errs, fmt.Errorf("deleting network policy %s: %w", p.Name, err))
			}
		}
	}
	return removed, errors.Join(errs...)
}
