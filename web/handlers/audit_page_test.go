package handlers_test

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/store/db"
)

// seedAudit writes n audit entries: actors alternate between two users,
// customers between two ids, actions between two kinds, one day apart
// going back from now.
func (e *env) seedAudit(n int, now time.Time) (custA, custB uuid.UUID) {
	e.t.Helper()
	custA, custB = uuid.New(), uuid.New()
	for i := range n {
		cust := custA
		actor, action := "ann@reseller.example", "pc.patch_subscription"
		if i%2 == 1 {
			cust, actor, action = custB, "bob@reseller.example", "pc.create_order"
		}
		req := uuid.New()
		id, err := e.st.Q.InsertAudit(e.t.Context(), e.st.Pool, db.InsertAuditParams{Actor: actor, Action: action, TargetType: "subscription",
			TargetID: "sub-" + strconv.Itoa(i), CustomerID: &cust, Before: []byte(`{"quantity": 1}`), After: []byte(`{"quantity": 2}`),
			PcRequestID: &req, Outcome: "ok", Detail: "=HYPERLINK(entry " + strconv.Itoa(i) + ")"})
		if err != nil {
			e.t.Fatal(err)
		}
		if _, err := e.st.Pool.Exec(e.t.Context(), `UPDATE audit_log SET at = $2 WHERE id = $1`, id, now.AddDate(0, 0, -i)); err != nil {
			e.t.Fatal(err)
		}
	}
	return custA, custB
}

func TestAuditPageFiltersPagesAndCSV(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.completeSetup()
	e.createUser("staff", "staff@example.com")
	now := time.Date(2026, 5, 31, 12, 0, 0, 0, time.UTC)
	custA, _ := e.seedAudit(120, now)
	c := e.client()
	e.login(c, "staff@example.com")

	count := func(p page) int {
		t.Helper()
		return strings.Count(p.body, `data-testid="audit-row"`)
	}
	p := e.get(c, "/audit")
	if p.StatusCode != http.StatusOK || count(p) != 50 || !strings.Contains(p.body, "1") {
		t.Fatalf("GET /audit: %d, %d rows\n%.2000s", p.StatusCode, count(p), p.body)
	}
	// The sign-in of staff is audited too: at least our 120.
	if p := e.get(c, "/audit?page=2&user=ann"); count(p) != 10 || !strings.Contains(p.body, "60 entries") {
		t.Fatalf("page 2 of ann's 60: %d rows\n%.3000s", count(p), p.body)
	}
	if p := e.get(c, "/audit?user=BOB&action=pc.create_order"); !strings.Contains(p.body, "60 entries") || strings.Contains(p.body, "ann@reseller") {
		t.Fatalf("user + action filter\n%.3000s", p.body)
	}
	if p := e.get(c, "/audit?customer="+custA.String()+"&from=2026-05-22&to=2026-05-31"); !strings.Contains(p.body, "5 entries") {
		// days 0,2,4,6,8 back from the 31st are A's within the 22nd..31st
		t.Fatalf("customer + date filter\n%.3000s", p.body)
	}
	for _, bad := range []string{"customer=abc", "from=31/05/2026", "from=2026-05-31&to=2026-05-01"} {
		if p := e.get(c, "/audit?"+bad); p.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(p.body, `data-testid="error-`) {
			t.Errorf("/audit?%s: %d, want 422 with a field error", bad, p.StatusCode)
		}
	}

	p = e.get(c, "/audit.csv?user=ann&from=2026-05-22")
	if p.StatusCode != http.StatusOK || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV: %d %s", p.StatusCode, p.Header.Get("Content-Type"))
	}
	recs, err := csv.NewReader(strings.NewReader(p.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 6 || recs[0][0] != "at" || recs[1][1] != "ann@reseller.example" || !strings.HasPrefix(recs[1][8], "'=") || recs[1][10] != `{"quantity": 1}` {
		t.Fatalf("CSV rows: %q", recs)
	}
	if p := e.get(c, "/audit.csv?from=nope"); p.StatusCode != http.StatusBadRequest {
		t.Fatalf("CSV with a bad filter: %d", p.StatusCode)
	}

	e.createUser("customer", "cust@example.com")
	cc := e.client()
	e.login(cc, "cust@example.com")
	if p := e.get(cc, "/audit"); p.StatusCode != http.StatusForbidden {
		t.Fatalf("customer on /audit: %d, want 403", p.StatusCode)
	}
}
