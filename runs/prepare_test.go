package runs

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/cloudoven/cloudoven/schemas"
	"github.com/cloudoven/cloudoven/store"
)

var (
	catOnce sync.Once
	cat     *schemas.Catalog
	catErr  error
)

func embeddedCatalog() *schemas.Catalog {
	catOnce.Do(func() { cat, catErr = schemas.Load(schemas.Embedded()) })
	return cat
}

type fakeSecrets map[string]string

func (f fakeSecrets) Values(context.Context, string, string) (map[string]string, error) {
	return f, nil
}

const prepareDoc = `{"format": 1, "name": "app",
  "variables": [{"name": "greeting", "type": "string"}, {"name": "token", "type": "string", "sensitive": true}],
  "resources": [{"type": "terraform_data", "name": "hello", "config": {"input": {"ref": "var.greeting"}}}]}`

const prepareEnv = `{"format": 1, "name": "dev", "variables": {"greeting": "hello"},
  "backend": {"type": "local", "config": {"path": "state/terraform.tfstate"}}}`

func TestNewPreparer(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "cloudoven.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.CreateProject(ctx, "team", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.CreateBlueprint(ctx, "team", "app", "", []byte(prepareDoc), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateEnvironment(ctx, "team", "dev", []byte(prepareEnv)); err != nil {
		t.Fatal(err)
	}
	d, err := st.CreateDeployment(ctx, "team", "app", 1, "dev", "")
	if err != nil {
		t.Fatal(err)
	}
	const secret = "very-secret-token-value"
	prepare := NewPreparer(st, embeddedCatalog, fakeSecrets{"TF_VAR_token": secret})
	p, err := prepare(ctx, "team", d.ID)
	if err != nil {
		t.Fatal(err)
	}
	files, env, secrets := p.Files, p.Env, p.Secrets
	if catErr != nil {
		t.Fatal(catErr)
	}
	if !strings.Contains(string(files["main.tf"]), `backend "local"`) || !strings.Contains(string(files["terraform.tfvars"]), `greeting = "hello"`) {
		t.Errorf("files:\nmain.tf:\n%s\nterraform.tfvars:\n%s", files["main.tf"], files["terraform.tfvars"])
	}
	for name, content := range files {
		if strings.Contains(string(content), secret) {
			t.Errorf("%s holds the secret", name)
		}
	}
	if env["TF_VAR_token"] != secret || len(secrets) != 1 || secrets[0] != secret {
		t.Errorf("env %v, secrets %v", env, secrets)
	}

	// A blueprint version that no longer validates is refused before anything runs.
	bad := strings.Replace(prepareDoc, `"ref": "var.greeting"`, `"ref": "var.nope"`, 1)
	if _, err := st.AddBlueprintVersion(ctx, "team", "app", []byte(bad), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateDeploymentVersion(ctx, "team", d.ID, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := prepare(ctx, "team", d.ID); err == nil || !strings.Contains(err.Error(), "var.nope") {
		t.Errorf("an invalid version prepared: %v", err)
	}
}

func TestNewPreparerRunnerSettings(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "cloudoven.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.CreateProject(ctx, "team", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.CreateBlueprint(ctx, "team", "app", "", []byte(prepareDoc), ""); err != nil {
		t.Fatal(err)
	}
	const envDoc = `{"format": 1, "name": "%s", "variables": {"greeting": "hello"}, "backend": {"type": "local"}%s}`
	tests := []struct {
		name, runner             string
		wantImage, wantNetwkMode string
	}{
		{"no runner settings leave the service's", "", "", ""},
		{"image and network mode", `, "runner": {"image": "registry.example.com/terraform:1.9.8", "network_mode": "none"}`,
			"registry.example.com/terraform:1.9.8", "none"},
		{"host network mode", `, "runner": {"network_mode": "host"}`, "", "host"},
		// bridge is what every environment document without a choice holds.
		{"the default network mode leaves the service's", `, "runner": {"network_mode": "bridge"}`, "", ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := fmt.Sprintf("env%d", i)
			if _, err := st.CreateEnvironment(ctx, "team", name, fmt.Appendf(nil, envDoc, name, tt.runner)); err != nil {
				t.Fatal(err)
			}
			d, err := st.CreateDeployment(ctx, "team", "app", 1, name, "")
			if err != nil {
				t.Fatal(err)
			}
			p, err := NewPreparer(st, embeddedCatalog, fakeSecrets{"TF_VAR_token": "t"})(ctx, "team", d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if p.Image != tt.wantImage || p.NetworkMode != tt.wantNetwkMode {
				t.Errorf("image %q network mode %q, want %q %q", p.Image, p.NetworkMode, tt.wantImage, tt.wantNetwkMode)
			}
		})
	}
}
