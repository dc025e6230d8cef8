package testenv

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/cloudoven/cloudoven/catalog"
)

// MirrorCatalog is the embedded catalog with the providers of ProviderMirror added, their
// schemas read from the real binaries in mirror with terraform providers schema -json, so
// the editor builds forms for their types and validation knows them. They have no docs.
func MirrorCatalog(t testing.TB, mirror string) *catalog.Catalog {
	t.Helper()
	tf := Terraform(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "cli.tfrc")
	write := func(name, text string) {
		if err := os.WriteFile(name, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(cfg, "provider_installation {\n  filesystem_mirror {\n    path = "+strconv.Quote(mirror)+"\n  }\n}\n")
	write(filepath.Join(dir, "main.tf"), `terraform {
  required_providers {
    time     = { source = "hashicorp/time" }
    testprov = { source = "cloudoven/testprov" }
  }
}
`)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	run := func(args ...string) []byte {
		cmd := exec.CommandContext(ctx, tf, args...)
		cmd.Dir = dir
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "TF_CLI_CONFIG_FILE=" + cfg, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1"}
		out, err := cmd.Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Fatalf("terraform %v: %v\n%s", args, err, stderr)
		}
		return out
	}
	run("init", "-backend=false", "-input=false", "-no-color")
	var schemas tfjson.ProviderSchemas
	if err := json.Unmarshal(run("providers", "schema", "-json"), &schemas); err != nil {
		t.Fatalf("reading the providers' schemas: %v", err)
	}
	providers := append([]*catalog.Provider(nil), Catalog(t).Providers()...)
	for _, p := range []struct{ source, namespace, name, version string }{
		{"registry.terraform.io/hashicorp/time", "hashicorp", "time", TimeProviderVersion},
		{"registry.terraform.io/cloudoven/testprov", "cloudoven", "testprov", "0.1.0"},
	} {
		s := schemas.Schemas[p.source]
		if s == nil {
			t.Fatalf("terraform gave no schema of %s", p.source)
		}
		providers = append(providers, &catalog.Provider{Source: p.source, Namespace: p.namespace, Name: p.name, Version: p.version, Schema: s, Docs: &catalog.Docs{}})
	}
	cat, err := catalog.New(providers)
	if err != nil {
		t.Fatalf("building the catalog: %v", err)
	}
	return cat
}
