locals {
  users = {
    alice = { role = "admin", teams = ["core", "ops"] }
    bob   = { role = "dev", teams = ["core"] }
  }
  admins      = [for name, u in local.users : name if u.role == "admin"]
  memberships = flatten([for name, u in local.users : [for t in u.teams : { user = name, team = t }]])
  by_team     = { for m in local.memberships : m.team => m.user... }
  upper_names = [for n in keys(local.users) : upper(n)]
}

resource "github_team_membership" "m" {
  for_each = { for m in local.memberships : "${m.team}:${m.user}" => m }
  team_id  = each.value.team
  username = each.value.user
  role     = "member"
}
