package runner

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/cloudoven/cloudoven/runner/stage"
)

// sumConfig outputs the SHA-256 of blob.bin as the job's workspace holds it.
const sumConfig = `output "sum" { value = filesha256("${path.module}/blob.bin") }` + "\n"

// A workspace over the 1 MiB one Secret holds (a large saved plan, say) is split over
// several Secrets and reaches terraform whole; one over what stage.MaxUnpackParts Secrets
// hold is refused before anything is created.
func TestKubernetesSplitsAWorkspaceOverSeveralSecrets(t *testing.T) {
	t.Parallel()
	big := make([]byte, 2500<<10)
	rand.Read(big) // incompressible
	sum := sha256.Sum256(big)
	job := Job{RunID: newRunID(t), Files: map[string][]byte{"main.tf": []byte(sumConfig), "blob.bin": big},
		Env:   map[string]string{"TF_VAR_token": strings.Repeat("t", 100<<10)},
		Steps: [][]string{{"init", "-input=false"}, {"apply", "-auto-approve", "-input=false"}}}

	k := &Kubernetes{namespace: "runs", instance: "test"}
	checked, err := job.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	secrets, parts, err := k.secrets(checked)
	if err != nil {
		t.Fatal(err)
	}
	if parts != 3 || len(secrets) != 3 {
		t.Errorf("2.5 MiB over %d parts in %d Secrets, want 3", parts, len(secrets))
	}
	for i, s := range secrets {
		size := 0
		for key, v := range s.Data {
			size += len(key) + len(v)
		}
		if size > maxSecret {
			t.Errorf("secret %d holds %d bytes, over the %d one may", i, size, maxSecret)
		}
	}

	e := newKubernetes(t, KubernetesOptions{})
	out := &output{t: t}
	res, err := e.k.Run(context.Background(), job, out)
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("run: exit %d, %v\n%s", res.ExitCode, err, strings.Join(out.lines, "\n"))
	}
	if text := strings.Join(out.lines, "\n"); !strings.Contains(text, hex.EncodeToString(sum[:])) {
		t.Errorf("terraform did not see blob.bin whole: want sum %x in\n%s", sum, text)
	}

	huge := make([]byte, (stage.MaxUnpackParts+1)<<20)
	rand.Read(huge)
	over := Job{RunID: newRunID(t), Files: map[string][]byte{"main.tf": []byte(sumConfig), "blob.bin": huge}, Steps: [][]string{{"init"}}}
	_, err = e.k.Run(context.Background(), over, &output{t: t})
	if !errors.Is(err, ErrWorkspaceTooLarge) || !strings.Contains(err.Error(), "Kubernetes Secrets") {
		t.Fatalf("run error %v, want ErrWorkspaceTooLarge saying the limit", err)
	}
	jobs, err := e.cs.BatchV1().Jobs(e.ns).List(context.Background(), metav1.ListOptions{LabelSelector: LabelRun + "=" + kubeLabel(over.RunID)})
	if err != nil || len(jobs.Items) != 0 {
		t.Errorf("a refused job created %d jobs (%v)", len(jobs.Items), err)
	}
}
