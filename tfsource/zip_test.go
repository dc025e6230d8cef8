package tfsource_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/cloudoven/cloudoven/tfsource"
)

func TestReadZip(t *testing.T) {
	t.Parallel()
	main := tf("main.tf", "resource \"terraform_data\" \"web\" {}\n")
	entries := func(n int, name string) []tfsource.File {
		out := make([]tfsource.File, n)
		for i := range out {
			out[i] = tf(fmt.Sprintf(name, i), "")
		}
		return out
	}
	// Folders are entries too, though nothing lists them; one entry must be a .tf file.
	withMain := func(files []tfsource.File) []tfsource.File { return append(files, main) }
	complete := zipOf(t, main, tf("variables.tf", ""))
	tests := []struct {
		name    string
		archive []byte
		want    outcome
	}{
		{
			name: "reads .tf entries at any depth and lists the others",
			archive: zipOf(t, tf("infra/", ""), tf("infra/main.tf", ""), tf("README.md", "# hi"),
				tf(".terraform/modules/modules.json", "{}"), tf("infra/.#main.tf", ""),
				tf("__MACOSX/infra/._main.tf", ""), tf("infra/net.tf", ""), tf("vars.tf.json", "{}"), tf("a.tf", "")),
			want: outcome{
				Files: []string{"a.tf", "infra/main.tf", "infra/net.tf"},
				Skipped: []tfsource.Skipped{
					skipped("README.md", tfsource.NotTerraform), skipped(".terraform/modules/modules.json", tfsource.Hidden),
					skipped("infra/.#main.tf", tfsource.Hidden), skipped("__MACOSX/infra/._main.tf", tfsource.Hidden),
					skipped("vars.tf.json", tfsource.NotTerraform),
				},
			},
		},
		{
			name:    "names with backslashes or ./ are cleaned",
			archive: zipOf(t, tf(`infra\main.tf`, ""), tf("./vars.tf", "")),
			want:    outcome{Files: []string{"infra/main.tf", "vars.tf"}},
		},
		{
			name:    "zip slip with ..",
			archive: zipOf(t, main, tf("../evil.tf", "")),
			want:    outcome{Kind: tfsource.OutsideArchive, Name: "../evil.tf"},
		},
		{
			name:    "zip slip with .. inside the path",
			archive: zipOf(t, tf("infra/../../evil.tf", "")),
			want:    outcome{Kind: tfsource.OutsideArchive, Name: "infra/../../evil.tf"},
		},
		{
			name:    "zip slip with backslashes",
			archive: zipOf(t, tf(`..\evil.tf`, "")),
			want:    outcome{Kind: tfsource.OutsideArchive, Name: `..\evil.tf`},
		},
		{
			name:    "absolute path",
			archive: zipOf(t, tf("/etc/evil.tf", "")),
			want:    outcome{Kind: tfsource.OutsideArchive, Name: "/etc/evil.tf"},
		},
		{
			name:    "Windows drive path",
			archive: zipOf(t, tf(`C:\evil.tf`, "")),
			want:    outcome{Kind: tfsource.OutsideArchive, Name: `C:\evil.tf`},
		},
		{
			// A skipped entry is not unpacked either, but an archive that tries is hostile.
			name:    "zip slip in an entry that would be skipped",
			archive: zipOf(t, main, tf("../README.md", "")),
			want:    outcome{Kind: tfsource.OutsideArchive, Name: "../README.md"},
		},
		{
			name:    "the same file twice",
			archive: zipOf(t, main, tf("./main.tf", "")),
			want:    outcome{Kind: tfsource.Duplicate, Name: "main.tf"},
		},
		{
			name:    "as many entries as allowed",
			archive: zipOf(t, withMain(entries(tfsource.MaxZipEntries-1, "d%d/"))...),
			want:    outcome{Files: []string{"main.tf"}},
		},
		{
			name:    "too many entries",
			archive: zipOf(t, withMain(entries(tfsource.MaxZipEntries, "d%d/"))...),
			want:    outcome{Kind: tfsource.TooManyEntries},
		},
		{
			name:    "too many .tf files",
			archive: zipOf(t, entries(tfsource.MaxFiles+1, "f%03d.tf")...),
			want:    outcome{Kind: tfsource.TooManyFiles},
		},
		{
			name:    "a zip bomb: one small entry past the limit once decompressed",
			archive: zipOf(t, tfsource.File{Name: "main.tf", Data: padding(tfsource.MaxBytes + 1)}),
			want:    outcome{Kind: tfsource.FileTooLarge, Name: "main.tf"},
		},
		{
			name: "entries past the limit together",
			archive: zipOf(t, tfsource.File{Name: "a.tf", Data: padding(tfsource.MaxBytes / 2)},
				tfsource.File{Name: "b.tf", Data: padding(tfsource.MaxBytes / 2)}, tf("c.tf", "x")),
			want: outcome{Kind: tfsource.TooLarge, Name: "c.tf"},
		},
		{
			name:    "skipped entries do not count towards the size",
			archive: zipOf(t, main, tfsource.File{Name: "big.bin", Data: padding(tfsource.MaxBytes + 1)}),
			want:    outcome{Files: []string{"main.tf"}, Skipped: []tfsource.Skipped{skipped("big.bin", tfsource.NotTerraform)}},
		},
		{
			// The header claims 10 bytes; archive/zip refuses the 11th, so reading stops there.
			name:    "a zip bomb whose header understates the size",
			archive: rawZip(t, tfsource.File{Name: "main.tf", Data: padding(tfsource.MaxBytes + 1)}, zip.Deflate, 10),
			want:    outcome{Kind: tfsource.Corrupt, Name: "main.tf"},
		},
		{
			name:    "a header that overstates the size",
			archive: rawZip(t, main, zip.Deflate, tfsource.MaxBytes+1),
			want:    outcome{Kind: tfsource.FileTooLarge, Name: "main.tf"},
		},
		{
			name:    "an unknown compression method",
			archive: rawZip(t, main, 99, uint64(len(main.Data))),
			want:    outcome{Kind: tfsource.Corrupt, Name: "main.tf"},
		},
		{
			name:    "truncated",
			archive: complete[:len(complete)/2],
			want:    outcome{Kind: tfsource.Corrupt},
		},
		{
			name:    "not a zip",
			archive: []byte("PK\x03\x04 this is not an archive"),
			want:    outcome{Kind: tfsource.Corrupt},
		},
		{
			name:    "no bytes at all",
			archive: nil,
			want:    outcome{Kind: tfsource.Corrupt},
		},
		{
			name:    "an empty archive",
			archive: zipOf(t),
			want:    outcome{Kind: tfsource.NoTerraform},
		},
		{
			name:    "no .tf entry",
			archive: zipOf(t, tf("infra/", ""), tf("README.md", "hi")),
			want:    outcome{Kind: tfsource.NoTerraform},
		},
		{
			name:    "an entry that is not UTF-8",
			archive: zipOf(t, main, tf("infra/net.tf", "# net\nresource \"x\" \"w\xe9b\" {}\n")),
			want:    outcome{Kind: tfsource.NotUTF8, Name: "infra/net.tf"},
		},
		{
			name:    "an entry with a NUL byte",
			archive: zipOf(t, tf("main.tf", "locals {}\x00\n")),
			want:    outcome{Kind: tfsource.NULByte, Name: "main.tf"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src, err := tfsource.ReadZip(context.Background(), bytes.NewReader(tt.archive), int64(len(tt.archive)))
			if diff := cmp.Diff(tt.want, outcomeOf(t, src, err), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("read (-want +got):\n%s\nerr: %v", diff, err)
			}
		})
	}
}

func TestReadZipKeepsTheBytes(t *testing.T) {
	t.Parallel()
	archive := zipOf(t, tf("main.tf", "\xef\xbb\xbflocals {}\n"), tf("infra/vars.tf", "variable \"x\" {}\n"))
	src, err := tfsource.ReadZip(context.Background(), bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{"main.tf": []byte("locals {}\n"), "infra/vars.tf": []byte("variable \"x\" {}\n")}
	if diff := cmp.Diff(want, src.ByName()); diff != "" {
		t.Errorf("files (-want +got), with the byte order mark dropped:\n%s", diff)
	}
}

func TestReadZipCorruptKeepsTheCause(t *testing.T) {
	t.Parallel()
	_, err := tfsource.ReadZip(context.Background(), bytes.NewReader([]byte("PK\x03\x04 nope")), 13)
	if !errors.Is(err, zip.ErrFormat) {
		t.Errorf("err %v does not wrap zip.ErrFormat", err)
	}
}

func TestReadZipCanceled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	archive := zipOf(t, tf("main.tf", ""))
	if _, err := tfsource.ReadZip(ctx, bytes.NewReader(archive), int64(len(archive))); !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
}
