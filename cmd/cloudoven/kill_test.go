package main

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cloudoven/cloudoven/catalog"
	"github.com/cloudoven/cloudoven/crawler/registrytest"
	"github.com/cloudoven/cloudoven/internal/testenv"
)

// TestMain lets a test run this binary as `cloudoven` in a child process.
func TestMain(m *testing.M) {
	if args := os.Getenv("CLOUDOVEN_TEST_RUN_MAIN"); args != "" {
		os.Args = append([]string{"cloudoven"}, strings.Split(args, "\x1f")...)
		main()
		os.Exit(0)
	}
	code := m.Run()
	testenv.StopPostgres()
	os.Exit(code)
}

// TestKilledCrawlLeavesCatalogUnchanged runs `cloudoven crawl` in a child process and kills
// it with SIGKILL while it fetches documents (after azurerm's files are written): the index
// is byte-for-byte what it was and the catalog loads.
func TestKilledCrawlLeavesCatalogUnchanged(t *testing.T) {
	data := testenv.SharedData(t)
	srv := registrytest.NewServer(t, data, map[string]string{"azurerm": "5.2.0", "kubernetes": "3.2.1"})
	dir := filepath.Join(t.TempDir(), "catalog")
	if err := catalog.Seed(dir, catalog.Embedded()); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "index.json"))
	config := writeTemp(t, "crawl.json", `{"providers": [
	  {"source": "hashicorp/azurerm", "version": "5.2.0", "schema_file": "`+filepath.Join(data, "azurerm", "schema.json")+`"},
	  {"source": "hashicorp/kubernetes", "version": "3.2.1", "schema_file": "`+filepath.Join(data, "kubernetes", "schema.json")+`"}]}`)

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "CLOUDOVEN_TEST_RUN_MAIN="+strings.Join([]string{"crawl", "-catalog-dir", dir, "-crawl-config", config,
		"-registry", srv.URL(), "-force", "-quiet"}, "\x1f"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out

	// Kill the crawler once it is well into kubernetes' documents: azurerm is parsed and its
	// files are on disk by then, but nothing is committed.
	kubeIDs := map[string]bool{}
	for _, d := range srv.Docs("kubernetes", "") {
		kubeIDs["/v2/provider-docs/"+d.ID] = true
	}
	var kubeDocs atomic.Int64
	var once sync.Once
	killed := make(chan struct{})
	srv.OnRequest(func(r *http.Request) {
		if kubeIDs[r.URL.Path] && kubeDocs.Add(1) == 30 {
			once.Do(func() { cmd.Process.Kill(); close(killed) })
		}
	})
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	select {
	case <-killed:
	default:
		t.Fatalf("the crawl ended before it could be killed (err %v):\n%s", err, out.String())
	}
	after, _ := os.ReadFile(filepath.Join(dir, "index.json"))
	if !bytes.Equal(before, after) {
		t.Error("a killed crawl changed the index")
	}
	if _, err := catalog.Load(os.DirFS(dir)); err != nil {
		t.Errorf("the previous catalog no longer loads: %v", err)
	}
}
