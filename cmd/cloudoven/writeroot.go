package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"

	"github.com/cloudoven/cloudoven/blueprint"
)

// writeFilesIn writes generated files into dir, a blueprint's files in their folders
// (scripts/init.sh). Everything goes through an os.Root, so neither a name nor a symbolic
// link already in dir leads a write outside it; each file is written to a temporary name
// first and renamed, so an interrupted run never leaves a half-written file.
func writeFilesIn(dir string, files []blueprint.File, stdout io.Writer) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	for _, f := range files {
		name := f.Name
		if !filepath.IsLocal(filepath.FromSlash(name)) {
			return fmt.Errorf("writing %s: not a path inside %s", name, dir)
		}
		if d := path.Dir(name); d != "." {
			if err := root.MkdirAll(filepath.FromSlash(d), 0o755); err != nil {
				return fmt.Errorf("writing %s: %w", name, err)
			}
		}
		var suffix [6]byte
		if _, err := rand.Read(suffix[:]); err != nil {
			return err
		}
		target := filepath.FromSlash(name)
		tmp := filepath.Join(filepath.Dir(target), "."+filepath.Base(target)+".tmp-"+hex.EncodeToString(suffix[:]))
		if err := root.WriteFile(tmp, f.Content, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
		if err := root.Rename(tmp, target); err != nil {
			_ = root.Remove(tmp)
			return fmt.Errorf("writing %s: %w", name, err)
		}
		fmt.Fprintf(stdout, "wrote %s\n", filepath.Join(dir, target))
	}
	return nil
}
