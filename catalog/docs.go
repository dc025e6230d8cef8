package catalog

// Docs is a provider's documentation as docs.json stores it: one Doc per resource and data
// source type, keyed by the full type name.
type Docs struct {
	Format      int             `json:"format"`
	Resources   map[string]*Doc `json:"resources,omitempty"`
	DataSources map[string]*Doc `json:"data_sources,omitempty"`
	// Upgrades are the entries of the provider's upgrade guides (upgrades.go).
	Upgrades []Upgrade `json:"upgrades,omitempty"`
}

// Doc is one resource's or data source's documentation page, kept as markdown: rendering
// (and sanitizing) is the web layer's job.
type Doc struct {
	Subcategory string   `json:"subcategory,omitempty"`
	Title       string   `json:"title,omitempty"`
	Description string   `json:"description,omitempty"` // one line
	Body        string   `json:"body,omitempty"`        // the lead section, markdown
	Notes       []Note   `json:"notes,omitempty"`
	Examples    []string `json:"examples,omitempty"` // HCL
	// Arguments and Attributes are keyed by schema path: "default_node_pool.vm_size".
	Arguments  map[string]string `json:"arguments,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"`
	Timeouts   map[string]string `json:"timeouts,omitempty"`
	// Rules are the constraints the docs' prose states, keyed by schema path like
	// Arguments (rules.go); the crawler mines them.
	Rules  map[string][]Rule `json:"rules,omitempty"`
	Import string            `json:"import,omitempty"`
}

// Note is a callout of a doc page: "note" (->), "warning" (~>) or "caution" (!>).
type Note struct {
	Kind string `json:"kind"`
	Text string `json:"text"`
}
