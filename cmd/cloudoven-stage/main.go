// Command cloudoven-stage runs a job's terraform commands one after the other in one
// container: the runner image carries it as /bin/cloudoven-stage, and the Docker executor
// makes it the entrypoint of a job's container (package runner/stage has the protocol and
// the driver). Its one argument is the job's stage spec in JSON:
//
//	cloudoven-stage '{"steps":[["init","-input=false"],["validate","-json"]],"stdout_files":{"1":"validate.json"}}'
//
// It runs /bin/terraform in its working directory, passes terraform's stdout and stderr
// through untouched, forwards SIGINT and SIGTERM to the running terraform (as a container's
// PID 1 it gets no default handling of them), and exits with the exit code of the step
// that ended the job. Bad arguments get one "cloudoven-stage: ..." line on stderr and exit
// code 125. It uses the standard library only, built static for the image, which has
// nothing else.
package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/cloudoven/cloudoven/runner/stage"
)

// terraform is where the runner image carries terraform.
const terraform = "/bin/terraform"

func main() {
	// Installed before anything else: the container's PID 1 ignores what it has no handler
	// for, and a SIGINT lost here would leave terraform to the kill after the grace period.
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, signals))
}

func run(args []string, stdout, stderr io.Writer, signals <-chan os.Signal) int {
	if len(args) != 1 {
		fmt.Fprintf(stderr, "cloudoven-stage: want one argument, the stage spec in JSON; got %d\n", len(args))
		return stage.ExitBadUsage
	}
	spec, err := stage.ParseSpec(args[0])
	if err != nil {
		fmt.Fprintf(stderr, "cloudoven-stage: %v\n", err)
		return stage.ExitBadUsage
	}
	d := &stage.Driver{Terraform: terraform, Dir: ".", Stdout: stdout, Stderr: stderr}
	return d.Run(spec, signals)
}
