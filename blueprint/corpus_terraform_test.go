package blueprint_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	tfjson "github.com/hashicorp/terraform-json"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/internal/corpus"
	"github.com/cloudoven/cloudoven/internal/testenv"
)

// TestTerraformValidateAgreesOnDocExamples runs the real terraform validate, against the
// real schemas of the catalog's providers (served by internal/schemaprovider, since the
// providers cannot be downloaded here), on a fixed sample of the complete doc examples: the
// ones CloudOven imports must be valid, the ones it refuses invalid. It keeps the corpus
// measurement's split ("refused for errors terraform validate reports too") honest. Only
// the schema is judged: a provider's own checks of values do not run.
func TestTerraformValidateAgreesOnDocExamples(t *testing.T) {
	if testing.Short() {
		// -short is for the edit loop; under CI=true this fails rather than skip.
		testenv.Unavailable(t, "-short: runs terraform validate on a sample of examples")
	}
	t.Parallel()
	cat := testCatalog(t)
	tf := testenv.Terraform(t)
	env := schemaProviderEnv(t, cat)

	var imported, refused []corpus.Example
	for _, ex := range corpus.Examples(cat) {
		if classify([]byte(ex.Source)) != classComplete || !onlyCatalogProviders(ex.Source, cat) {
			continue
		}
		if r := measureExample(ex, cat); r.firstErr == "" {
			imported = append(imported, ex)
		} else {
			refused = append(refused, ex)
		}
	}
	// Every 100th imported and every 15th refused example: about a minute of validate runs.
	var sample []corpus.Example
	for i := 0; i < len(imported); i += 100 {
		sample = append(sample, imported[i])
	}
	for i := 0; i < len(refused); i += 15 {
		sample = append(sample, refused[i])
	}
	agree := 0
	for _, ex := range sample {
		_, diags, _ := importAsTheWebDoes([]byte(ex.Source), cat)
		valid, errs := terraformValidate(t, tf, env, ex.Source)
		if valid == !diags.HasErrors() {
			agree++
			continue
		}
		t.Errorf("%s: terraform validate says valid=%t (%s); CloudOven's errors:\n%s", ex.Name(), valid, strings.Join(errs, "; "), diags.Errors().Error())
	}
	t.Logf("terraform validate agrees with CloudOven's import on %d of %d sampled complete examples (%d imported, %d refused of %d and %d)",
		agree, len(sample), (len(imported)+99)/100, (len(refused)+14)/15, len(imported), len(refused))
}

// schemaProviderEnv builds internal/schemaprovider once, under the name of each provider of
// the catalog, writes their schemas beside it, and returns the environment that makes
// terraform use them (development overrides: no init, no registry).
func schemaProviderEnv(t *testing.T, cat *catalog.Catalog) []string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		testenv.Unavailable(t, "no go command on PATH to build internal/schemaprovider")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "schemaprovider")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", bin, "./internal/schemaprovider")
	cmd.Dir = testenv.RepoRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building internal/schemaprovider: %v\n%s", err, out)
	}
	var overrides strings.Builder
	for _, p := range cat.Providers() {
		if p.Source == catalog.BuiltinSource {
			continue
		}
		data, err := json.Marshal(map[string]*tfjson.ProviderSchema{p.Source: p.Schema})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p.Name+".json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(bin, filepath.Join(dir, "terraform-provider-"+p.Name)); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&overrides, "    %q = %q\n", p.Namespace+"/"+p.Name, dir)
	}
	config := filepath.Join(dir, "terraform.rc")
	rc := "provider_installation {\n  dev_overrides {\n" + overrides.String() + "  }\n  direct {}\n}\n"
	if err := os.WriteFile(config, []byte(rc), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"TF_CLI_CONFIG_FILE=" + config, "SCHEMAPROVIDER_DIR=" + dir}
	for k, v := range testenv.TerraformEnv(t) {
		if k != "TF_CLI_CONFIG_FILE" {
			env = append(env, k+"="+v)
		}
	}
	return append(env, "PATH="+os.Getenv("PATH"), "HOME="+dir)
}

// terraformValidate runs terraform validate -json on one main.tf and returns whether it is
// valid and the summaries of its errors.
func terraformValidate(t *testing.T, tf string, env []string, src string) (bool, []string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, tf, "validate", "-json", "-no-color")
	cmd.Dir, cmd.Env = dir, env
	out, _ := cmd.Output() // exit status 1 is an invalid configuration; the JSON says which
	var res struct {
		Valid       bool `json:"valid"`
		Diagnostics []struct {
			Severity string `json:"severity"`
			Summary  string `json:"summary"`
		} `json:"diagnostics"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("terraform validate: %v\n%s", err, out)
	}
	var errs []string
	for _, d := range res.Diagnostics {
		if d.Severity == "error" {
			errs = append(errs, d.Summary)
		}
	}
	return res.Valid, errs
}

// onlyCatalogProviders reports whether every resource, data source and provider block of an
// example belongs to a provider of the catalog (the others cannot be served).
func onlyCatalogProviders(src string, cat *catalog.Catalog) bool {
	f, diags := hclsyntax.ParseConfig([]byte(src), "main.tf", hcl.InitialPos)
	if diags.HasErrors() {
		return false
	}
	known := map[string]bool{"terraform": true}
	for _, p := range cat.Providers() {
		known[p.Name] = true
	}
	for _, blk := range f.Body.(*hclsyntax.Body).Blocks {
		if len(blk.Labels) == 0 {
			continue
		}
		name := blk.Labels[0]
		if blk.Type == "resource" || blk.Type == "data" {
			name, _, _ = strings.Cut(name, "_")
		} else if blk.Type != "provider" {
			continue
		}
		if !known[name] {
			return false
		}
	}
	return true
}
