package runs

import (
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cloudoven/cloudoven/blueprint"
	"github.com/cloudoven/cloudoven/deployment"
	"github.com/cloudoven/cloudoven/runner"
	"github.com/cloudoven/cloudoven/state"
	"github.com/cloudoven/cloudoven/store"
)

// flushLog stores the run's log so far: a run's log is complete by the
// time its new state is visible.
func (s *Service) flushLog(runID string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.opts.Hub.Flush(ctx, runID); err != nil {
		s.log.Error("storing a run's log", "run", runID, "err", err)
	}
}

// closeLog stores the rest of the run's log and ends its followers'
// streams.
func (s *Service) closeLog(runID string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.opts.Hub.Close(ctx, runID); err != nil {
		s.log.Error("storing a run's log", "run", runID, "err", err)
	}
}

// stage is what one stage's execution needs.
type stage struct {
	files       map[string][]byte
	env         map[string]string
	secrets     []string
	image       string // empty: Options.Image
	networkMode string // empty: Options.NetworkMode
	egress      *runner.Egress
	state       string // the deployment's address in CloudOven's state backend, when StateURL is set
	verdict     deployment.Verdict
	keeping     deployment.StateKeeping // who keeps the state; nobody refuses a plan or destroy
	blueprint   *blueprint.Blueprint    // what files were generated from, for the provider check
	generated   []blueprint.File
}

// prepare generates the deployment's files and environment and issues
// state credentials for what the stage does (scope), which the caller
// revokes.
func (s *Service) prepare(ctx context.Context, r Run, scope state.Scope) (stage, error) {
	p, err := s.opts.Prepare(ctx, r.Project, r.DeploymentID)
	if err != nil {
		return stage{}, fmt.Errorf("preparing the deployment's files: %w", err)
	}
	st := stage{files: p.Files, env: maps.Clone(p.Env), secrets: slices.Clone(p.Secrets),
		image: p.Image, networkMode: p.NetworkMode, egress: p.Egress, verdict: p.Verdict, keeping: p.State,
		blueprint: p.Blueprint, generated: p.Generated}
	if st.env == nil {
		st.env = map[string]string{}
	}
	st.env["TF_IN_AUTOMATION"] = "1"
	st.env["TF_INPUT"] = "0"
	if s.opts.Authorizer != nil {
		user, pass, err := s.opts.Authorizer.Issue(ctx, r.Project, r.DeploymentID, r.ID, scope)
		if err != nil {
			return st, err
		}
		st.env["TF_HTTP_USERNAME"], st.env["TF_HTTP_PASSWORD"] = user, pass
		st.secrets = append(st.secrets, pass)
	}
	if s.opts.StateURL != "" {
		addr := strings.TrimRight(s.opts.StateURL, "/") + "/api/v1/state/" + r.Project + "/" + strconv.FormatInt(r.DeploymentID, 10)
		st.env["TF_HTTP_ADDRESS"], st.env["TF_HTTP_LOCK_ADDRESS"], st.env["TF_HTTP_UNLOCK_ADDRESS"] = addr, addr, addr
		st.state = addr
	}
	return st, nil
}

// revoke ends the state credentials of the run's stage. It runs when the stage ends, also
// after a cancel, so it does not take ctx's cancellation; a failure is logged, not
// returned, since the stage has ended either way and the credentials expire on their own.
func (s *Service) revoke(ctx context.Context, runID string) {
	if s.opts.Authorizer == nil {
		return
	}
	if err := s.opts.Authorizer.Revoke(context.WithoutCancel(ctx), runID); err != nil {
		s.log.Error("revoking state credentials", "run", runID, "err", err)
	}
}

