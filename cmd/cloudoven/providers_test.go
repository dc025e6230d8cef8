package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/internal/testregistry"
	"github.com/cloudoven/cloudoven/providers"
	"github.com/cloudoven/cloudoven/runner"
)

func TestProvidersCommands(t *testing.T) {
	tf := testenv.Terraform(t)
	reg := testregistry.New(t, testregistry.Provider{Namespace: "cloudoven", Type: "testprov", Versions: []string{"0.1.0", "0.2.0"},
		Binaries: map[string]string{"linux_amd64": testregistry.BuildProvider(t, "linux_amd64")}})
	// terraform reads the registry's certificate from the environment it inherits.
	t.Setenv("SSL_CERT_FILE", reg.CertFile)
	source := reg.Source("cloudoven", "testprov")
	data := t.TempDir()
	common := []string{"-data-dir", data, "-terraform", tf, "-volumes=false"}
	cli := func(args ...string) string {
		t.Helper()
		out, errOut, err := runCLI(t, append(args, common...)...)
		if err != nil {
			t.Fatalf("cloudoven %s: %v\n%s%s", strings.Join(args, " "), err, out, errOut)
		}
		return out
	}

	out := cli("providers", "install", "-provider", source, "-version", "0.1.0", "-platform", "linux_amd64")
	if !strings.Contains(out, "1 installed, 0 already in "+filepath.Join(data, "providers")) {
		t.Errorf("install:\n%s", out)
	}

	// A root module requiring 0.2.0, locked.
	mod := t.TempDir()
	main := `terraform {
  required_providers {
    testprov = {
      source  = "` + source + `"
      version = ">= 0.2.0"
    }
  }
}
`
	if err := os.WriteFile(filepath.Join(mod, "main.tf"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	out = cli("providers", "install", "-dir", mod, "-platform", "linux_amd64")
	if !strings.Contains(out, "0.2.0") || !strings.Contains(out, "1 installed, 0 already") {
		t.Errorf("install -dir:\n%s", out)
	}
	zh := reg.ArchiveHash("cloudoven", "testprov", "0.2.0", "linux_amd64")
	lock := providers.Lock{Providers: []providers.Locked{{Source: source, Version: "0.2.0", Hashes: []string{zh}}}}
	lockFile := filepath.Join(mod, providers.LockFileName)
	if err := os.WriteFile(lockFile, lock.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := cli("providers", "install", "-dir", mod, "-platform", "linux_amd64"); !strings.Contains(out, "0 installed, 1 already") {
		t.Errorf("install -dir with its lock file:\n%s", out)
	}

	out = cli("providers", "list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "SOURCE") {
		t.Fatalf("list:\n%s", out)
	}
	for i, v := range []string{"0.1.0", "0.2.0"} {
		f := strings.Fields(lines[i+1])
		if len(f) != 8 || f[0] != source || f[1] != v || f[2] != "linux_amd64" || f[4] != "MiB" || f[5] != "registry" || !strings.HasPrefix(f[6], "h1:") {
			t.Errorf("list line %q", lines[i+1])
		}
	}
	if !strings.Contains(lines[2], zh) {
		t.Errorf("list does not show 0.2.0's %s:\n%s", zh, out)
	}

	if out := cli("providers", "prune", "-keep", lockFile, "-dry-run"); !strings.Contains(out, "would remove "+source+" 0.1.0 for linux_amd64") || !strings.Contains(out, "1 would be removed (dry run), 1 kept") {
		t.Errorf("prune -dry-run:\n%s", out)
	}
	if out := cli("providers", "prune", "-keep", lockFile); !strings.Contains(out, "1 removed, 1 kept") {
		t.Errorf("prune:\n%s", out)
	}
	if out := cli("providers", "remove", "-provider", source, "-version", "0.2.0", "-platform", "linux_amd64"); !strings.Contains(out, "removed "+source+" 0.2.0") {
		t.Errorf("remove:\n%s", out)
	}
	if out := cli("providers", "list"); strings.Count(out, "\n") != 1 {
		t.Errorf("list after removing everything:\n%s", out)
	}

	for name, args := range map[string][]string{
		"prune without -keep":  {"providers", "prune"},
		"install nothing":      {"providers", "install"},
		"remove a stranger":    {"providers", "remove", "-provider", source, "-version", "9.9.9"},
		"a provider not there": {"providers", "install", "-provider", reg.Source("cloudoven", "nosuch")},
	} {
		if _, _, err := runCLI(t, append(args, common...)...); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestProvidersRemoveTakesTheVolumes(t *testing.T) {
	tf := testenv.Terraform(t)
	cli := testenv.Docker(t)
	testenv.RunnerImage(t)
	reg := testregistry.New(t, testregistry.Provider{Namespace: "cloudoven", Type: "testprov", Versions: []string{"0.1.0"},
		Binaries: map[string]string{"linux_amd64": testregistry.BuildProvider(t, "linux_amd64")}})
	t.Setenv("SSL_CERT_FILE", reg.CertFile)
	source := reg.Source("cloudoven", "testprov")
	data := t.TempDir()
	if _, errOut, err := runCLI(t, "providers", "install", "-data-dir", data, "-terraform", tf, "-provider", source, "-platform", "linux_amd64"); err != nil {
		t.Fatalf("install: %v\n%s", err, errOut)
	}
	// The volume serve fills for a run: serve's instance is its database's.
	cache, err := providers.Open(filepath.Join(data, "providers"), providers.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := cache.List(context.Background())
	if err != nil || len(pkgs) != 1 {
		t.Fatalf("list: %v, %v", pkgs, err)
	}
	db, _ := filepath.Abs(filepath.Join(data, "cloudoven.db"))
	vols, err := providers.NewVolumes(cli, runner.DefaultImage, instanceOf(db), cache).Ensure(context.Background(), pkgs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.VolumeRemove(context.Background(), vols[0].Volume, true) })

	out, errOut, err := runCLI(t, "providers", "remove", "-data-dir", data, "-provider", source, "-version", "0.1.0", "-platform", "linux_amd64")
	if err != nil {
		t.Fatalf("remove: %v\n%s%s", err, out, errOut)
	}
	if _, err := cli.VolumeInspect(context.Background(), vols[0].Volume); err == nil {
		t.Errorf("volume %s is still there", vols[0].Volume)
	}
	if pkgs, _ := cache.List(context.Background()); len(pkgs) != 0 {
		t.Errorf("still cached: %+v", pkgs)
	}
}
