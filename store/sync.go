package store

import (
	"context"
	"fmt"

	"github.com/cspportal/portal/store/db"
)

// SyncRun is one run of a mirror sync (full, incremental, reconcile, catalog).
type SyncRun = db.SyncRun

// SyncWatermark says how far a sync stream is known to be complete.
type SyncWatermark = db.SyncWatermark

// SyncDrift is one line of a reconcile's drift report.
type SyncDrift = db.SyncDrift

// SyncStatus is what the sync status page shows.
type SyncStatus struct {
	Running    []SyncRun          // runs in progress (or left by a dead process)
	Recent     []SyncRun          // the latest runs, newest first
	LastByKind map[string]SyncRun // the latest finished run of each kind
	Watermarks []SyncWatermark
	Commands   map[string]int64 // outbox commands by status
}

// SyncStatus reads the runs, watermarks and outbox counts.
func (s *Store) SyncStatus(ctx context.Context, recent int) (SyncStatus, error) {
	var st SyncStatus
	var err error
	if st.Running, err = s.Q.RunningSyncRuns(ctx, s.Pool); err != nil {
		return st, fmt.Errorf("running syncs: %w", err)
	}
	if st.Recent, err = s.Q.ListSyncRuns(ctx, s.Pool, int32(recent)); err != nil {
		return st, fmt.Errorf("recent syncs: %w", err)
	}
	last, err := s.Q.LastSyncRunByKind(ctx, s.Pool)
	if err != nil {
		return st, fmt.Errorf("last syncs: %w", err)
	}
	st.LastByKind = map[string]SyncRun{}
	for _, r := range last {
		st.LastByKind[r.Kind] = r
	}
	if st.Watermarks, err = s.Q.ListWatermarks(ctx, s.Pool); err != nil {
		return st, fmt.Errorf("watermarks: %w", err)
	}
	counts, err := s.Q.CountCommandsByStatus(ctx, s.Pool)
	if err != nil {
		return st, fmt.Errorf("command counts: %w", err)
	}
	st.Commands = map[string]int64{}
	for _, c := range counts {
		st.Commands[c.Status] = c.N
	}
	return st, nil
}

// SyncRun returns one run.
func (s *Store) SyncRun(ctx context.Context, id int64) (SyncRun, error) {
	r, err := s.Q.GetSyncRun(ctx, s.Pool, id)
	if err != nil {
		return r, fmt.Errorf("sync run %d: %w", id, mapErr(err))
	}
	return r, nil
}

// SyncDriftReport returns up to max lines of a reconcile's drift report.
func (s *Store) SyncDriftReport(ctx context.Context, runID int64, max int) ([]SyncDrift, error) {
	d, err := s.Q.ListDrift(ctx, s.Pool, db.ListDriftParams{RunID: runID, Max: int32(max)})
	if err != nil {
		return nil, fmt.Errorf("drift of run %d: %w", runID, err)
	}
	return d, nil
}
