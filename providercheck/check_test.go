package providercheck_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/internal/testenv"
	"github.com/cloudoven/cloudoven/providercheck"
	"github.com/cloudoven/cloudoven/store"
)

const header = `terraform {
  required_providers {
    time = {
      source = "hashicorp/time"
    }
    testprov = {
      source = "cloudoven/testprov"
    }
  }
}
`

// rejected has a value each provider rejects in its code, where the schema allows it.
const rejected = header + `
resource "time_rotating" "r" {
  rotation_days = 0
}

resource "time_static" "s" {
  rfc3339 = "yesterday"
}

resource "time_offset" "o" {
  offset_days = "many"
}

resource "testprov_widget" "w" {
  name = "Not_A_Name"
  size = 11

  rule {
    port     = 80
    protocol = "tcp"
  }

  rule {
    port     = 53
    protocol = "icmp"
  }
}
`

// accepted is the same resources with values both providers take.
const accepted = header + `
resource "time_rotating" "r" {
  rotation_days = 30
}

resource "time_static" "s" {
  rfc3339 = "2026-01-02T03:04:05Z"
}

resource "testprov_widget" "w" {
  name = "a-name"
  size = 10

  rule {
    port     = 53
    protocol = "udp"
  }
}
`

func importHCL(t *testing.T, src string) *blueprint.Blueprint {
	t.Helper()
	b, diags := blueprint.Import(map[string][]byte{"main.tf": []byte(src)})
	if diags.HasErrors() {
		t.Fatal(diags.Errors())
	}
	b.Name = "check"
	return b
}

func newChecker(t *testing.T, cache providercheck.Cache, mirror string) (*providercheck.Checker, string) {
	t.Helper()
	tmp := t.TempDir()
	return providercheck.New(providercheck.Options{
		Terraform: testenv.Terraform(t),
		Mirror:    providercheck.MirrorDir(mirror),
		Cache:     cache,
		TempDir:   tmp,
	}), tmp
}

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "cloudoven.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestRealProvidersReject runs the real time and test providers: each value they reject
// comes back on its field, in the provider's words, labelled with the provider and version
// (and terraform's own check against the schema labelled terraform's);
// the same check again answers from the store; a valid configuration gives nothing.
func TestRealProvidersReject(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	c, tmp := newChecker(t, st, testenv.ProviderMirror(t))
	ctx := t.Context()

	res, err := c.Check(ctx, importHCL(t, rejected))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("checked in %s", res.Duration)
	if res.Cached {
		t.Error("the first check says it is cached")
	}
	want := map[string]struct{ summary, detail string }{
		"resources[time_rotating.r].rotation_days": {"time 0.14.2 says: Invalid Attribute Value", "must be at least 1, got: 0"},
		"resources[time_static.s].rfc3339":         {"time 0.14.2 says: Invalid RFC3339 String Value", "Given Value: yesterday"},
		// terraform's own check against the schema, on the same kind of line.
		"resources[time_offset.o].offset_days":          {"terraform 1.5.7 says: Incorrect attribute value type", "a number is required"},
		"resources[testprov_widget.w].name":             {"testprov 0.1.0 says: Invalid Attribute Value Match", `must match ^[a-z0-9-]+$, got: "Not_A_Name"`},
		"resources[testprov_widget.w].size":             {"testprov 0.1.0 says: Invalid Attribute Value", "must be between 1 and 10, got: 11"},
		"resources[testprov_widget.w].rule[1].protocol": {"testprov 0.1.0 says: Invalid Attribute Value Match", `must be one of: tcp, udp, got: "icmp"`},
	}
	got := map[string]providercheck.Diagnostic{}
	for _, d := range res.Diagnostics {
		got[d.Path] = d
		if _, ok := want[d.Path]; !ok {
			t.Errorf("unexpected diagnostic %s", d)
		}
	}
	for path, w := range want {
		d, ok := got[path]
		if !ok {
			t.Errorf("no diagnostic at %s", path)
			continue
		}
		if d.Severity != blueprint.Error || d.Summary != w.summary || !strings.Contains(d.Detail, w.detail) || d.File != "main.tf" || d.Line == 0 {
			t.Errorf("at %s: %+v, want error %q with %q", path, d, w.summary, w.detail)
		}
	}
	wantProviders := []providercheck.Provider{
		{Name: "testprov", Source: "registry.terraform.io/cloudoven/testprov", Version: "0.1.0"},
		{Name: "time", Source: "registry.terraform.io/hashicorp/time", Version: "0.14.2"},
	}
	if len(res.Providers) != 2 || res.Providers[0] != wantProviders[0] || res.Providers[1] != wantProviders[1] {
		t.Errorf("providers %+v, want %+v", res.Providers, wantProviders)
	}
	if res.Terraform != testenv.TerraformVersion {
		t.Errorf("terraform %q, want %s", res.Terraform, testenv.TerraformVersion)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("the check left %d entries in its temp folder", len(left))
	}

	again, err := c.Check(ctx, importHCL(t, rejected))
	if err != nil {
		t.Fatal(err)
	}
	if !again.Cached || len(again.Diagnostics) != len(res.Diagnostics) || again.Duration != res.Duration || again.CheckedAt.IsZero() {
		t.Errorf("the same check again: cached %v, %d diagnostics (first %d), duration %s (first %s)",
			again.Cached, len(again.Diagnostics), len(res.Diagnostics), again.Duration, res.Duration)
	}
	for i := range again.Diagnostics {
		if again.Diagnostics[i] != res.Diagnostics[i] {
			t.Errorf("cached diagnostic %d is %+v, first %+v", i, again.Diagnostics[i], res.Diagnostics[i])
		}
	}

	ok, err := c.Check(ctx, importHCL(t, accepted))
	if err != nil {
		t.Fatal(err)
	}
	if ok.Cached || len(ok.Diagnostics) != 0 {
		t.Errorf("a valid configuration: cached %v, diagnostics %v", ok.Cached, ok.Diagnostics.Blueprint())
	}
}

