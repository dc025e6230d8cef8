package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/cloudoven/cloudoven/runner/stage"
)

// A job's pod on the cluster, from its start to its end: waiting for it to run, following
// its log through the stage report, stopping it on a cancel, and reading how it ended.

// errPodGone says the pod was deleted before its container was seen to end.
var errPodGone = errors.New("the job's pod was deleted")

// follow waits for the job's pod, passes its output on as it is written and returns how the
// job ended. When ctx ends first, the Job is deleted (terraform gets SIGTERM, then SIGKILL
// after the grace period), terraform's last lines are still passed on, and the error is
// why ctx ended.
func (e *kubeRun) follow(ctx context.Context) (Result, error) {
	// Reading the log and waiting for the end outlive a cancel of ctx: terraform's last
	// words after SIGTERM still reach out.
	bg, stop := context.WithCancel(context.WithoutCancel(ctx))
	defer stop()
	selector := "batch.kubernetes.io/controller-uid=" + string(e.uid)

	started := func(p *corev1.Pod) (bool, error) {
		st := containerState(p)
		if st.Running != nil || st.Terminated != nil {
			return true, nil
		}
		return false, waitingError(p, st, e.job.Image)
	}
	// A pod the cluster refuses to create (a namespace's Pod Security level, a quota)
	// would leave the Job waiting until its deadline: the Job's FailedCreate event ends
	// the wait instead.
	startCtx, refused := context.WithCancelCause(ctx)
	defer refused(nil)
	go e.k.watchRefusal(startCtx, e.uid, refused)
	pod, err := e.k.watchPod(startCtx, selector, false, started)
	if err != nil && ctx.Err() == nil && startCtx.Err() != nil {
		return Result{}, context.Cause(startCtx)
	}
	interrupted := false
	if err != nil && ctx.Err() != nil {
		// The pod may run already, its status not yet saying so: terraform still gets
		// SIGTERM and its last lines are still read. A pod not yet created never will be,
		// with its Job deleted.
		interrupted = true
		e.interrupt(bg)
		wait, cancel := context.WithTimeout(bg, e.k.grace+cleanupTimeout)
		pod, err = e.k.watchPod(wait, selector, true, started)
		cancel()
		if err != nil {
			return Result{}, fmt.Errorf("the steps: %w", context.Cause(ctx))
		}
	}
	if err != nil {
		return Result{}, err
	}

	rr := &stage.ReportReader{Nonce: e.spec.Report.Nonce, Out: e.out, Started: e.job.Started, Steps: len(e.job.Steps)}
	type logsResult struct {
		passed int
		err    error
	}
	logsDone := make(chan logsResult, 1)
	go func() {
		passed, err := e.k.readLog(bg, pod.Name, true, 0, rr)
		logsDone <- logsResult{passed, err}
	}()

	ended := func(p *corev1.Pod) (bool, error) { return containerState(p).Terminated != nil, nil }
	var end *corev1.Pod
	if !interrupted {
		end, err = e.k.watchPod(ctx, "metadata.name="+pod.Name, true, ended)
		if ctx.Err() != nil {
			interrupted = true
			e.interrupt(bg)
		}
	}
	if interrupted {
		wait, cancel := context.WithTimeout(bg, e.k.grace+cleanupTimeout)
		end, err = e.k.watchPod(wait, "metadata.name="+pod.Name, true, ended)
		cancel()
	}

	// Finish reading the output before looking at how the job ended.
	timer := time.NewTimer(logsDrainTimeout)
	defer timer.Stop()
	var l logsResult
	select {
	case l = <-logsDone:
	case <-timer.C:
		stop()
		l = <-logsDone
	}
	if !rr.Ended && !errors.Is(err, errPodGone) && !interrupted {
		// The followed stream ended early, or lags: the container has exited, so its whole
		// output is in its log; read it once more and pass on only what was not.
		rest, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		_, l.err = e.k.readLog(rest, pod.Name, false, l.passed, rr)
		cancel()
	}
	if e.job.Egress != nil && len(e.job.Egress.Allow) > 0 {
		// The proxy's lines (what it refused) after the steps': its container's log is
		// read once the steps ended.
		rest, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		if err := e.k.readProxyLog(rest, pod.Name, e.out); err != nil {
			e.k.log.Warn("reading the egress proxy's log", "run", e.job.RunID, "err", err)
		}
		cancel()
	}
	if interrupted {
		return Result{ExitCode: -1}, fmt.Errorf("the steps: %w", context.Cause(ctx))
	}
	if err != nil {
		return Result{ExitCode: -1}, fmt.Errorf("waiting for the steps: %w", err)
	}
	term := containerState(end).Terminated
	res := Result{ExitCode: int(term.ExitCode)}
	if term.Reason == "OOMKilled" {
		fmt.Fprintf(e.out, "cloudoven: terraform was killed: out of memory (limit %d MiB)\n", e.job.Limits.MemoryBytes>>20)
	}
	if l.err != nil && !rr.Ended {
		return res, fmt.Errorf("reading output: %w", l.err)
	}
	if rr.Err != nil {
		return res, rr.Err
	}
	if rr.Status != nil {
		res.Step, res.Started = rr.Status.Step, rr.Status.Started
	} else {
		e.k.log.Warn("no stage status in the pod's log", "run", e.job.RunID, "exit_code", res.ExitCode)
	}
	if res.ExitCode == 0 {
		res.Step = len(e.job.Steps) - 1
	}
	for name, size := range rr.TooLarge {
		return res, fmt.Errorf("collecting %s: %d MiB is more than the %d MiB the Kubernetes executor reads back", name, size>>20, stage.MaxReport>>20)
	}
	res.Files = rr.Files
	if res.Files == nil {
		res.Files = map[string][]byte{}
	}
	return res, nil
}