func (s *Service) job(r Run, st stage, steps [][]string) runner.Job {
	job := runner.Job{
		RunID:       r.ID,
		Files:       st.files,
		Steps:       steps,
		Env:         st.env,
		Image:       cmp.Or(st.image, s.opts.Image),
		NetworkMode: cmp.Or(st.networkMode, s.opts.NetworkMode),
		Timeout:     s.opts.Timeout,
		Limits:      s.opts.Limits,
	}
	if st.egress != nil {
		// The run's own network replaces any network mode, the server's too; the state
		// backend is the one address it reaches whatever the environment lists.
		e := *st.egress
		e.State = st.state
		job.Egress, job.NetworkMode = &e, ""
	}
	return job
}

// ApplySeparator is the line CloudOven writes into a run's log when its apply stage
// starts, between the plan's lines and the apply's.
const ApplySeparator = "— apply —"

// planFile is the saved plan's name in the workspace.
const planFile = "tfplan"

// planStage runs init, the providers' check (validate), plan and show, and records the run planned, or how
// it ended otherwise.
// r is the run as claimed: running.
func (s *Service) planStage(ctx context.Context, t *task, r Run) Run {
	// A plan (a destroy's too) reads the state and holds its lock; it writes nothing.
	st, err := s.prepare(ctx, r, state.ScopePlan)
	defer s.revoke(ctx, r.ID)
	if err != nil {
		return s.end(ctx, t, r, st.secrets, err)
	}
	// Asked again now: the rules, the allowed providers or the environment may have
	// changed while the run waited in the queue. An apply needs no state check: it applies a
	// saved plan, which carries the backend it was planned with.
	if err := st.keeping.Err(); err != nil {
		return s.end(ctx, t, r, st.secrets, fmt.Errorf("the run was refused: %w", err))
	}
	if r.Operation == store.RunOpPlan {
		if err := st.verdict.Err(); err != nil {
			return s.end(ctx, t, r, st.secrets, fmt.Errorf("the plan was refused: %w", err))
		}
	} else if err := st.verdict.RunErr(); err != nil {
		return s.end(ctx, t, r, st.secrets, fmt.Errorf("the destroy was refused: %w", err))
	}
	lock, err := s.withLock(ctx, r.DeploymentID, &st)
	if err != nil {
		return s.end(ctx, t, r, st.secrets, err)
	}
	plan := []string{"plan", "-input=false", "-json", "-out=" + planFile}
	if r.Operation == store.RunOpDestroy {
		plan = append(plan, "-destroy")
	}
	// The providers' own check comes first: a value a provider refuses is reported on its
	// field before anything reads the state or calls an API.
	job := s.job(r, st, [][]string{{"init", "-input=false", "-no-color"}, validateStep, plan, {"show", "-json", planFile}})
	job.StdoutFiles = map[int]string{validateStepIndex: validateFile}
	job.Collect = []string{planFile, validateFile}
	if s.opts.Locks != nil {
		job.Collect = append(job.Collect, lockFileName)
	}
	if job.Providers, err = s.providers(ctx, st.files); err != nil {
		return s.end(ctx, t, r, st.secrets, err)
	}
	res, out, err := s.execute(ctx, t, r.ID, job, st.secrets, "plan", planSteps)
	var check []store.RunDiagnostic
	if err == nil {
		// Whatever the exit code: init writes the lock file only once it has installed
		// and checked what it records.
		s.keepLock(ctx, r, lock, res.Files[lockFileName])
		ds, cerr := s.reportCheck(r, st, res, lock)
		check = checkRunDiagnostics(ds)
		if cerr != nil {
			s.recordDiagnostics(r.ID, st, check, out.seen())
			return s.end(ctx, t, r, st.secrets, cerr)
		}
	}
	s.recordDiagnostics(r.ID, st, check, out.seen())
	if err == nil && res.ExitCode != 0 {
		err = out.failure(res.ExitCode)
	}
	if err != nil {
		return s.end(ctx, t, r, st.secrets, err)
	}
	planJSON, tooLarge := out.plan()
	saved := res.Files[planFile]
	switch {
	case tooLarge:
		err = fmt.Errorf("the plan's JSON is over %d MiB", maxPlanJSON>>20)
	case saved == nil:
		err = errors.New("terraform saved no plan file")
	case planJSON == nil:
		err = errors.New("terraform show printed no plan")
	}
	if err != nil {
		return s.end(ctx, t, r, st.secrets, err)
	}
	summary, err := ParsePlan(planJSON)
	if err != nil {
		return s.end(ctx, t, r, st.secrets, err)
	}
	sum, err := json.Marshal(summary)
	if err != nil {
		return s.end(ctx, t, r, st.secrets, err)
	}
	if !summary.HasChanges() {
		// Nothing to approve: the run ends here, keeping what it found, and its
		// deployment is free for the next run (startStage releases it).
		s.opts.Hub.Append(r.ID, "CloudOven: "+NoChangesMessage+"; nothing to apply.")
		s.flushLog(r.ID)
		r, err = s.opts.Store.TransitionRun(context.WithoutCancel(ctx), r.ID, store.RunTransition{To: store.RunDiscarded, Summary: sum})
		if err != nil {
			return s.end(ctx, t, r, st.secrets, err)
		}
		return r
	}
	// The JSON is redacted although it is sealed: whoever opens it to show it must not
	// find the environment's secrets there either.
	sealedPlan, sealedJSON, err := sealPlan(s.opts.Sealer, r.ID, saved, []byte(RedactString(string(planJSON), st.secrets)))
	if err != nil {
		return s.end(ctx, t, r, st.secrets, err)
	}
	s.flushLog(r.ID)
	r, err = s.opts.Store.TransitionRun(context.WithoutCancel(ctx), r.ID, store.RunTransition{To: store.RunPlanned,
		Plan: sealedPlan, PlanJSON: sealedJSON, Summary: sum, PlanSealed: true})
	if err != nil {
		return s.end(ctx, t, r, st.secrets, err)
	}
	return r
}

