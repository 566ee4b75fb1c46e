package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The indirect model (issue 19): the partner is an indirect provider with
// this many indirect resellers; every seeded customer belongs to one of
// them, and resellerUsers reseller users (one per client at the default
// concurrency) are bound to resellers spread over all of them.
const (
	resellers     = 100
	resellerUsers = 64
)

// resellerTenant is reseller number k's tenant id (1-based), stable across
// seeds like customerID.
func resellerTenant(k int) uuid.UUID {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("bench-reseller-"+strconv.Itoa(k)))
}

// resellerOfCustomer is the number of customer i's reseller: drawn from
// the customer's id, so each reseller has about Customers/resellers
// customers scattered over the table and over the name order, as a
// reseller's customers are (neither one block of the heap nor one prefix
// of the names).
func resellerOfCustomer(i int) int {
	id := customerID(i)
	return 1 + int(binary.BigEndian.Uint32(id[:4])%resellers)
}

// resellerUserEmail is reseller user j's address (1-based).
func resellerUserEmail(j int) string { return fmt.Sprintf("user%d@reseller.example", j) }

// resellerOfUser is the number of reseller user j's reseller: the users
// spread evenly over all the resellers.
func resellerOfUser(j int) int { return 1 + (j-1)*resellers/resellerUsers }

// seedResellers writes the resellers and their users and makes the
// partner an indirect provider. The customers' associated_partner_id is
// set by the caller (in the customers' COPY, or by topUpResellers).
func seedResellers(ctx context.Context, pool *pgxpool.Pool, cp func(string, []string, [][]any) error, now time.Time) error {
	var rows [][]any
	for k := 1; k <= resellers; k++ {
		rows = append(rows, []any{resellerTenant(k), fmt.Sprintf("%s Partners %d", namesA[k%len(namesA)], k), strconv.Itoa(6000000 + k),
			countries[k%len(countries)], "Active", "IsIndirectCloudSolutionProviderOf", k%10 != 0, now, now})
	}
	if err := cp("resellers", []string{"tenant_id", "name", "mpn_id", "location", "state", "relationship_type", "mpa_signed",
		"mpa_checked_at", "synced_at"}, rows); err != nil {
		return err
	}
	hash, err := benchHash()
	if err != nil {
		return err
	}
	var users [][]any
	for j := 1; j <= resellerUsers; j++ {
		users = append(users, []any{resellerUserEmail(j), "Reseller user " + strconv.Itoa(j), "reseller", hash, resellerTenant(resellerOfUser(j))})
	}
	if err := cp("users", []string{"email", "display_name", "role", "password_hash", "reseller_id"}, users); err != nil {
		return err
	}
	if _, err := pool.Exec(ctx, `UPDATE settings SET partner_mode = 'indirect'`); err != nil {
		return fmt.Errorf("partner mode: %w", err)
	}
	return nil
}

// topUpResellers adds the indirect model to a bench database seeded before
// it existed: the resellers, their users, and each customer's reseller.
func topUpResellers(ctx context.Context, pool *pgxpool.Pool, s sizes, logf func(string, ...any)) error {
	ids, partners := make([]uuid.UUID, 0, s.Customers), make([]string, 0, s.Customers)
	for i := 1; i <= s.Customers; i++ {
		ids, partners = append(ids, customerID(i)), append(partners, resellerTenant(resellerOfCustomer(i)).String())
	}
	t0 := time.Now()
	tag, err := pool.Exec(ctx, `UPDATE customers c SET associated_partner_id = v.partner
		FROM unnest($1::uuid[], $2::text[]) AS v (id, partner) WHERE c.id = v.id`, ids, partners)
	if err != nil {
		return fmt.Errorf("assign customers to resellers: %w", err)
	}
	logf("  %-26s %8d rows  %6s", "customers (resellers)", tag.RowsAffected(), time.Since(t0).Round(time.Millisecond))
	if err := seedResellers(ctx, pool, copier(ctx, pool, logf), time.Now().UTC().Truncate(time.Second)); err != nil {
		return err
	}
	// The UPDATE left every customer's old version behind: rewrite the
	// table and its indexes as a seed leaves them (the other pages'
	// figures compare with a fresh seed's), then set the visibility map
	// for index-only scans.
	for _, q := range []string{`VACUUM FULL customers`, `VACUUM ANALYZE customers, resellers, users`} {
		if _, err := pool.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// benchHash is benchPassword's hash with cheap argon2id parameters (they
// travel in the hash), so signing in many users is quick.
func benchHash() (string, error) {
	return argon2id.CreateHash(benchPassword, &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
}
