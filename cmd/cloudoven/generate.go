package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/policy"
)

// inputs are the flags generate and validate share.
type inputs struct {
	blueprint, env, catalogDir, stateKey, stateURL, rules, providers *string
}

func addInputFlags(fs interface {
	String(name, value, usage string) *string
}) inputs {
	return inputs{
		blueprint:  fs.String("blueprint", "", "blueprint document (JSON, format 1); - reads standard input"),
		env:        fs.String("env", "", "environment document (JSON, format 1): backend and variable values"),
		catalogDir: fs.String("catalog-dir", "", "catalog directory to validate against (default: the catalog built into this binary)"),
		stateKey:   fs.String("state-key", "", "state key for the backend (default: <project>/<blueprint>/<environment>.tfstate with project \"local\")"),
		stateURL:   fs.String("state-address", "", "address of an http backend without one: CloudOven's state URL of the deployment, <CloudOven URL>/api/v1/state/<project>/<deployment id>, as the deployment page shows it; empty leaves it to TF_HTTP_ADDRESS"),
		rules:      fs.String("rules", "", "guardrail rule file (JSON, as a project's Guardrails page holds it) to check the blueprint against; findings print as warnings (default: no guardrails)"),
		providers:  fs.String("allow-providers", "", "comma-separated provider sources allowed beside the catalog's, as a project's Guardrails page lists them (registry.example.com/acme/tool); any other source is an error"),
	}
}

// load reads and parses the inputs and resolves them as CloudOven resolves a deployment
// (package deployment: the same checks, the same header), printing diagnostics like terraform
// validate and guardrail findings as warnings. Problems in the inputs are exit status 1.
func (in inputs) load(stdin io.Reader, stderr io.Writer) (deployment.Resolution, error) {
	var res deployment.Resolution
	if *in.blueprint == "" {
		return res, fmt.Errorf("-blueprint is required")
	}
	data, err := readLimited(*in.blueprint, stdin)
	if err != nil {
		return res, err
	}
	b, err := blueprint.ParseDocument(data)
	if err != nil {
		return res, fmt.Errorf("reading %s: %w", *in.blueprint, err)
	}
	cat, err := loadCatalog(*in.catalogDir)
	if err != nil {
		return res, err
	}
	di := deployment.Inputs{Blueprint: b, Catalog: cat}
	if *in.env != "" {
		data, err := readLimited(*in.env, stdin)
		if err != nil {
			return res, err
		}
		env, err := blueprint.ParseEnvironment(data)
		if err != nil {
			return res, fmt.Errorf("reading %s: %w", *in.env, err)
		}
		di.Environment = env
		di.StateKey = *in.stateKey
		if di.StateKey == "" {
			di.StateKey = blueprint.DefaultStateKey("local", b.Name, env.Name)
		}
		di.StateAddress = strings.TrimSpace(*in.stateURL)
	}
	if *in.rules != "" {
		data, err := readLimited(*in.rules, stdin)
		if err != nil {
			return res, err
		}
		if di.Rules, err = policy.ParseRules(data); err != nil {
			return res, fmt.Errorf("reading %s: %w", *in.rules, err)
		}
	}
	for _, src := range strings.Split(*in.providers, ",") {
		if strings.TrimSpace(src) == "" {
			continue
		}
		source, err := policy.ParseProviderSource(src)
		if err != nil {
			return res, fmt.Errorf("-allow-providers: %w", err)
		}
		di.Providers = append(di.Providers, source)
	}
	res, genErr := deployment.Resolve(di)
	printDiagnostics(stderr, res.Diagnostics)
	printFindings(stderr, res.Verdict)
	if res.Diagnostics.HasErrors() {
		return res, exitError(1)
	}
	if genErr != nil {
		return res, genErr
	}
	return res, nil
}

func readLimited(name string, stdin io.Reader) ([]byte, error) {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, blueprint.MaxDocumentSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(data) > blueprint.MaxDocumentSize {
		return nil, fmt.Errorf("reading %s: larger than the %d MiB a document may be", name, blueprint.MaxDocumentSize>>20)
	}
	return data, nil
}

func loadCatalog(dir string) (*catalog.Catalog, error) {
	fsys := catalog.Embedded()
	if dir != "" {
		fsys = os.DirFS(dir)
	}
	cat, err := catalog.Load(fsys)
	if err != nil {
		return nil, fmt.Errorf("loading the catalog: %w", err)
	}
	return cat, nil
}

func printDiagnostics(w io.Writer, diags blueprint.Diagnostics) {
	for _, d := range diags {
		title := "Error"
		switch d.Severity {
		case blueprint.Warning:
			title = "Warning"
		case blueprint.Note:
			title = "Note"
		}
		fmt.Fprintf(w, "%s: %s\n\n  on %s\n", title, d.Summary, d.Path)
		if d.Detail != "" {
			fmt.Fprintf(w, "\n%s\n", d.Detail)
		}
		fmt.Fprintln(w)
	}
}

// printFindings prints guardrail findings as warnings, in printDiagnostics' form, and says
// when the environment would make CloudOven refuse to plan them.
func printFindings(w io.Writer, v deployment.Verdict) {
	for _, f := range v.Findings {
		fmt.Fprintf(w, "Warning: guardrail %s: %s\n\n  on %s\n", f.Rule, f.Message, f.Path)
		if f.Fix != "" {
			fmt.Fprintf(w, "\n%s\n", f.Fix)
		}
		fmt.Fprintln(w)
	}
	if err := v.Err(); err != nil {
		fmt.Fprintf(w, "CloudOven would refuse to plan this: %v.\n\n", err)
	}
}

func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("validate", "Check a blueprint, and optionally an environment, against the catalog.", stderr)
	in := addInputFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if _, err := in.load(os.Stdin, stderr); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "Success! The blueprint is valid.")
	return nil
}

func runGenerate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("generate", "Write a blueprint's Terraform files (main.tf, variables.tf, outputs.tf, terraform.tfvars) to a directory or a .zip.", stderr)
	in := addInputFlags(fs)
	out := fs.String("out", "", "output directory, or a file name ending in .zip")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("-out is required")
	}
	res, err := in.load(os.Stdin, stderr)
	if err != nil {
		return err
	}
	files := res.Files
	if strings.HasSuffix(*out, ".zip") {
		var buf bytes.Buffer
		if err := blueprint.WriteZip(&buf, files); err != nil {
			return err
		}
		if err := writeFileAtomic(*out, buf.Bytes()); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s (%d files)\n", *out, len(files)+1)
		return nil
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	return writeFilesIn(*out, files, stdout)
}

// writeFileAtomic writes through a temporary file so an interrupted run never leaves a
// half-written file behind.
func writeFileAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
