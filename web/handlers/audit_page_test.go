package handlers_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
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
		id, err := e.insertAudit(auditRow{Actor: actor, Action: action, TargetType: "subscription",
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
	olderRe := regexp.MustCompile(`href="(/audit\?[^"]*older=[^"]*)" rel="next"`)
	// all follows the "Older" links from path and counts every row.
	all := func(path string) (rows, pages int, body string) {
		t.Helper()
		for path != "" {
			p := e.get(c, strings.ReplaceAll(path, "&amp;", "&"))
			if p.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d", path, p.StatusCode)
			}
			rows, pages, body = rows+count(p), pages+1, body+p.body
			path = ""
			if m := olderRe.FindStringSubmatch(p.body); m != nil {
				path = m[1]
			}
		}
		return rows, pages, body
	}
	p := e.get(c, "/audit")
	if p.StatusCode != http.StatusOK || count(p) != 50 || !hasTestID(p.body, "audit-older") || hasTestID(p.body, "audit-newer") {
		t.Fatalf("GET /audit: %d, %d rows\n%.2000s", p.StatusCode, count(p), p.body)
	}
	// Ann's 60 on two pages: 50, then 10; the second page links back.
	if rows, pages, _ := all("/audit?user=ann"); rows != 60 || pages != 2 {
		t.Fatalf("ann's entries: %d rows on %d pages, want 60 on 2", rows, pages)
	}
	second := e.get(c, strings.ReplaceAll(olderRe.FindStringSubmatch(e.get(c, "/audit?user=ann").body)[1], "&amp;", "&"))
	if count(second) != 10 || !hasTestID(second.body, "audit-newer") || hasTestID(second.body, "audit-older") {
		t.Fatalf("page 2 of ann's 60: %d rows\n%.3000s", count(second), second.body)
	}
	newer := regexp.MustCompile(`href="(/audit\?[^"]*newer=[^"]*)" rel="prev"`).FindStringSubmatch(second.body)
	if back := e.get(c, strings.ReplaceAll(newer[1], "&amp;", "&")); count(back) != 50 || !strings.Contains(back.body, "sub-0<") {
		t.Fatalf("back to the newest page: %d rows", count(back))
	}
	if rows, _, body := all("/audit?user=BOB&action=pc.create_order"); rows != 60 || strings.Contains(body, "ann@reseller") {
		t.Fatalf("user + action filter: %d rows", rows)
	}
	if rows, _, _ := all("/audit?customer=" + custA.String() + "&from=2026-05-22&to=2026-05-31"); rows != 5 {
		// days 0,2,4,6,8 back from the 31st are A's within the 22nd..31st
		t.Fatalf("customer + date filter: %d rows, want 5", rows)
	}
	for _, bad := range []string{"from=31/05/2026", "from=2026-05-31&to=2026-05-01"} {
		if p := e.get(c, "/audit?"+bad); p.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(p.body, `data-testid="error-`) ||
			strings.Contains(p.body, "Page 0") || !hasTestID(p.body, "audit-invalid") {
			t.Errorf("/audit?%s: %d, want 422 with a field error and no pager", bad, p.StatusCode)
		}
	}
	// Readable: the action in words with what changed, field by field.
	if !strings.Contains(p.body, "Subscription changed") || !strings.Contains(p.body, "<del>1</del> → <ins>2</ins>") {
		t.Fatalf("rows not readable\n%.3000s", p.body)
	}

	p = e.get(c, "/audit.csv?user=ann&from=2026-05-22")
	if p.StatusCode != http.StatusOK || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV: %d %s", p.StatusCode, p.Header.Get("Content-Type"))
	}
	if !strings.HasPrefix(p.body, "\ufeff") {
		t.Fatal("the CSV has no UTF-8 byte order mark")
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(p.body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 6 || recs[0][0] != "at" || recs[1][1] != "ann@reseller.example" || !strings.HasPrefix(recs[1][9], "'=") ||
		recs[1][11] != `{"quantity": 1}` || recs[1][0] != "2026-05-31T12:00:00Z" {
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

// A command to Partner Center is one row, with PC's outcome as its status;
// customers are found by name; the CSV keeps non-Latin names.
func TestAuditOneRowPerCommandCustomerByName(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.completeSetup()
	e.createUser("staff", "staff@example.com")
	cust := uuid.New()
	if _, err := e.st.Pool.Exec(t.Context(), `INSERT INTO customers (id, tenant_id, company_name, domain) VALUES ($1, $2, '北京云桥科技有限公司', 'yunqiao.example')`, cust, cust.String()); err != nil {
		t.Fatal(err)
	}
	req := uuid.New()
	for _, a := range []auditRow{
		{Actor: "staff@example.com", Action: "pc.patch_subscription", TargetType: "subscription", TargetID: "sub-1", CustomerID: &cust,
			Before: []byte(`{"quantity": 45}`), After: []byte(`{"quantity": 40}`), PcRequestID: &req, Outcome: "pending", Detail: "Seats 45 → 40"},
		{Actor: "staff@example.com", Action: "pc.patch_subscription.succeeded", TargetType: "subscription", TargetID: "sub-1", CustomerID: &cust,
			After: []byte(`{"id": "sub-1", "quantity": 40}`), PcRequestID: &req, Outcome: "ok"},
	} {
		if _, err := e.insertAudit(a); err != nil {
			t.Fatal(err)
		}
	}
	c := e.client()
	e.login(c, "staff@example.com")
	p := e.get(c, "/audit?customer="+url.QueryEscape("云桥"))
	if n := strings.Count(p.body, `data-testid="audit-row"`); n != 1 {
		t.Fatalf("%d rows for one command, want 1\n%.3000s", n, p.body)
	}
	if !strings.Contains(p.body, "Subscription changed: Seats 45 → 40") || !strings.Contains(p.body, `data-testid="audit-status"><span class="status status-done">done`) ||
		!strings.Contains(p.body, "北京云桥科技有限公司") {
		t.Fatalf("the command's row\n%.3000s", p.body)
	}
	if p := e.get(c, "/audit?customer=nobody"); !hasTestID(p.body, "audit-empty") {
		t.Fatal("a name that matches no customer still lists entries")
	}
	csvBody := e.get(c, "/audit.csv?customer="+url.QueryEscape("云桥")).body
	if !strings.HasPrefix(csvBody, "\ufeff") || !strings.Contains(csvBody, "北京云桥科技有限公司") || strings.Count(csvBody, "\n") != 2 {
		t.Fatalf("CSV:\n%s", csvBody)
	}
}

// auditRow is an audit_log row as commerce writes it, for seeding the
// audit page (handlers do not import store/db).
type auditRow struct {
	Actor, Action, TargetType, TargetID string
	CustomerID                          *uuid.UUID
	Before, After                       []byte
	PcRequestID                         *uuid.UUID
	Outcome, Detail                     string
}

func (e *env) insertAudit(a auditRow) (int64, error) {
	var id int64
	err := e.st.Pool.QueryRow(e.t.Context(), `INSERT INTO audit_log (actor, action, target_type, target_id, customer_id, before, after, pc_request_id, outcome, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		a.Actor, a.Action, a.TargetType, a.TargetID, a.CustomerID, a.Before, a.After, a.PcRequestID, a.Outcome, a.Detail).Scan(&id)
	return id, err
}
