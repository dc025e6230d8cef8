package tfsource

import "fmt"

// Problem is a source a read refuses, for a reason the user can fix. Its Kind says which
// rule the source broke; the other fields say where, and which limit, so a caller can word
// the problem its own way.
type Problem struct {
	Kind Kind
	// Name is the file or archive entry concerned, if one is: as the archive spells it for
	// OutsideArchive, the name the source gives it otherwise.
	Name string
	// Line (1-based) and Offset (0-based, in bytes from the file's start) place the first
	// bad byte, for NotUTF8 and NULByte, and where the file first nests too deep, for
	// TooDeep, whose Column (1-based, in characters) places it on its line too.
	Line   int
	Column int
	Offset int
	// Count is how many there are, for TooManyFiles and TooManyEntries.
	Count int
	// Limit is the limit broken, for FileTooLarge, TooLarge, TooManyFiles, TooManyEntries
	// and TooDeep.
	Limit int
	// Err is the cause, for Corrupt.
	Err error
}

// Kind is a rule a source can break.
type Kind int

// The rules a source can break.
const (
	// FileTooLarge is one file larger than MaxFileBytes.
	FileTooLarge Kind = iota + 1
	// TooLarge is the files together larger than MaxBytes, once decompressed.
	TooLarge
	// TooManyFiles is more than MaxFiles .tf files.
	TooManyFiles
	// TooManyEntries is an archive of more than MaxZipEntries entries.
	TooManyEntries
	// OutsideArchive is an archive entry with an absolute path or "..": unpacked, it would
	// land outside the folder it is unpacked in (a "zip slip").
	OutsideArchive
	// OutsideDirectory is a symbolic link in a directory that leads out of it, or is
	// absolute.
	OutsideDirectory
	// Duplicate is two files of the same name.
	Duplicate
	// Corrupt is an archive that cannot be read.
	Corrupt
	// NotUTF8 is a .tf file that is not UTF-8 text.
	NotUTF8
	// NULByte is a .tf file with a NUL byte: UTF-8, but not text.
	NULByte
	// NoTerraform is a source without a single .tf file.
	NoTerraform
	// TooDeep is a .tf file nested deeper than hcllimit.MaxNesting: the parser's recursion
	// would not survive it.
	TooDeep
)

var kindNames = [...]string{
	FileTooLarge: "file too large", TooLarge: "too large", TooManyFiles: "too many files",
	TooManyEntries: "too many entries", OutsideArchive: "outside the archive",
	OutsideDirectory: "outside the directory", Duplicate: "duplicate", Corrupt: "corrupt",
	NotUTF8: "not UTF-8", NULByte: "NUL byte", NoTerraform: "no .tf files", TooDeep: "too deep",
}

// String names the kind, for logs and test failures.
func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Error says the problem on one line, naming the file and the limit.
func (p *Problem) Error() string {
	switch p.Kind {
	case FileTooLarge:
		return fmt.Sprintf("%s is larger than %d MiB, the most an import reads of one file", p.Name, p.Limit>>20)
	case TooLarge:
		return fmt.Sprintf("%s takes the files past %d MiB together, the most an import reads", p.Name, p.Limit>>20)
	case TooManyFiles:
		return fmt.Sprintf("%d .tf files; an import reads at most %d", p.Count, p.Limit)
	case TooManyEntries:
		return fmt.Sprintf("the archive has %d entries; an import reads archives of at most %d", p.Count, p.Limit)
	case OutsideArchive:
		return fmt.Sprintf("archive entry %q leads outside the archive (an absolute path or \"..\")", p.Name)
	case OutsideDirectory:
		return fmt.Sprintf("%s is a symbolic link out of the directory (or an absolute one); an import reads only the directory's own files", p.Name)
	case Duplicate:
		return fmt.Sprintf("two files are named %q", p.Name)
	case Corrupt:
		if p.Name != "" {
			return fmt.Sprintf("reading %s in the archive: %v", p.Name, p.Err)
		}
		return fmt.Sprintf("reading the archive: %v", p.Err)
	case NotUTF8:
		return fmt.Sprintf("%s: line %d (byte %d): not UTF-8 text", p.Name, p.Line, p.Offset)
	case NULByte:
		return fmt.Sprintf("%s: line %d (byte %d): a NUL byte, so not text", p.Name, p.Line, p.Offset)
	case NoTerraform:
		return "no .tf files"
	case TooDeep:
		return fmt.Sprintf("%s: line %d, column %d: nested more than %d levels deep (brackets, braces, strings, templates and operators together), the most an import reads", p.Name, p.Line, p.Column, p.Limit)
	}
	return fmt.Sprintf("%s: %s", p.Name, p.Kind)
}

// Unwrap is the cause of a Corrupt archive, so errors.Is(err, zip.ErrFormat) holds.
func (p *Problem) Unwrap() error { return p.Err }
