package paths

import (
	"net/url"
	"strconv"
)

// Health is the liveness check.
func Health() string { return "/healthz" }

// Ready is the readiness check.
func Ready() string { return "/readyz" }

// Static is a static file's URL: hash changes whenever the file does, so the URL can be
// cached for a year.
func Static(hash, name string) string { return "/static/" + hash + "/" + name }

// SignIn is the sign-in page; next, a local path, is where a successful sign-in goes.
func SignIn(next string) string {
	if next == "" {
		return "/signin"
	}
	return "/signin?" + url.Values{"next": {next}}.Encode()
}

// SignOut is where the sign-out form posts.
func SignOut() string { return "/signout" }

// Account is the signed-in user's account page.
func Account() string { return "/account" }

// AccountPassword is where the password form posts.
func AccountPassword() string { return "/account/password" }

// AdminUsers lists CloudOven's users (global admins).
func AdminUsers() string { return "/admin/users" }

// AdminAudit is the whole audit log (global admins).
func AdminAudit() string { return "/admin/audit" }

// Projects lists the signed-in user's projects; the create form posts to it.
func Projects() string { return "/projects" }

// Project is a project's page: its blueprints.
func Project(project string) string { return "/projects/" + url.PathEscape(project) }

// Members is a project's members page; the add form posts to it.
func Members(project string) string { return Project(project) + "/members" }

// Member is where a member's role change posts.
func Member(project, user string) string { return Members(project) + "/" + url.PathEscape(user) }

// MemberRemove is where removing a member posts.
func MemberRemove(project, user string) string { return Member(project, user) + "/remove" }

// ProjectAudit is a project's audit log (project admins).
func ProjectAudit(project string) string { return Project(project) + "/audit" }

// Rules is a project's guardrail rules page; the rules form posts to it.
func Rules(project string) string { return Project(project) + "/rules" }

// RulesSaved is the rules page saying that the rules were saved.
func RulesSaved(project string) string { return Rules(project) + "?saved=1" }

// Providers is where a project admin allows a provider source for the project (field
// source); the rules page lists them.
func Providers(project string) string { return Project(project) + "/providers" }

// ProviderRemove is where taking back a provider source the project allows posts (field
// source).
func ProviderRemove(project string) string { return Providers(project) + "/remove" }

// Blueprints is where the import form posts.
func Blueprints(project string) string { return Project(project) + "/blueprints" }

// NewBlueprint is where "New blueprint" posts a name.
func NewBlueprint(project string) string { return Project(project) + "/new-blueprint" }

// Blueprint is a blueprint's page, showing its latest version.
func Blueprint(project, blueprint string) string {
	return Blueprints(project) + "/" + url.PathEscape(blueprint)
}

// BlueprintVersion shows one version of a blueprint on the blueprint page.
func BlueprintVersion(project, blueprint string, version int) string {
	return Blueprint(project, blueprint) + "?version=" + strconv.Itoa(version)
}

// Version is the base of a version's downloads.
func Version(project, blueprint string, version int) string {
	return Blueprint(project, blueprint) + "/versions/" + strconv.Itoa(version)
}

// VersionZip is a version's generated Terraform as a zip.
func VersionZip(project, blueprint string, version int) string {
	return Version(project, blueprint, version) + "/terraform.zip"
}

// VersionDocument is a version's blueprint document.
func VersionDocument(project, blueprint string, version int) string {
	return Version(project, blueprint, version) + "/blueprint.json"
}

// Graph is a version's dependency graph, an SVG image.
func Graph(project, blueprint string, version int) string {
	return Version(project, blueprint, version) + "/graph.svg"
}

// Diff compares two versions of a blueprint; without from and to, latest-1 and latest.
func Diff(project, blueprint string) string { return Blueprint(project, blueprint) + "/diff" }

// DiffVersions compares version from with version to.
func DiffVersions(project, blueprint string, from, to int) string {
	return Diff(project, blueprint) + "?" + url.Values{"from": {strconv.Itoa(from)}, "to": {strconv.Itoa(to)}}.Encode()
}

// Edit is a blueprint's editor; it edits the blueprint's draft.
func Edit(project, blueprint string) string { return Blueprint(project, blueprint) + "/edit" }

// EditItem opens the editor on one item: a resource or data source address
// (azurerm_resource_group.main, data.azurerm_client_config.current), or one of the sections
// "providers", "variables", "locals", "outputs".
func EditItem(project, blueprint, item string) string {
	return Edit(project, blueprint) + "?" + url.Values{"item": {item}}.Encode()
}

// EditItemPost is where the form of one editor item posts its changes.
func EditItemPost(project, blueprint, item string) string {
	return Edit(project, blueprint) + "/item?" + url.Values{"item": {item}}.Encode()
}

// EditCheck is where "Check with providers" posts, for the editor on item.
func EditCheck(project, blueprint, item string) string {
	return Edit(project, blueprint) + "/check?" + url.Values{"item": {item}}.Encode()
}

// EditAdd is where "Add" posts a type (fields type and kind) to the draft.
func EditAdd(project, blueprint string) string { return Edit(project, blueprint) + "/add" }

// EditSave is where "Save version" posts.
func EditSave(project, blueprint string) string { return Edit(project, blueprint) + "/save" }

