package deployment_test

import (
	"testing"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/internal/testenv"
)

// TestResolveCarriesTheBlueprintsFiles: the files a run uses (and the deployment page and
// its zip show) include the blueprint's files, at their paths, exactly as written: no
// header is added to a script or a template.
func TestResolveCarriesTheBlueprintsFiles(t *testing.T) {
	t.Parallel()
	b := parse(t, `{"format": 1, "name": "app",
  "variables": [{"name": "location", "type": "string"}],
  "resources": [{"type": "terraform_data", "name": "init", "config": {"input": {"expr": "file(\"${path.module}/scripts/init.sh\")"}}}],
  "files": [{"path": "scripts/init.sh", "content": "#!/bin/sh\necho hi\n"}]}`)
	res, err := deployment.Resolve(deployment.Inputs{Blueprint: b, Name: "app", Version: 1,
		Environment: parseEnv(t, devEnv), StateKey: "team/app/dev.tfstate", Catalog: testenv.Catalog(t)})
	if err != nil {
		t.Fatal(err)
	}
	if errs := res.Diagnostics.Errors(); len(errs) > 0 {
		t.Fatal(errs)
	}
	var got *blueprint.File
	for i := range res.Files {
		if res.Files[i].Name == "scripts/init.sh" {
			got = &res.Files[i]
		}
	}
	if got == nil || string(got.Content) != "#!/bin/sh\necho hi\n" {
		t.Errorf("scripts/init.sh in the resolution: %+v", got)
	}
}

// TestResolveWarnsOfAFileTheConfigurationLacks: a file read by a literal path that the
// blueprint does not have is a warning on the deployment, naming it: a plan would fail.
func TestResolveWarnsOfAFileTheConfigurationLacks(t *testing.T) {
	t.Parallel()
	b := parse(t, `{"format": 1, "name": "app",
  "variables": [{"name": "location", "type": "string"}],
  "resources": [{"type": "terraform_data", "name": "init", "config": {"input": {"expr": "file(\"${path.module}/scripts/init.sh\")"}}}]}`)
	res, err := deployment.Resolve(deployment.Inputs{Blueprint: b, Name: "app", Version: 1,
		Environment: parseEnv(t, devEnv), StateKey: "team/app/dev.tfstate", Catalog: testenv.Catalog(t)})
	if err != nil {
		t.Fatal(err)
	}
	ds := res.Diagnostics.At("files[scripts/init.sh]")
	if len(ds) != 1 || ds[0].Severity != blueprint.Warning || ds[0].Summary != "file not found" {
		t.Errorf("diagnostics at files[scripts/init.sh]: %v (all: %v)", ds, res.Diagnostics)
	}
}
