package registrytest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/crawler/registrytest"
	"github.com/cloudoven/cloudoven/internal/testenv"
)

func dataDir(t *testing.T) string {
	t.Helper()
	return testenv.SharedData(t)
}

func get(t *testing.T, srv *registrytest.Server, uri string, v any) int {
	t.Helper()
	resp, err := http.Get(srv.URL() + uri)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v: %s", uri, err, b)
		}
	}
	return resp.StatusCode
}

type list struct {
	Data []struct {
		ID         string
		Type       string
		Attributes struct {
			Category, Language, Path, Slug, Title string
			Subcategory                           *string
			Truncated                             bool
		}
		Links struct{ Self string }
	}
}

func TestRegistryServerShapes(t *testing.T) {
	t.Parallel()
	data := dataDir(t)
	srv := registrytest.NewServer(t, data, map[string]string{"azurerm": "5.2.0", "random": "3.9.0"})
	vid := srv.VersionID("azurerm", "5.2.0")

	var versions struct{ Versions []struct{ Version string } }
	if code := get(t, srv, "/v1/providers/hashicorp/azurerm/versions", &versions); code != 200 || len(versions.Versions) != 1 || versions.Versions[0].Version != "5.2.0" {
		t.Errorf("versions: %d %+v", code, versions)
	}
	var provider struct {
		Data     struct{ ID, Type string }
		Included []struct {
			ID, Type   string
			Attributes struct{ Version string }
		}
	}
	if code := get(t, srv, "/v2/providers/hashicorp/azurerm?include=provider-versions", &provider); code != 200 ||
		provider.Data.Type != "providers" || len(provider.Included) != 1 || provider.Included[0].ID != vid || provider.Included[0].Attributes.Version != "5.2.0" {
		t.Errorf("provider: %d %+v", code, provider)
	}

	var l list
	code := get(t, srv, "/v2/provider-docs?filter[provider-version]="+vid+"&filter[category]=data-sources&filter[language]=hcl&filter[slug]=function_app_host_keys", &l)
	if code != 200 || len(l.Data) != 1 {
		t.Fatalf("filter[slug]: %d %+v", code, l)
	}
	d := l.Data[0]
	if d.Type != "provider-docs" || d.Attributes.Category != "data-sources" || d.Attributes.Language != "hcl" ||
		d.Attributes.Path != "website/docs/d/function_app_host_keys.html.markdown" || d.Attributes.Title != "function_app_host_keys" ||
		d.Attributes.Subcategory == nil || *d.Attributes.Subcategory != "App Service (Web Apps)" || d.Links.Self != "/v2/provider-docs/"+d.ID {
		t.Errorf("list entry: %+v", d)
	}

	var doc struct {
		Data struct {
			ID         string
			Attributes struct{ Content, Slug string }
		}
	}
	want, err := os.ReadFile(filepath.Join(data, "azurerm", "docs", "d", "function_app_host_keys.html.markdown"))
	if err != nil {
		t.Fatal(err)
	}
	if code := get(t, srv, d.Links.Self, &doc); code != 200 || doc.Data.ID != d.ID || doc.Data.Attributes.Content != string(want) {
		t.Errorf("doc: %d id %s, content equal %v", code, doc.Data.ID, doc.Data.Attributes.Content == string(want))
	}

	// random's pages carry an empty subcategory, which the registry answers as null.
	rvid := srv.VersionID("random", "3.9.0")
	l = list{}
	if get(t, srv, "/v2/provider-docs?filter[provider-version]="+rvid+"&filter[category]=resources&filter[slug]=password", &l); len(l.Data) != 1 ||
		l.Data[0].Attributes.Subcategory != nil || l.Data[0].Attributes.Path != "docs/resources/password.md" {
		t.Errorf("random password: %+v", l)
	}
	l = list{}
	if get(t, srv, "/v2/provider-docs?filter[provider-version]="+rvid+"&filter[category]=overview", &l); len(l.Data) != 1 || l.Data[0].Attributes.Slug != "index" {
		t.Errorf("overview: %+v", l)
	}
	l = list{}
	if get(t, srv, "/v2/provider-docs?filter[provider-version]="+rvid+"&filter[category]=resources&filter[language]=python", &l); len(l.Data) != 0 {
		t.Errorf("python docs: %+v", l)
	}

	for uri, wantCode := range map[string]int{
		"/v2/provider-docs?filter[provider-version]=" + vid + "&filter[category]=resourcez": 400,
		"/v2/provider-docs?filter[category]=resources":                                      400,
		"/v2/provider-docs?filter[provider-version]=" + vid + "&page[size]=101":             400,
		"/v2/provider-docs?filter[provider-version]=" + vid + "&page[number]=0":             400,
		"/v2/provider-docs/1":                        404,
		"/v1/providers/hashicorp/nope/versions":      404,
		"/v1/providers/someone/azurerm/versions":     404,
		"/v2/providers/hashicorp/nope":               404,
		"/v2/something-else":                         404,
		"/v1/providers/hashicorp/random/versions":    200,
		"/v2/provider-docs/" + d.ID:                  200,
		"/v2/providers/hashicorp/random?include=all": 200,
	} {
		var e struct {
			Errors []struct{ Status, Detail string }
		}
		if code := get(t, srv, uri, &e); code != wantCode || code != 200 && (len(e.Errors) != 1 || e.Errors[0].Detail == "") {
			t.Errorf("%s: %d %+v, want %d", uri, code, e, wantCode)
		}
	}
}

