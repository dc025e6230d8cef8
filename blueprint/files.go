package blueprint

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"
)

// BlueprintFile is a file the configuration reads with file(), templatefile(),
// filebase64() and the like: a cloud-init script, a policy document, a template. It travels
// with the blueprint: stored in its document, written beside main.tf at its path by
// Generate, put in the zip and in a run's workspace.
//
// A text file (UTF-8 without NUL bytes) keeps its text in Content and is edited as text. A
// binary file, such as the certificate (.pfx, .cer, .der) that filebase64 reads in almost
// half of the file reads of the providers' doc examples, is kept too, as base64 in Content
// with Encoding "base64": refusing it would leave those configurations unable to plan.
// The editor shows such a file's size and lets it be renamed or removed, not edited.
type BlueprintFile struct {
	// Path is relative to the configuration's root, with forward slashes, in the form
	// NormalizeFilePath gives: scripts/init.sh, templates/cloud-init.yaml.
	Path    string `json:"path"`
	Content string `json:"content"`
	// Encoding is "" for text, FileBase64 for a binary file whose Content is base64.
	Encoding string `json:"encoding,omitempty"`
}

// FileBase64 is the Encoding of a binary file: Content is its bytes in standard base64.
const FileBase64 = "base64"

// NewBlueprintFile keeps data at path p: as text when it is text (UTF-8 without NUL
// bytes), as base64 otherwise.
func NewBlueprintFile(p string, data []byte) BlueprintFile {
	if isText(data) {
		return BlueprintFile{Path: p, Content: string(data)}
	}
	return BlueprintFile{Path: p, Content: base64.StdEncoding.EncodeToString(data), Encoding: FileBase64}
}

// Binary reports whether the file is kept as base64.
func (f BlueprintFile) Binary() bool { return f.Encoding == FileBase64 }

// Bytes is the file's content as written to disk.
func (f BlueprintFile) Bytes() ([]byte, error) {
	switch f.Encoding {
	case "":
		return []byte(f.Content), nil
	case FileBase64:
		data, err := base64.StdEncoding.DecodeString(f.Content)
		if err != nil {
			return nil, fmt.Errorf("its content is not valid base64: %w", err)
		}
		return data, nil
	}
	return nil, fmt.Errorf("unknown encoding %q: a file is text, or %q", f.Encoding, FileBase64)
}

func isText(data []byte) bool {
	return utf8.Valid(data) && bytes.IndexByte(data, 0) < 0
}

// The limits of a blueprint's files. A cloud-init script or a template is a few KiB; the
// total keeps a blueprint document, in which each file is one JSON string, well inside
// MaxDocumentSize.
const (
	// MaxFileCount is the most files a blueprint keeps.
	MaxFileCount = 100
	// MaxFileSize is the most bytes of one file.
	MaxFileSize = 256 << 10
	// MaxFilesSize is the most bytes of all files together.
	MaxFilesSize = 1 << 20
	// maxFilePathLen bounds a path, and maxFileDepth its folders.
	maxFilePathLen = 255
	maxFileDepth   = 8
)

// ErrUnsafePath marks a file path that would be written outside the configuration's folder:
// absolute, with "..", or with a backslash or NUL that a file system could read as one.
// Such a path is refused everywhere (the document, the import, the editor, generation, the
// zip and the runner), never cleaned into a safe one, since the author meant another file.
var ErrUnsafePath = errors.New("outside the configuration's folder")

// NormalizeFilePath returns p in the form a blueprint keeps: forward slashes, no "./" and
// no empty or "." segments ("./scripts//init.sh" is "scripts/init.sh"). It refuses, wrapping
// ErrUnsafePath, a path that leads out of the configuration's folder, and any other path a
// blueprint cannot hold (see CheckFilePath).
func NormalizeFilePath(p string) (string, error) {
	if err := unsafePath(p); err != nil {
		return "", err
	}
	clean := path.Clean(p)
	if err := CheckFilePath(clean); err != nil {
		return "", err
	}
	return clean, nil
}

