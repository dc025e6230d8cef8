// Package runner runs Terraform for deployments: inside hardened Docker containers, or, for
// development only, on the host (local.go, not isolated). It depends on neither web nor store.
//
// Start with executor.go: a Job is terraform commands (Steps) run in order in one
// workspace holding the generated files (relative paths, folders allowed: a blueprint's
// files such as scripts/init.sh; a name that would leave the workspace is refused,
// workspace.go); an Executor runs it and streams every output line as it is produced, and
// its Result says which step ended the job and with what exit code. A step's stdout can go
// to a workspace file instead (Job.StdoutFiles, stdoutfile.go: the JSON of `terraform
// validate -json`). docker.go is the Executor on the Docker Engine API: one volume per job,
// filled and read back through the API (never a bind mount, so a remote DOCKER_HOST works),
// and one container per job, as uid 1000 with every capability dropped, no-new-privileges,
// a read-only root filesystem and CPU, memory and pids limits. In it the image's stage
// driver (package runner/stage, cmd/cloudoven-stage) runs the steps one after the other and
// writes which one ended the job to a status file; an image without the driver (an
// environment's own) gets one container per step. Cancel sends the container SIGINT, which
// the driver passes on to terraform, and kills it after a grace period. orphans.go reaps
// what a crash left: RemoveOrphans, at start-up, what this instance left of every run but
// those it is told to keep (the runs other live replicas on the same database execute), and
// RemoveRun what is left of one run a dead replica executed, stopping it like a cancel.
// Both find what a run created by its labels (LabelRun, LabelInstance). The image
// (DefaultImage) is built offline by `make runner-image` from image/Dockerfile.
//
// A job with Egress (egress.go) runs its steps on a network of its own, created internal and
// without an address of the host on it, so nothing on it reaches the host or beyond, beside
// an egress proxy container (DefaultEgressImage, package egress) that is also on the
// executor's egress network: the steps' only way out, for the hosts the job allows and its
// state address. The proxy is hardened like a step, carries the same labels, writes what it
// refuses into the job's output, and is removed with the job, its network after it. The
// local executor cannot enforce egress and says so in the job's output.
//
// Providers (providers.go): a job with Job.Providers installs them from those packages and
// from nowhere else, through a CLI configuration whose only installation method is a
// filesystem mirror: in Docker each package's volume is mounted read-only at
// /providers/<Path>, locally a temporary mirror of links to the packages' directories
// stands outside the workspace. Terraform links an unpacked package into
// .terraform/providers rather than copying it. A job without Providers installs as
// terraform does by default. Not here: filling the packages and their volumes, which is
// package providers' job.
//
// kubernetes.go is the Executor on a Kubernetes cluster (client-go): one Job per job, its
// one pod hardened like the Docker container (kubernetes_spec.go), the files and the
// values of Env delivered in a Secret the Job owns (at most 1 MiB: ErrWorkspaceTooLarge),
// unpacked into an emptyDir workspace by the stage driver, whose report of step starts,
// status and Collect files comes back in the pod's log (kubernetes_follow.go, stage.Report).
// Cancel deletes the Job; RemoveOrphans and RemoveRun delete Jobs as the Docker executor's
// remove containers (kubernetes_orphans.go). NetworkMode none and
// Egress without an allow-list become a NetworkPolicy (kubernetes_egress.go); an allow-list
// gets the egress proxy as a sidecar (HTTPS_PROXY on loopback), which holds in only what
// honours it. Providers are mounted from the node's file system (hostPath).
//
// The run lifecycle, log fan-out and plan parsing are in package runs; CloudOven's state
// backend is in package state.
package runner
