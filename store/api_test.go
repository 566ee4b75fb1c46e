package store_test

import (
	"testing"
	"time"

	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/store"
)

// TestIdempotencyKeyClaims: a key is claimed once; a second claim sees the
// first (running, then answered); a claim left running past the stale
// time is taken over only by the same request; a released key is free.
func TestIdempotencyKeyClaims(t *testing.T) {
	t.Parallel()
	s := testdb.NewStore(t)
	ctx := t.Context()
	var tok int64
	if err := s.Pool.QueryRow(ctx, `WITH u AS (INSERT INTO users (email, role) VALUES ('x@example.com', 'admin') RETURNING id)
		INSERT INTO api_tokens (user_id, name, scope, token_hash) SELECT id, 't', 'read_write', '\x01' FROM u RETURNING id`).Scan(&tok); err != nil {
		t.Fatal(err)
	}
	hash, other := []byte("body"), []byte("other body")
	claim := func(h []byte, stale time.Duration) (bool, store.IdempotentAnswer) {
		t.Helper()
		ok, prior, err := s.ClaimIdempotencyKey(ctx, tok, "k", "POST", "/api/v1/x", h, stale)
		if err != nil {
			t.Fatal(err)
		}
		return ok, prior
	}
	if ok, _ := claim(hash, time.Hour); !ok {
		t.Fatal("first claim refused")
	}
	if ok, prior := claim(hash, time.Hour); ok || prior.StatusCode != nil {
		t.Fatalf("second claim: %v, status %v", ok, prior.StatusCode)
	}
	// Past the stale time: another request may not take it over, the same may.
	if ok, _ := claim(other, 0); ok {
		t.Fatal("a stale claim taken over by another request")
	}
	if ok, _ := claim(hash, 0); !ok {
		t.Fatal("a stale claim not taken over by its own retry")
	}
	if err := s.CompleteIdempotencyKey(ctx, tok, "k", 201, []byte(`{"id":"1"}`)); err != nil {
		t.Fatal(err)
	}
	ok, prior := claim(hash, 0)
	if ok || prior.StatusCode == nil || *prior.StatusCode != 201 || string(prior.Response) != `{"id":"1"}` {
		t.Fatalf("answered key: claimed %v, %+v", ok, prior)
	}
	// An answered key is never released.
	if err := s.ReleaseIdempotencyKey(ctx, tok, "k"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := claim(hash, time.Hour); ok {
		t.Fatal("an answered key was released")
	}
}