// TestCheckFailures: what stops a check is an error that says why, and no folder is left.
func TestCheckFailures(t *testing.T) {
	t.Parallel()
	tf := testenv.Terraform(t)
	ctx := t.Context()
	b := importHCL(t, accepted)

	t.Run("provider missing from the mirror", func(t *testing.T) {
		c, tmp := newChecker(t, nil, t.TempDir())
		_, err := c.Check(ctx, b)
		if err == nil || !strings.Contains(err.Error(), "terraform init (providers from the mirror)") || !strings.Contains(err.Error(), "hashicorp/time") {
			t.Errorf("err = %v, want init's refusal naming hashicorp/time", err)
		}
		if left, _ := os.ReadDir(tmp); len(left) != 0 {
			t.Errorf("%d entries left in the temp folder", len(left))
		}
	})
	t.Run("no terraform", func(t *testing.T) {
		c := providercheck.New(providercheck.Options{Terraform: filepath.Join(t.TempDir(), "terraform"), Mirror: providercheck.MirrorDir(t.TempDir())})
		if _, err := c.Check(ctx, b); err == nil || !strings.Contains(err.Error(), "terraform") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("not configured", func(t *testing.T) {
		if _, err := providercheck.New(providercheck.Options{}).Check(ctx, b); err == nil || !strings.Contains(err.Error(), "no terraform or no provider mirror") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		tmp := t.TempDir()
		c := providercheck.New(providercheck.Options{Terraform: tf, Mirror: providercheck.MirrorDir(t.TempDir()), Timeout: time.Millisecond, TempDir: tmp})
		_, err := c.Check(ctx, b)
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "longer than 1ms") {
			t.Errorf("err = %v, want the deadline, said", err)
		}
		if left, _ := os.ReadDir(tmp); len(left) != 0 {
			t.Errorf("%d entries left in the temp folder", len(left))
		}
	})
	t.Run("canceled", func(t *testing.T) {
		c, _ := newChecker(t, nil, t.TempDir())
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := c.Check(cctx, b); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})
}
