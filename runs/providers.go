package runs

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/providercheck"
	"github.com/cloudoven/cloudoven/runner"
)

// The plan stage's second step is the providers' own check: terraform validate with the
// real provider binaries init installed. Its JSON goes to a workspace file, not the log;
// the Service reads it back, places each diagnostic on the blueprint's field it concerns
// (providercheck.Parse, with the generator's source map) and writes them into the log as
// lines a reader can act on. A check that finds errors ends the run before the plan reads
// the state or calls an API.
var validateStep = []string{"validate", "-json", "-no-color"}

const (
	validateStepIndex = 1
	// validateFile receives validate's JSON in the workspace.
	validateFile = ".cloudoven-validate.json"
)

// providers installs what files need into the provider cache and names the packages the
// job reads; nil (terraform installs providers itself) without Options.Providers.
func (s *Service) providers(ctx context.Context, files map[string][]byte) ([]runner.ProviderPackage, error) {
	if s.opts.Providers == nil {
		return nil, nil
	}
	pkgs, err := s.opts.Providers.Packages(ctx, files)
	if err != nil {
		return nil, err
	}
	if pkgs == nil {
		pkgs = []runner.ProviderPackage{}
	}
	return pkgs, nil
}

// reportCheck writes the diagnostics of the stage's terraform validate into the run's log,
// placed on the blueprint's fields, and says why the run ends when the check found errors.
// A stage that never reached the check (init failed) has nothing to report.
func (s *Service) reportCheck(r Run, st stage, res runner.Result, lock []byte) (providercheck.Diagnostics, error) {
	out, ok := res.Files[validateFile]
	if !ok {
		return nil, nil
	}
	if l := res.Files[lockFileName]; l != nil {
		lock = l
	}
	ds, err := checkDiagnostics(out, st, lock)
	if err != nil {
		s.opts.Hub.Append(r.ID, RedactString("CloudOven: the providers' check: "+err.Error(), st.secrets))
		return nil, nil
	}
	errs, warns := ds.Count()
	if len(ds) == 0 {
		s.opts.Hub.Append(r.ID, "CloudOven: the providers' check before the plan (terraform validate with the providers' own code) found no problems.")
		return ds, nil
	}
	s.opts.Hub.Append(r.ID, fmt.Sprintf("CloudOven: the providers' check before the plan (terraform validate with the providers' own code): %d %s, %d %s.",
		errs, plural(errs, "error", "errors"), warns, plural(warns, "warning", "warnings")))
	for _, d := range ds {
		where := d.Path
		if where == "" {
			where = "the blueprint"
		}
		line := fmt.Sprintf("  %s on %s: %s", d.Severity, where, d.Summary)
		if d.Detail != "" {
			line += ": " + strings.Join(strings.Fields(d.Detail), " ")
		}
		s.opts.Hub.Append(r.ID, RedactString(line, st.secrets))
	}
	if errs > 0 {
		first := ds[0]
		for _, d := range ds {
			if d.Severity == blueprint.Error {
				first = d
				break
			}
		}
		where := ""
		if first.Path != "" {
			where = " on " + first.Path
		}
		return ds, fmt.Errorf("the providers' check found %d %s; the first%s: %s",
			errs, plural(errs, "error", "errors"), where, first.Summary)
	}
	return ds, nil
}

// checkDiagnostics reads validate's JSON: placed on the blueprint when the stage knows what
// its files were generated from, else where terraform put them.
func checkDiagnostics(out []byte, st stage, lock []byte) (providercheck.Diagnostics, error) {
	if st.blueprint != nil {
		return providercheck.Parse(out, providercheck.Source{Blueprint: st.blueprint, Files: st.generated, Lock: lock})
	}
	if len(out) > providercheck.MaxOutputBytes {
		return nil, fmt.Errorf("reading the validate output: over %d bytes", providercheck.MaxOutputBytes)
	}
	var v tfjson.ValidateOutput
	if err := json.Unmarshal(out, &v); err != nil {
		return nil, fmt.Errorf("reading the validate output: %w", err)
	}
	ds := make(providercheck.Diagnostics, 0, len(v.Diagnostics))
	for _, td := range v.Diagnostics {
		d := providercheck.Diagnostic{}
		d.Severity = blueprint.Error
		if td.Severity == tfjson.DiagnosticSeverityWarning {
			d.Severity = blueprint.Warning
		}
		d.Summary, d.Detail = td.Summary, td.Detail
		if td.Range != nil {
			d.File, d.Line = td.Range.Filename, td.Range.Start.Line
			d.Detail = strings.TrimSpace(d.Detail + fmt.Sprintf(" (%s, line %d)", d.File, d.Line))
		}
		ds = append(ds, d)
	}
	return ds, nil
}
