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
)

// inputs are the flags generate and validate share.
type inputs struct {
	blueprint, env, catalogDir, stateKey, stateURL *string
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
	}
}

// load reads, parses and validates the inputs, printing diagnostics like terraform validate.
func (in inputs) load(stdin io.Reader, stderr io.Writer) (*blueprint.Blueprint, blueprint.GenerateOptions, error) {
	var opts blueprint.GenerateOptions
	if *in.blueprint == "" {
		return nil, opts, fmt.Errorf("-blueprint is required")
	}
	data, err := readLimited(*in.blueprint, stdin)
	if err != nil {
		return nil, opts, err
	}
	b, err := blueprint.ParseDocument(data)
	if err != nil {
		return nil, opts, fmt.Errorf("reading %s: %w", *in.blueprint, err)
	}
	cat, err := loadCatalog(*in.catalogDir)
	if err != nil {
		return nil, opts, err
	}
	diags := blueprint.Validate(b, cat)
	if *in.env != "" {
		data, err := readLimited(*in.env, stdin)
		if err != nil {
			return nil, opts, err
		}
		env, err := blueprint.ParseEnvironment(data)
		if err != nil {
			return nil, opts, fmt.Errorf("reading %s: %w", *in.env, err)
		}
		opts.Environment = env
		opts.StateKey = *in.stateKey
		if opts.StateKey == "" {
			opts.StateKey = blueprint.DefaultStateKey("local", b.Name, env.Name)
		}
		opts.StateAddress = strings.TrimSpace(*in.stateURL)
		for _, d := range blueprint.ValidateEnvironment(b, env, opts.StateKey, opts.StateAddress) {
			d.Path = "environment." + d.Path
			diags = append(diags, d)
		}
	}
	printDiagnostics(stderr, diags)
	if diags.HasErrors() {
		return nil, opts, exitError(1)
	}
	return b, opts, nil
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
		if d.Severity == blueprint.Warning {
			title = "Warning"
		}
		fmt.Fprintf(w, "%s: %s\n\n  on %s\n", title, d.Summary, d.Path)
		if d.Detail != "" {
			fmt.Fprintf(w, "\n%s\n", d.Detail)
		}
		fmt.Fprintln(w)
	}
}

func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("validate", "Check a blueprint, and optionally an environment, against the catalog.", stderr)
	in := addInputFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if _, _, err := in.load(os.Stdin, stderr); err != nil {
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
	b, opts, err := in.load(os.Stdin, stderr)
	if err != nil {
		return err
	}
	files, err := blueprint.Generate(b, opts)
	if err != nil {
		return err
	}
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
	for _, f := range files {
		if err := writeFileAtomic(filepath.Join(*out, f.Name), f.Content); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", filepath.Join(*out, f.Name))
	}
	return nil
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
