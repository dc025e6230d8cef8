// Package runner runs Terraform for deployments inside hardened Docker containers. It
// depends on blueprint, never on web or store.
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
// Not here yet: the run lifecycle (queue, approval, one run per deployment), log
// persistence and fan-out, plan parsing, the plugin cache, and CloudOven's state backend.
package runner
