package runner

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
)

// workspaceUID owns everything copied into the workspace, so terraform, running as that
// user, can write beside and over it (.terraform, the lock file, local state).
const workspaceUID = 1000

// workspaceArchive is the tar the daemon unpacks into /workspace: every file, and the
// directories above nested ones, owned by workspaceUID.
func workspaceArchive(files, extra map[string][]byte) (io.Reader, error) {
	all := make(map[string][]byte, len(files)+len(extra))
	for name, data := range files {
		all[name] = data
	}
	for name, data := range extra {
		if _, dup := all[name]; dup {
			return nil, fmt.Errorf("file %s is both a generated and an extra file", name)
		}
		all[name] = data
	}
	names := make([]string, 0, len(all))
	for name := range all {
		if err := checkWorkspaceName(name); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	sort.Strings(names)

	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	now := time.Now()
	dirs := map[string]bool{}
	var addDir func(dir string) error
	addDir = func(dir string) error {
		if dir == "." || dirs[dir] {
			return nil
		}
		if err := addDir(path.Dir(dir)); err != nil {
			return err
		}
		dirs[dir] = true
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir + "/", Mode: 0o755,
			Uid: workspaceUID, Gid: workspaceUID, ModTime: now})
	}
	for _, name := range names {
		if err := addDir(path.Dir(name)); err != nil {
			return nil, fmt.Errorf("archiving %s: %w", name, err)
		}
		data := all[name]
		hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(data)),
			Uid: workspaceUID, Gid: workspaceUID, ModTime: now}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, fmt.Errorf("archiving %s: %w", name, err)
		}
		if _, err := tw.Write(data); err != nil {
			return nil, fmt.Errorf("archiving %s: %w", name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("archiving the workspace: %w", err)
	}
	return &buf, nil
}

// checkWorkspaceName refuses a file name that would land outside /workspace, or nowhere
// sensible in it: a job's files are relative paths with forward slashes (main.tf,
// scripts/init.sh), and neither the daemon's unpacking nor an os.Root should be the only
// guard against "../" or an absolute path.
func checkWorkspaceName(name string) error {
	if name == "" || strings.ContainsAny(name, "\\\x00") || path.Clean(name) != name ||
		!filepath.IsLocal(filepath.FromSlash(name)) || strings.HasPrefix(name, "/") {
		return fmt.Errorf("file %q is not a path inside the workspace", name)
	}
	return nil
}

// collect reads the job's Collect files back through the loader, which mounts the volume.
func (e *execution) collect(ctx context.Context) (map[string][]byte, error) {
	files := map[string][]byte{}
	for _, name := range e.job.Collect {
		data, err := e.readFile(ctx, name, maxCollect)
		if cerrdefs.IsNotFound(err) {
			continue
		}
		if err != nil {
			return files, e.interrupted(ctx, fmt.Errorf("collecting %s: %w", name, err))
		}
		files[name] = data
	}
	return files, nil
}

// readFile reads one workspace file through the loader, at most limit bytes.
func (e *execution) readFile(ctx context.Context, name string, limit int64) ([]byte, error) {
	rc, _, err := e.d.cli.CopyFromContainer(ctx, e.loader, workdir+"/"+name)
	if err != nil {
		return nil, e.d.apiError(err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	hdr, err := tr.Next()
	if err != nil {
		return nil, err
	}
	if hdr.Typeflag != tar.TypeReg {
		return nil, fmt.Errorf("not a regular file")
	}
	if hdr.Size > limit {
		return nil, fmt.Errorf("%d bytes is more than the %d KiB it may have", hdr.Size, limit>>10)
	}
	data, err := io.ReadAll(io.LimitReader(tr, limit))
	if err != nil {
		return nil, fmt.Errorf("reading: %w", e.d.apiError(err))
	}
	return data, nil
}

// writeFile writes one file into the workspace through the loader, owned by the run's
// user.
func (e *execution) writeFile(ctx context.Context, name string, data []byte) error {
	archive, err := workspaceArchive(map[string][]byte{name: data}, nil)
	if err != nil {
		return err
	}
	if err := e.d.cli.CopyToContainer(ctx, e.loader, workdir, archive, container.CopyToContainerOptions{}); err != nil {
		return e.interrupted(ctx, fmt.Errorf("writing %s into the workspace: %w", name, e.d.apiError(err)))
	}
	return nil
}
