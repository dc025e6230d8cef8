package tfsource

import (
	"sort"
	"strings"
)

// The limits of one read, whatever the source. They bound the work and memory one import
// costs: reading stops at the limit, before the rest of an oversized source is looked at.
const (
	// MaxFiles is the most .tf files one read keeps.
	MaxFiles = 200
	// MaxBytes is the most bytes one read keeps, all files together, once decompressed.
	MaxBytes = 4 << 20
	// MaxFileBytes is the most bytes of one file. One file may use the whole budget; the
	// separate limit lets a reader refuse a file by the size it claims before reading it,
	// and name that file.
	MaxFileBytes = MaxBytes
	// MaxZipEntries is the most entries an archive may have, read or not: a central
	// directory of millions of empty entries costs memory before a byte is decompressed.
	MaxZipEntries = 1000
)

// PastedName names pasted text, so its problems have a file to point at.
const PastedName = "pasted.tf"

// Source is Terraform configuration as read from one source.
type Source struct {
	// Files are the .tf files, sorted by name. A name is relative to the source, with
	// forward slashes: "main.tf", or "infra/main.tf" in an archive.
	Files []File
	// Read are the other files the configuration reads (file(), templatefile()), added by
	// ReadDirFiles, ReadZipFiles or PickFiles (read.go), named like Files. They are not
	// checked as Terraform.
	Read []File
	// Skipped lists what was left out and why, in the order the source lists it: a
	// directory's sorted names, an archive's entries, the files as given.
	Skipped []Skipped
}

// File is one file of a Source.
type File struct {
	Name string
	Data []byte
}

// Skipped is a file or folder a read left out.
type Skipped struct {
	Name   string
	Reason Reason
}

// Reason says why a file or folder was left out.
type Reason int

// The reasons a file or folder is left out.
const (
	// NotTerraform is a file whose name does not end in .tf.
	NotTerraform Reason = iota + 1
	// Hidden is a file or folder whose name starts with a dot (.terraform/, an editor's
	// .#main.tf, macOS's ._main.tf) or macOS's __MACOSX/ in an archive: terraform skips
	// them too.
	Hidden
	// Directory is a folder inside a directory that no local module call uses: a
	// configuration is one directory's files, and its modules' folders.
	Directory
	// NotRegular is a device, pipe or socket in a directory.
	NotRegular
	// LinkOutside is a file the configuration reads that is a symbolic link out of the
	// directory (ReadDirFiles): nothing outside is read.
	LinkOutside
)

// String says the reason as a user reads it, e.g. beside the file's name.
func (r Reason) String() string {
	switch r {
	case NotTerraform:
		return "only .tf files are imported"
	case Hidden:
		return "hidden files and folders are not read"
	case Directory:
		return "folders are not read: a configuration is the .tf files of one directory, with the folders of the local modules it calls"
	case NotRegular:
		return "not a regular file"
	case LinkOutside:
		return "a symbolic link out of the directory: nothing outside it is read"
	}
	return "not read"
}

// ByName is the files keyed by name, the files the configuration reads among them, as
// blueprint.Import takes them.
func (s *Source) ByName() map[string][]byte {
	m := make(map[string][]byte, len(s.Files)+len(s.Read))
	for _, list := range [][]File{s.Files, s.Read} {
		for _, f := range list {
			m[f.Name] = f.Data
		}
	}
	return m
}

// isTerraform says whether a file is read as configuration. Like terraform, the suffix is
// matched exactly: MAIN.TF is not read.
func isTerraform(name string) bool {
	return strings.HasSuffix(name, ".tf")
}

// isHidden says whether any part of a slash-separated name is hidden.
func isHidden(name string) bool {
	for _, part := range strings.Split(name, "/") {
		if strings.HasPrefix(part, ".") || part == "__MACOSX" {
			return true
		}
	}
	return false
}

// finish sorts the files and applies the checks every source shares, in the order the
// import form has always reported them: the file count, then each file's text in name
// order, then whether there is any configuration at all.
func (s *Source) finish() error {
	sort.Slice(s.Files, func(i, j int) bool { return s.Files[i].Name < s.Files[j].Name })
	if len(s.Files) > MaxFiles {
		return &Problem{Kind: TooManyFiles, Count: len(s.Files), Limit: MaxFiles}
	}
	for i, f := range s.Files {
		data, err := checkText(f.Name, f.Data)
		if err != nil {
			return err
		}
		s.Files[i].Data = data
	}
	if len(s.Files) == 0 {
		return &Problem{Kind: NoTerraform}
	}
	return nil
}
