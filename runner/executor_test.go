package runner

import (
	"archive/tar"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestJobDefaults(t *testing.T) {
	job, err := Job{RunID: "r1", Steps: [][]string{{"version"}}}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	want := Job{RunID: "r1", Steps: [][]string{{"version"}}, Image: DefaultImage, NetworkMode: "bridge",
		Timeout: 30 * time.Minute, Limits: Limits{CPUs: 2, MemoryBytes: 2 << 30, PIDs: 512}}
	if diff := cmp.Diff(want, job); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}

func TestJobIsChecked(t *testing.T) {
	ok := Job{RunID: "r1", Steps: [][]string{{"version"}}}
	for _, tc := range []struct {
		name string
		edit func(*Job)
		want string
	}{
		{"run id with capitals", func(j *Job) { j.RunID = "Run1" }, "run id"},
		{"run id too long", func(j *Job) { j.RunID = strings.Repeat("a", 65) }, "run id"},
		{"run id empty", func(j *Job) { j.RunID = "" }, "run id"},
		{"no steps", func(j *Job) { j.Steps = nil }, "no steps"},
		{"empty step", func(j *Job) { j.Steps = [][]string{{}} }, "step 1 is empty"},
		{"file outside the workspace", func(j *Job) { j.Files = map[string][]byte{"../x.tf": nil} }, "clean relative path"},
		{"absolute file", func(j *Job) { j.Extra = map[string][]byte{"/etc/passwd": nil} }, "clean relative path"},
		{"unclean collect", func(j *Job) { j.Collect = []string{"a/../../b"} }, "clean relative path"},
		{"container network", func(j *Job) { j.NetworkMode = "container:abc" }, "network mode"},
		{"negative limits", func(j *Job) { j.Limits.PIDs = -1 }, "negative"},
		{"bad env name", func(j *Job) { j.Env = map[string]string{"A=B": "x"} }, "environment variable"},
		{"egress on the host network", func(j *Job) { j.Egress, j.NetworkMode = &Egress{}, "host" }, "its own network"},
		{"egress without a network", func(j *Job) { j.Egress, j.NetworkMode = &Egress{}, "none" }, "its own network"},
		{"egress with a bad host", func(j *Job) { j.Egress = &Egress{Allow: []string{"https://evil.example.com"}} }, "without a scheme"},
		{"egress with a bad state address", func(j *Job) { j.Egress = &Egress{State: "ftp://x/y"} }, "state address"},
		{"egress with a proxy of the job's", func(j *Job) { j.Egress, j.Env = &Egress{}, map[string]string{"https_proxy": "http://elsewhere"} }, "https_proxy is set by the executor"},
		{"egress with a no-proxy of the job's", func(j *Job) { j.Egress, j.Env = &Egress{}, map[string]string{"NO_PROXY": "*"} }, "NO_PROXY is set by the executor"},
		{"stdout file of no step", func(j *Job) { j.StdoutFiles = map[int]string{1: "v.json"} }, "not one of the 1 steps"},
		{"stdout file outside the workspace", func(j *Job) { j.StdoutFiles = map[int]string{0: "../v.json"} }, "clean relative path"},
		{"stdout file over the status", func(j *Job) { j.StdoutFiles = map[int]string{0: ".cloudoven-stage.json"} }, "stage driver's own"},
		{"file over the status", func(j *Job) { j.Files = map[string][]byte{".cloudoven-stage.json": nil} }, "stage driver's own"},
		{"providers and a CLI configuration of the job's", func(j *Job) {
			j.Providers, j.Env = []ProviderPackage{}, map[string]string{"TF_CLI_CONFIG_FILE": "/tmp/mine.tfrc"}
		}, "TF_CLI_CONFIG_FILE is set by the executor"},
		{"providers and a file over their CLI configuration", func(j *Job) {
			j.Providers, j.Extra = []ProviderPackage{}, map[string][]byte{".cloudoven.tfrc": nil}
		}, "executor's own"},
		{"provider path without a platform", func(j *Job) {
			j.Providers = []ProviderPackage{{Path: "registry.terraform.io/hashicorp/azurerm/4.57.0"}}
		}, "host/namespace/type/version/os_arch"},
		{"provider path with a platform of one part", func(j *Job) {
			j.Providers = []ProviderPackage{{Path: "registry.terraform.io/hashicorp/azurerm/4.57.0/linux"}}
		}, "host/namespace/type/version/os_arch"},
		{"absolute provider path", func(j *Job) {
			j.Providers = []ProviderPackage{{Path: "/registry.terraform.io/hashicorp/azurerm/4.57.0/linux_amd64"}}
		}, "host/namespace/type/version/os_arch"},
		{"provider path leaving the mirror", func(j *Job) {
			j.Providers = []ProviderPackage{{Path: "registry.terraform.io/hashicorp/../../../linux_amd64"}}
		}, "host/namespace/type/version/os_arch"},
		{"unclean provider path", func(j *Job) {
			j.Providers = []ProviderPackage{{Path: "registry.terraform.io/hashicorp//azurerm/4.57.0/linux_amd64"}}
		}, "host/namespace/type/version/os_arch"},
		{"provider listed twice", func(j *Job) {
			p := ProviderPackage{Path: "registry.terraform.io/hashicorp/azurerm/4.57.0/linux_amd64"}
			j.Providers = []ProviderPackage{p, p}
		}, "listed twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := ok
			tc.edit(&j)
			if _, err := j.withDefaults(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	if _, err := (Job{RunID: strings.Repeat("a", 64), Steps: [][]string{{"version"}}}).withDefaults(); err != nil {
		t.Errorf("a 64-character run id: %v", err)
	}
	withProviders := Job{RunID: "r1", Steps: [][]string{{"init"}, {"validate", "-json"}}, StdoutFiles: map[int]string{1: "checks/validate.json"},
		Providers: []ProviderPackage{{Path: "registry.terraform.io/hashicorp/azurerm/4.57.0/linux_amd64", Volume: "v", Dir: "/d"}}}
	if _, err := withProviders.withDefaults(); err != nil {
		t.Errorf("a job with providers and a stdout file: %v", err)
	}
	egress := Job{RunID: "r1", Steps: [][]string{{"version"}}, Egress: &Egress{Allow: []string{"management.azure.com"}, State: "http://172.17.0.1:8080/api/v1/state/team/1"},
		Env: map[string]string{"ARM_CLIENT_SECRET": "x"}}
	if _, err := egress.withDefaults(); err != nil {
		t.Errorf("a job with egress control: %v", err)
	}
}

func TestEgressArgsAndRegistry(t *testing.T) {
	e := &Egress{Allow: []string{"management.azure.com", "*.blob.core.windows.net"}, State: "http://172.17.0.1:8080/api/v1/state/team/1"}
	want := []string{"-listen", ":3128", "-allow", "management.azure.com", "-allow", "*.blob.core.windows.net",
		"-state", "http://172.17.0.1:8080/api/v1/state/team/1"}
	if diff := cmp.Diff(want, e.args()); diff != "" {
		t.Errorf("proxy command line (-want +got):\n%s", diff)
	}
	if e.allowsRegistry() {
		t.Error("a list without the registry allows it")
	}
	for _, allow := range [][]string{{"registry.terraform.io"}, {"*.terraform.io"}, {"registry.terraform.io:443"}} {
		if !(&Egress{Allow: allow}).allowsRegistry() {
			t.Errorf("%v does not allow the registry", allow)
		}
	}
	if (&Egress{Allow: []string{"registry.terraform.io:8443"}}).allowsRegistry() {
		t.Error("another port of the registry allows it")
	}
}

func TestWorkspaceArchiveBelongsToTheRunUser(t *testing.T) {
	r, err := workspaceArchive(
		map[string][]byte{"main.tf": []byte("a"), "modules/net/main.tf": []byte("b")},
		map[string][]byte{"tfplan": []byte("c")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Uid != 1000 || h.Gid != 1000 {
			t.Errorf("%s is owned by %d:%d, want 1000:1000", h.Name, h.Uid, h.Gid)
		}
		got = append(got, h.Name)
	}
	want := []string{"main.tf", "modules/", "modules/net/", "modules/net/main.tf", "tfplan"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if _, err := workspaceArchive(map[string][]byte{"tfplan": nil}, map[string][]byte{"tfplan": nil}); err == nil {
		t.Error("a file both generated and extra was accepted")
	}
}

func TestLineWriterPassesWholeLines(t *testing.T) {
	var got []string
	out := writerFunc(func(p []byte) (int, error) { got = append(got, string(p)); return len(p), nil })
	w := &lineWriter{out: out}
	for _, s := range []string{"one\ntw", "o\n", "three", "\nfour\nfive\n", "six"} {
		w.Write([]byte(s))
	}
	w.flush()
	want := []string{"one\n", "two\n", "three\n", "four\n", "five\n", "six\n"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestWorkspaceRefusesPathsOutOfIt(t *testing.T) {
	for _, name := range []string{"../x.sh", "scripts/../../x", "/etc/passwd", `scripts\..\x`, "", "a//b", "./a"} {
		if _, err := workspaceArchive(map[string][]byte{"main.tf": nil, name: []byte("x")}, nil); err == nil {
			t.Errorf("workspaceArchive accepted %q", name)
		}
		root, err := os.OpenRoot(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if err := writeWorkspace(root, map[string][]byte{name: []byte("x")}, nil); err == nil {
			t.Errorf("writeWorkspace accepted %q", name)
		}
		root.Close()
	}
	if _, err := workspaceArchive(map[string][]byte{"scripts/init.sh": nil, "tpl/a/b.tftpl": nil}, nil); err != nil {
		t.Errorf("files in folders: %v", err)
	}
}
