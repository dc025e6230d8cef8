package web_test

import (
	"net/http/httptest"
	"testing"

	"github.com/cloudoven/cloudoven/web"
	"github.com/cloudoven/cloudoven/web/catalogview"
	"github.com/cloudoven/cloudoven/web/paths"
	"github.com/cloudoven/cloudoven/web/webtest"
)

// noCrawls is a crawl service that is never asked: with it, the crawl routes exist.
type noCrawls struct{ catalogview.Crawls }

// Every URL web/paths builds is answered by a route of its own, with the method the pages
// use it with: none falls through to the catch-all 404, and none is answered by a method the
// route does not take. A route renamed in a feature's Routes but not in paths fails here.
func TestEveryPathHasItsRoute(t *testing.T) {
	t.Parallel()
	a := webtest.NewApp(t)
	mux, err := web.Mux(web.Config{Store: a.Store, Catalog: webtest.Catalog(t), Crawls: noCrawls{}})
	if err != nil {
		t.Fatal(err)
	}
	const p, b, e = "team", "net", "dev"
	for _, tt := range []struct {
		method, url string
	}{
		{"GET", paths.Health()}, {"GET", paths.Ready()}, {"GET", paths.Static("abc", "app.css")},
		{"GET", paths.SignIn("")}, {"GET", paths.SignIn("/projects")}, {"POST", paths.SignIn("")},
		{"POST", paths.SignOut()}, {"GET", paths.Account()}, {"POST", paths.AccountPassword()},
		{"GET", paths.AdminUsers()}, {"POST", paths.AdminUsers()}, {"GET", paths.AdminAudit()},
		{"GET", paths.Projects()}, {"POST", paths.Projects()}, {"GET", paths.Project(p)},
		{"GET", paths.Members(p)}, {"POST", paths.Members(p)}, {"POST", paths.Member(p, "vera")},
		{"POST", paths.MemberRemove(p, "vera")}, {"GET", paths.ProjectAudit(p)},
		{"GET", paths.Rules(p)}, {"POST", paths.Rules(p)}, {"GET", paths.RulesSaved(p)},
		{"POST", paths.Providers(p)}, {"POST", paths.ProviderRemove(p)},
		{"POST", paths.Blueprints(p)}, {"POST", paths.NewBlueprint(p)},
		{"GET", paths.Blueprint(p, b)}, {"GET", paths.BlueprintVersion(p, b, 2)},
		{"GET", paths.VersionZip(p, b, 2)}, {"GET", paths.VersionDocument(p, b, 2)},
		{"GET", paths.Graph(p, b, 2)}, {"GET", paths.Diff(p, b)}, {"GET", paths.DiffVersions(p, b, 1, 2)},
		{"GET", paths.Edit(p, b)}, {"GET", paths.EditItem(p, b, "variables")},
		{"POST", paths.EditItemPost(p, b, "variables")}, {"POST", paths.EditAdd(p, b)},
		{"POST", paths.EditSave(p, b)}, {"POST", paths.EditDiscard(p, b)}, {"GET", paths.EditZip(p, b)},
		{"GET", paths.Environments(p)}, {"POST", paths.Environments(p)}, {"GET", paths.Environment(p, e)},
		{"GET", paths.EnvironmentBlueprint(p, e, b, 2)}, {"POST", paths.EnvVariables(p, e)},
		{"POST", paths.EnvBackend(p, e)}, {"POST", paths.EnvRunner(p, e)}, {"POST", paths.EnvSecrets(p, e)},
		{"POST", paths.EnvSecretDelete(p, e, "ARM_ACCESS_KEY")},
		{"GET", paths.Deployments(p)}, {"POST", paths.Deployments(p)}, {"GET", paths.Deployment(p, 7)},
		{"GET", paths.DeploymentZip(p, 7)}, {"POST", paths.DeploymentPromote(p, 7)},
		{"GET", paths.DeploymentPreview(p, 7, 3)}, {"POST", paths.DeploymentRuns(p, 7)},
		{"POST", paths.DeploymentStateUnlock(p, 7)}, {"GET", paths.DeploymentStateVersion(p, 7, 2)},
		{"GET", paths.DeploymentStateCompareForm(p, 7)}, {"GET", paths.DeploymentStateCompare(p, 7, 1, 2)},
		{"POST", paths.DeploymentProviders(p, 7)}, {"GET", paths.DeploymentProviders(p, 7)},
		{"POST", paths.DeploymentProvidersUse(p, 7)}, {"POST", paths.DeploymentProvidersDiscard(p, 7)},
		{"GET", paths.AdminProviders()}, {"POST", paths.AdminProviderRemove()}, {"POST", paths.AdminProvidersPrune()},
		{"GET", paths.Run(p, "r1")}, {"GET", paths.RunLog(p, "r1")}, {"GET", paths.RunLogAfter(p, "r1", 4, "running")},
		{"POST", paths.RunApprove(p, "r1")}, {"POST", paths.RunDiscard(p, "r1")}, {"POST", paths.RunCancel(p, "r1")},
		{"GET", paths.Catalog("")}, {"GET", paths.Catalog("aks")}, {"GET", paths.CatalogAdd(p, b)},
		{"GET", paths.CatalogType("resource", "azurerm_kubernetes_cluster")},
		{"GET", paths.Crawls()}, {"POST", paths.Crawls()},
	} {
		r := httptest.NewRequest(tt.method, tt.url, nil)
		h, pattern := mux.Handler(r)
		switch pattern {
		case "/":
			t.Errorf("%s %s: no route answers it; the catch-all 404 does", tt.method, tt.url)
		case "":
			// The mux answers itself: a path no pattern matches, or a method the route of
			// the path does not take (405).
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			t.Errorf("%s %s: no route answers it (the mux says %d)", tt.method, tt.url, w.Code)
		}
	}
}
