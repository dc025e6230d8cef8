package providers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/runner"
)

// timeConfig needs the real hashicorp/time provider, which checks values in its code.
var timeConfig = []byte(`terraform {
  required_providers {
    time = {
      source  = "hashicorp/time"
      version = "` + testenv.TimeProviderVersion + `"
    }
  }
}

resource "time_rotating" "r" {
  rotation_days = 30
}

resource "time_static" "s" {}
`)

// benchServer is a Server over a fresh cache filled from a mirror with the real time
// provider, whose runs read Docker volumes, and the Docker executor.
func benchServer(b *testing.B) (*Server, *runner.Docker) {
	b.Helper()
	testenv.RunnerImage(b)
	cli := testenv.Docker(b)
	mirror := testenv.ProviderMirror(b)
	id := make([]byte, 6)
	if _, err := rand.Read(id); err != nil {
		b.Fatal(err)
	}
	instance := "bench-" + hex.EncodeToString(id)
	cache, err := Open(b.TempDir(), Options{Terraform: testenv.Terraform(b), Mirror: mirror})
	if err != nil {
		b.Fatal(err)
	}
	volumes := NewVolumes(cli, runner.DefaultImage, instance, cache)
	docker, err := runner.NewDocker(runner.DockerOptions{Instance: instance})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ctx := context.Background()
		docker.RemoveOrphans(ctx, nil)
		docker.Close()
		pkgs, _ := cache.List(ctx)
		for _, p := range pkgs {
			if err := volumes.Remove(ctx, p.Source, p.Version, p.Platform); err != nil {
				b.Errorf("removing a package's volume: %v", err)
			}
		}
	})
	return &Server{Cache: cache, Volumes: volumes, Platform: docker.Platform}, docker
}

// BenchmarkInitValidate is terraform init + validate of a configuration needing the real
// time provider: in CloudOven's container, reading the package from the cache's volume
// (docker), against bare terraform on the host reading the cache's directory as its
// filesystem mirror (host). The cache is warm in both: what every run after the first pays.
func BenchmarkInitValidate(b *testing.B) {
	srv, docker := benchServer(b)
	ctx := context.Background()
	files := map[string][]byte{"main.tf": timeConfig}
	pkgs, err := srv.Packages(ctx, files)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("docker", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			res, err := docker.Run(ctx, runner.Job{RunID: fmt.Sprintf("bench-iv-%s-%d", hex.EncodeToString([]byte(b.Name()))[:8], i),
				Files: files, Steps: [][]string{{"init", "-input=false", "-no-color"}, {"validate", "-no-color"}},
				NetworkMode: "none", Providers: pkgs}, nil)
			if err != nil || res.ExitCode != 0 {
				b.Fatalf("exit %d, %v", res.ExitCode, err)
			}
		}
	})
	b.Run("host", func(b *testing.B) {
		tf := testenv.Terraform(b)
		rc := filepath.Join(b.TempDir(), "terraformrc")
		if err := os.WriteFile(rc, []byte("provider_installation {\n  filesystem_mirror {\n    path = \""+srv.Cache.Dir()+"\"\n  }\n}\n"), 0o644); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			dir := b.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "main.tf"), timeConfig, 0o644); err != nil {
				b.Fatal(err)
			}
			for _, args := range [][]string{{"init", "-input=false", "-no-color"}, {"validate", "-no-color"}} {
				cmd := exec.Command(tf, args...)
				cmd.Dir = dir
				cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("terraform %s: %v\n%s", args[0], err, out)
				}
			}
		}
	})
}

// BenchmarkTenConcurrentRuns starts ten runs at once, each needing the time provider, on a
// cold cache: each asks the Server for its packages, then runs init + validate in its
// container. installs/op counts the packages the cache installed for the ten (the goal is
// one).
func BenchmarkTenConcurrentRuns(b *testing.B) {
	ctx := context.Background()
	files := map[string][]byte{"main.tf": timeConfig}
	var installs int64
	n := 0
	for b.Loop() {
		b.StopTimer()
		srv, docker := benchServer(b)
		b.StartTimer()
		var wg sync.WaitGroup
		errs := make(chan error, 10)
		for i := range 10 {
			wg.Go(func() {
				pkgs, err := srv.Packages(ctx, files)
				if err != nil {
					errs <- err
					return
				}
				res, err := docker.Run(ctx, runner.Job{RunID: fmt.Sprintf("bench-ten-%d-%d", n, i), Files: files,
					Steps: [][]string{{"init", "-input=false", "-no-color"}, {"validate", "-no-color"}}, NetworkMode: "none", Providers: pkgs}, nil)
				if err == nil && res.ExitCode != 0 {
					err = fmt.Errorf("exit code %d", res.ExitCode)
				}
				if err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
		installs += srv.Cache.Installs()
		n++
	}
	b.ReportMetric(float64(installs)/float64(n), "installs/op")
	if installs != int64(n) {
		b.Errorf("%d installs for %d rounds of ten runs, want one a round", installs, n)
	}
}
