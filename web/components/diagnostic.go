package components

// Diagnostic is one problem to show: Severity is "error" or "warning".
type Diagnostic struct {
	Severity string
	Path     string
	Summary  string
	Detail   string
}
