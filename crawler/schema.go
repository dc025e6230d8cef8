package crawler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	goversion "github.com/hashicorp/go-version"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/hashicorp/terraform-exec/tfexec"
	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"

	"github.com/cloudoven/cloudoven/catalog"
)

// SchemaOptions say how terraform runs when a schema is extracted.
type SchemaOptions struct {
	// Terraform is the path of the terraform binary.
	Terraform string
	// WorkDir is a scratch directory; each call makes its own temp directory inside it and
	// removes it afterwards. Empty means the system temp directory.
	WorkDir string
	// PluginCacheDir, when set, is terraform's TF_PLUGIN_CACHE_DIR (created if missing).
	// For a provider from an unpacked MirrorDir, terraform's cache entry is a link into the
	// mirror, so the mirror must outlive the cache.
	PluginCacheDir string
	// MirrorDir, when set, is a filesystem mirror in terraform's unpacked layout
	// (<host>/<namespace>/<type>/<version>/<os>_<arch>/terraform-provider-...). Init then
	// installs only from it, through a generated CLI configuration, so a crawl needs no
	// network. Unset, terraform's own CLI configuration (or Env's TF_CLI_CONFIG_FILE) applies.
	MirrorDir string
	// Env is extra environment for terraform, on top of the process's own. Variables that
	// terraform-exec manages itself (TF_IN_AUTOMATION, TF_LOG*, TF_CLI_ARGS*, TF_VAR_*, ...)
	// are ignored.
	Env map[string]string
}

// cancelGrace is how long terraform gets to stop after an interrupt when ctx ends, before
// it is killed.
const cancelGrace = 10 * time.Second

// ProviderSchema gets the schema of provider source (hashicorp/random, or a full address)
// at exactly version: it writes a configuration that requires only that provider, runs
// `terraform init` and `terraform providers schema -json`, and returns that provider's
// part of the result.
func ProviderSchema(ctx context.Context, source, version string, opts SchemaOptions) (*tfjson.ProviderSchema, error) {
	full := catalog.NormalizeSource(source)
	where := fmt.Sprintf("getting schema of %s %s", full, version)
	name, err := checkSourceVersion(full, version)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	ps, err := runSchema(ctx, opts, requiredProviderConfig(name, full, version), true)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	schema, err := pickProvider(ps, full)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return schema, nil
}

// BuiltinSchema gets the schema of Terraform's builtin provider (catalog.BuiltinSource:
// terraform_data, terraform_remote_state) and the terraform version, which is that
// provider's version.
func BuiltinSchema(ctx context.Context, opts SchemaOptions) (*tfjson.ProviderSchema, string, error) {
	const where = "getting schema of " + catalog.BuiltinSource
	// A builtin provider needs no init, but terraform reports only the providers a
	// configuration uses.
	config := []byte("resource \"terraform_data\" \"schema\" {}\n")
	var tfVersion string
	ps, err := runSchemaWith(ctx, opts, config, false, func(ctx context.Context, tf *tfexec.Terraform) error {
		v, _, err := tf.Version(ctx, false)
		if err != nil {
			return fmt.Errorf("running terraform version: %w", err)
		}
		tfVersion = v.String()
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", where, err)
	}
	schema, err := pickProvider(ps, catalog.BuiltinSource)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", where, err)
	}
	return schema, tfVersion, nil
}

// SchemaFromFile reads a dumped `terraform providers schema -json` file and returns the
// schema of provider source, given in full (registry.terraform.io/hashicorp/random) or
// short (hashicorp/random).
func SchemaFromFile(path, source string) (*tfjson.ProviderSchema, error) {
	ps, err := catalog.ReadProviderSchemas(path)
	if err != nil {
		return nil, err
	}
	schema, err := pickProvider(ps, source)
	if err != nil {
		return nil, fmt.Errorf("reading provider schemas from %s: %w", filepath.Base(path), err)
	}
	return schema, nil
}

func pickProvider(ps *tfjson.ProviderSchemas, source string) (*tfjson.ProviderSchema, error) {
	full := catalog.NormalizeSource(source)
	if s, ok := ps.Schemas[full]; ok && s != nil {
		return s, nil
	}
	// terraform keys schemas by the address as written; compare case-insensitively as
	// provider addresses are.
	for k, s := range ps.Schemas {
		if strings.EqualFold(k, full) && s != nil {
			return s, nil
		}
	}
	have := make([]string, 0, len(ps.Schemas))
	for k := range ps.Schemas {
		have = append(have, k)
	}
	sort.Strings(have)
	if len(have) == 0 {
		return nil, fmt.Errorf("no schema for provider %s: no providers in the output", full)
	}
	return nil, fmt.Errorf("no schema for provider %s (have %s)", full, strings.Join(have, ", "))
}

