package tfsource

// ReadFiles reads files given by name, such as those uploaded through a form. It keeps the
// .tf files and lists the others as skipped; hidden names are read like any other, since
// someone chose each file. It refuses two files of one name and more than MaxBytes together,
// counting every file given. The Source shares the files' bytes.
func ReadFiles(files []File) (*Source, error) {
	src := &Source{}
	seen := make(map[string]bool, len(files))
	total := 0
	for _, f := range files {
		if seen[f.Name] {
			return nil, &Problem{Kind: Duplicate, Name: f.Name}
		}
		seen[f.Name] = true
		if len(f.Data) > MaxFileBytes {
			return nil, &Problem{Kind: FileTooLarge, Name: f.Name, Limit: MaxFileBytes}
		}
		total += len(f.Data)
		if total > MaxBytes {
			return nil, &Problem{Kind: TooLarge, Name: f.Name, Limit: MaxBytes}
		}
		if !isTerraform(f.Name) {
			src.Skipped = append(src.Skipped, Skipped{Name: f.Name, Reason: NotTerraform})
			continue
		}
		src.Files = append(src.Files, f)
	}
	if err := src.finish(); err != nil {
		return nil, err
	}
	return src, nil
}

// ReadText reads pasted Terraform as one file named PastedName.
func ReadText(text string) (*Source, error) {
	if len(text) > MaxFileBytes {
		return nil, &Problem{Kind: FileTooLarge, Name: PastedName, Limit: MaxFileBytes}
	}
	src := &Source{Files: []File{{Name: PastedName, Data: []byte(text)}}}
	if err := src.finish(); err != nil {
		return nil, err
	}
	return src, nil
}
