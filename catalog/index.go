package catalog

import "time"

// IndexFile is the name of the catalog's index at the root of a catalog directory.
const IndexFile = "index.json"

// Index is index.json: every provider version in the catalog.
type Index struct {
	Format    int          `json:"format"`
	Providers []IndexEntry `json:"providers"`
}

// IndexEntry describes one provider version directory.
type IndexEntry struct {
	Source      string    `json:"source"`
	Version     string    `json:"version"`
	CrawledAt   time.Time `json:"crawled_at"`
	Resources   int       `json:"resources"`
	DataSources int       `json:"data_sources"`
	DocPages    int       `json:"doc_pages"`
	// Files maps each file of the version directory to "sha256:<hex>" of its stored bytes.
	Files map[string]string `json:"files"`
}

// Dir is the entry's directory relative to the catalog root.
func (e IndexEntry) Dir() string { return e.Source + "/" + e.Version }