// interrupt deletes the Job of a run whose pod has not started.
func (e *kubeRun) interrupt(bg context.Context) {
	if err := e.k.deleteJob(bg, e.name, e.uid); err != nil {
		e.k.log.Warn("deleting job", "run", e.job.RunID, "job", e.name, "err", err)
	}
}

// watchRefusal calls refused with the message of the Job's first FailedCreate event: the
// cluster would not create its pod. It returns when ctx ends.
func (k *Kubernetes) watchRefusal(ctx context.Context, job types.UID, refused context.CancelCauseFunc) {
	w, err := k.cs.CoreV1().Events(k.namespace).Watch(ctx, metav1.ListOptions{
		FieldSelector: "involvedObject.uid=" + string(job) + ",reason=FailedCreate"})
	if err != nil {
		return
	}
	defer w.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.ResultChan():
			if !ok {
				return
			}
			if e, isEvent := ev.Object.(*corev1.Event); isEvent && ev.Type != watch.Deleted {
				refused(fmt.Errorf("the cluster refuses to create the job's pod: %s", e.Message))
				return
			}
		}
	}
}

// containerState is the state of the pod's stage container; zero before it has one.
func containerState(p *corev1.Pod) corev1.ContainerState {
	for _, s := range p.Status.ContainerStatuses {
		if s.Name == kubeContainer {
			return s.State
		}
	}
	return corev1.ContainerState{}
}

// waitingError says why a pod cannot start its container, when that will not change by
// waiting.
func waitingError(p *corev1.Pod, st corev1.ContainerState, image string) error {
	if p.Status.Phase == corev1.PodFailed {
		return fmt.Errorf("the job's pod failed before it started: %s %s", p.Status.Reason, p.Status.Message)
	}
	if st.Waiting == nil {
		return nil
	}
	switch st.Waiting.Reason {
	case "ErrImageNeverPull", "ImagePullBackOff", "ErrImagePull", "InvalidImageName":
		return fmt.Errorf("image %s is not on the cluster's nodes and cannot be pulled (%s: %s): %w",
			image, st.Waiting.Reason, st.Waiting.Message, ErrImageMissing)
	case "CreateContainerConfigError", "CreateContainerError", "RunContainerError":
		return fmt.Errorf("the job's container cannot start: %s: %s", st.Waiting.Reason, st.Waiting.Message)
	}
	return nil
}