// applyStage applies the run's saved plan, and nothing else: terraform
// refuses a saved plan whose state has moved on.
// r is the run as claimed: applying.
func (s *Service) applyStage(ctx context.Context, t *task, r Run) Run {
	saved, _, err := s.savedPlan(ctx, r)
	if err != nil {
		return s.end(ctx, t, r, nil, err)
	}
	st, err := s.prepare(ctx, r, state.ScopeApply)
	defer s.revoke(ctx, r.ID)
	if err != nil {
		return s.end(ctx, t, r, st.secrets, err)
	}
	// An apply configures every provider again, and reads the data sources the plan could
	// not: what refuses a destroy refuses it too, if it came about since the plan.
	if err := st.verdict.RunErr(); err != nil {
		return s.end(ctx, t, r, st.secrets, fmt.Errorf("the apply was refused: %w", err))
	}
	job := s.job(r, st, [][]string{{"init", "-input=false", "-no-color"}, {"apply", "-input=false", "-json", planFile}})
	job.Extra = map[string][]byte{planFile: saved}
	// init must install the providers the plan was made with.
	withLock := st.files
	if lock := lockFile(saved); lock != nil {
		job.Extra[lockFileName] = lock
		withLock = maps.Clone(st.files)
		if withLock == nil {
			withLock = map[string][]byte{}
		}
		withLock[lockFileName] = lock
	}
	if job.Providers, err = s.providers(ctx, withLock); err != nil {
		return s.end(ctx, t, r, st.secrets, err)
	}
	// The log goes on from the plan's lines; this marks where the apply's begin.
	s.opts.Hub.Append(r.ID, ApplySeparator)
	res, out, err := s.execute(ctx, t, r.ID, job, st.secrets, "apply", applySteps)
	s.recordDiagnostics(r.ID, st, nil, out.seen())
	if err == nil && res.ExitCode != 0 {
		err = out.failure(res.ExitCode)
	}
	if err != nil {
		return s.end(ctx, t, r, st.secrets, err)
	}
	s.flushLog(r.ID)
	r, err = s.opts.Store.TransitionRun(context.WithoutCancel(ctx), r.ID, store.RunTransition{To: store.RunApplied})
	if err != nil {
		return s.end(ctx, t, r, st.secrets, err)
	}
	return r
}

