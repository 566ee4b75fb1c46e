package mirror

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/cspportal/portal/pcconn"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
)

// Progress is a snapshot of a running sync, for progress bars.
type Progress struct {
	RunID     int64
	Kind      string
	Total     int // customers (or catalog items) to visit, 0 when unknown
	Done      int
	Counts    map[string]int // rows written per table, drift found, ...
	Calls     int64          // PC calls made
	Throttles int64          // 429s received
	Errors    int
	LastError string
	Elapsed   time.Duration
}

// run is the bookkeeping of one sync: it lives in sync_runs and is flushed
// about once a second while the sync works.
type run struct {
	m       *Mirror
	id      int64
	kind    string
	started time.Time
	stats   pcconn.CallStats

	mu         sync.Mutex
	total      int
	done       int
	counts     map[string]int
	errs       []string
	once       map[string]bool // failOnce keys already recorded
	userOK     bool            // the app+user credential worked in this run
	userErr    string          // or why it did not (for the health panel)
	errCount   int
	lastErr    string
	checkpoint map[string]any
	base       Progress // counters carried over from a resumed run

	stop chan struct{}
	wg   sync.WaitGroup
}

// startRun records a new run, or takes over the newest unfinished run of
// the same kind when resume is set (the caller holds the kind's lock, so a
// run still marked running was left by a dead process).
func (m *Mirror) startRun(ctx context.Context, kind string, o RunOptions, resume bool) (*run, error) {
	r := &run{m: m, kind: kind, started: time.Now(), counts: map[string]int{}, checkpoint: map[string]any{}, stop: make(chan struct{})}
	var row db.SyncRun
	var err error
	if resume {
		row, err = m.st.Q.LatestUnfinishedSyncRun(ctx, m.st.Pool, db.LatestUnfinishedSyncRunParams{Kind: kind, StaleBefore: time.Now().Add(time.Hour)})
		if err == nil {
			if err := m.st.Q.ClaimSyncRun(ctx, m.st.Pool, db.ClaimSyncRunParams{ID: row.ID, RiverJobID: jobIDPtr(o.JobID)}); err != nil {
				return nil, fmt.Errorf("claim sync run: %w", err)
			}
			_ = json.Unmarshal(row.Checkpoint, &r.checkpoint)
			_ = json.Unmarshal(row.Counts, &r.counts)
			r.base = Progress{Calls: int64(row.PcCalls), Throttles: int64(row.Throttles), Errors: int(row.ErrorCount)}
			r.errCount = int(row.ErrorCount)
			r.id = row.ID
			m.log.Info("sync resumed", "kind", kind, "run", r.id, "checkpoint", string(row.Checkpoint))
		} else if !errors.Is(store.MapErr(err), store.ErrNotFound) {
			return nil, fmt.Errorf("find unfinished run: %w", err)
		}
	}
	// Older runs of this kind still marked running died with their process.
	if err := m.st.CloseStaleSyncRuns(ctx, kind, r.id); err != nil {
		return nil, err
	}
	if r.id == 0 {
		row, err = m.st.Q.CreateSyncRun(ctx, m.st.Pool, db.CreateSyncRunParams{
			Kind: kind, Trigger: cmp.Or(o.Trigger, "manual"), RequestedBy: o.RequestedBy,
			RiverJobID: jobIDPtr(o.JobID), Checkpoint: []byte("{}"),
		})
		if err != nil {
			return nil, fmt.Errorf("create sync run: %w", err)
		}
		r.id = row.ID
	}
	r.wg.Add(1)
	go r.loop()
	return r, nil
}

func jobIDPtr(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func (r *run) loop() {
	defer r.wg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := r.flush(ctx, ""); err != nil {
				r.m.log.Warn("sync progress not saved", "run", r.id, "err", err)
			}
			cancel()
		}
	}
}

func (r *run) add(key string, n int) {
	if r == nil || n == 0 {
		return
	}
	r.mu.Lock()
	r.counts[key] += n
	r.mu.Unlock()
}

func (r *run) setTotal(n int) {
	r.mu.Lock()
	r.total = n
	r.mu.Unlock()
}

func (r *run) step(n int) {
	r.mu.Lock()
	r.done += n
	r.mu.Unlock()
}

func (r *run) setDone(n int) {
	r.mu.Lock()
	r.done = n
	r.mu.Unlock()
}

func (r *run) setCheckpoint(k string, v any) {
	r.mu.Lock()
	r.checkpoint[k] = v
	r.mu.Unlock()
}

func (r *run) getCheckpoint(k string) (any, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok := r.checkpoint[k]
	return v, ok
}

