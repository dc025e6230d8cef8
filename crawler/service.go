package crawler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/cloudoven/cloudoven/catalog"
)

// ErrRunning refuses a crawl while another one runs.
var ErrRunning = errors.New("a crawl is already running")

// Service runs crawls on demand and on a cron schedule, never two at once, and hands the
// catalog of every crawl that committed to OnCatalog, so a server swaps it in without a
// restart. With Options.Shared, "never two at once" holds across the replicas on one
// database, each complete crawl's catalog is published there, and the catalogs other
// replicas publish are taken (Follow) and handed to OnCatalog too.
type Service struct {
	targets   []Target
	opts      Options
	schedule  string
	sched     cron.Schedule
	onCatalog func(*catalog.Catalog)
	logger    *slog.Logger

	mu       sync.Mutex
	running  bool
	current  *Status // the run under way, with progress
	last     *Status
	cron     *cron.Cron
	ctx      context.Context
	inflight sync.WaitGroup

	// dirMu is held while the catalog directory is written: by a crawl for its whole run,
	// by Follow while it installs a published catalog.
	dirMu sync.Mutex
	// seen is the generation of the published catalog this replica last took, refused or
	// published.
	seen         atomic.Int64
	cancelFollow context.CancelFunc
}

// Status is one crawl as the service saw it.
type Status struct {
	Started, Finished time.Time
	Result            Result
	Err               error
	Progress          map[string][2]int // provider → documents done, total
}

// NewService checks the schedule (standard 5-field cron; empty means on demand only).
func NewService(targets []Target, opts Options, schedule string, onCatalog func(*catalog.Catalog)) (*Service, error) {
	s := &Service{targets: targets, opts: opts, schedule: schedule, onCatalog: onCatalog, logger: opts.Logger}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if schedule != "" {
		sched, err := cron.ParseStandard(schedule)
		if err != nil {
			return nil, fmt.Errorf("crawl schedule %q: %w (use 5 fields: minute hour day-of-month month day-of-week, e.g. \"0 3 * * *\")", schedule, err)
		}
		s.sched = sched
	}
	return s, nil
}

// Start runs the schedule, and with Options.Shared checks for published catalogs every
// FollowEvery, until ctx ends; crawls started on demand also stop with ctx.
func (s *Service) Start(ctx context.Context) {
	s.mu.Lock()
	s.ctx = ctx
	if s.sched != nil {
		s.cron = cron.New()
		s.cron.Schedule(s.sched, cron.FuncJob(func() {
			switch err := s.Trigger(); {
			case errors.Is(err, ErrRunning):
				s.logger.Info("scheduled crawl skipped: a crawl is running, on this replica or another")
			case err != nil:
				s.logger.Error("scheduled crawl not started", "err", err)
			}
		}))
		s.cron.Start()
	}
	if s.opts.Shared != nil {
		fctx, cancel := context.WithCancel(ctx)
		s.cancelFollow = cancel
		s.inflight.Add(1)
		go func() {
			defer s.inflight.Done()
			s.follow(fctx)
		}()
	}
	s.mu.Unlock()
	go func() {
		<-ctx.Done()
		s.Stop()
	}()
}

// Stop ends the schedule and waits for a crawl under way to stop.
func (s *Service) Stop() {
	s.mu.Lock()
	c := s.cron
	s.cron = nil
	if s.cancelFollow != nil {
		s.cancelFollow()
	}
	s.mu.Unlock()
	if c != nil {
		<-c.Stop().Done()
	}
	s.inflight.Wait()
}

// Schedule is the cron expression, or "".
func (s *Service) Schedule() string { return s.schedule }

// NextRun is when the schedule runs next; zero without a schedule.
func (s *Service) NextRun() time.Time {
	if s.sched == nil {
		return time.Time{}
	}
	return s.sched.Next(time.Now())
}

// Trigger starts a crawl in the background, or returns ErrRunning when a crawl runs on
// this replica or, with Options.Shared, on another.
func (s *Service) Trigger() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running {
		return ErrRunning
	}
	ctx := s.ctx
	if ctx == nil {
		return errors.New("the crawl service is not started")
	}
	// Taken before the crawl's goroutine starts, so the caller hears at once that another
	// replica crawls, as it hears of this replica's crawl.
	release, lost, err := s.lock(ctx)
	if err != nil {
		return err
	}
	s.running = true
	s.current = &Status{Started: time.Now(), Progress: map[string][2]int{}}
	s.inflight.Add(1)
	go func() {
		defer s.inflight.Done()
		s.run(ctx, release, lost)
	}()
	return nil
}

// Run crawls now and waits for the result, or returns ErrRunning as Trigger does.
func (s *Service) Run(ctx context.Context) (Result, error) {
	s.mu.Lock()
	if s.running {
		s.mu.Unlock()
		return Result{}, ErrRunning
	}
	release, lost, err := s.lock(ctx)
	if err != nil {
		s.mu.Unlock()
		return Result{}, err
	}
	s.running = true
	s.current = &Status{Started: time.Now(), Progress: map[string][2]int{}}
	s.mu.Unlock()
	st := s.run(ctx, release, lost)
	return st.Result, st.Err
}

// run crawls, swaps and publishes, then calls release (the crawl lock) before it reports
// the crawl over. When lost closes first, the crawl stops with ErrLockLost, publishing
// nothing.
func (s *Service) run(ctx context.Context, release func(), lost <-chan struct{}) *Status {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if lost != nil {
		go func() {
			select {
			case <-lost:
				s.logger.Error("crawl stopped", "err", ErrLockLost)
				cancel(ErrLockLost)
			case <-ctx.Done():
			}
		}()
	}
	opts := s.opts
	progress := opts.Progress
	opts.Progress = func(source string, done, total int) {
		s.mu.Lock()
		s.current.Progress[source] = [2]int{done, total}
		s.mu.Unlock()
		if progress != nil {
			progress(source, done, total)
		}
	}
	s.logger.Info("crawl started", "providers", len(s.targets))
	s.dirMu.Lock()
	res, err := Crawl(ctx, s.targets, opts)
	if err == nil && s.onCatalog != nil {
		var cat *catalog.Catalog
		cat, err = catalog.Load(os.DirFS(opts.CatalogDir))
		if err == nil {
			s.onCatalog(cat)
		} else {
			err = fmt.Errorf("loading the crawled catalog: %w", err)
		}
	}
	// Checked here too, not only through ctx: a crawl that finished as the lock was lost
	// must not publish.
	select {
	case <-lost:
		cancel(ErrLockLost)
	default:
	}
	if errors.Is(context.Cause(ctx), ErrLockLost) {
		err = fmt.Errorf("crawling: %w", ErrLockLost)
	}
	if err == nil && opts.Shared != nil {
		err = s.publish(ctx, res)
	}
	s.dirMu.Unlock()
	release()
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.current
	st.Finished, st.Result, st.Err = time.Now(), res, err
	s.last, s.current, s.running = st, nil, false
	if err != nil {
		s.logger.Error("crawl failed", "err", err, "duration", st.Finished.Sub(st.Started).Round(time.Millisecond))
	} else {
		s.logger.Info("crawl finished", "duration", st.Finished.Sub(st.Started).Round(time.Millisecond))
	}
	return st
}

// Status returns the crawl under way (running true) or the last one (nil before any).
func (s *Service) Status() (running bool, st *Status) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pick := s.last
	if s.running {
		pick = s.current
	}
	if pick == nil {
		return s.running, nil
	}
	cp := *pick
	cp.Progress = map[string][2]int{}
	for k, v := range pick.Progress {
		cp.Progress[k] = v
	}
	return s.running, &cp
}