// unsafePath refuses a path that a file system could resolve outside the folder it is
// written in. It looks at the path as given, before cleaning: "a/../../b" cleans to "../b",
// and "a/../b" is refused too, since it cannot be what its author meant.
func unsafePath(p string) error {
	switch {
	case p == "":
		return errors.New("the path is empty")
	case strings.HasPrefix(p, "/"):
		return fmt.Errorf("%q is an absolute path, %w: give it relative to main.tf's folder, e.g. scripts/init.sh", p, ErrUnsafePath)
	case len(p) >= 2 && p[1] == ':':
		return fmt.Errorf("%q is a Windows drive path, %w: give it relative to main.tf's folder", p, ErrUnsafePath)
	case strings.HasPrefix(p, "~"):
		return fmt.Errorf("%q is in a home folder (terraform expands ~), %w: put the file beside main.tf or below it", p, ErrUnsafePath)
	case strings.ContainsAny(p, "\\\x00"):
		return fmt.Errorf("%q holds a backslash or NUL, %w: separate folders with /", p, ErrUnsafePath)
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." {
			return fmt.Errorf("%q has a \"..\" segment, %w: a blueprint's files live in main.tf's folder or below it", p, ErrUnsafePath)
		}
	}
	return nil
}

// reservedFileSuffixes are names terraform itself reads, or state it writes, in the
// configuration's folder: a file of that name would change the configuration or its state.
var reservedFileSuffixes = []string{".tf", ".tf.json", ".tfvars", ".tfvars.json", ".tfstate", ".tfstate.backup", ".tfbackend", ".tfplan"}

// CheckFilePath says why a normalised path cannot name a blueprint's file, or nil. Beyond
// being safe (see ErrUnsafePath), each segment is letters, digits, '.', '_', '-', '+', '@',
// not one of terraform's or the runner's own (.terraform, .terraform.lock.hcl,
// .cloudoven.tfrc: any name starting .terraform or .cloudoven) and at most 128 bytes; a path is
// at most 255 bytes and 8 folders deep; and in the root folder no name may be one Generate
// or terraform uses (main.tf, variables.tf, outputs.tf, terraform.tfvars, any *.tf,
// *.tfvars or *.tfstate, the zip's README.md), whatever its case, since a zip unpacked on a
// case-insensitive file system would overwrite it.
func CheckFilePath(p string) error {
	if err := unsafePath(p); err != nil {
		return err
	}
	if p != path.Clean(p) || strings.HasPrefix(p, "./") {
		return fmt.Errorf("%q is not in its simplest form: write %q", p, path.Clean(p))
	}
	if len(p) > maxFilePathLen {
		return fmt.Errorf("the path is %d bytes long; a file's path may have at most %d", len(p), maxFilePathLen)
	}
	segs := strings.Split(p, "/")
	if len(segs) > maxFileDepth+1 {
		return fmt.Errorf("%q is %d folders deep; a file may be at most %d folders below main.tf", p, len(segs)-1, maxFileDepth)
	}
	for _, seg := range segs {
		if l := strings.ToLower(seg); strings.HasPrefix(l, ".terraform") || strings.HasPrefix(l, ".cloudoven") || seg == "." {
			return fmt.Errorf("%q uses the name %s, which terraform or CloudOven's runner keeps for its own files", p, seg)
		}
		if len(seg) > 128 {
			return fmt.Errorf("%q has a name longer than 128 bytes", p)
		}
		for _, r := range seg {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-+@", r)) {
				return fmt.Errorf("%q has the character %q: use letters, digits, '.', '_', '-', '+' and '@' in file and folder names", p, r)
			}
		}
	}
	if len(segs) == 1 {
		lower := strings.ToLower(p)
		if lower == "readme.md" {
			return fmt.Errorf("%q is the name of the README CloudOven puts in the zip: put the file in a folder or rename it", p)
		}
		for _, s := range reservedFileSuffixes {
			if strings.HasSuffix(lower, s) {
				return fmt.Errorf("%q would be read by terraform as configuration, variables or state: a blueprint's files are the ones its configuration reads with file() or templatefile(); put it in a folder or rename it", p)
			}
		}
	}
	return nil
}

// CheckFileContent says why content cannot be a blueprint's file, or nil: it may have at
// most MaxFileSize bytes. Any bytes are kept (NewBlueprintFile).
func CheckFileContent(content []byte) error {
	if len(content) > MaxFileSize {
		return fmt.Errorf("it is %s; a file may have at most %s", byteSize(len(content)), byteSize(MaxFileSize))
	}
	return nil
}

