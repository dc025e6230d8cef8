package tfsource_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/cloudoven/cloudoven/tfsource"
)

// The CLI prints a Problem as it is: one line that names the file and the limit.
func TestProblemError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    tfsource.Problem
		want string
	}{
		{tfsource.Problem{Kind: tfsource.FileTooLarge, Name: "big.tf", Limit: tfsource.MaxFileBytes}, "big.tf is larger than 4 MiB, the most an import reads of one file"},
		{tfsource.Problem{Kind: tfsource.TooLarge, Name: "c.tf", Limit: tfsource.MaxBytes}, "c.tf takes the files past 4 MiB together, the most an import reads"},
		{tfsource.Problem{Kind: tfsource.TooManyFiles, Count: 201, Limit: tfsource.MaxFiles}, "201 .tf files; an import reads at most 200"},
		{tfsource.Problem{Kind: tfsource.TooManyEntries, Count: 1001, Limit: tfsource.MaxZipEntries}, "the archive has 1001 entries; an import reads archives of at most 1000"},
		{tfsource.Problem{Kind: tfsource.OutsideArchive, Name: "../evil.tf"}, `archive entry "../evil.tf" leads outside the archive (an absolute path or "..")`},
		{tfsource.Problem{Kind: tfsource.OutsideDirectory, Name: "providers.tf"}, "providers.tf is a symbolic link out of the directory (or an absolute one); an import reads only the directory's own files"},
		{tfsource.Problem{Kind: tfsource.Duplicate, Name: "main.tf"}, `two files are named "main.tf"`},
		{tfsource.Problem{Kind: tfsource.Corrupt, Err: errors.New("zip: not a valid zip file")}, "reading the archive: zip: not a valid zip file"},
		{tfsource.Problem{Kind: tfsource.Corrupt, Name: "main.tf", Err: errors.New("zip: checksum error")}, "reading main.tf in the archive: zip: checksum error"},
		{tfsource.Problem{Kind: tfsource.NotUTF8, Name: "main.tf", Line: 3, Offset: 41}, "main.tf: line 3 (byte 41): not UTF-8 text"},
		{tfsource.Problem{Kind: tfsource.NULByte, Name: "main.tf", Line: 1, Offset: 0}, "main.tf: line 1 (byte 0): a NUL byte, so not text"},
		{tfsource.Problem{Kind: tfsource.NoTerraform}, "no .tf files"},
		{tfsource.Problem{Kind: tfsource.TooDeep, Name: "main.tf", Line: 2, Column: 134, Offset: 142, Limit: 128}, "main.tf: line 2, column 134: nested more than 128 levels deep (brackets, braces, strings, templates and operators together), the most an import reads"},
	}
	for _, tt := range tests {
		t.Run(tt.p.Kind.String(), func(t *testing.T) {
			t.Parallel()
			got := tt.p.Error()
			if got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
			if strings.Contains(got, "\n") {
				t.Errorf("Error() is more than one line: %q", got)
			}
		})
	}
}
