package runner

import (
	"context"
	"errors"
	"fmt"

	cerrdefs "github.com/containerd/errdefs"
)

// withMirror checks that the mirror volume exists and adds the CLI configuration that
// points terraform at it to the job's files.
func (d *Docker) withMirror(ctx context.Context, job Job) (Job, error) {
	if _, ok := job.Env["TF_CLI_CONFIG_FILE"]; ok {
		return job, errors.New("checking the job: environment variable TF_CLI_CONFIG_FILE is set by the executor when a provider mirror is configured")
	}
	if _, ok := job.Files[cliConfigName]; ok {
		return job, fmt.Errorf("checking the job: file %s is written by the executor when a provider mirror is configured", cliConfigName)
	}
	if _, ok := job.Extra[cliConfigName]; ok {
		return job, fmt.Errorf("checking the job: file %s is written by the executor when a provider mirror is configured", cliConfigName)
	}
	// A mount of a missing volume would create it empty, and every init would then fail
	// far from the cause.
	_, err := d.cli.VolumeInspect(ctx, d.mirror)
	switch {
	case cerrdefs.IsNotFound(err):
		return job, fmt.Errorf("provider mirror volume %s is not on the Docker daemon at %s: create and fill it with `terraform providers mirror`", d.mirror, d.Host())
	case err != nil:
		return job, fmt.Errorf("inspecting provider mirror volume %s: %w", d.mirror, d.apiError(err))
	}
	// Extra is the caller's map: copy before adding to it.
	extra := make(map[string][]byte, len(job.Extra)+1)
	for name, data := range job.Extra {
		extra[name] = data
	}
	offline := job.NetworkMode == "none" || job.Egress != nil && !job.Egress.allowsRegistry()
	extra[cliConfigName] = cliConfig(offline)
	job.Extra = extra
	return job, nil
}

// cliConfig is the terraform CLI configuration that installs providers from the mirror,
// and, unless offline, from the registries for what the mirror lacks.
func cliConfig(offline bool) []byte {
	direct := "  direct {}\n"
	if offline {
		// Without a direct block nothing is downloaded, and terraform does not ask an
		// unreachable registry which versions exist.
		direct = ""
	}
	return []byte(`# Written by CloudOven: providers come from the mirror volume at ` + mirrorDir + `.
provider_installation {
  filesystem_mirror {
    path = "` + mirrorDir + `"
  }
` + direct + `}
`)
}
