package deployments_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// TestDeploymentShowsTheBlueprintsFiles: the deployment page and its zip, the files a run
// uses, carry the files the blueprint's configuration reads, at their paths.
func TestDeploymentShowsTheBlueprintsFiles(t *testing.T) {
	t.Parallel()
	a := webtest.EnvApp(t)
	doc := strings.Replace(webtest.VarsDoc, `"resources": [`, `"files": [{"path": "scripts/init.sh", "content": "#!/bin/sh\necho from-the-blueprint\n"}],
 "outputs": [{"name": "script", "value": {"expr": "file(\"${path.module}/scripts/init.sh\")"}}],
 "resources": [`, 1)
	w := a.PostForm(paths.Blueprints("team"), url.Values{"document_text": {doc}}, false)
	webtest.WantStatus(t, w, http.StatusSeeOther)
	dep := webtest.SetUpDeployment(t, a)

	page := a.Page(dep)
	if got := webtest.WantOne(t, page, "file-scripts/init.sh"); !strings.Contains(got, "echo from-the-blueprint") {
		t.Errorf("the deployment page shows scripts/init.sh as:\n%s", got)
	}
	zipURL := webtest.ByTestID(page, "deployment-zip").AttrOr("href", "")
	files := webtest.UnzipAll(t, a.Get(zipURL, false).Body.Bytes())
	if got := string(files["scripts/init.sh"]); got != "#!/bin/sh\necho from-the-blueprint\n" {
		t.Errorf("zip entry scripts/init.sh = %q", got)
	}
}
