package crawler_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/crawler"
	"github.com/cloudoven/cloudoven/internal/testenv"
)

// schemaOptions runs terraform as tests do (testenv.TerraformEnv: no user CLI
// configuration), in a scratch directory of the test's own.
func schemaOptions(t *testing.T) crawler.SchemaOptions {
	return crawler.SchemaOptions{
		Terraform: testenv.Terraform(t),
		WorkDir:   t.TempDir(),
		Env:       testenv.TerraformEnv(t),
	}
}

func TestBuiltinSchema(t *testing.T) {
	t.Parallel()
	opts := schemaOptions(t)
	schema, v, err := crawler.BuiltinSchema(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if v != testenv.TerraformVersion {
		t.Errorf("version = %q, want %q", v, testenv.TerraformVersion)
	}
	if _, ok := schema.ResourceSchemas["terraform_data"]; !ok {
		t.Errorf("no terraform_data resource; have %v", keys(schema.ResourceSchemas))
	}
	if _, ok := schema.DataSourceSchemas["terraform_remote_state"]; !ok {
		t.Errorf("no terraform_remote_state data source; have %v", keys(schema.DataSourceSchemas))
	}
	assertNoLeftovers(t, opts.WorkDir)
}

// buildTestProvider builds crawler/internal/testprovider into a fresh filesystem mirror as
// registry.terraform.io/cloudoven/testprov 0.1.0 and returns the mirror's directory. The
// first build compiles the plugin framework and takes a while; later ones come from the Go
// build cache.
func buildTestProvider(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		testenv.Unavailable(t, "no go command on PATH to build the test provider")
	}
	mirror := t.TempDir()
	platform := runtime.GOOS + "_" + runtime.GOARCH
	out := filepath.Join(mirror, "registry.terraform.io", "cloudoven", "testprov", "0.1.0", platform, "terraform-provider-testprov_v0.1.0")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", out, "./internal/testprovider")
	cmd.Dir = filepath.Join(testenv.RepoRoot(), "crawler")
	start := time.Now()
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the test provider: %v\n%s", err, b)
	}
	t.Logf("built the test provider in %s", time.Since(start).Round(time.Millisecond))
	return mirror
}

func TestProviderSchemaFromMirror(t *testing.T) {
	t.Parallel()
	opts := schemaOptions(t)
	opts.MirrorDir = buildTestProvider(t)
	opts.PluginCacheDir = t.TempDir()
	ctx := context.Background()

	for _, run := range []string{"first", "again"} {
		start := time.Now()
		schema, err := crawler.ProviderSchema(ctx, "cloudoven/testprov", "0.1.0", opts)
		if err != nil {
			t.Fatalf("%s run: %v", run, err)
		}
		t.Logf("%s run took %s", run, time.Since(start).Round(time.Millisecond))
		assertTestprovSchema(t, schema)
	}
	assertNoLeftovers(t, opts.WorkDir)

	_, err := crawler.ProviderSchema(ctx, "cloudoven/testprov", "0.2.0", opts)
	if err == nil {
		t.Fatal("version 0.2.0, which the mirror does not have: no error")
	}
	for _, want := range []string{"registry.terraform.io/cloudoven/testprov 0.2.0", "terraform init", "no available releases match the given constraints 0.2.0"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "│") {
		t.Errorf("error keeps terraform's box drawing:\n%v", err)
	}
	t.Logf("missing version: %v", err)
	assertNoLeftovers(t, opts.WorkDir)
}

func assertTestprovSchema(t *testing.T, schema *tfjson.ProviderSchema) {
	t.Helper()
	widget := schema.ResourceSchemas["testprov_widget"]
	if widget == nil || widget.Block == nil {
		t.Fatalf("no testprov_widget resource; have %v", keys(schema.ResourceSchemas))
	}
	attr := func(b *tfjson.SchemaBlock, name string) *tfjson.SchemaAttribute {
		t.Helper()
		a := b.Attributes[name]
		if a == nil {
			t.Fatalf("no attribute %s; have %v", name, keys(b.Attributes))
		}
		return a
	}
	if a := attr(widget.Block, "name"); !a.Required || a.Optional || a.Computed {
		t.Errorf("name: required %v optional %v computed %v, want required only", a.Required, a.Optional, a.Computed)
	}
	if a := attr(widget.Block, "id"); !a.Computed || a.Required {
		t.Errorf("id: computed %v required %v, want computed", a.Computed, a.Required)
	}
	if a := attr(widget.Block, "secret"); !a.Sensitive || !a.Optional {
		t.Errorf("secret: sensitive %v optional %v, want both", a.Sensitive, a.Optional)
	}
	if a := attr(widget.Block, "size"); !a.Optional || !a.AttributeType.Equals(numberType) {
		t.Errorf("size: optional %v type %#v, want an optional number", a.Optional, a.AttributeType)
	}
	if a := attr(widget.Block, "tags"); !a.Optional || !a.AttributeType.IsMapType() || !a.AttributeType.ElementType().Equals(stringType) {
		t.Errorf("tags: optional %v type %#v, want an optional map(string)", a.Optional, a.AttributeType)
	}
	if a := attr(widget.Block, "name"); !strings.Contains(a.Description, "forces a new resource") {
		t.Errorf("name: description %q does not carry the provider's text", a.Description)
	}

	rule := widget.Block.NestedBlocks["rule"]
	if rule == nil || rule.Block == nil {
		t.Fatalf("no rule block; have %v", keys(widget.Block.NestedBlocks))
	}
	if rule.NestingMode != tfjson.SchemaNestingModeList {
		t.Errorf("rule nesting = %q, want list", rule.NestingMode)
	}
	if a := attr(rule.Block, "port"); !a.Required || !a.AttributeType.Equals(numberType) {
		t.Errorf("rule.port: required %v type %#v, want a required number", a.Required, a.AttributeType)
	}
	if a := attr(rule.Block, "protocol"); !a.Optional || !a.AttributeType.Equals(stringType) {
		t.Errorf("rule.protocol: optional %v type %#v, want an optional string", a.Optional, a.AttributeType)
	}
	if !strings.Contains(rule.Block.Description, "At most 3") {
		t.Errorf("rule: description %q does not state the limit", rule.Block.Description)
	}

	info := schema.DataSourceSchemas["testprov_info"]
	if info == nil || info.Block == nil {
		t.Fatalf("no testprov_info data source; have %v", keys(schema.DataSourceSchemas))
	}
	if a := attr(info.Block, "region"); !a.Required {
		t.Errorf("testprov_info.region is not required")
	}
	if a := attr(info.Block, "zones"); !a.Computed || !a.AttributeType.IsListType() || !a.AttributeType.ElementType().Equals(stringType) {
		t.Errorf("testprov_info.zones: computed %v type %#v, want a computed list(string)", a.Computed, a.AttributeType)
	}
}

