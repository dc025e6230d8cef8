package tfsource_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cloudoven/cloudoven/tfsource"
)

func readNames(src *tfsource.Source) map[string]string {
	m := map[string]string{}
	for _, f := range src.Read {
		m[f.Name] = string(f.Data)
	}
	return m
}

func TestReadDirFiles(t *testing.T) {
	t.Parallel()
	dir := layout{
		"main.tf":          `output "x" { value = file("${path.module}/scripts/init.sh") }`,
		"scripts/":         "",
		"scripts/init.sh":  "#!/bin/sh\n",
		"tpl/x.tftpl":      "hello ${name}\n",
		"scripts/link.sh":  ">../../outside.tf", // out of the directory
		"scripts/inner.sh": ">init.sh",          // a link inside it is read
		"notes.txt":        "nobody reads this",
	}.make(t)
	ctx := context.Background()
	src, err := tfsource.ReadDir(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"scripts/init.sh", "tpl/x.tftpl", "scripts/link.sh", "scripts/inner.sh", "missing.sh",
		"../outside.tf", "/etc/passwd", "scripts/../../outside.tf", "main.tf", "scripts"}
	if err := src.ReadDirFiles(ctx, dir, names); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"scripts/init.sh": "#!/bin/sh\n", "tpl/x.tftpl": "hello ${name}\n", "scripts/inner.sh": "#!/bin/sh\n"}
	if diff := cmp.Diff(want, readNames(src)); diff != "" {
		t.Errorf("read (-want +got):\n%s", diff)
	}
	// The folders read from are no longer listed as left out; the rest still is.
	wantSkipped := []tfsource.Skipped{{Name: "notes.txt", Reason: tfsource.NotTerraform}, {Name: "scripts/link.sh", Reason: tfsource.LinkOutside}}
	if diff := cmp.Diff(wantSkipped, src.Skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	if got := src.ByName()["scripts/init.sh"]; string(got) != "#!/bin/sh\n" {
		t.Errorf("ByName lacks the file read: %q", got)
	}
}

func TestReadDirFilesKeepsTheLimit(t *testing.T) {
	t.Parallel()
	dir := layout{"main.tf": "locals {}\n", "big.txt": string(padding(tfsource.MaxBytes))}.make(t)
	ctx := context.Background()
	src, err := tfsource.ReadDir(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	err = src.ReadDirFiles(ctx, dir, []string{"big.txt"})
	var p *tfsource.Problem
	if !errors.As(err, &p) || p.Kind != tfsource.TooLarge || p.Name != "big.txt" {
		t.Errorf("ReadDirFiles = %v; want TooLarge naming big.txt", err)
	}
}

func TestReadZipFiles(t *testing.T) {
	t.Parallel()
	data := zipOf(t,
		tfsource.File{Name: "infra/main.tf", Data: []byte(`locals { x = file("scripts/a.sh") }`)},
		tfsource.File{Name: "infra/scripts/a.sh", Data: []byte("echo a\n")},
		tfsource.File{Name: "infra/other.bin", Data: []byte{0xff}},
	)
	ctx := context.Background()
	src, err := tfsource.ReadZip(ctx, bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if err := src.ReadZipFiles(ctx, bytes.NewReader(data), int64(len(data)), []string{"infra/scripts/a.sh", "infra/missing.sh", "../x"}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"infra/scripts/a.sh": "echo a\n"}, readNames(src)); diff != "" {
		t.Errorf("read (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]tfsource.Skipped{{Name: "infra/other.bin", Reason: tfsource.NotTerraform}}, src.Skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
}

func TestPickFiles(t *testing.T) {
	t.Parallel()
	given := []tfsource.File{{Name: "main.tf", Data: []byte("")}, {Name: "init.sh", Data: []byte("echo\n")}, {Name: "x.txt", Data: []byte("x")}}
	src, err := tfsource.ReadFiles(given)
	if err != nil {
		t.Fatal(err)
	}
	if err := src.PickFiles(given, []string{"init.sh", "scripts/init.sh"}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"init.sh": "echo\n"}, readNames(src)); diff != "" {
		t.Errorf("read (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]tfsource.Skipped{{Name: "x.txt", Reason: tfsource.NotTerraform}}, src.Skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
}
