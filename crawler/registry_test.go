package crawler_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/crawler"
	"github.com/cloudoven/cloudoven/crawler/registrytest"
	"github.com/cloudoven/cloudoven/internal/testenv"
)

// registryVersions are the provider versions whose docs are in ../shared/data.
var registryVersions = map[string]string{"azurerm": "5.2.0", "azuread": "3.9.0", "helm": "3.1.2", "kubernetes": "3.2.1", "random": "3.9.0"}

func registryData(t testing.TB) string {
	t.Helper()
	return testenv.SharedData(t)
}

// countFiles counts the pages on disk in one docs subdirectory.
func countFiles(t testing.TB, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// fastRegistry is a client with retries fast enough for tests.
func fastRegistry(srv *registrytest.Server, opts crawler.RegistryOptions) *crawler.Registry {
	opts.BaseURL = srv.URL()
	if opts.MinBackoff == 0 {
		opts.MinBackoff = time.Millisecond
	}
	if opts.MaxBackoff == 0 {
		opts.MaxBackoff = 20 * time.Millisecond
	}
	if opts.RequestTimeout == 0 {
		opts.RequestTimeout = 10 * time.Second
	}
	return crawler.NewRegistry(opts)
}

func serve(t *testing.T, names ...string) *registrytest.Server {
	t.Helper()
	providers := map[string]string{}
	for _, n := range names {
		providers[n] = registryVersions[n]
	}
	return registrytest.NewServer(t, registryData(t), providers)
}

func TestRegistryVersionsSortedAndLatest(t *testing.T) {
	t.Parallel()
	srv := serve(t, "azurerm")
	srv.AddVersions("azurerm", "6.0.0-beta1", "4.57.0", "not-a-version", "5.10.0", "3.117.1")
	reg := fastRegistry(srv, crawler.RegistryOptions{})

	got, err := reg.Versions(context.Background(), "hashicorp", "azurerm")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"3.117.1", "4.57.0", "5.2.0", "5.10.0", "6.0.0-beta1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
	if latest := crawler.LatestVersion(got); latest != "5.10.0" {
		t.Errorf("latest = %q, want 5.10.0 (the prerelease is not a release)", latest)
	}
}

func TestRegistryLatestVersion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		versions []string
		want     string
	}{
		{"none", nil, ""},
		{"only prereleases", []string{"1.0.0-alpha", "2.0.0-rc1"}, ""},
		{"semver not string order", []string{"5.9.0", "5.10.0", "5.2.0"}, "5.10.0"},
		{"junk ignored", []string{"latest", "", "1.2.3"}, "1.2.3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := crawler.LatestVersion(tc.versions); got != tc.want {
				t.Errorf("LatestVersion(%q) = %q, want %q", tc.versions, got, tc.want)
			}
		})
	}
}

func TestRegistryVersionsOfUnknownProviderIsNotRetried(t *testing.T) {
	t.Parallel()
	srv := serve(t, "random")
	reg := fastRegistry(srv, crawler.RegistryOptions{})
	_, err := reg.Versions(context.Background(), "hashicorp", "nope")
	var se *crawler.StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusNotFound {
		t.Fatalf("want a 404 StatusError, got %v", err)
	}
	if !strings.HasPrefix(err.Error(), "fetching /v1/providers/hashicorp/nope/versions: 404 Not Found") {
		t.Errorf("error does not say what was fetched and what came back: %v", err)
	}
	if n := srv.Requests(registrytest.VersionsPath("nope")); n != 1 {
		t.Errorf("a 404 was asked %d times, want once", n)
	}
	// Names that would escape the URL path never reach the server.
	before := srv.TotalRequests()
	if _, err := reg.Versions(context.Background(), "hashicorp", "../../admin"); err == nil {
		t.Error("a provider name with slashes was accepted")
	}
	if srv.TotalRequests() != before {
		t.Error("an invalid name was sent to the registry")
	}
}

func TestRegistryVersionID(t *testing.T) {
	t.Parallel()
	srv := serve(t, "azurerm", "random")
	srv.AddVersions("azurerm", "5.1.0")
	reg := fastRegistry(srv, crawler.RegistryOptions{})
	ctx := context.Background()

	for _, v := range []string{"5.2.0", "5.1.0"} {
		id, err := reg.VersionID(ctx, "hashicorp", "azurerm", v)
		if err != nil {
			t.Fatal(err)
		}
		if want := srv.VersionID("azurerm", v); id != want || id == "" {
			t.Errorf("azurerm %s: id %q, want %q", v, id, want)
		}
	}
	if _, err := reg.VersionID(ctx, "hashicorp", "azurerm", "9.9.9"); err == nil || !strings.Contains(err.Error(), "no version 9.9.9") {
		t.Errorf("unknown version: %v", err)
	}
}
