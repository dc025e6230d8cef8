package providercheck_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/providercheck"
)

// TestParse places a validate output written by hand on a blueprint: a diagnostic in a
// resource is its provider's, one with no range or on a line of no field is kept at the
// blueprint level with where terraform put it, and a warning stays a warning.
func TestParse(t *testing.T) {
	b := importHCL(t, accepted)
	files, err := blueprint.Generate(b, blueprint.GenerateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	line := func(needle string) int {
		for i, l := range strings.Split(string(files[0].Content), "\n") {
			if strings.Contains(l, needle) {
				return i + 1
			}
		}
		t.Fatalf("main.tf has no %q", needle)
		return 0
	}
	out := `{"format_version":"1.0","valid":false,"error_count":3,"warning_count":1,"diagnostics":[
	{"severity":"error","summary":"Bad size","detail":"too big","address":"testprov_widget.w","range":{"filename":"main.tf","start":{"line":` + itoa(line("size = 10")) + `,"column":3,"byte":0},"end":{"line":1,"column":1,"byte":0}}},
	{"severity":"warning","summary":"Old protocol","detail":"","address":"testprov_widget.w","range":{"filename":"main.tf","start":{"line":` + itoa(line(`protocol = "udp"`)) + `,"column":3,"byte":0},"end":{"line":1,"column":1,"byte":0}}},
	{"severity":"error","summary":"Unsupported argument","detail":"An argument named \"nope\" is not expected here.","range":{"filename":"main.tf","start":{"line":` + itoa(line("rotation_days")) + `,"column":3,"byte":0},"end":{"line":1,"column":1,"byte":0}}},
	{"severity":"error","summary":"No range","detail":"somewhere"},
	{"severity":"error","summary":"On the header","detail":"d","range":{"filename":"main.tf","start":{"line":1,"column":1,"byte":0},"end":{"line":1,"column":1,"byte":0}}},
	{"severity":"error","summary":"Elsewhere","detail":"d","range":{"filename":"other.tf","start":{"line":3,"column":1,"byte":0},"end":{"line":3,"column":1,"byte":0}}}
	]}`
	lock := []byte("provider \"registry.terraform.io/cloudoven/testprov\" {\n  version = \"0.1.0\"\n}\n")
	ds, err := providercheck.Parse([]byte(out), providercheck.Source{Blueprint: b, Files: files, Lock: lock, Terraform: "1.5.7"})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		sev                   blueprint.Severity
		path, summary, detail string
	}{
		{blueprint.Error, "resources[testprov_widget.w].size", "testprov 0.1.0 says: Bad size", "too big"},
		{blueprint.Warning, "resources[testprov_widget.w].rule[0].protocol", "testprov 0.1.0 says: Old protocol", ""},
		{blueprint.Error, "resources[time_rotating.r].rotation_days", "terraform 1.5.7 says: Unsupported argument", `An argument named "nope" is not expected here.`},
		{blueprint.Error, "", "terraform 1.5.7 says: No range", "somewhere"},
		{blueprint.Error, "", "terraform 1.5.7 says: On the header", "d\n\n(main.tf, line 1)"},
		{blueprint.Error, "", "terraform 1.5.7 says: Elsewhere", "d\n\n(other.tf, line 3)"},
	}
	if len(ds) != len(want) {
		t.Fatalf("%d diagnostics, want %d: %v", len(ds), len(want), ds.Blueprint())
	}
	for i, w := range want {
		d := ds[i]
		if d.Severity != w.sev || d.Path != w.path || d.Summary != w.summary || d.Detail != w.detail {
			t.Errorf("diagnostic %d: %+v, want %+v", i, d.Diagnostic, w)
		}
	}
	if e, w := ds.Count(); e != 5 || w != 1 {
		t.Errorf("count: %d errors, %d warnings", e, w)
	}

	// Without a lock file the provider is named without a version.
	ds, err = providercheck.Parse([]byte(out), providercheck.Source{Blueprint: b, Files: files})
	if err != nil || ds[0].Summary != "testprov says: Bad size" || ds[3].Summary != "terraform says: No range" {
		t.Errorf("without a lock: %v, %v", ds.Blueprint(), err)
	}
}

func TestParseRefuses(t *testing.T) {
	b := importHCL(t, accepted)
	files, err := blueprint.Generate(b, blueprint.GenerateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	src := providercheck.Source{Blueprint: b, Files: files}
	for name, out := range map[string]string{
		"not json":  "Error: something",
		"too large": `{"diagnostics":[` + strings.Repeat(" ", providercheck.MaxOutputBytes) + `]}`,
		"format 2":  `{"format_version":"2.0","diagnostics":[]}`,
	} {
		if _, err := providercheck.Parse([]byte(out), src); err == nil || !strings.Contains(err.Error(), "reading the validate output") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	src.Lock = []byte(`provider "x" { version = 1 }`)
	if _, err := providercheck.Parse([]byte(`{"diagnostics":[]}`), src); err == nil || !strings.Contains(err.Error(), "lock file") {
		t.Errorf("a lock file whose version is not a string: err = %v", err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