// checkText says why a text file's content is not text, or nil.
func checkText(content string) error {
	if !utf8.ValidString(content) {
		return errors.New("it is not UTF-8 text: keep a binary file as base64 (\"encoding\": \"base64\")")
	}
	if i := strings.IndexByte(content, 0); i >= 0 {
		return fmt.Errorf("it has a NUL byte on line %d: keep a binary file as base64 (\"encoding\": \"base64\")", strings.Count(content[:i], "\n")+1)
	}
	return nil
}

// byteSize says a size the way a user reads it.
func byteSize(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", (n+1<<10-1)>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// File returns the blueprint's file at path p, or nil.
func (b *Blueprint) File(p string) *BlueprintFile {
	for i := range b.Files {
		if b.Files[i].Path == p {
			return &b.Files[i]
		}
	}
	return nil
}

// checkFiles reports every problem with the blueprint's files, each at files[N].path or
// files[N].content so the editor shows it next to the file.
func (v *validator) checkFiles() {
	if n := len(v.b.Files); n > MaxFileCount {
		v.d.errorf("files", fmt.Sprintf("%d files", n), "a blueprint keeps at most %d files; remove %d", MaxFileCount, n-MaxFileCount)
	}
	seen := map[string]int{}
	modules := map[string]bool{}
	for _, mf := range v.b.ModuleFiles {
		modules[strings.ToLower(mf.Path)] = true
	}
	total := 0
	for i, f := range v.b.Files {
		at := fmt.Sprintf("files[%d]", i)
		if err := CheckFilePath(f.Path); err != nil {
			v.d.errorf(at+".path", "invalid file path", "%s", err)
		} else if modules[strings.ToLower(f.Path)] {
			v.d.errorf(at+".path", fmt.Sprintf("file %s is a module's file", f.Path), "a local module's file has that path (letter case aside); rename the file")
		} else if prev, dup := seen[strings.ToLower(f.Path)]; dup {
			v.d.errorf(at+".path", fmt.Sprintf("file %s is there twice", f.Path), "files[%d] has the same path (letter case aside, as some file systems ignore it); rename or remove one", prev)
		} else {
			seen[strings.ToLower(f.Path)] = i
		}
		data, err := f.Bytes()
		if err == nil && !f.Binary() {
			err = checkText(f.Content)
		}
		if err == nil {
			err = CheckFileContent(data)
		}
		if err != nil {
			v.d.errorf(at+".content", fmt.Sprintf("file %s cannot be kept", f.Path), "%s", err)
		}
		total += len(data)
	}
	if total > MaxFilesSize {
		v.d.errorf("files", "the files are too large together", "they have %s; a blueprint's files may have %s together", byteSize(total), byteSize(MaxFilesSize))
	}
}

// decodeFiles checks the files of a document: a path that leads out of the configuration's
// folder is refused with the document, since no later step may write it; every other
// problem is Validate's, so an editor can show it next to the file. Paths are normalised.
func decodeFiles(in []BlueprintFile) ([]BlueprintFile, error) {
	if len(in) > MaxFileCount {
		return nil, docErr("files", "%d files; a blueprint keeps at most %d", len(in), MaxFileCount)
	}
	out := make([]BlueprintFile, len(in))
	for i, f := range in {
		if err := unsafePath(f.Path); errors.Is(err, ErrUnsafePath) {
			return nil, docErr(fmt.Sprintf("files[%d].path", i), "%s", err)
		}
		if f.Encoding != "" && f.Encoding != FileBase64 {
			return nil, docErr(fmt.Sprintf("files[%d].encoding", i), "unknown encoding %q: leave it out for text, or write %q", f.Encoding, FileBase64)
		}
		out[i] = f
		if f.Path != "" {
			out[i].Path = path.Clean(f.Path)
		}
	}
	return out, nil
}

// generateFiles is the blueprint's files as Generate writes them. A path that is not safe,
// or that names a generated file, is an error: writing it would leave the folder or
// overwrite the configuration.
func generateFiles(b *Blueprint) ([]File, error) {
	out := make([]File, 0, len(b.Files))
	for _, f := range b.Files {
		if err := CheckFilePath(f.Path); err != nil {
			return nil, fmt.Errorf("file %q: %w", f.Path, err)
		}
		data, err := f.Bytes()
		if err != nil {
			return nil, fmt.Errorf("file %q: %w", f.Path, err)
		}
		out = append(out, File{Name: f.Path, Content: data})
	}
	return out, nil
}
