package providers

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/internal/testregistry"
)

func TestEnsureFaults(t *testing.T) {
	reg := newRegistry(t)
	ctx := context.Background()

	t.Run("a provider the registry does not have", func(t *testing.T) {
		c := openCache(t, t.TempDir(), reg)
		source := reg.Source("cloudoven", "nosuch")
		_, err := c.Ensure(ctx, []Requirement{{Source: source}}, Lock{}, []string{hostPlatform})
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("got %v, want ErrNotFound", err)
		}
		for _, want := range []string{source, "the registry " + reg.Host} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
		t.Log(err)
		assertNothingHalfInstalled(t, c, 0)
	})

	t.Run("no version matches the constraint", func(t *testing.T) {
		c := openCache(t, t.TempDir(), reg)
		_, err := c.Ensure(ctx, []Requirement{{Source: reg.Source("cloudoven", "testprov"), Constraint: "> 9.0"}}, Lock{}, []string{hostPlatform})
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "version > 9.0") {
			t.Fatalf("got %v, want ErrNotFound naming the constraint", err)
		}
		t.Log(err)
		assertNothingHalfInstalled(t, c, 0)
	})

	t.Run("a registry that never answers", func(t *testing.T) {
		host, _ := testregistry.Silent(t)
		c, err := Open(t.TempDir(), Options{Terraform: testenv.Terraform(t), Env: reg.Env(), Timeout: 3 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = c.Ensure(ctx, []Requirement{{Source: host + "/cloudoven/testprov"}}, Lock{}, []string{hostPlatform})
		took := time.Since(start)
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no answer within 3s") {
			t.Fatalf("got %v, want a timeout saying so", err)
		}
		// terraform is killed at the limit.
		if took > 5*time.Second {
			t.Errorf("the install ended %s after it started, limit 3s", took.Round(time.Millisecond))
		}
		t.Log(err)
		assertNothingHalfInstalled(t, c, 0)
	})

	t.Run("a cancel", func(t *testing.T) {
		host, accepted := testregistry.Silent(t)
		c := openCache(t, t.TempDir(), reg)
		cctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() {
			// Cancelled once terraform is waiting on the silent registry.
			select {
			case <-accepted:
				cancel()
			case <-cctx.Done():
			}
		}()
		_, err := c.Ensure(cctx, []Requirement{{Source: host + "/cloudoven/testprov"}}, Lock{}, []string{hostPlatform})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
		assertNothingHalfInstalled(t, c, 0)
	})

	t.Run("a cache directory that is not writable", func(t *testing.T) {
		dir := mountTmpfs(t, 64<<20)
		c := openCache(t, dir, reg)
		if out, err := exec.Command("mount", "-o", "remount,ro", dir).CombinedOutput(); err != nil {
			testenv.Unavailable(t, "remounting a tmpfs read-only: "+string(out))
		}
		_, err := c.Ensure(ctx, []Requirement{{Source: reg.Source("cloudoven", "testprov")}}, Lock{}, []string{hostPlatform})
		if err == nil || !strings.Contains(err.Error(), "is not writable") || !strings.Contains(err.Error(), dir) {
			t.Fatalf("got %v, want an error saying the cache is not writable", err)
		}
		assertNothingHalfInstalled(t, c, 0)
		if _, err := Open(filepath.Join(dir, "new"), Options{}); err == nil {
			t.Error("Open accepted a directory it cannot create")
		}
	})

	t.Run("a full disk", func(t *testing.T) {
		bin, err := os.Stat(testProvider(t))
		if err != nil {
			t.Fatal(err)
		}
		zipSize := int64(len(reg.Archive("cloudoven", "testprov", "0.2.0", hostPlatform)))
		// Room for terraform's download, not for the unpacked executable beside it.
		dir := mountTmpfs(t, zipSize+bin.Size()/2)
		c := openCache(t, dir, reg)
		_, err = c.Ensure(ctx, []Requirement{{Source: reg.Source("cloudoven", "testprov")}}, Lock{}, []string{hostPlatform})
		if err == nil || !strings.Contains(err.Error(), "disk is full") {
			t.Fatalf("got %v, want an error saying the disk is full", err)
		}
		t.Log(err)
		assertNothingHalfInstalled(t, c, 0)
	})
}

