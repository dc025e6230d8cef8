package stage

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const testNonce = "0123456789abcdef0123456789abcdef"

// archive is a gzip-compressed tar of entries (a name ending in / is a directory).
func archive(t *testing.T, entries map[string]string, typeflag byte) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for name, data := range entries {
		hdr := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: typeflag}
		if strings.HasSuffix(name, "/") {
			hdr.Typeflag, hdr.Size = tar.TypeDir, 0
		}
		if typeflag == tar.TypeSymlink {
			hdr.Linkname, hdr.Size = "/etc/passwd", 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if hdr.Size > 0 {
			tw.Write([]byte(data))
		}
	}
	tw.Close()
	zw.Close()
	p := filepath.Join(t.TempDir(), "workspace.tar.gz")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// reportOf reads the driver's output through a ReportReader.
func reportOf(t *testing.T, lines []string, steps int) (*ReportReader, []string, []int) {
	t.Helper()
	var passed bytes.Buffer
	var started []int
	rr := &ReportReader{Nonce: testNonce, Out: &passed, Steps: steps,
		Started: func(step int, at time.Time) { started = append(started, step) }}
	for _, l := range lines {
		rr.Line([]byte(l + "\n"))
	}
	return rr, strings.Split(strings.TrimSuffix(passed.String(), "\n"), "\n"), started
}

func TestDriverUnpacksAndReports(t *testing.T) {
	t.Parallel()
	d, log := newDriver(t)
	big := strings.Repeat("0123456789", 1000) // several data lines
	arc := archive(t, map[string]string{"main.tf": "x", "scripts/": "", "scripts/big.txt": big}, tar.TypeReg)
	spec := Spec{Steps: [][]string{{"say", "a"}, {"say", "b"}}, StdoutFiles: map[int]string{1: "b.out"},
		Unpack: arc, Report: &Report{Nonce: testNonce, Files: []string{"b.out", "scripts/big.txt", "missing.txt"}}}
	if code := d.Run(spec, nil); code != 0 {
		t.Fatalf("exit code %d\n%s", code, strings.Join(logOf(t, log), "\n"))
	}
	rr, passed, started := reportOf(t, logOf(t, log), 2)
	if rr.Err != nil || !rr.Ended {
		t.Fatalf("report: err %v, ended %v", rr.Err, rr.Ended)
	}
	if diff := cmp.Diff([]string{"out a", "err a", "err b"}, passed); diff != "" {
		t.Errorf("lines passed on (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{0, 1}, started); diff != "" {
		t.Errorf("steps started (-want +got):\n%s", diff)
	}
	if rr.Status == nil || rr.Status.Step != 1 || *rr.Status.ExitCode != 0 || len(rr.Status.Started) != 2 {
		t.Errorf("status %+v", rr.Status)
	}
	want := map[string][]byte{"b.out": []byte("out b\n"), "scripts/big.txt": []byte(big)}
	if diff := cmp.Diff(want, rr.Files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if got, _ := os.ReadFile(filepath.Join(d.Dir, "main.tf")); string(got) != "x" {
		t.Errorf("main.tf unpacked as %q", got)
	}
}

func TestDriverRefusesABadArchive(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		entries map[string]string
		flag    byte
		want    string
	}{
		{"outside the workspace", map[string]string{"../evil": "x"}, tar.TypeReg, "clean relative path"},
		{"a link", map[string]string{"link": ""}, tar.TypeSymlink, "not a regular file"},
		{"the status file", map[string]string{StatusFile: "{}"}, tar.TypeReg, "driver's own"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, log := newDriver(t)
			code := d.Run(Spec{Steps: [][]string{{"say", "never"}}, Unpack: archive(t, tc.entries, tc.flag)}, nil)
			got := strings.Join(logOf(t, log), "\n")
			if code != ExitBadUsage || !strings.Contains(got, tc.want) || strings.Contains(got, "never") {
				t.Errorf("exit code %d, output %q; want %d and %q", code, got, ExitBadUsage, tc.want)
			}
		})
	}
}

func TestReportReaderTakesTheNonceMidLine(t *testing.T) {
	t.Parallel()
	rr, passed, _ := reportOf(t, []string{"no newline" + testNonce + " end", "after"}, 1)
	if !rr.Ended || rr.Err != nil {
		t.Errorf("ended %v, err %v", rr.Ended, rr.Err)
	}
	if diff := cmp.Diff([]string{"no newline", "after"}, passed); diff != "" {
		t.Errorf("lines passed on (-want +got):\n%s", diff)
	}
}

func TestReportReaderRefusesABadReport(t *testing.T) {
	t.Parallel()
	n := testNonce + " "
	for name, lines := range map[string][]string{
		"unknown kind":         {n + "explode"},
		"data outside a file":  {n + "data AAAA"},
		"file cut short":       {n + `file {"name":"a","size":10}`, n + "data AAAA", n + "end"},
		"file too long":        {n + `file {"name":"a","size":1}`, n + "data AAAA"},
		"file name outside":    {n + `file {"name":"../a","size":1}`},
		"too large in all":     {n + `file {"name":"a","size":99999999999}`},
		"step out of range":    {n + "started 5 2026-01-01T00:00:00Z"},
		"status of no step":    {n + `status {"step":4}`},
		"started out of order": {n + "started 1 2026-01-01T00:00:00Z", n + "started 0 2026-01-01T00:00:00Z"},
	} {
		rr, _, _ := reportOf(t, lines, 2)
		if rr.Err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
