package testregistry

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"github.com/cloudoven/cloudoven/internal/testenv"
)

// Provider is one provider the registry serves.
type Provider struct {
	Namespace string // cloudoven
	Type      string // testprov
	Versions  []string
	// Binaries are the provider's executables by platform (linux_amd64); every version
	// serves the same ones, each in its own archive.
	Binaries map[string]string
}

// Registry is a running registry. Its server stops when the test ends.
type Registry struct {
	// Host is the registry's hostname as provider addresses write it: 127.0.0.1:<port>.
	Host string
	// CertFile is a PEM file holding the server's certificate, for SSL_CERT_FILE.
	CertFile string

	srv       *httptest.Server
	key       *openpgp.Entity
	armored   string
	downloads atomic.Int64

	mu       sync.Mutex
	packages map[string]*release // "ns/type/version"
	served   map[string][]string // "ns/type" -> versions
}

// release is one version of a provider: an archive per platform, their SHA256SUMS and its
// signature.
type release struct {
	archives map[string][]byte // platform -> zip
	names    map[string]string // platform -> file name
	sums     []byte
	sig      []byte
}

// New starts a registry serving providers.
func New(t testing.TB, providers ...Provider) *Registry {
	t.Helper()
	key, err := openpgp.NewEntity("CloudOven test registry", "", "registry@example.invalid", &packet.Config{
		// An RSA v4 key: what terraform 1.5's openpgp (golang.org/x/crypto) verifies.
		Algorithm: packet.PubKeyAlgoRSA,
		RSABits:   2048,
	})
	if err != nil {
		t.Fatalf("generating the registry's signing key: %v", err)
	}
	var pub bytes.Buffer
	w, err := armor.Encode(&pub, openpgp.PublicKeyType, nil)
	if err == nil {
		err = key.Serialize(w)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		t.Fatalf("armoring the registry's public key: %v", err)
	}
	r := &Registry{key: key, armored: pub.String(), packages: map[string]*release{}, served: map[string][]string{}}
	for _, p := range providers {
		for _, v := range p.Versions {
			rel, err := r.build(p, v)
			if err != nil {
				t.Fatalf("packaging %s/%s %s: %v", p.Namespace, p.Type, v, err)
			}
			r.packages[p.Namespace+"/"+p.Type+"/"+v] = rel
			r.served[p.Namespace+"/"+p.Type] = append(r.served[p.Namespace+"/"+p.Type], v)
		}
	}
	r.srv = httptest.NewTLSServer(r.routes())
	t.Cleanup(r.srv.Close)
	r.Host = strings.TrimPrefix(r.srv.URL, "https://")
	r.CertFile = filepath.Join(t.TempDir(), "registry.pem")
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.srv.Certificate().Raw})
	if err := os.WriteFile(r.CertFile, cert, 0o644); err != nil {
		t.Fatal(err)
	}
	return r
}

// Source is the full address of a provider this registry serves.
func (r *Registry) Source(namespace, typ string) string {
	return r.Host + "/" + namespace + "/" + typ
}

// Env is the environment terraform needs to trust the registry.
func (r *Registry) Env() map[string]string {
	return map[string]string{"SSL_CERT_FILE": r.CertFile}
}

// KeyID is the signing key's id as terraform prints it.
func (r *Registry) KeyID() string { return strings.ToUpper(r.key.PrimaryKey.KeyIdString()) }

// Downloads counts the archives served.
func (r *Registry) Downloads() int64 { return r.downloads.Load() }

// ArchiveHash is the zh: hash of the archive served for one provider version and platform,
// as lock files write it, or "" when there is none.
func (r *Registry) ArchiveHash(namespace, typ, version, platform string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	rel := r.packages[namespace+"/"+typ+"/"+version]
	if rel == nil || rel.archives[platform] == nil {
		return ""
	}
	sum := sha256.Sum256(rel.archives[platform])
	return "zh:" + hex.EncodeToString(sum[:])
}

// Archive is a copy of the zip served for one provider version and platform, or nil.
func (r *Registry) Archive(namespace, typ, version, platform string) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	rel := r.packages[namespace+"/"+typ+"/"+version]
	if rel == nil {
		return nil
	}
	return bytes.Clone(rel.archives[platform])
}

// Withdraw stops serving a version, as a registry whose publisher deleted a release.
func (r *Registry) Withdraw(namespace, typ, version string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.packages, namespace+"/"+typ+"/"+version)
	key := namespace + "/" + typ
	r.served[key] = slices.DeleteFunc(r.served[key], func(v string) bool { return v == version })
}

