package providers

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"

	"github.com/cloudoven/cloudoven/runner"
)

// Labels of provider volumes, beside runner.LabelInstance.
const (
	labelRole     = "cloudoven.role"
	roleProvider  = "provider"
	labelProvider = "cloudoven.provider" // the package's path
	labelHash     = "cloudoven.h1"
	// loaderTarget is where the loader container mounts the volume: a path the image
	// lacks, so the new volume starts empty rather than as a copy of the image's files.
	loaderTarget = "/package"
)

// Volumes keeps the Docker volumes runs mount providers from: one per package and
// instance, named after the package and its h1: hash, filled by the server through the API
// (never a bind mount, so a remote daemon works like a local one) and never written after.
type Volumes struct {
	cli      *client.Client
	image    string
	instance string
	cache    *Cache
	log      *slog.Logger

	mu     sync.Mutex
	daemon string // the daemon's id, once known: fills are recorded per daemon
}

// NewVolumes returns the volumes of cache's packages on the daemon cli talks to. image is
// the loader containers' (runner.DefaultImage); instance names the server among others
// sharing the daemon (runner.DockerOptions.Instance). Fills are recorded in cache's
// directory.
func NewVolumes(cli *client.Client, image, instance string, cache *Cache) *Volumes {
	if instance == "" {
		instance = "default"
	}
	return &Volumes{cli: cli, image: image, instance: instance, cache: cache, log: cache.log}
}

var volumeUnsafe = regexp.MustCompile(`[^a-zA-Z0-9_.-]+`)

// VolumeName is the volume holding pkg for instance: readable, and unique to the package's
// contents (its h1: hash) and the instance.
func VolumeName(pkg Package, instance string) string {
	sum := sha256.Sum256([]byte(instance + "\x00" + pkg.Path() + "\x00" + h1Of(pkg)))
	name := volumeUnsafe.ReplaceAllString(strings.ReplaceAll(pkg.Path(), "/", "_"), "-")
	if len(name) > 160 {
		name = name[:160]
	}
	return "cloudoven-provider-" + name + "-" + hex.EncodeToString(sum[:8])
}

func h1Of(pkg Package) string {
	for _, h := range pkg.Hashes {
		if strings.HasPrefix(h, "h1:") {
			return h
		}
	}
	return ""
}

// fillRecord is written once a volume's fill is complete; a volume without one is refilled.
type fillRecord struct {
	Volume   string    `json:"volume"`
	Package  string    `json:"package"`
	H1       string    `json:"h1"`
	FilledAt time.Time `json:"filled_at"`
}

// Ensure returns the volume of each package, creating and filling those that do not exist
// or whose fill never finished (a crash midway).
func (v *Volumes) Ensure(ctx context.Context, pkgs []Package) ([]runner.ProviderPackage, error) {
	out := make([]runner.ProviderPackage, 0, len(pkgs))
	for _, pkg := range pkgs {
		if err := checkPackage(pkg); err != nil {
			return nil, fmt.Errorf("ensuring provider volumes: %w", err)
		}
		if h1Of(pkg) == "" || pkg.Dir == "" {
			return nil, fmt.Errorf("ensuring the volume of %s %s for %s: not a package of the cache (no h1: hash or directory)", pkg.Source, pkg.Version, pkg.Platform)
		}
		name, err := v.ensure(ctx, pkg)
		if err != nil {
			return nil, fmt.Errorf("ensuring the volume of %s %s for %s: %w", pkg.Source, pkg.Version, pkg.Platform, err)
		}
		out = append(out, runner.ProviderPackage{Path: pkg.Path(), Volume: name, Dir: pkg.Dir})
	}
	return out, nil
}

func (v *Volumes) ensure(ctx context.Context, pkg Package) (string, error) {
	name := VolumeName(pkg, v.instance)
	record, err := v.recordPath(ctx, name)
	if err != nil {
		return "", err
	}
	unlock, err := v.cache.lockKey(ctx, "volume~"+name)
	if err != nil {
		return "", err
	}
	defer unlock()
	_, inspectErr := v.cli.VolumeInspect(ctx, name)
	exists := inspectErr == nil
	if inspectErr != nil && !cerrdefs.IsNotFound(inspectErr) {
		return "", fmt.Errorf("inspecting volume %s: %w", name, inspectErr)
	}
	if _, err := os.Stat(record); err == nil {
		if exists {
			return name, nil
		}
		os.Remove(record) // the volume went (docker volume rm): fill a new one
	}
	if exists {
		// Created, and perhaps partly filled, by a fill that never finished.
		v.log.Info("refilling a provider volume whose fill did not finish", "volume", name)
		if err := v.cli.VolumeRemove(ctx, name, false); err != nil {
			return "", fmt.Errorf("removing the unfinished volume %s: %w", name, err)
		}
	}
	start := time.Now()
	if err := v.fill(ctx, name, pkg); err != nil {
		return "", err
	}
	data, err := json.Marshal(fillRecord{Volume: name, Package: pkg.Path(), H1: h1Of(pkg), FilledAt: time.Now().UTC()})
	if err != nil {
		return "", err
	}
	if err := writeFileAtomic(record, data); err != nil {
		return "", fmt.Errorf("recording the fill of volume %s: %w", name, err)
	}
	v.log.Info("filled provider volume", "volume", name, "provider", pkg.Source, "version", pkg.Version,
		"platform", pkg.Platform, "duration", time.Since(start).Round(time.Millisecond))
	return name, nil
}

