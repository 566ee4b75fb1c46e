package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestSyncPageShowsRunsAndQueuesSyncNow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createUser("admin", "admin@example.com")
	e.createUser("staff", "staff@example.com")
	e.createUser("customer", "cust@example.com")
	e.completeSetup()
	c := e.client()
	e.login(c, "staff@example.com")

	p := e.get(c, "/sync")
	if p.StatusCode != http.StatusOK || !hasTestID(p.body, "sync-title") || !hasTestID(p.body, "sync-no-runs") {
		t.Fatalf("GET /sync: status %d\n%s", p.StatusCode, p.body)
	}

	// A run in progress and a finished one, as the workers leave them.
	if _, err := e.st.Pool.Exec(t.Context(), `INSERT INTO sync_runs (kind, status, trigger, total, done, pc_calls, throttles, counts)
		VALUES ('full', 'running', 'wizard', 200, 50, 321, 4, '{"customers": 50}'),
		       ('incremental', 'failed', 'schedule', 0, 0, 2, 0, '{}')`); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.Pool.Exec(t.Context(), `UPDATE sync_runs SET finished_at = now(), last_error = 'partner center list-audit-records: HTTP 503'
		WHERE kind = 'incremental'`); err != nil {
		t.Fatal(err)
	}
	p = e.get(c, "/sync/live")
	if p.StatusCode != http.StatusOK || !hasTestID(p.body, "sync-running") || !strings.Contains(p.body, `value="25"`) ||
		!strings.Contains(p.body, "321 Partner Center calls") || !strings.Contains(p.body, "HTTP 503") {
		t.Fatalf("GET /sync/live: status %d\n%s", p.StatusCode, p.body)
	}
	if strings.Contains(p.body, "<html") || !strings.Contains(p.body, `hx-trigger="every 2s"`) {
		t.Fatalf("live fragment is not a self-refreshing fragment:\n%s", p.body)
	}

	// "Sync now" queues one job per kind, however often it is pressed, and
	// says so.
	for i, want := range []string{"The reconcile sync is queued", "A reconcile sync is already queued or running"} {
		p = e.post(c, "/sync", url.Values{"kind": {"reconcile"}})
		if p.StatusCode != http.StatusSeeOther || p.location() != "/sync" {
			t.Fatalf("POST /sync: status %d location %q", p.StatusCode, p.location())
		}
		if p := e.get(c, "/sync"); !strings.Contains(p.body, want) {
			t.Fatalf("press %d: the page does not say %q", i+1, want)
		}
	}
	var n int
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT count(*) FROM river_job WHERE kind = 'mirror.sync'
		AND args->>'kind' = 'reconcile' AND args->>'trigger' = 'manual'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("queued reconcile jobs: %d (%v), want 1", n, err)
	}
	if p = e.post(c, "/sync", url.Values{"kind": {"everything"}}); p.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /sync with a bad kind: status %d", p.StatusCode)
	}
	e.st.Pool.QueryRow(t.Context(), `SELECT count(*) FROM river_job`).Scan(&n)
	if n != 1 {
		t.Fatalf("%d jobs after a bad kind, want 1", n)
	}

	cc := e.client()
	e.login(cc, "cust@example.com")
	if p = e.get(cc, "/sync"); p.StatusCode != http.StatusForbidden {
		t.Fatalf("customer GET /sync: status %d, want 403", p.StatusCode)
	}
}

// A change made in Partner Center's own UI is found by the reconcile and
// shown on the sync page: what the mirror held, what PC says, when.
func TestSyncPageShowsTheReconcilesDrift(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	c := e.client()
	e.login(c, "staff@example.com")
	if p := e.get(c, "/sync"); !hasTestID(p.body, "drift-none-run") {
		t.Fatalf("before any reconcile: want the no-run note\n%s", p.body)
	}
	cust, sub := e.subID("Contoso Ltd", "Office 365 E3")
	pc, err := e.pcClientForTest()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pc.SetSubscriptionFriendlyName(t.Context(), uuid.NewString(), cust, sub, "Renamed in PC"); err != nil {
		t.Fatal(err)
	}
	e.sync("reconcile")
	p := e.get(c, "/sync")
	if p.StatusCode != http.StatusOK || !hasTestID(p.body, "drift-lines") {
		t.Fatalf("after the reconcile: %d\n%s", p.StatusCode, p.body)
	}
	line := p.body[strings.Index(p.body, `data-testid="drift-line"`):]
	line = line[:strings.Index(line, "</tr>")]
	if !strings.Contains(line, "/customers/"+cust+"/subscriptions/"+sub) || !strings.Contains(line, "friendly name: Renamed in PC") ||
		!strings.Contains(line, "changed") {
		t.Fatalf("drift line does not show the rename with its link:\n%s", line)
	}
	if n := strings.Count(p.body, `data-testid="drift-line"`); n != 1 {
		t.Errorf("%d drift lines, want 1 (only the rename)", n)
	}
}