func TestRegistryServerIDsAreStable(t *testing.T) {
	t.Parallel()
	data := dataDir(t)
	a := registrytest.NewServer(t, data, map[string]string{"random": "3.9.0"})
	b := registrytest.NewServer(t, data, map[string]string{"random": "3.9.0", "helm": "3.1.2"})
	if a.VersionID("random", "3.9.0") != b.VersionID("random", "3.9.0") {
		t.Error("the version id depends on the other providers")
	}
	if a.DocPath("random", "resources", "pet") != b.DocPath("random", "resources", "pet") || a.DocPath("random", "resources", "pet") == "" {
		t.Error("the doc id depends on the other providers")
	}
}

func TestRegistryServerFaults(t *testing.T) {
	t.Parallel()
	srv := registrytest.NewServer(t, dataDir(t), map[string]string{"random": "3.9.0"})
	path := registrytest.VersionsPath("random")
	srv.FailNext(path, 503, 429)
	srv.RetryAfter(path, "7")
	var codes []int
	for range 3 {
		resp, err := http.Get(srv.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
		if resp.StatusCode != 200 && resp.Header.Get("Retry-After") != "7" {
			t.Errorf("no Retry-After on an injected %d", resp.StatusCode)
		}
	}
	if codes[0] != 503 || codes[1] != 429 || codes[2] != 200 {
		t.Errorf("statuses %v, want 503 429 200", codes)
	}
	if n := srv.Requests(path); n != 3 {
		t.Errorf("counted %d requests", n)
	}

	// A prefix rule applies to every document; an exact rule beats it.
	pet := srv.DocPath("random", "resources", "pet")
	srv.Fail(registrytest.DocsPath+"/*", 500)
	srv.Fail(pet, 502)
	if code := get(t, srv, pet, nil); code != 502 {
		t.Errorf("exact rule: %d", code)
	}
	if code := get(t, srv, srv.DocPath("random", "resources", "id"), nil); code != 500 {
		t.Errorf("prefix rule: %d", code)
	}
	srv.Reset(registrytest.DocsPath + "/*")
	if code := get(t, srv, srv.DocPath("random", "resources", "id"), nil); code != 200 {
		t.Errorf("after Reset: %d", code)
	}
	if n := srv.Requests(registrytest.DocsPath + "/*"); n != 3 {
		t.Errorf("prefix count %d, want 3", n)
	}

	// A delayed request ends when the client gives up.
	srv.Delay(path, time.Hour)
	client := &http.Client{Timeout: 50 * time.Millisecond}
	start := time.Now()
	if _, err := client.Get(srv.URL() + path); err == nil {
		t.Error("a delayed request answered")
	}
	if time.Since(start) > 5*time.Second {
		t.Error("the delay did not end with the client")
	}
}