// fill creates the volume and copies the package into it through a loader container that
// is created, never started, and removed.
func (v *Volumes) fill(ctx context.Context, name string, pkg Package) error {
	labels := map[string]string{runner.LabelInstance: v.instance, labelRole: roleProvider, labelProvider: pkg.Path(), labelHash: h1Of(pkg)}
	if _, err := v.cli.VolumeCreate(ctx, volume.CreateOptions{Name: name, Labels: labels}); err != nil {
		return fmt.Errorf("creating volume %s: %w", name, err)
	}
	loader, err := v.cli.ContainerCreate(ctx,
		&container.Config{Image: v.image, Cmd: []string{"version"}, User: "1000:1000", Labels: labels},
		&container.HostConfig{
			NetworkMode:    "none",
			CapDrop:        []string{"ALL"},
			SecurityOpt:    []string{"no-new-privileges"},
			ReadonlyRootfs: true,
			Mounts:         []mount.Mount{{Type: mount.TypeVolume, Source: name, Target: loaderTarget}},
		}, nil, nil, name+"-loader")
	if err != nil {
		return fmt.Errorf("creating the loader of volume %s: %w", name, err)
	}
	defer func() {
		// Removed even after a cancel: a leftover loader holds the volume.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if err := v.cli.ContainerRemove(rctx, loader.ID, container.RemoveOptions{Force: true}); err != nil {
			v.log.Warn("removing a provider volume's loader", "volume", name, "err", err)
		}
	}()
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(packageTar(pw, pkg.Dir)) }()
	err = v.cli.CopyToContainer(ctx, loader.ID, loaderTarget, pr, container.CopyToContainerOptions{})
	pr.CloseWithError(errors.New("copy ended"))
	if err != nil {
		return fmt.Errorf("copying the package into volume %s: %w", name, err)
	}
	return nil
}

// packageTar writes dir as a tar stream whose files are root's and readable by all, the
// executables executable by all: runs read them as uid 1000 from a read-only mount.
func packageTar(w io.Writer, dir string) error {
	tw := tar.NewWriter(w)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		hdr := &tar.Header{Name: filepath.ToSlash(rel), Uid: 0, Gid: 0, ModTime: fi.ModTime(), Format: tar.FormatPAX}
		switch {
		case d.IsDir():
			hdr.Typeflag, hdr.Name, hdr.Mode = tar.TypeDir, hdr.Name+"/", 0o755
			return tw.WriteHeader(hdr)
		case !fi.Mode().IsRegular():
			return fmt.Errorf("%s is not a regular file", rel)
		}
		hdr.Typeflag, hdr.Size, hdr.Mode = tar.TypeReg, fi.Size(), 0o644
		if fi.Mode()&0o111 != 0 {
			hdr.Mode = 0o755
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(tw, f)
		return err
	})
	if err != nil {
		return err
	}
	return tw.Close()
}

// Remove removes pkg from the cache with every volume of it this instance has. A volume
// a container still uses (a run) is an error saying so, and the package stays.
func (v *Volumes) Remove(ctx context.Context, source, version, platform string) error {
	pkg := Package{Source: source, Version: version, Platform: platform}
	if err := checkPackage(pkg); err != nil {
		return fmt.Errorf("removing a provider package: %w", err)
	}
	what := fmt.Sprintf("removing %s %s for %s", source, version, platform)
	list, err := v.cli.VolumeList(ctx, volume.ListOptions{Filters: filters.NewArgs(
		filters.Arg("label", runner.LabelInstance+"="+v.instance),
		filters.Arg("label", labelRole+"="+roleProvider),
		filters.Arg("label", labelProvider+"="+pkg.Path()),
	)})
	if err != nil {
		return fmt.Errorf("%s: listing its volumes: %w", what, err)
	}
	for _, vol := range list.Volumes {
		if err := v.cli.VolumeRemove(ctx, vol.Name, false); err != nil {
			if cerrdefs.IsConflict(err) {
				return fmt.Errorf("%s: its volume %s is in use (a run may be reading it): try again once it ends: %w", what, vol.Name, err)
			}
			return fmt.Errorf("%s: removing volume %s: %w", what, vol.Name, err)
		}
		if record, err := v.recordPath(ctx, vol.Name); err == nil {
			os.Remove(record)
		}
		v.log.Info("removed provider volume", "volume", vol.Name)
	}
	return v.cache.Remove(ctx, source, version, platform)
}

// recordPath is where the fill of volume name on this daemon is recorded.
func (v *Volumes) recordPath(ctx context.Context, name string) (string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.daemon == "" {
		info, err := v.cli.Info(ctx)
		if err != nil {
			return "", fmt.Errorf("asking the Docker daemon at %s for its id: %w", v.cli.DaemonHost(), err)
		}
		v.daemon = volumeUnsafe.ReplaceAllString(info.ID, "-")
		if v.daemon == "" {
			v.daemon = "unknown"
		}
	}
	dir := filepath.Join(v.cache.volumesDir(), v.daemon)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return filepath.Join(dir, name+".json"), nil
}
