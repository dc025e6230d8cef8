// Package runner runs Terraform for deployments: inside hardened Docker containers, or, for
// development only, on the host (local.go, not isolated). It depends on neither web nor store.
//
// Start with executor.go: a Job is terraform commands (Steps) run in order in one
// workspace holding the generated files (relative paths, folders allowed: a blueprint's
// files such as scripts/init.sh; a name that would leave the workspace is refused,
// workspace.go); an Executor runs it and streams every output line
// as it is produced. docker.go is the Executor on the Docker Engine API: one volume per
// job, filled and read back through the API (never a bind mount, so a remote DOCKER_HOST
// works), one container per step as uid 1000 with every capability dropped,
// no-new-privileges, a read-only root filesystem and CPU, memory and pids limits. Cancel
// sends terraform SIGINT and kills it after a grace period; RemoveOrphans reaps what a
// crash left. The image (DefaultImage) is built offline by `make runner-image` from
// image/Dockerfile.
//
// A job with Egress (egress.go) runs its steps on a network of its own, created internal and
// without an address of the host on it, so nothing on it reaches the host or beyond, beside
// an egress proxy container (DefaultEgressImage, package egress) that is also on the
// executor's egress network: the steps' only way out, for the hosts the job allows and its
// state address. The proxy is hardened like a step, carries the same labels, writes what it
// refuses into the job's output, and is removed with the job, its network after it. The
// local executor cannot enforce egress and says so in the job's output.
//
// The run lifecycle, log fan-out and plan parsing are in package runs; CloudOven's state
// backend is in package state. Providers come from the registries, or, with
// DockerOptions.Mirror, from a provider filesystem mirror volume mounted read-only at /mirror
// in every step (only from it when the job has no network, or egress control that does not
// allow the registry). Not here: filling that volume, which is `terraform providers
// mirror`'s job.
package runner
