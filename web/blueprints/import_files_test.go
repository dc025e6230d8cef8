package blueprints_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

const readsFiles = `resource "terraform_data" "init" {
  input = file("${path.module}/scripts/init.sh")
}

output "rendered" {
  value = templatefile("tpl/x.tftpl", { name = "world" })
}
`

// TestImportKeepsTheFilesTheConfigurationReads: a .zip keeps its folders, so the files
// main.tf reads from them are imported with it, shown on the version page and put in its
// zip at their paths.
func TestImportKeepsTheFilesTheConfigurationReads(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.CreateProject("team")
	archive := zipOf(t,
		namedFile{"infra/main.tf", []byte(readsFiles)},
		namedFile{"infra/scripts/init.sh", []byte("#!/bin/sh\necho hi\n")},
		namedFile{"infra/tpl/x.tftpl", []byte("hello ${name}\n")},
	)
	w := postFiles(a, tfUpload{fields: map[string]string{"name": "demo", "message": "with files"}, files: []namedFile{{"demo.zip", archive}}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	doc := webtest.WantFullPage(t, a.Get(paths.BlueprintVersion("team", "demo", 1), false))
	if got := webtest.WantOne(t, doc, "file-scripts/init.sh"); !strings.Contains(got, "echo hi") {
		t.Errorf("scripts/init.sh on the version page:\n%s", got)
	}
	files := webtest.UnzipAll(t, a.Get(paths.VersionZip("team", "demo", 1), false).Body.Bytes())
	if got := string(files["scripts/init.sh"]); got != "#!/bin/sh\necho hi\n" {
		t.Errorf("zip entry scripts/init.sh = %q", got)
	}
	if got := string(files["tpl/x.tftpl"]); got != "hello ${name}\n" {
		t.Errorf("zip entry tpl/x.tftpl = %q", got)
	}
}

// TestImportUploadedFilesWithoutFolders: uploaded files have no folders, so a file read
// from one is reported missing, by name, and the import is offered "anyway".
func TestImportUploadedFilesWithoutFolders(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	a.CreateProject("team")
	w := postFiles(a, tfUpload{fields: map[string]string{"name": "demo"}, files: []namedFile{
		{"main.tf", []byte(readsFiles)}, {"init.sh", []byte("echo\n")}, {"x.tftpl", []byte("x")},
	}}, true)
	webtest.WantStatus(t, w, http.StatusUnprocessableEntity)
	body := w.Body.String()
	for _, want := range []string{"file not found", "scripts/init.sh", "tpl/x.tftpl", "a .zip"} {
		if !strings.Contains(body, want) {
			t.Errorf("the answer does not say %q:\n%s", want, body)
		}
	}
}
