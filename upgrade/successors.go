package upgrade

// successors are the types Azure names as the successor service of a type the guides only
// call retired ("This deprecated resource has been retired and has been removed from the
// provider"), with no replacement of their own. They come from Azure's retirement notices,
// not from the provider's guides, so a report shows them as CloudOven's suggestion and
// never applies them: a successor service takes a different configuration (and a data
// migration), so each is a checklist item.
var successors = map[string]struct{ to, why string }{
	"azurerm_postgresql_server":                         {"azurerm_postgresql_flexible_server", "Azure retired PostgreSQL Single Server in favour of Flexible Server"},
	"azurerm_postgresql_database":                       {"azurerm_postgresql_flexible_server_database", "Azure retired PostgreSQL Single Server in favour of Flexible Server"},
	"azurerm_postgresql_firewall_rule":                  {"azurerm_postgresql_flexible_server_firewall_rule", "Azure retired PostgreSQL Single Server in favour of Flexible Server"},
	"azurerm_postgresql_configuration":                  {"azurerm_postgresql_flexible_server_configuration", "Azure retired PostgreSQL Single Server in favour of Flexible Server"},
	"azurerm_postgresql_active_directory_administrator": {"azurerm_postgresql_flexible_server_active_directory_administrator", "Azure retired PostgreSQL Single Server in favour of Flexible Server"},
	"azurerm_mysql_server":                              {"azurerm_mysql_flexible_server", "Azure retired MySQL Single Server in favour of Flexible Server"},
	"azurerm_mysql_database":                            {"azurerm_mysql_flexible_database", "Azure retired MySQL Single Server in favour of Flexible Server"},
	"azurerm_mysql_firewall_rule":                       {"azurerm_mysql_flexible_server_firewall_rule", "Azure retired MySQL Single Server in favour of Flexible Server"},
	"azurerm_mysql_configuration":                       {"azurerm_mysql_flexible_server_configuration", "Azure retired MySQL Single Server in favour of Flexible Server"},
	"azurerm_mysql_active_directory_administrator":      {"azurerm_mysql_flexible_server_active_directory_administrator", "Azure retired MySQL Single Server in favour of Flexible Server"},
	"azurerm_mariadb_server":                            {"azurerm_mysql_flexible_server", "Azure retired Azure Database for MariaDB and points its users to MySQL Flexible Server"},
}