// EditDiscard is where "Discard draft" posts.
func EditDiscard(project, blueprint string) string { return Edit(project, blueprint) + "/discard" }

// EditZip is the draft's generated Terraform as a zip.
func EditZip(project, blueprint string) string { return Edit(project, blueprint) + "/terraform.zip" }

// Environments lists a project's environments; the create form posts to it.
func Environments(project string) string { return Project(project) + "/environments" }

// Environment is an environment's page.
func Environment(project, environment string) string {
	return Environments(project) + "/" + url.PathEscape(environment)
}

// EnvironmentBlueprint shows an environment's variables as a blueprint version declares
// them; version 0 means the latest.
func EnvironmentBlueprint(project, environment, blueprint string, version int) string {
	q := url.Values{"blueprint": {blueprint}}
	if version > 0 {
		q.Set("version", strconv.Itoa(version))
	}
	return Environment(project, environment) + "?" + q.Encode()
}

// EnvVariables is where an environment's variables form posts.
func EnvVariables(project, environment string) string {
	return Environment(project, environment) + "/variables"
}

// EnvBackend is where an environment's backend form posts.
func EnvBackend(project, environment string) string {
	return Environment(project, environment) + "/backend"
}

// EnvRunner is where an environment's runner settings post.
func EnvRunner(project, environment string) string {
	return Environment(project, environment) + "/runner"
}

// EnvSecrets is where setting an environment's secret posts.
func EnvSecrets(project, environment string) string {
	return Environment(project, environment) + "/secrets"
}

// EnvSecretDelete is where deleting a secret posts.
func EnvSecretDelete(project, environment, name string) string {
	return EnvSecrets(project, environment) + "/" + url.PathEscape(name) + "/delete"
}

// Deployments lists a project's deployments; the create form posts to it.
func Deployments(project string) string { return Project(project) + "/deployments" }

// Deployment is a deployment's page.
func Deployment(project string, id int64) string {
	return Deployments(project) + "/" + strconv.FormatInt(id, 10)
}

// DeploymentZip is the files a run of the deployment uses, as a zip.
func DeploymentZip(project string, id int64) string {
	return Deployment(project, id) + "/terraform.zip"
}

// DeploymentPromote is where promoting the deployment to a newer version posts.
func DeploymentPromote(project string, id int64) string { return Deployment(project, id) + "/promote" }

// DeploymentPreview shows the deployment with the diff of a promotion to version.
func DeploymentPreview(project string, id int64, version int) string {
	return Deployment(project, id) + "?" + url.Values{"to": {strconv.Itoa(version)}}.Encode()
}

// DeploymentRuns is where Plan and Destroy post.
func DeploymentRuns(project string, id int64) string { return Deployment(project, id) + "/runs" }

// DeploymentStateUnlock is where an operator's force-unlock of the deployment's state posts.
func DeploymentStateUnlock(project string, id int64) string {
	return Deployment(project, id) + "/state/unlock"
}

// DeploymentStateVersion is the page of one state version of the deployment: its outputs
// and resources.
func DeploymentStateVersion(project string, id int64, version int) string {
	return Deployment(project, id) + "/state/" + strconv.Itoa(version)
}

// DeploymentStateCompareForm is where the form comparing two state versions asks.
func DeploymentStateCompareForm(project string, id int64) string {
	return Deployment(project, id) + "/state/compare"
}

// DeploymentStateCompare compares state version from of the deployment with version to.
func DeploymentStateCompare(project string, id int64, from, to int) string {
	return DeploymentStateCompareForm(project, id) + "?" + url.Values{"from": {strconv.Itoa(from)}, "to": {strconv.Itoa(to)}}.Encode()
}

// Run is a run's page.
func Run(project, id string) string { return Project(project) + "/runs/" + url.PathEscape(id) }

// RunLog is a run's live log, an event stream.
func RunLog(project, id string) string { return Run(project, id) + "/log" }

// RunLogAfter is the run's live log from the line after seq on; state is the run's state
// when the page was rendered, so the stream can say at once when it has moved on.
func RunLogAfter(project, id string, after int, state string) string {
	return RunLog(project, id) + "?" + url.Values{"after": {strconv.Itoa(after)}, "state": {state}}.Encode()
}

// RunApprove is where approving a planned run posts.
func RunApprove(project, id string) string { return Run(project, id) + "/approve" }

// RunDiscard is where discarding a planned run posts.
func RunDiscard(project, id string) string { return Run(project, id) + "/discard" }

// RunCancel is where canceling a run posts.
func RunCancel(project, id string) string { return Run(project, id) + "/cancel" }

// Catalog is the catalog search page; an empty query shows the catalog's providers.
func Catalog(query string) string {
	if query == "" {
		return "/catalog"
	}
	return "/catalog?" + url.Values{"q": {query}}.Encode()
}

// CatalogAdd is the catalog search in add mode: each result adds its type to the
// blueprint's draft.
func CatalogAdd(project, blueprint string) string {
	return Catalog("") + "?" + url.Values{"project": {project}, "blueprint": {blueprint}}.Encode()
}

// CatalogType is the page of one resource or data source type; kind is resource or data.
func CatalogType(kind, name string) string {
	return "/catalog/types/" + url.PathEscape(kind) + "/" + url.PathEscape(name)
}

// Crawls is the crawl status page; "crawl now" posts to it.
func Crawls() string { return "/catalog/crawls" }