// checkSourceVersion refuses what cannot be put in a required_providers block, and returns
// the provider's local name.
func checkSourceVersion(full, v string) (string, error) {
	parts := strings.Split(full, "/")
	if len(parts) != 3 {
		return "", fmt.Errorf("source must be [<hostname>/]<namespace>/<type>")
	}
	for _, p := range parts {
		if p == "" || strings.ContainsAny(p, " \t\n\"\\{}$%") {
			return "", fmt.Errorf("source must be [<hostname>/]<namespace>/<type>")
		}
	}
	if parts[0] == "terraform.io" && parts[1] == "builtin" {
		return "", fmt.Errorf("builtin providers have no version of their own; use BuiltinSchema")
	}
	if _, err := goversion.NewSemver(v); err != nil || v == "" {
		return "", fmt.Errorf("version %q is not an exact version like 1.2.3", v)
	}
	return parts[2], nil
}

// requiredProviderConfig is a configuration that requires exactly one provider version.
func requiredProviderConfig(name, source, v string) []byte {
	f := hclwrite.NewEmptyFile()
	tfBlock := f.Body().AppendNewBlock("terraform", nil)
	rp := tfBlock.Body().AppendNewBlock("required_providers", nil)
	rp.Body().SetAttributeValue(name, cty.ObjectVal(map[string]cty.Value{
		"source":  cty.StringVal(source),
		"version": cty.StringVal("= " + v),
	}))
	return hclwrite.Format(f.Bytes())
}

// mirrorCLIConfig is a CLI configuration that installs every provider from dir and from
// nowhere else.
func mirrorCLIConfig(dir string) []byte {
	f := hclwrite.NewEmptyFile()
	pi := f.Body().AppendNewBlock("provider_installation", nil)
	fm := pi.Body().AppendNewBlock("filesystem_mirror", nil)
	fm.Body().SetAttributeValue("path", cty.StringVal(dir))
	fm.Body().SetAttributeValue("include", cty.ListVal([]cty.Value{cty.StringVal("*/*/*")}))
	return hclwrite.Format(f.Bytes())
}

func runSchema(ctx context.Context, opts SchemaOptions, config []byte, initFirst bool) (*tfjson.ProviderSchemas, error) {
	return runSchemaWith(ctx, opts, config, initFirst, nil)
}

// runSchemaWith writes config into a fresh temp directory, optionally runs terraform init
// there, then also (if set) runs, then `terraform providers schema -json`.
func runSchemaWith(ctx context.Context, opts SchemaOptions, config []byte, initFirst bool, also func(context.Context, *tfexec.Terraform) error) (*tfjson.ProviderSchemas, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if opts.Terraform == "" {
		return nil, errors.New("no terraform binary configured")
	}
	if opts.WorkDir != "" {
		if err := os.MkdirAll(opts.WorkDir, 0o755); err != nil {
			return nil, fmt.Errorf("making work directory: %w", err)
		}
	}
	dir, err := os.MkdirTemp(opts.WorkDir, "schema-*")
	if err != nil {
		return nil, fmt.Errorf("making work directory: %w", err)
	}
	defer os.RemoveAll(dir)

	if err := os.WriteFile(filepath.Join(dir, "main.tf"), config, 0o644); err != nil {
		return nil, fmt.Errorf("writing configuration: %w", err)
	}
	env, err := schemaEnv(dir, opts)
	if err != nil {
		return nil, err
	}
	tf, err := tfexec.NewTerraform(dir, opts.Terraform)
	if err != nil {
		return nil, fmt.Errorf("preparing terraform: %w", err)
	}
	if err := tf.SetEnv(env); err != nil {
		return nil, fmt.Errorf("preparing terraform: %w", err)
	}
	if err := tf.SetWaitDelay(cancelGrace); err != nil {
		return nil, fmt.Errorf("preparing terraform: %w", err)
	}
	var stderr bytes.Buffer
	tf.SetStderr(&stderr)

	if initFirst {
		err := tf.Init(ctx, tfexec.Upgrade(false), tfexec.Backend(false))
		if err != nil {
			return nil, terraformErr(ctx, "running terraform init", &stderr, err)
		}
	}
	if also != nil {
		if err := also(ctx, tf); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, err
		}
	}
	stderr.Reset()
	ps, err := tf.ProvidersSchema(ctx)
	if err != nil {
		return nil, terraformErr(ctx, "running terraform providers schema", &stderr, err)
	}
	return ps, nil
}