func TestEnsureFromAnOperatorMirror(t *testing.T) {
	reg := newRegistry(t)
	ctx := context.Background()
	const source = "registry.terraform.io/cloudoven/testprov"
	mirror := t.TempDir()
	dir := filepath.Join(mirror, filepath.FromSlash(source))
	if err := os.MkdirAll(filepath.Join(dir, "0.2.0", hostPlatform), 0o755); err != nil {
		t.Fatal(err)
	}
	// 0.1.0 packed, 0.2.0 unpacked: the two layouts of terraform's filesystem mirrors.
	if err := os.WriteFile(filepath.Join(dir, "terraform-provider-testprov_0.1.0_"+hostPlatform+".zip"), reg.Archive("cloudoven", "testprov", "0.1.0", hostPlatform), 0o644); err != nil {
		t.Fatal(err)
	}
	bin, err := os.ReadFile(testProvider(t))
	if err != nil {
		t.Fatal(err)
	}
	testenv.WriteExecutable(t, filepath.Join(dir, "0.2.0", hostPlatform, "terraform-provider-testprov_v0.2.0"), bin)
	c, err := Open(t.TempDir(), Options{Mirror: mirror})
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := c.Ensure(ctx, []Requirement{{Source: source, Constraint: "< 0.2.0"}}, Lock{}, []string{hostPlatform})
	if err != nil {
		t.Fatal(err)
	}
	if p := pkgs[0]; p.Version != "0.1.0" || p.From != "mirror" || len(p.Hashes) != 2 {
		t.Errorf("packed: %+v", p)
	}
	pkgs, err = c.Ensure(ctx, []Requirement{{Source: source, Constraint: ">= 0.2.0"}}, Lock{}, []string{hostPlatform})
	if err != nil {
		t.Fatal(err)
	}
	// Unpacked, it has no archive, so no zh:.
	if p := pkgs[0]; p.Version != "0.2.0" || p.From != "mirror" || len(p.Hashes) != 1 || !strings.HasPrefix(p.Hashes[0], "h1:") {
		t.Errorf("unpacked: %+v", p)
	}
	if _, err := os.Stat(filepath.Join(pkgs[0].Dir, "terraform-provider-testprov_v0.2.0")); err != nil {
		t.Error(err)
	}

	_, err = c.Ensure(ctx, []Requirement{{Source: "registry.terraform.io/hashicorp/azurerm"}}, Lock{}, []string{hostPlatform})
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), mirror) || !strings.Contains(err.Error(), "hashicorp/azurerm") {
		t.Errorf("a provider the mirror lacks: %v", err)
	}
	assertNothingHalfInstalled(t, c, 2)
}

func TestUnzipRefusesWhatLeavesThePackage(t *testing.T) {
	for name, entry := range map[string]zip.FileHeader{
		"parent":   {Name: "../evil"},
		"absolute": {Name: "/etc/evil"},
		"nested":   {Name: "a/../../evil"},
		"symlink":  {Name: "link", ExternalAttrs: uint32(0o120777) << 16, CreatorVersion: 3 << 8},
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			w, err := zw.CreateHeader(&entry)
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte("x"))
			zw.Close()
			tmp := t.TempDir()
			archive := filepath.Join(tmp, "p.zip")
			if err := os.WriteFile(archive, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := unzip(archive, filepath.Join(tmp, "out")); err == nil {
				t.Error("accepted")
			}
			if _, err := os.Lstat(filepath.Join(tmp, "evil")); err == nil {
				t.Error("a file landed outside the package directory")
			}
		})
	}
	t.Run("too many files", func(t *testing.T) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for i := range maxPackageFiles + 1 {
			if _, err := zw.Create("f" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + "/" + string(rune('a'+i/26%26)) + string(rune('a'+i/676))); err != nil {
				t.Fatal(err)
			}
		}
		zw.Close()
		archive := filepath.Join(t.TempDir(), "p.zip")
		os.WriteFile(archive, buf.Bytes(), 0o644)
		if _, err := unzip(archive, filepath.Join(t.TempDir(), "out")); err == nil || !strings.Contains(err.Error(), "over 1000") {
			t.Errorf("got %v", err)
		}
	})
}