// execute runs a stage's job, names its steps by job step index (planSteps, applySteps)
// and records them as the executor starts them and as the job ends.
func (s *Service) execute(ctx context.Context, t *task, runID string, job runner.Job, secrets []string, operation string, names []string) (runner.Result, *output, error) {
	out := newOutput(s.opts.Hub, runID, secrets, NewTracker(operation), func(p Progress) {
		s.mu.Lock()
		s.progress[runID] = p
		s.progressDirty[runID] = true
		s.mu.Unlock()
	})
	out.textStep, out.uiStep = names[0], names[len(names)-1]
	s.mu.Lock()
	s.progress[runID] = Progress{Operation: operation}
	s.progressDirty[runID] = true
	s.mu.Unlock()
	// The stage's last progress is saved as it ends, and read from the store after.
	defer func() {
		s.saveProgress(context.WithoutCancel(ctx), runID)
		s.mu.Lock()
		delete(s.progress, runID)
		s.mu.Unlock()
	}()
	steps := s.newSteps(runID, names)
	job.Started = steps.started
	out.step = steps.Current
	res, err := s.opts.Executor.Run(ctx, job, out)
	out.Close()
	s.mu.Lock()
	canceled := t.canceled
	s.mu.Unlock()
	steps.end(res, err, canceled || ctx.Err() != nil)
	if err != nil {
		return res, out, fmt.Errorf("running terraform %s: %w", operation, err)
	}
	return res, out, nil
}

// end records how a stage that did not succeed ended: canceled by a user,
// interrupted by the server stopping, or errored with err (redacted).
func (s *Service) end(ctx context.Context, t *task, r Run, secrets []string, err error) Run {
	s.mu.Lock()
	canceled, by, lost := t.canceled, t.by, t.lost
	s.mu.Unlock()
	if lost {
		// Another server marked the run interrupted when its lease lapsed, and said so in
		// its log; the run is no longer this server's to record.
		s.log.Warn("a stage stopped after its run was marked interrupted elsewhere", "run", r.ID, "err", err)
		if cur, rerr := s.opts.Store.Run(context.WithoutCancel(ctx), r.ID); rerr == nil {
			return cur
		}
		return r
	}
	tr := store.RunTransition{To: store.RunErrored, Error: RedactString(err.Error(), secrets)}
	note := "CloudOven: " + tr.Error
	switch {
	case canceled:
		tr = store.RunTransition{To: store.RunCanceled, By: by}
		note = "CloudOven: run canceled by " + by + "."
	case ctx.Err() != nil:
		tr = store.RunTransition{To: store.RunInterrupted, Error: "CloudOven stopped while the run was in flight"}
		note = "CloudOven: " + tr.Error + "."
	}
	s.opts.Hub.Append(r.ID, note)
	s.flushLog(r.ID)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	ended, terr := s.opts.Store.TransitionRun(sctx, r.ID, tr)
	if terr != nil {
		s.log.Error("recording the end of a run", "run", r.ID, "state", tr.To, "err", terr)
		if cur, rerr := s.opts.Store.Run(sctx, r.ID); rerr == nil {
			return cur
		}
		r.State = tr.To
		return r
	}
	r = ended
	if tr.To == store.RunErrored {
		s.log.Warn("run errored", "run", r.ID, "deployment", r.DeploymentID, "err", tr.Error)
	}
	return r
}

// lockFileName is terraform's dependency lock file, which a saved plan
// carries.
const lockFileName = ".terraform.lock.hcl"

// lockFile returns the dependency lock file inside a saved plan (a zip
// archive), or nil.
func lockFile(plan []byte) []byte {
	zr, err := zip.NewReader(bytes.NewReader(plan), int64(len(plan)))
	if err != nil {
		return nil
	}
	for _, f := range zr.File {
		if f.Name != lockFileName {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, 1<<20))
		if err != nil {
			return nil
		}
		return b
	}
	return nil
}
