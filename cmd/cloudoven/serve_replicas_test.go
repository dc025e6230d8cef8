package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/store"
)

// TestServeReplicasShareTheCrawledCatalog runs two `cloudoven serve` replicas on one
// PostgreSQL database, each with its own catalog directory: "Crawl now" on one answers that
// a crawl is running while another replica holds the crawl lock; once free, the crawl on
// the first replica reaches the second, whose type page shows the crawled version.
func TestServeReplicasShareTheCrawledCatalog(t *testing.T) {
	data := testenv.SharedData(t)
	dsn := testenv.Postgres(t)
	// A version the built-in catalog lacks, so its arrival shows on the other replica.
	config, err := json.Marshal(map[string]any{"providers": []map[string]string{{"source": "hashicorp/helm", "version": "9.9.9",
		"schema_file": filepath.Join(data, "helm", "schema.json"), "docs_dir": filepath.Join(data, "helm", "docs")}}})
	if err != nil {
		t.Fatal(err)
	}
	configFile := writeTemp(t, "crawl.json", string(config))
	const adminPassword = "correct-horse-battery-staple"
	replica := func() (string, func()) {
		base, _, stop := startServe(t, filepath.Join(t.TempDir(), "data"), "-database", dsn, "-admin-password", adminPassword, "-crawl-config", configFile)
		return base, stop
	}
	baseA, stopA := replica()
	defer stopA()
	baseB, stopB := replica()
	defer stopB()
	a, b := signIn(t, baseA, adminPassword), signIn(t, baseB, adminPassword)

	// Another replica's crawl, as the lock shows it.
	other, err := store.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	release, ok, err := other.TryCrawlLock(t.Context(), nil)
	if err != nil || !ok {
		t.Fatalf("taking the crawl lock: ok=%v, %v", ok, err)
	}
	status, body := a.post("/catalog/crawls")
	if status != http.StatusConflict || !strings.Contains(body, "A crawl is already running.") {
		t.Errorf("Crawl now while another replica crawls: %d\n%s", status, body)
	}
	release()

	a.do(http.MethodPost, "/catalog/crawls", url.Values{})
	// The other replica polls every few seconds: wait for the version to show.
	giveUp := time.After(3 * time.Minute)
	for {
		doc, _ := b.do(http.MethodGet, "/catalog/types/resource/helm_release", nil)
		if v := strings.TrimSpace(testID(doc, "type-version").First().Text()); v == "9.9.9" {
			break
		}
		select {
		case <-giveUp:
			t.Fatal("the other replica did not show the crawled helm 9.9.9 within 3 minutes")
		case <-time.After(500 * time.Millisecond):
		}
	}
	doc, _ := a.do(http.MethodGet, "/catalog/types/resource/helm_release", nil)
	if v := strings.TrimSpace(testID(doc, "type-version").First().Text()); v != "9.9.9" {
		t.Errorf("the crawling replica shows helm %q, want 9.9.9", v)
	}
}

// post sends an empty form post without following the answer, and returns its status and
// body.
func (b *browser) post(path string) (int, string) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(""))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", b.csrf)
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(data)))
	if err != nil {
		b.t.Fatal(err)
	}
	return resp.StatusCode, doc.Text()
}