// fail records a non-fatal error (one customer could not be read, ...).
func (r *run) fail(err error) {
	r.mu.Lock()
	r.errCount++
	r.lastErr = err.Error()
	if len(r.errs) < 20 {
		r.errs = append(r.errs, err.Error())
	}
	r.mu.Unlock()
}

// failOnce records err once per run for key (a cause shared by many
// customers, such as a missing partner admin sign-in).
func (r *run) failOnce(key string, err error) {
	if r == nil {
		return
	}
	r.mu.Lock()
	if r.once == nil {
		r.once = map[string]bool{}
	}
	seen := r.once[key]
	r.once[key] = true
	r.mu.Unlock()
	if !seen {
		r.fail(err)
	}
}

func (r *run) progress() Progress {
	r.mu.Lock()
	defer r.mu.Unlock()
	return Progress{
		RunID: r.id, Kind: r.kind, Total: r.total, Done: r.done, Counts: maps.Clone(r.counts),
		Calls:     r.base.Calls + r.stats.Calls(),
		Throttles: r.base.Throttles + r.stats.Throttles(),
		Errors:    r.errCount, LastError: r.lastErr, Elapsed: time.Since(r.started),
	}
}

// flush saves progress; with a status it also finishes the run.
func (r *run) flush(ctx context.Context, status string) error {
	p := r.progress()
	r.mu.Lock()
	counts, _ := json.Marshal(r.counts)
	errs, _ := json.Marshal(append([]string{}, r.errs...))
	cp, _ := json.Marshal(r.checkpoint)
	r.mu.Unlock()
	if r.m.opt.OnProgress != nil {
		r.m.opt.OnProgress(p)
	}
	if status == "" {
		return r.m.st.Q.UpdateSyncRunProgress(ctx, r.m.st.Pool, db.UpdateSyncRunProgressParams{
			ID: r.id, Total: int32(p.Total), Done: int32(p.Done), Counts: counts, PcCalls: int32(p.Calls),
			Throttles: int32(p.Throttles), ErrorCount: int32(p.Errors), LastError: p.LastError, Errors: errs, Checkpoint: cp,
		})
	}
	return r.m.st.Q.FinishSyncRun(ctx, r.m.st.Pool, db.FinishSyncRunParams{
		ID: r.id, Status: status, Total: int32(p.Total), Done: int32(p.Done), Counts: counts, PcCalls: int32(p.Calls),
		Throttles: int32(p.Throttles), ErrorCount: int32(p.Errors), LastError: p.LastError, Errors: errs, Checkpoint: cp,
	})
}

// finish ends the run: succeeded when err is nil, cancelled when the
// context ended (the checkpoint stays for a resume), failed otherwise.
func (r *run) finish(ctx context.Context, err error) error {
	close(r.stop)
	r.wg.Wait()
	status := StatusSucceeded
	switch {
	case err == nil:
	case ctx.Err() != nil:
		status = StatusCancelled
	default:
		status = StatusFailed
		r.fail(err)
	}
	if status == StatusCancelled && (r.kind == KindFull || r.kind == KindReconcile) {
		// Leave the row "running" so the next run of this kind resumes it
		// from the checkpoint, but save the progress made.
		status = ""
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if ferr := r.flush(fctx, status); ferr != nil {
		r.m.log.Warn("sync run not saved", "run", r.id, "err", ferr)
	}
	r.recordCredentials(fctx, status)
	if status == StatusSucceeded {
		r.analyze(ctx)
	}
	p := r.progress()
	r.m.metrics.run(r.kind, cmpStatus(status))
	r.m.log.Info("sync finished", "kind", r.kind, "run", r.id, "status", cmpStatus(status), "done", p.Done,
		"calls", p.Calls, "throttles", p.Throttles, "errors", p.Errors, "elapsed", p.Elapsed.Round(time.Millisecond))
	// A cancelled write can fail as its closed connection ("use of closed
	// network connection"): say it was the cancellation.
	if cerr := ctx.Err(); err != nil && cerr != nil && !errors.Is(err, cerr) {
		err = fmt.Errorf("%w: %w", cerr, err)
	}
	return err
}

// analyze refreshes the planner's statistics of the tables a full import
// or a catalog sync rewrote in bulk: until autovacuum gets to them (if it
// is on at all) the planner works from the empty tables' statistics, and
// a page's index scan can turn into a scan and sort of the whole table.
func (r *run) analyze(ctx context.Context) {
	var tables []string
	switch r.kind {
	case KindFull:
		tables = store.MirrorTables
	case KindCatalog:
		tables = store.CatalogTables
	default:
		return
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	if err := r.m.st.Analyze(actx, tables...); err != nil {
		r.m.log.Warn("analyze after sync", "kind", r.kind, "err", err)
	}
}

func cmpStatus(s string) string {
	if s == "" {
		return StatusCancelled
	}
	return s
}
