package runner

import (
	"context"
	"fmt"
	"io"
	"os"
	"testing"
)

// BenchmarkPlan100Kubernetes is BenchmarkPlan100's plan stage as a Kubernetes Job on the
// test cluster: the Job and its Secret created, the pod scheduled and started, init, plan
// and show through the stage driver, the saved plan read back through the pod's log, the
// Job deleted. Run it beside BenchmarkPlan100 (-bench Plan100) to compare with a Docker
// container and bare terraform on the same configuration.
func BenchmarkPlan100Kubernetes(b *testing.B) {
	config := plan100()
	e := newKubernetes(b, KubernetesOptions{})
	for i := 0; b.Loop(); i++ {
		res, err := e.k.Run(context.Background(), Job{
			RunID:       fmt.Sprintf("bench-%d-%d", os.Getpid(), i),
			Files:       map[string][]byte{"main.tf": config},
			Steps:       planStage,
			Collect:     []string{"tfplan"},
			NetworkMode: "none",
		}, io.Discard)
		if err != nil || res.ExitCode != 0 || len(res.Files["tfplan"]) == 0 {
			b.Fatalf("plan in kubernetes: exit %d, err %v", res.ExitCode, err)
		}
	}
}
