//go:build unix

package tfsource_test

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/tfsource"
)

// A pipe is never opened: opening one for reading waits for a writer.
func TestReadDirSkipsPipes(t *testing.T) {
	t.Parallel()
	dir := layout{"main.tf": "", "link.tf": ">pipe.tf"}.make(t)
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.tf"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	src, err := tfsource.ReadDir(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	want := outcome{Files: []string{"main.tf"}, Skipped: []tfsource.Skipped{
		skipped("link.tf", tfsource.NotRegular), skipped("pipe.tf", tfsource.NotRegular)}}
	if diff := cmp.Diff(want, outcomeOf(t, src, err)); diff != "" {
		t.Errorf("read (-want +got):\n%s", diff)
	}
}
