package mirror_test

import (
	"testing"

	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient/sandbox"
)

// TestFullSyncReadsIndirectResellers: an indirect provider's full pass
// reads its resellers and their MPA status (a direct-bill partner's does
// not); running it twice changes nothing.
func TestFullSyncReadsIndirectResellers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{}, sandboxtest.StackOptions{})
	e.Run(mirror.KindFull)
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM resellers`); n != 0 {
		t.Fatalf("direct mode: %d resellers read, want none", n)
	}
	if _, err := e.Store.Pool.Exec(t.Context(), `UPDATE settings SET partner_mode = 'indirect'`); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		e.Run(mirror.KindFull)
		var signed, unsigned int
		var code string
		if err := e.Store.Pool.QueryRow(t.Context(), `SELECT count(*) FILTER (WHERE mpa_signed), count(*) FILTER (WHERE NOT mpa_signed),
			coalesce(max(mpa_code) FILTER (WHERE NOT mpa_signed), '') FROM resellers WHERE gone_at IS NULL`).Scan(&signed, &unsigned, &code); err != nil {
			t.Fatal(err)
		}
		if signed != 2 || unsigned != 1 || code != "2203" {
			t.Fatalf("indirect mode: signed %d, not signed %d (code %q); want 2, 1 (2203)", signed, unsigned, code)
		}
	}
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM resellers WHERE name = 'ReleCloud' AND mpn_id = '4847433' AND tenant_id = 'b01b1487-b36e-4e6d-9b5e-0b58974c4b28'`); n != 1 {
		t.Fatalf("ReleCloud row: %d", n)
	}
	// A reseller PC no longer lists is kept, marked gone.
	if _, err := e.Store.Pool.Exec(t.Context(), `INSERT INTO resellers (tenant_id, name, mpn_id) VALUES ('11111111-1111-1111-1111-111111111111', 'Former', '1234567')`); err != nil {
		t.Fatal(err)
	}
	if n, err := e.Mirror.SyncResellers(t.Context()); err != nil || n != 3 {
		t.Fatalf("SyncResellers = %d, %v", n, err)
	}
	if n := sandboxtest.Count(t, e.Store, `SELECT count(*) FROM resellers WHERE name = 'Former' AND gone_at IS NOT NULL`); n != 1 {
		t.Fatalf("former reseller not marked gone")
	}
}
