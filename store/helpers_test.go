package store_test

import (
	"testing"

	"github.com/cspportal/portal/store"
)

// sqlExec returns a function that runs a statement on s and fails t when
// it fails: how tests set up the rows they read.
func sqlExec(t *testing.T, s *store.Store) func(q string, args ...any) {
	return func(q string, args ...any) {
		t.Helper()
		if _, err := s.Pool.Exec(t.Context(), q, args...); err != nil {
			t.Fatal(err)
		}
	}
}

// execSilently runs q behind the triggers' back (replication role), so a
// change that reaches a reader anyway was not notified.
func execSilently(t *testing.T, s *store.Store, q string, args ...any) {
	t.Helper()
	tx, err := s.Pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(t.Context()) }()
	if _, err := tx.Exec(t.Context(), "SET LOCAL session_replication_role = replica"); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(t.Context(), q, args...); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
}
