package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
)

func TestMigrationsCurrentAndDownUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.NewStore(t)
	st, err := store.Migrations(ctx, s.Pool)
	if err != nil {
		t.Fatal(err)
	}
	if st.Pending != 0 || st.Current != st.Latest || st.Latest == 0 {
		t.Fatalf("fresh test database not fully migrated: %+v", st)
	}
	v, err := store.MigrateDown(ctx, s.Pool)
	if err != nil || v != st.Latest {
		t.Fatalf("down: version %d, err %v", v, err)
	}
	if st2, _ := store.Migrations(ctx, s.Pool); st2.Pending != 1 {
		t.Fatalf("after down: %+v, want 1 pending", st2)
	}
	if applied, err := store.MigrateUp(ctx, s.Pool); err != nil || len(applied) != 1 {
		t.Fatalf("up again: %v, %v", applied, err)
	}
}

func TestInTxRollsBackAndMapsErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := testdb.NewStore(t)
	boom := errors.New("boom")
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := s.Q.CreateUser(ctx, tx, db.CreateUserParams{Email: "a@example.com", Role: "staff"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx error = %v, want boom", err)
	}
	if _, err := s.Q.GetUserByEmail(ctx, s.Pool, "a@example.com"); !errors.Is(store.MapErr(err), store.ErrNotFound) {
		t.Fatalf("user survived rollback: %v", err)
	}
	if _, err := s.Q.CreateUser(ctx, s.Pool, db.CreateUserParams{Email: "b@example.com", Role: "staff"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.Q.CreateUser(ctx, s.Pool, db.CreateUserParams{Email: "B@example.com", Role: "staff"})
	if !errors.Is(store.MapErr(err), store.ErrConflict) {
		t.Fatalf("duplicate email (case-insensitive) = %v, want ErrConflict", err)
	}
}
