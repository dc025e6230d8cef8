package catalog_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/catalog"
)

// providerVersions lists a catalog's providers as source → version.
func providerVersions(c *catalog.Catalog) map[string]string {
	out := map[string]string{}
	for _, p := range c.Providers() {
		out[p.Source] = p.Version
	}
	return out
}

func TestPackInstallsTheSameCatalog(t *testing.T) {
	t.Parallel()
	from := filepath.Join(t.TempDir(), "from")
	if err := catalog.Seed(from, catalog.Embedded()); err != nil {
		t.Fatal(err)
	}
	blob, err := catalog.Pack(from)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the built-in catalog packs to %d bytes", len(blob))
	again, err := catalog.Pack(from)
	if err != nil || !bytes.Equal(blob, again) {
		t.Errorf("packing the same directory twice gave different bytes (err %v)", err)
	}

	to := filepath.Join(t.TempDir(), "to")
	changed, err := catalog.Install(to, blob)
	if err != nil || !changed {
		t.Fatalf("Install into an empty directory: changed=%v, %v", changed, err)
	}
	want, got := embedded(t), loadDir(t, to)
	if diff := cmp.Diff(providerVersions(want), providerVersions(got)); diff != "" {
		t.Errorf("installed catalog's providers (-built-in +installed):\n%s", diff)
	}
	if got.Resource("azurerm_kubernetes_cluster") == nil {
		t.Error("the installed catalog lacks azurerm_kubernetes_cluster")
	}
	if changed, err := catalog.Install(to, blob); err != nil || changed {
		t.Errorf("installing the same pack again: changed=%v, %v; want nothing to do", changed, err)
	}
	if changed, err := catalog.Install(from, blob); err != nil || changed {
		t.Errorf("installing a pack into the directory it came from: changed=%v, %v; want nothing to do", changed, err)
	}
}

func loadDir(t *testing.T, dir string) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Load(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// member is one file of a tar.
type member struct {
	name string
	data []byte
}

func readPack(t *testing.T, blob []byte) []member {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(blob))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var out []member
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, member{hdr.Name, data})
	}
}

func writePack(t *testing.T, ms []member) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, m := range ms {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: m.name, Size: int64(len(m.data)), Mode: 0o644}); err != nil {
			t.Fatal(err)
		}
		tw.Write(m.data)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	return buf.Bytes()
}

func TestInstallRefusesADamagedPack(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	if _, err := catalog.Write(src, catalog.ProviderVersion{Source: "example/demo", Version: "1.0.0", Schema: sampleSchema()}); err != nil {
		t.Fatal(err)
	}
	blob, err := catalog.Pack(src)
	if err != nil {
		t.Fatal(err)
	}
	good := readPack(t, blob)
	if len(good) != 2 || good[0].name != catalog.IndexFile {
		t.Fatalf("the pack holds %d members, first %q; want index.json and the schema", len(good), good[0].name)
	}
	edit := func(f func(ms []member) []member) []byte {
		ms := make([]member, len(good))
		for i, m := range good {
			ms[i] = member{m.name, bytes.Clone(m.data)}
		}
		return writePack(t, f(ms))
	}
	tests := []struct {
		name string
		blob []byte
		want string
	}{
		{"not gzip", []byte("not a pack"), "reading the pack"},
		{"truncated", blob[:len(blob)/2], "reading the pack"},
		{"a file changed", edit(func(ms []member) []member { ms[1].data[0] ^= 1; return ms }), "does not match its index"},
		{"a file missing", edit(func(ms []member) []member { return ms[:1] }), "is missing"},
		{"a file not listed", edit(func(ms []member) []member { return append(ms, member{"example/demo/1.0.0/extra.json", []byte("{}")}) }), "not a file its index lists"},
		{"a file twice", edit(func(ms []member) []member { return append(ms, ms[1]) }), "comes twice"},
		{"index not first", edit(func(ms []member) []member { return []member{ms[1], ms[0]} }), "the first member"},
		{"a path out of the catalog", edit(func(ms []member) []member {
			ms[0].data = bytes.Replace(ms[0].data, []byte(`"schema.`), []byte(`"../../schema.`), 1)
			return ms
		}), "lists the file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			changed, err := catalog.Install(dir, tt.blob)
			if err == nil || !strings.Contains(err.Error(), tt.want) || changed {
				t.Fatalf("Install: changed=%v, %v; want an error containing %q", changed, err, tt.want)
			}
			if des, _ := os.ReadDir(dir); len(des) != 0 {
				t.Errorf("a refused pack wrote %d entries into the directory", len(des))
			}
		})
	}
}
