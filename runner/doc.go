// Package runner runs Terraform for deployments: inside hardened Docker containers, or, for
// development only, on the host (local.go, not isolated). It depends on neither web nor store.
//
// Start with executor.go: a Job is terraform commands (Steps) run in order in one
// workspace holding the generated files; an Executor runs it and streams every output line
// as it is produced. docker.go is the Executor on the Docker Engine API: one volume per
// job, filled and read back through the API (never a bind mount, so a remote DOCKER_HOST
// works), one container per step as uid 1000 with every capability dropped,
// no-new-privileges, a read-only root filesystem and CPU, memory and pids limits. Cancel
// sends terraform SIGINT and kills it after a grace period; RemoveOrphans reaps what a
// crash left. The image (DefaultImage) is built offline by `make runner-image` from
// image/Dockerfile.
//
// The run lifecycle, log fan-out and plan parsing are in package runs; CloudOven's state
// backend is in package state. Providers come from the registries, or, with
// DockerOptions.Mirror, from a provider filesystem mirror volume mounted read-only at /mirror
// in every step (only from it when the job has no network). Not here: filling that volume,
// which is `terraform providers mirror`'s job.
package runner
