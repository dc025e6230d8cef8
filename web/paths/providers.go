package paths

// DeploymentProviders is where "Upgrade providers" posts, and, read, the pending upgrade's
// diff of the deployment's lock file.
func DeploymentProviders(project string, id int64) string {
	return Deployment(project, id) + "/providers/upgrade"
}

// DeploymentProvidersUse is where "Use these versions" posts.
func DeploymentProvidersUse(project string, id int64) string {
	return DeploymentProviders(project, id) + "/use"
}

// DeploymentProvidersDiscard is where "Discard" of a pending upgrade posts.
func DeploymentProvidersDiscard(project string, id int64) string {
	return DeploymentProviders(project, id) + "/discard"
}

// AdminProviders is the provider cache's page (global admins).
func AdminProviders() string { return "/admin/providers" }

// AdminProviderRemove is where a cached package's Remove posts (its source, version and
// platform in the form).
func AdminProviderRemove() string { return AdminProviders() + "/remove" }

// AdminProvidersPrune is where "Prune unused" posts.
func AdminProvidersPrune() string { return AdminProviders() + "/prune" }
