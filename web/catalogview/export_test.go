package catalogview

// Internals the external tests of this package read.
const (
	CatalogLimit      = catalogLimit
	MaxSummaryLen     = maxSummaryLen
	MaxDocErrorsShown = maxDocErrorsShown
)
