package components

// File is a generated file as a page shows it.
type File struct {
	Name    string
	Content string
}
