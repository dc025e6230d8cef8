package testregistry

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/internal/testenv"
)

// TestTerraformInstallsFromTheRegistry is the registry's own proof: terraform finds it by
// service discovery, checks the archive against the signed SHA256SUMS, and runs the
// provider it installed.
func TestTerraformInstallsFromTheRegistry(t *testing.T) {
	tf := testenv.Terraform(t)
	reg := New(t, Provider{Namespace: "cloudoven", Type: "testprov", Versions: []string{"0.1.0", "0.2.0"},
		Binaries: map[string]string{"linux_amd64": BuildProvider(t, "linux_amd64")}})
	dir := t.TempDir()
	cfg := `terraform {
  required_providers {
    testprov = {
      source  = "` + reg.Source("cloudoven", "testprov") + `"
      version = "~> 0.1.0"
    }
  }
}

resource "testprov_widget" "w" {
  name = "from-the-registry"
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	run := func(args ...string) string {
		cmd := exec.CommandContext(ctx, tf, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+os.DevNull, "CHECKPOINT_DISABLE=1", "SSL_CERT_FILE="+reg.CertFile, "TF_IN_AUTOMATION=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	out := run("init", "-input=false", "-no-color")
	for _, want := range []string{"Installed " + reg.Source("cloudoven", "testprov") + " v0.1.0 (self-signed, key ID " + reg.KeyID() + ")", "Terraform has been successfully initialized"} {
		if !strings.Contains(out, want) {
			t.Errorf("init output lacks %q:\n%s", want, out)
		}
	}
	lock, err := os.ReadFile(filepath.Join(dir, ".terraform.lock.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if zh := reg.ArchiveHash("cloudoven", "testprov", "0.1.0", "linux_amd64"); !strings.Contains(string(lock), zh) {
		t.Errorf("the lock file lacks the archive's %s:\n%s", zh, lock)
	}
	if out := run("plan", "-input=false", "-no-color"); !strings.Contains(out, "Plan: 1 to add") {
		t.Errorf("plan:\n%s", out)
	}
	if reg.Downloads() != 1 {
		t.Errorf("%d archives downloaded, want 1", reg.Downloads())
	}
}