// schemaEnv is the process environment with opts applied. tfexec replaces, not extends,
// the environment once SetEnv is called, so this starts from os.Environ. The variables
// tfexec manages itself (TF_IN_AUTOMATION, which it always sets, TF_LOG, TF_CLI_ARGS, ...)
// are dropped, from opts.Env too, because SetEnv refuses them.
func schemaEnv(dir string, opts SchemaOptions) (map[string]string, error) {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	for k, v := range opts.Env {
		env[k] = v
	}
	env = tfexec.CleanEnv(env)
	env["CHECKPOINT_DISABLE"] = "1"
	if opts.PluginCacheDir != "" {
		// terraform ignores a cache directory that does not exist.
		if err := os.MkdirAll(opts.PluginCacheDir, 0o755); err != nil {
			return nil, fmt.Errorf("making plugin cache directory: %w", err)
		}
		abs, err := filepath.Abs(opts.PluginCacheDir)
		if err != nil {
			return nil, fmt.Errorf("making plugin cache directory: %w", err)
		}
		env["TF_PLUGIN_CACHE_DIR"] = abs
	}
	if opts.MirrorDir != "" {
		abs, err := filepath.Abs(opts.MirrorDir)
		if err != nil {
			return nil, fmt.Errorf("locating provider mirror: %w", err)
		}
		if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("provider mirror %s is not a directory", opts.MirrorDir)
		}
		// terraform reads only *.tf and *.tf.json as configuration, so the CLI
		// configuration can sit in the same temp directory and go with it.
		cli := filepath.Join(dir, "cli.tfrc")
		if err := os.WriteFile(cli, mirrorCLIConfig(abs), 0o644); err != nil {
			return nil, fmt.Errorf("writing terraform CLI configuration: %w", err)
		}
		env["TF_CLI_CONFIG_FILE"] = cli
	}
	return env, nil
}

// terraformErr says which command failed and terraform's own diagnostics, without
// repeating the raw stderr tfexec puts in its error; after a cancel it is ctx's error.
func terraformErr(ctx context.Context, doing string, stderr *bytes.Buffer, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("%s: %w", doing, ctxErr)
	}
	summary := stderrSummary(stderr.String())
	if summary == "" {
		return fmt.Errorf("%s: %w", doing, err)
	}
	return &terraformError{doing: doing, summary: summary, err: err}
}

type terraformError struct {
	doing, summary string
	err            error
}

func (e *terraformError) Error() string { return e.doing + ": " + e.summary }
func (e *terraformError) Unwrap() error { return e.err }

// maxSummary bounds the stderr kept in an error: terraform's diagnostics are short, but a
// crashing provider can print a whole stack.
const maxSummary = 2000

// stderrSummary folds terraform's diagnostics onto one line each, "summary: detail", with
// the box-drawing frame and blank lines gone, and joins them with "; ". When there are
// errors, warnings are left out.
func stderrSummary(s string) string {
	type diag struct {
		warning bool
		lines   []string
	}
	var diags []diag
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(strings.TrimLeft(line, "│╷╵ \t"))
		switch {
		case line == "":
		case strings.HasPrefix(line, "Error: "):
			diags = append(diags, diag{lines: []string{strings.TrimPrefix(line, "Error: ")}})
		case strings.HasPrefix(line, "Warning: "):
			diags = append(diags, diag{warning: true, lines: []string{strings.TrimPrefix(line, "Warning: ")}})
		case len(diags) == 0:
			diags = append(diags, diag{lines: []string{line}}) // not a diagnostic: a crash, a usage message
		default:
			d := &diags[len(diags)-1]
			d.lines = append(d.lines, line)
		}
	}
	hasErrors := false
	for _, d := range diags {
		hasErrors = hasErrors || !d.warning
	}
	var parts []string
	for _, d := range diags {
		if hasErrors && d.warning {
			continue
		}
		text := d.lines[0]
		if len(d.lines) > 1 {
			text += ": " + strings.Join(d.lines[1:], " ")
		}
		if d.warning {
			text = "warning: " + text
		}
		parts = append(parts, text)
	}
	out := strings.Join(parts, "; ")
	if len(out) > maxSummary {
		out = strings.ToValidUTF8(out[:maxSummary], "") + "…"
	}
	return out
}
