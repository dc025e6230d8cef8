package deployment_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/deployment"
)

func TestStateKeepingOf(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		backend blueprint.Backend
		want    deployment.StateKeeping
	}{
		{"no backend", blueprint.Backend{},
			deployment.StateKeeping{Environment: "dev", Keeper: deployment.KeptNowhere}},
		{"local", blueprint.Backend{Type: "local", Config: map[string]any{"path": "/srv/state/dev.tfstate"}},
			deployment.StateKeeping{Environment: "dev", Backend: "local", Keeper: deployment.KeptNowhere}},
		{"CloudOven's http backend", blueprint.DefaultBackend(),
			deployment.StateKeeping{Environment: "dev", Backend: "http", Keeper: deployment.KeptByCloudOven}},
		{"another http server, named without its query or user",
			blueprint.Backend{Type: "http", Config: map[string]any{"address": "https://user:pw@state.example.com/dev?token=x"}},
			deployment.StateKeeping{Environment: "dev", Backend: "http", Keeper: deployment.KeptByBackend, Where: "https://state.example.com"}},
		{"azurerm", blueprint.Backend{Type: "azurerm", Config: map[string]any{"storage_account_name": "sttfstate", "container_name": "tfstate", "use_azuread_auth": true}},
			deployment.StateKeeping{Environment: "dev", Backend: "azurerm", Keeper: deployment.KeptByBackend, Where: "storage account sttfstate, container tfstate"}},
		{"s3", blueprint.Backend{Type: "s3", Config: map[string]any{"bucket": "tf", "key": "k", "region": "eu-west-1"}},
			deployment.StateKeeping{Environment: "dev", Backend: "s3", Keeper: deployment.KeptByBackend, Where: "bucket tf"}},
		{"gcs", blueprint.Backend{Type: "gcs", Config: map[string]any{"bucket": "tf"}},
			deployment.StateKeeping{Environment: "dev", Backend: "gcs", Keeper: deployment.KeptByBackend, Where: "bucket tf"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := deployment.StateKeepingOf(&blueprint.Environment{Name: "dev", Backend: tt.backend})
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("StateKeepingOf (-want +got):\n%s", diff)
			}
			err := got.Err()
			var lost *deployment.StateLossError
			if refused := errors.As(err, &lost); refused != (tt.want.Keeper == deployment.KeptNowhere) {
				t.Fatalf("Err() = %v", err)
			}
			if lost != nil && (lost.Environment != "dev" || !strings.Contains(err.Error(), "removed when the run ends") || !strings.Contains(err.Error(), "CloudOven's backend")) {
				t.Errorf("the refusal does not say why and what to do: %v", err)
			}
		})
	}
	if err := deployment.StateKeepingOf(nil).Err(); err != nil {
		t.Errorf("without an environment (the CLI) nothing is refused: %v", err)
	}
}
