package paths

// BlueprintUpgrade is a blueprint's upgrade report: what an import of Terraform written
// for an older provider version held back, item by item.
func BlueprintUpgrade(project, blueprint string) string {
	return Blueprint(project, blueprint) + "/upgrade"
}

// UpgradeRenames is where "Apply N renames" posts.
func UpgradeRenames(project, blueprint string) string {
	return BlueprintUpgrade(project, blueprint) + "/renames"
}

// UpgradeImport is where the kept configuration, edited, posts to be imported again.
func UpgradeImport(project, blueprint string) string {
	return BlueprintUpgrade(project, blueprint) + "/import"
}
