package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/cspportal/portal/migrations"
)

// MigrationState says how far the database is from the embedded migrations.
type MigrationState struct {
	Current int64 // highest applied version (0 when none)
	Latest  int64 // highest embedded version
	Pending int   // embedded migrations not yet applied (River's included)

	RiverCurrent int // highest applied River (job queue) migration
	RiverLatest  int // highest River migration known to this binary
}

// riverMigrator runs River's own schema migrations (its job tables), which
// MigrateUp applies after the portal's files.
func riverMigrator(pool *pgxpool.Pool) (*rivermigrate.Migrator[pgx.Tx], error) {
	m, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return nil, fmt.Errorf("load river migrations: %w", err)
	}
	return m, nil
}

// RiverMigrationVersion is the latest River schema version this binary
// knows; tests mix it into their template database key.
func RiverMigrationVersion() int {
	m, err := rivermigrate.New(riverpgxv5.New(nil), nil)
	if err != nil {
		return 0
	}
	all := m.AllVersions()
	if len(all) == 0 {
		return 0
	}
	return all[len(all)-1].Version
}

func provider(pool *pgxpool.Pool) (*goose.Provider, *sql.DB, error) {
	sqldb := stdlib.OpenDBFromPool(pool)
	// Out of order: work in parallel uses numbered ranges, and a range
	// below the newest applied migration (00120 after 00132) merges later;
	// goose would otherwise refuse to apply it to an existing database.
	p, err := goose.NewProvider(goose.DialectPostgres, sqldb, migrations.FS, goose.WithAllowOutofOrder(true))
	if err != nil {
		sqldb.Close()
		return nil, nil, fmt.Errorf("load migrations: %w", err)
	}
	return p, sqldb, nil
}

// migrateLockKey is the session advisory lock MigrateUp holds, so replicas
// started together with --migrate apply each migration once, one after
// the other (the later ones find nothing pending).
const migrateLockKey = 0x706f7274616c // "portal"

// MigrateUp applies every pending migration and returns the versions
// applied, under a session advisory lock across replicas.
func MigrateUp(ctx context.Context, pool *pgxpool.Pool) ([]int64, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate up: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(migrateLockKey)); err != nil {
		return nil, fmt.Errorf("migrate up: lock: %w", err)
	}
	defer func() {
		// On a broken connection the session ends and the lock with it.
		_, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", int64(migrateLockKey))
	}()
	return migrateUpLocked(ctx, pool)
}

func migrateUpLocked(ctx context.Context, pool *pgxpool.Pool) ([]int64, error) {
	p, sqldb, err := provider(pool)
	if err != nil {
		return nil, err
	}
	defer sqldb.Close()
	res, err := p.Up(ctx)
	var applied []int64
	for _, r := range res {
		applied = append(applied, r.Source.Version)
	}
	if err != nil {
		return applied, fmt.Errorf("migrate up: %w", err)
	}
	rm, err := riverMigrator(pool)
	if err != nil {
		return applied, err
	}
	if _, err := rm.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return applied, fmt.Errorf("migrate river: %w", err)
	}
	return applied, nil
}

// MigrateDown rolls back the most recent migration and returns its version
// (0 when there was nothing to roll back).
func MigrateDown(ctx context.Context, pool *pgxpool.Pool) (int64, error) {
	p, sqldb, err := provider(pool)
	if err != nil {
		return 0, err
	}
	defer sqldb.Close()
	r, err := p.Down(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate down: %w", err)
	}
	if r == nil {
		return 0, nil
	}
	return r.Source.Version, nil
}

// Migrations reports the migration state of the database.
func Migrations(ctx context.Context, pool *pgxpool.Pool) (MigrationState, error) {
	p, sqldb, err := provider(pool)
	if err != nil {
		return MigrationState{}, err
	}
	defer sqldb.Close()
	statuses, err := p.Status(ctx)
	if err != nil {
		return MigrationState{}, fmt.Errorf("migration status: %w", err)
	}
	var st MigrationState
	for _, s := range statuses {
		v := s.Source.Version
		if v > st.Latest {
			st.Latest = v
		}
		if s.State == goose.StateApplied {
			if v > st.Current {
				st.Current = v
			}
		} else {
			st.Pending++
		}
	}
	rm, err := riverMigrator(pool)
	if err != nil {
		return st, err
	}
	all := rm.AllVersions()
	if len(all) > 0 {
		st.RiverLatest = all[len(all)-1].Version
	}
	existing, err := rm.ExistingVersions(ctx)
	if err != nil {
		return st, fmt.Errorf("river migration status: %w", err)
	}
	for _, e := range existing {
		st.RiverCurrent = max(st.RiverCurrent, e.Version)
	}
	st.Pending += len(all) - len(existing)
	return st, nil
}
