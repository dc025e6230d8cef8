package providercheck

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/cloudoven/cloudoven/blueprint"
)

// TestMirroredProviders picks, for each provider a blueprint uses, the version init will
// take from the mirror: the newest for this platform that meets the constraint, in either
// layout; none when none fits.
func TestMirroredProviders(t *testing.T) {
	dir := t.TempDir()
	platform := runtime.GOOS + "_" + runtime.GOARCH
	for _, p := range []string{
		"registry.terraform.io/hashicorp/time/0.13.0/" + platform + "/terraform-provider-time_v0.13.0",
		"registry.terraform.io/hashicorp/time/0.14.2/" + platform + "/terraform-provider-time_v0.14.2",
		"registry.terraform.io/hashicorp/time/0.15.0/other_arch/terraform-provider-time_v0.15.0",
		"registry.terraform.io/hashicorp/random/terraform-provider-random_3.9.0_" + platform + ".zip",
		"registry.terraform.io/hashicorp/random/terraform-provider-random_4.0.0_" + platform + ".zip",
	} {
		at := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(at), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(at, nil, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	b := &blueprint.Blueprint{
		RequiredProviders: []blueprint.RequiredProvider{
			{Name: "time", Source: "hashicorp/time", Version: "< 0.15"},
			{Name: "random", Source: "hashicorp/random", Version: "~> 3.0"},
		},
		Resources: []blueprint.Resource{
			{Type: "helm_release", Name: "x"},   // implied hashicorp/helm: not in the mirror
			{Type: "terraform_data", Name: "y"}, // built in
		},
	}
	got, err := mirroredProviders(dir, b)
	if err != nil {
		t.Fatal(err)
	}
	want := []Provider{
		{Name: "helm", Source: "registry.terraform.io/hashicorp/helm"},
		{Name: "random", Source: "registry.terraform.io/hashicorp/random", Version: "3.9.0"},
		{Name: "time", Source: "registry.terraform.io/hashicorp/time", Version: "0.14.2"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("provider %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	b.RequiredProviders[0].Version = "not a constraint"
	if _, err := mirroredProviders(dir, b); err == nil {
		t.Error("a constraint that does not parse: no error")
	}
}