func (r *Registry) build(p Provider, version string) (*release, error) {
	rel := &release{archives: map[string][]byte{}, names: map[string]string{}}
	var sums strings.Builder
	platforms := make([]string, 0, len(p.Binaries))
	for platform := range p.Binaries {
		platforms = append(platforms, platform)
	}
	slices.Sort(platforms)
	for _, platform := range platforms {
		bin, err := os.ReadFile(p.Binaries[platform])
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		hdr := &zip.FileHeader{Name: "terraform-provider-" + p.Type + "_v" + version, Method: zip.Deflate, Modified: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
		hdr.SetMode(0o755)
		f, err := zw.CreateHeader(hdr)
		if err == nil {
			_, err = f.Write(bin)
		}
		if err == nil {
			err = zw.Close()
		}
		if err != nil {
			return nil, err
		}
		name := fmt.Sprintf("terraform-provider-%s_%s_%s.zip", p.Type, version, platform)
		rel.archives[platform] = buf.Bytes()
		rel.names[platform] = name
		sum := sha256.Sum256(buf.Bytes())
		fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(sum[:]), name)
	}
	rel.sums = []byte(sums.String())
	var sig bytes.Buffer
	if err := openpgp.DetachSign(&sig, r.key, bytes.NewReader(rel.sums), nil); err != nil {
		return nil, fmt.Errorf("signing SHA256SUMS: %w", err)
	}
	rel.sig = sig.Bytes()
	return rel, nil
}

func (r *Registry) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/terraform.json", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, map[string]string{"providers.v1": "/v1/providers/"})
	})
	mux.HandleFunc("GET /v1/providers/{ns}/{type}/versions", func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		defer r.mu.Unlock()
		versions, ok := r.served[req.PathValue("ns")+"/"+req.PathValue("type")]
		if !ok {
			http.NotFound(w, req)
			return
		}
		type platform struct {
			OS   string `json:"os"`
			Arch string `json:"arch"`
		}
		type entry struct {
			Version   string     `json:"version"`
			Protocols []string   `json:"protocols"`
			Platforms []platform `json:"platforms"`
		}
		var list []entry
		for _, v := range versions {
			e := entry{Version: v, Protocols: []string{"6.0"}}
			for p := range r.packages[req.PathValue("ns")+"/"+req.PathValue("type")+"/"+v].archives {
				osName, arch, _ := strings.Cut(p, "_")
				e.Platforms = append(e.Platforms, platform{osName, arch})
			}
			list = append(list, e)
		}
		writeJSON(w, map[string]any{"versions": list})
	})
	mux.HandleFunc("GET /v1/providers/{ns}/{type}/{version}/download/{os}/{arch}", func(w http.ResponseWriter, req *http.Request) {
		key := req.PathValue("ns") + "/" + req.PathValue("type") + "/" + req.PathValue("version")
		platform := req.PathValue("os") + "_" + req.PathValue("arch")
		r.mu.Lock()
		rel := r.packages[key]
		r.mu.Unlock()
		if rel == nil || rel.archives[platform] == nil {
			http.NotFound(w, req)
			return
		}
		sum := sha256.Sum256(rel.archives[platform])
		files := r.srv.URL + "/files/" + key + "/"
		writeJSON(w, map[string]any{
			"protocols":             []string{"6.0"},
			"os":                    req.PathValue("os"),
			"arch":                  req.PathValue("arch"),
			"filename":              rel.names[platform],
			"download_url":          files + platform,
			"shasums_url":           files + "SHA256SUMS",
			"shasums_signature_url": files + "SHA256SUMS.sig",
			"shasum":                hex.EncodeToString(sum[:]),
			"signing_keys": map[string]any{"gpg_public_keys": []map[string]string{{
				"key_id":      r.KeyID(),
				"ascii_armor": r.armored,
			}}},
		})
	})
	mux.HandleFunc("GET /files/{ns}/{type}/{version}/{file}", func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		rel := r.packages[req.PathValue("ns")+"/"+req.PathValue("type")+"/"+req.PathValue("version")]
		r.mu.Unlock()
		if rel == nil {
			http.NotFound(w, req)
			return
		}
		switch file := req.PathValue("file"); file {
		case "SHA256SUMS":
			w.Write(rel.sums)
		case "SHA256SUMS.sig":
			w.Write(rel.sig)
		default:
			if rel.archives[file] == nil {
				http.NotFound(w, req)
				return
			}
			// terraform's downloader asks HEAD first; only the GET is a download.
			if req.Method == http.MethodGet {
				r.downloads.Add(1)
			}
			w.Header().Set("Content-Type", "application/zip")
			w.Write(rel.archives[file])
		}
	})
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// BuildProvider builds crawler/internal/testprovider for one platform (linux_amd64) and
// returns the executable's path. CGO is off: the runner image has no libc.
func BuildProvider(t testing.TB, platform string) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		testenv.Unavailable(t, "no go command on PATH to build the test provider")
	}
	goos, goarch, ok := strings.Cut(platform, "_")
	if !ok {
		t.Fatalf("platform %q: want os_arch", platform)
	}
	out := filepath.Join(t.TempDir(), "terraform-provider-testprov")
	cmd := exec.Command(goBin, "build", "-trimpath", "-o", out, "./crawler/internal/testprovider")
	cmd.Dir = testenv.RepoRoot()
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the test provider: %v\n%s", err, b)
	}
	return out
}

// Silent starts a server that accepts connections and never answers, a registry that
// hangs, and returns its host:port and a channel closed once it has accepted a connection.
func Silent(t testing.TB) (string, <-chan struct{}) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	accepted := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			if len(conns) == 0 {
				close(accepted)
			}
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String(), accepted
}