// watchPod waits until done says a pod that selector (a label selector, or
// metadata.name=<name> for a field selector) finds is done, and returns it. A pod deleted
// meanwhile is errPodGone, and so is finding none when gone is set.
func (k *Kubernetes) watchPod(ctx context.Context, selector string, gone bool, done func(*corev1.Pod) (bool, error)) (*corev1.Pod, error) {
	opts := metav1.ListOptions{LabelSelector: selector}
	if len(selector) > len("metadata.name=") && selector[:len("metadata.name=")] == "metadata.name=" {
		opts = metav1.ListOptions{FieldSelector: selector}
	}
	pods := k.cs.CoreV1().Pods(k.namespace)
	for {
		list, err := pods.List(ctx, opts)
		if err != nil {
			return nil, interruptedBy(ctx, fmt.Errorf("listing the job's pod: %w", err))
		}
		for i := range list.Items {
			if ok, err := done(&list.Items[i]); ok || err != nil {
				return &list.Items[i], err
			}
		}
		if gone && len(list.Items) == 0 {
			return nil, errPodGone
		}
		w := opts
		w.ResourceVersion = list.ResourceVersion
		w.AllowWatchBookmarks = true
		watcher, err := pods.Watch(ctx, w)
		if err != nil {
			return nil, interruptedBy(ctx, fmt.Errorf("watching the job's pod: %w", err))
		}
		pod, err := takeEvents(ctx, watcher, done)
		watcher.Stop()
		if pod != nil || err != nil {
			return pod, err
		}
		// The watch ended (a timeout of the API server's): list again.
	}
}

func takeEvents(ctx context.Context, w watch.Interface, done func(*corev1.Pod) (bool, error)) (*corev1.Pod, error) {
	for {
		select {
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		case ev, ok := <-w.ResultChan():
			if !ok {
				return nil, nil
			}
			pod, isPod := ev.Object.(*corev1.Pod)
			switch {
			case ev.Type == watch.Error:
				return nil, nil
			case !isPod:
			case ev.Type == watch.Deleted:
				if ok, err := done(pod); ok || err != nil {
					return pod, err
				}
				return nil, errPodGone
			default:
				if ok, err := done(pod); ok || err != nil {
					return pod, err
				}
			}
		}
	}
}

// readLog passes the pod's log to rr line by line, following it until the container exits
// when follow is set, leaving out the first skip lines; it returns the lines seen, those
// left out included. When ctx ends first, a partial last line is held back.
func (k *Kubernetes) readLog(ctx context.Context, pod string, follow bool, skip int, rr *stage.ReportReader) (int, error) {
	rc, err := k.cs.CoreV1().Pods(k.namespace).GetLogs(pod, &corev1.PodLogOptions{Container: kubeContainer, Follow: follow}).Stream(ctx)
	if err != nil {
		return skip, err
	}
	defer rc.Close()
	lw := &lineWriter{out: reportLines{rr}, skip: skip}
	_, err = io.Copy(lw, rc)
	if ctx.Err() == nil {
		lw.flush()
	}
	return lw.lines, err
}

// readProxyLog passes the egress sidecar's log to out line by line, at most maxProxyLog
// bytes of it.
func (k *Kubernetes) readProxyLog(ctx context.Context, pod string, out io.Writer) error {
	limit := int64(maxProxyLog)
	rc, err := k.cs.CoreV1().Pods(k.namespace).GetLogs(pod, &corev1.PodLogOptions{Container: "egress", LimitBytes: &limit}).Stream(ctx)
	if err != nil {
		return err
	}
	defer rc.Close()
	lw := &lineWriter{out: out}
	_, err = io.Copy(lw, rc)
	lw.flush()
	return err
}

// maxProxyLog bounds the egress proxy's log passed on.
const maxProxyLog = 1 << 20

// reportLines hands whole lines to a stage.ReportReader.
type reportLines struct{ rr *stage.ReportReader }

func (r reportLines) Write(line []byte) (int, error) {
	r.rr.Line(line)
	return len(line), nil
}