func TestSchemaFromFile(t *testing.T) {
	t.Parallel()
	file := filepath.Join(testenv.SharedData(t), "random", "schema.json")
	for _, source := range []string{"registry.terraform.io/hashicorp/random", "hashicorp/random"} {
		t.Run(strings.ReplaceAll(source, "/", "_"), func(t *testing.T) {
			schema, err := crawler.SchemaFromFile(file, source)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := schema.ResourceSchemas["random_password"]; !ok {
				t.Errorf("no random_password; have %v", keys(schema.ResourceSchemas))
			}
		})
	}
	t.Run("provider not in the file", func(t *testing.T) {
		_, err := crawler.SchemaFromFile(file, "hashicorp/azurerm")
		if err == nil {
			t.Fatal("no error")
		}
		for _, want := range []string{"schema.json", "registry.terraform.io/hashicorp/azurerm", "registry.terraform.io/hashicorp/random"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error does not mention %q: %v", want, err)
			}
		}
	})
	t.Run("file missing", func(t *testing.T) {
		_, err := crawler.SchemaFromFile(filepath.Join(t.TempDir(), "schema.json"), "hashicorp/random")
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("err = %v, want one that is os.ErrNotExist", err)
		}
	})
}

func TestProviderSchemaCanceled(t *testing.T) {
	t.Parallel()
	opts := schemaOptions(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := crawler.ProviderSchema(ctx, "cloudoven/testprov", "0.1.0", opts); !errors.Is(err, context.Canceled) {
		t.Errorf("ProviderSchema err = %v, want context.Canceled", err)
	}
	if _, _, err := crawler.BuiltinSchema(ctx, opts); !errors.Is(err, context.Canceled) {
		t.Errorf("BuiltinSchema err = %v, want context.Canceled", err)
	}
	assertNoLeftovers(t, opts.WorkDir)
}

// TestProviderSchemaCancelStopsTerraform cancels while terraform runs: a stand-in binary
// that hangs in init until it is signalled. The call returns promptly with ctx's error and
// leaves no temp directory behind.
func TestProviderSchemaCancelStopsTerraform(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in terraform is a shell script")
	}
	dir := t.TempDir()
	started := filepath.Join(dir, "started")
	fake := filepath.Join(dir, "terraform")
	script := "#!/bin/sh\ncase \"$1\" in\nversion) echo '{\"terraform_version\":\"1.5.7\"}' ;;\n*) : > \"$STARTED\"; exec sleep 60 ;;\nesac\n"
	testenv.WriteExecutable(t, fake, []byte(script))
	opts := crawler.SchemaOptions{Terraform: fake, WorkDir: t.TempDir(), Env: map[string]string{"STARTED": started}}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := crawler.ProviderSchema(ctx, "cloudoven/testprov", "0.1.0", opts)
		done <- err
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(started); err == nil {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("returned before terraform init started: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("terraform init never started")
		}
	}
	canceled := time.Now()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		t.Logf("returned %s after the cancel: %v", time.Since(canceled).Round(time.Millisecond), err)
	case <-time.After(20 * time.Second):
		t.Fatal("still running 20s after the cancel")
	}
	assertNoLeftovers(t, opts.WorkDir)
}

func TestProviderSchemaRefusesBadInput(t *testing.T) {
	t.Parallel()
	opts := crawler.SchemaOptions{Terraform: "/nonexistent/terraform", WorkDir: t.TempDir()}
	for _, tc := range []struct{ source, version, want string }{
		{"cloudoven/testprov", "", "not an exact version"},
		{"cloudoven/testprov", ">= 1.0", "not an exact version"},
		{"a/b/c/d", "1.0.0", "source must be"},
		{`cloudoven/te"st`, "1.0.0", "source must be"},
		{"terraform.io/builtin/terraform", "1.5.7", "BuiltinSchema"},
	} {
		_, err := crawler.ProviderSchema(context.Background(), tc.source, tc.version, opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ProviderSchema(%q, %q) err = %v, want one saying %q", tc.source, tc.version, err, tc.want)
		}
	}
}

// assertNoLeftovers checks that every call removed its temp directory.
func assertNoLeftovers(t *testing.T, dir string) {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range des {
		t.Errorf("left behind in the work directory: %s", de.Name())
	}
}

var (
	numberType = cty.Number
	stringType = cty.String
)

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
