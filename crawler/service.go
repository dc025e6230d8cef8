package crawler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/cloudoven/cloudoven/catalog"
)

// ErrRunning refuses a crawl while another one runs.
var ErrRunning = errors.New("a crawl is already running")

// Service runs crawls on demand and on a cron schedule, never two at once, and hands the
// catalog of every crawl that committed to OnCatalog, so a server swaps it in without a
// restart.
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

// Start runs the schedule until ctx ends; crawls started on demand also stop with ctx.
func (s *Service) Start(ctx context.Context) {
	s.mu.Lock()
	s.ctx = ctx
	if s.sched != nil {
		s.cron = cron.New()
		s.cron.Schedule(s.sched, cron.FuncJob(func() {
			if err := s.Trigger(); errors.Is(err, ErrRunning) {
				s.logger.Info("scheduled crawl skipped: the previous one is still running")
			}
		}))
		s.cron.Start()
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

// Trigger starts a crawl in the background, or returns ErrRunning.
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
	s.running = true
	s.current = &Status{Started: time.Now(), Progress: map[string][2]int{}}
	s.inflight.Add(1)
	go func() {
		defer s.inflight.Done()
		s.run(ctx)
	}()
	return nil
}

// Run crawls now and waits for the result, or returns ErrRunning.
func (s *Service) Run(ctx context.Context) (Result, error) {
	s.mu.Lock()
	if s.running {
		s.mu.Unlock()
		return Result{}, ErrRunning
	}
	s.running = true
	s.current = &Status{Started: time.Now(), Progress: map[string][2]int{}}
	s.mu.Unlock()
	st := s.run(ctx)
	return st.Result, st.Err
}

func (s *Service) run(ctx context.Context) *Status {
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
