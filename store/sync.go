package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"

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

// DriftReport is the drift the last reconcile found: changes made outside
// the portal (what PC said against what the mirror held).
type DriftReport struct {
	Run   SyncRun     // the reconcile run; zero ID when none succeeded yet
	Lines []SyncDrift // its first lines
	Total int         // all its lines
}

// LatestDrift returns the drift report of the last reconcile that
// finished, with at most max lines.
func (s *Store) LatestDrift(ctx context.Context, max int) (DriftReport, error) {
	var d DriftReport
	run, err := s.Q.LastSyncRunOfKind(ctx, s.Pool, "reconcile")
	if errors.Is(err, pgx.ErrNoRows) {
		return d, nil
	}
	if err != nil {
		return d, fmt.Errorf("last reconcile: %w", mapErr(err))
	}
	d.Run = run
	if d.Lines, err = s.Q.ListDrift(ctx, s.Pool, db.ListDriftParams{RunID: run.ID, Max: int32(max)}); err != nil {
		return d, fmt.Errorf("drift of run %d: %w", run.ID, mapErr(err))
	}
	n, err := s.Q.CountDrift(ctx, s.Pool, run.ID)
	if err != nil {
		return d, fmt.Errorf("drift of run %d: %w", run.ID, mapErr(err))
	}
	d.Total = int(n)
	return d, nil
}

// CloseStaleSyncRuns marks the runs of kind still marked running, except
// keep, as interrupted: they died with their process (the caller holds the
// kind's lock).
func (s *Store) CloseStaleSyncRuns(ctx context.Context, kind string, keep int64) error {
	if _, err := s.Pool.Exec(ctx, `UPDATE sync_runs SET status = 'cancelled', finished_at = now(),
		last_error = 'interrupted' WHERE kind = $1 AND status = 'running' AND id <> $2`, kind, keep); err != nil {
		return fmt.Errorf("close stale runs: %w", mapErr(err))
	}
	return nil
}

// CatalogSynced reports whether a catalog sync ever completed a country.
func (s *Store) CatalogSynced(ctx context.Context) (bool, error) {
	var n int
	if err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM sync_watermarks WHERE name LIKE 'catalog:%'`).Scan(&n); err != nil {
		return false, fmt.Errorf("catalog watermarks: %w", mapErr(err))
	}
	return n > 0, nil
}

// CatalogMissingCountries lists, in order, the countries whose catalog was
// never synced among the default country and the customers' countries (a
// catalog sync that ran before the first import knew only the default one).
func (s *Store) CatalogMissingCountries(ctx context.Context) ([]string, error) {
	rows, err := s.Pool.Query(ctx, `SELECT x.c FROM (SELECT upper(default_country) AS c FROM settings WHERE default_country <> ''
		UNION SELECT upper(address_country) FROM customers WHERE address_country <> '' AND gone_at IS NULL) x
		WHERE NOT EXISTS (SELECT 1 FROM sync_watermarks w WHERE w.name = 'catalog:' || x.c) ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("catalog countries: %w", mapErr(err))
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("catalog countries: %w", mapErr(err))
	}
	return out, nil
}

// LastCustomerSync is when any replica last finished a successful customer
// sync (full, incremental or reconcile); nil before the first.
func (s *Store) LastCustomerSync(ctx context.Context) (*time.Time, error) {
	var at *time.Time
	if err := s.Pool.QueryRow(ctx, `SELECT max(finished_at) FROM sync_runs WHERE status = 'succeeded'
		AND kind IN ('full', 'incremental', 'reconcile')`).Scan(&at); err != nil {
		return nil, fmt.Errorf("last sync: %w", mapErr(err))
	}
	return at, nil
}

// TryAdvisoryLock takes a session advisory lock named name on a connection
// of its own, without waiting: ok is false when another session holds it.
// The lock goes away with the connection if the process dies; release
// gives it back.
func (s *Store) TryAdvisoryLock(ctx context.Context, name string) (release func(), ok bool, err error) {
	conn, err := s.Pool.Acquire(ctx)
	if err != nil {
		return nil, false, err
	}
	h := fnv.New64a()
	h.Write([]byte(name))
	key := int64(h.Sum64())
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&ok); err != nil {
		conn.Release()
		return nil, false, err
	}
	if !ok {
		conn.Release()
		return nil, false, nil
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", key); err != nil {
			// Without the unlock the session still holds it: drop the connection.
			conn.Conn().Close(ctx)
		}
		conn.Release()
	}, true, nil
}

// JobCount is how many River jobs of a kind are in a state.
type JobCount struct {
	Kind, State string
	N           int64
}

// JobQueueDepth counts River's jobs waiting or running, by kind and state
// (for metrics; River's tables are only read here, never written).
func (s *Store) JobQueueDepth(ctx context.Context) ([]JobCount, error) {
	rows, err := s.Pool.Query(ctx, `SELECT kind, state::text, count(*) FROM river_job
		WHERE state IN ('available', 'scheduled', 'retryable', 'running', 'pending') GROUP BY kind, state`)
	if err != nil {
		return nil, fmt.Errorf("job queue depth: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (JobCount, error) {
		var c JobCount
		err := r.Scan(&c.Kind, &c.State, &c.N)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("job queue depth: %w", err)
	}
	return out, nil
}
