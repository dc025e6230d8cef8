package stage

import (
	"archive/tar"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An archive split over several files (as over several Kubernetes Secrets) unpacks as one;
// a missing part, or a part count out of bounds, is refused before any step runs.
func TestDriverUnpacksAnArchiveInParts(t *testing.T) {
	t.Parallel()
	// Random bytes do not compress: the archive is as large as the file.
	noise := make([]byte, 300<<10)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range noise {
		noise[i] = byte(r.Uint32())
	}
	whole := archive(t, map[string]string{"main.tf": "x", "tfplan": string(noise)}, tar.TypeReg)
	data, err := os.ReadFile(whole)
	if err != nil {
		t.Fatal(err)
	}
	split := func(t *testing.T, n int) string {
		dir := t.TempDir()
		base := filepath.Join(dir, "workspace.tar.gz")
		size := (len(data) + n - 1) / n
		for i := range n {
			part := data[min(i*size, len(data)):min((i+1)*size, len(data))]
			if err := os.WriteFile(fmt.Sprintf("%s.%d", base, i), part, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return base
	}

	d, log := newDriver(t)
	spec := Spec{Steps: [][]string{{"say", "a"}}, Unpack: split(t, 3), UnpackParts: 3}
	if code := d.Run(spec, nil); code != 0 {
		t.Fatalf("exit code %d\n%s", code, strings.Join(logOf(t, log), "\n"))
	}
	if got, _ := os.ReadFile(filepath.Join(d.Dir, "tfplan")); string(got) != string(noise) {
		t.Errorf("tfplan unpacked from 3 parts: %d bytes, want the %d written", len(got), len(noise))
	}

	d, log = newDriver(t)
	base := split(t, 3)
	os.Remove(base + ".1")
	if code := d.Run(Spec{Steps: [][]string{{"say", "never"}}, Unpack: base, UnpackParts: 3}, nil); code != ExitBadUsage {
		t.Errorf("a missing part: exit code %d, want %d", code, ExitBadUsage)
	}
	if out := strings.Join(logOf(t, log), "\n"); !strings.Contains(out, "workspace.tar.gz.1") || strings.Contains(out, "never") {
		t.Errorf("a missing part: output %q, want it named and no step run", out)
	}

	for _, bad := range []Spec{
		{Steps: [][]string{{"say", "a"}}, Unpack: whole, UnpackParts: MaxUnpackParts + 1},
		{Steps: [][]string{{"say", "a"}}, Unpack: whole, UnpackParts: -1},
		{Steps: [][]string{{"say", "a"}}, UnpackParts: 2},
	} {
		if err := bad.Check(); err == nil {
			t.Errorf("Check(%+v): no error", bad)
		}
	}
}
