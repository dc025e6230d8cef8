package runs

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/store"
)

var (
	catOnce sync.Once
	cat     *catalog.Catalog
	catErr  error
)

func embeddedCatalog() *catalog.Catalog {
	catOnce.Do(func() { cat, catErr = catalog.Load(catalog.Embedded()) })
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

// TestNewPreparerCreatesStateContainer runs against Azurite: an azurerm environment with
// create_state_container gets its container before the run, and one without is never
// contacted.
func TestNewPreparerCreatesStateContainer(t *testing.T) {
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
	deploy := func(t *testing.T, env, container string, create bool) int64 {
		t.Helper()
		doc := fmt.Sprintf(`{"format": 1, "name": %q, "variables": {"greeting": "hello"},
  "backend": {"type": "azurerm", "config": {"storage_account_name": %q, "container_name": %q}},
  "runner": {"create_state_container": %t}}`, env, testenv.AzuriteAccount, container, create)
		if _, err := st.CreateEnvironment(ctx, "team", env, []byte(doc)); err != nil {
			t.Fatal(err)
		}
		d, err := st.CreateDeployment(ctx, "team", "app", 1, env, "")
		if err != nil {
			t.Fatal(err)
		}
		return d.ID
	}

	t.Run("without the setting nothing is contacted", func(t *testing.T) {
		id := deploy(t, "off", "tfstate-off", false)
		prepare := NewPreparerWith(st, embeddedCatalog, fakeSecrets{"TF_VAR_token": "t", "ARM_ACCESS_KEY": testenv.AzuriteKey},
			PreparerOptions{AzureBlobURL: func(account string) string {
				t.Errorf("the blob service of %s was contacted", account)
				return "http://127.0.0.1:1/" + account
			}})
		if _, err := prepare(ctx, "team", id); err != nil {
			t.Fatal(err)
		}
	})

	serviceURL := testenv.Azurite(t)
	opts := PreparerOptions{AzureBlobURL: func(account string) string {
		if account != testenv.AzuriteAccount {
			t.Errorf("blob service of account %q, want %q", account, testenv.AzuriteAccount)
		}
		return serviceURL
	}}

	t.Run("creates the container, and a second prepare is fine", func(t *testing.T) {
		id := deploy(t, "on", "tfstate-on", true)
		prepare := NewPreparerWith(st, embeddedCatalog, fakeSecrets{"TF_VAR_token": "t", "ARM_ACCESS_KEY": testenv.AzuriteKey}, opts)
		for i := range 2 {
			if _, err := prepare(ctx, "team", id); err != nil {
				t.Fatalf("prepare %d: %v", i+1, err)
			}
		}
		cred, err := azblob.NewSharedKeyCredential(testenv.AzuriteAccount, testenv.AzuriteKey)
		if err != nil {
			t.Fatal(err)
		}
		client, err := azblob.NewClientWithSharedKeyCredential(serviceURL, cred, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.ServiceClient().NewContainerClient("tfstate-on").GetProperties(ctx, nil); err != nil {
			t.Errorf("container tfstate-on after prepare: %v", err)
		}
	})

	t.Run("a wrong key fails naming the container", func(t *testing.T) {
		id := deploy(t, "wrongkey", "tfstate-wrong", true)
		wrong := strings.Repeat("A", 86) + "=="
		prepare := NewPreparerWith(st, embeddedCatalog, fakeSecrets{"TF_VAR_token": "t", "ARM_ACCESS_KEY": wrong}, opts)
		_, err := prepare(ctx, "team", id)
		if err == nil {
			t.Fatal("prepared with a wrong key")
		}
		if !strings.Contains(err.Error(), "tfstate-wrong") || !strings.Contains(err.Error(), testenv.AzuriteAccount) {
			t.Errorf("the error does not name the container and the account: %v", err)
		}
		if strings.Contains(err.Error(), wrong) {
			t.Errorf("the error holds the key: %v", err)
		}
	})
}
