package handlers_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// icsEvent is an event of a parsed iCalendar feed.
type icsEvent map[string]string

// parseICS unfolds an RFC 5545 calendar and returns its events, failing
// on lines that break the format (bare LF, long lines, no CRLF at the end).
func parseICS(t *testing.T, body string) []icsEvent {
	t.Helper()
	if !strings.HasPrefix(body, "BEGIN:VCALENDAR\r\n") || !strings.HasSuffix(body, "END:VCALENDAR\r\n") {
		t.Fatalf("not a calendar:\n%.500s", body)
	}
	raw := strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n")
	var lines []string
	for _, l := range raw {
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
		if strings.Contains(l, "\n") {
			t.Errorf("bare LF in %q", l)
		}
		if strings.HasPrefix(l, " ") && len(lines) > 0 {
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	var out []icsEvent
	var cur icsEvent
	for _, l := range lines {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			t.Fatalf("content line without a colon: %q", l)
		}
		switch {
		case l == "BEGIN:VEVENT":
			cur = icsEvent{}
		case l == "END:VEVENT":
			out = append(out, cur)
			cur = nil
		case cur != nil:
			key, _, _ := strings.Cut(name, ";")
			cur[key] = strings.NewReplacer(`\n`, "\n", `\,`, ",", `\;`, ";", `\\`, `\`).Replace(value)
		}
	}
	return out
}

var feedURLRe = regexp.MustCompile(`data-testid="calendar-feed-url">([^<]+)<`)

// TestRenewalCalendarAndItsFeedShowTheSameEvents: the calendar page, its
// CSV and the iCalendar feed list the same renewals; the feed's secret
// never reaches the logs, and a revoked feed is gone.
func TestRenewalCalendarAndItsFeedShowTheSameEvents(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	c := e.client()
	e.login(c, "staff@example.com")
	now := e.sb.Now()
	day := now.UTC().Truncate(24 * time.Hour)
	q := url.Values{"from": {day.Add(-7 * 24 * time.Hour).Format(time.DateOnly)}, "to": {day.Add(183 * 24 * time.Hour).Format(time.DateOnly)}}
	p := e.get(c, "/renewals?"+q.Encode())
	if p.StatusCode != http.StatusOK || !hasTestID(p.body, "renewals") {
		t.Fatalf("calendar: %d\n%s", p.StatusCode, p.body)
	}
	rowRe := regexp.MustCompile(`data-subscription="/customers/[^/]+/subscriptions/([^"]+)"`)
	var onPage []string
	for _, m := range rowRe.FindAllStringSubmatch(p.body, -1) {
		onPage = append(onPage, m[1])
	}
	if len(onPage) == 0 {
		t.Fatalf("no renewals on the calendar\n%s", p.body)
	}

	// The CSV: UTF-8 with a byte order mark, one row per calendar row.
	csv := e.get(c, "/renewals.csv?"+q.Encode())
	if !strings.HasPrefix(csv.body, "\uFEFFrenewal_date,") || strings.Count(csv.body, "\n") != len(onPage)+1 {
		t.Fatalf("CSV: %d lines for %d rows\n%.800s", strings.Count(csv.body, "\n"), len(onPage), csv.body)
	}

	// The feed.
	fp := e.post(c, "/renewals/feed", url.Values{})
	m := feedURLRe.FindStringSubmatch(fp.body)
	if fp.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("feed: %d\n%s", fp.StatusCode, fp.body)
	}
	feed := m[1]
	u, _ := url.Parse(feed)
	anon := e.client() // calendar apps send no cookie
	ics := e.get(anon, u.Path)
	if ics.StatusCode != http.StatusOK || !strings.HasPrefix(ics.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("feed: %d %s\n%s", ics.StatusCode, ics.Header.Get("Content-Type"), ics.body)
	}
	var inFeed []string
	windows := 0
	for _, ev := range parseICS(t, ics.body) {
		uid := ev["UID"]
		switch {
		case strings.HasPrefix(uid, "renewal-"):
			id := strings.TrimPrefix(uid, "renewal-")
			inFeed = append(inFeed, id[:strings.LastIndex(id, "-")])
			if ev["DTSTART"] == "" || ev["SUMMARY"] == "" || !strings.Contains(ev["URL"], "/subscriptions/") {
				t.Errorf("renewal event %v", ev)
			}
		case strings.HasPrefix(uid, "window-"):
			windows++
			if !strings.HasPrefix(ev["SUMMARY"], "Last moment to remove") {
				t.Errorf("window event %v", ev)
			}
		default:
			t.Errorf("unknown event %v", ev)
		}
	}
	slices.Sort(onPage)
	slices.Sort(inFeed)
	if !slices.Equal(onPage, inFeed) {
		t.Fatalf("calendar and feed differ:\npage %v\nfeed %v", onPage, inFeed)
	}
	var open int
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT count(*) FROM subscription_tranches t JOIN subscriptions s ON s.id = t.subscription_id
		WHERE t.allowed_until >= $1 AND s.status = 'active'`, now).Scan(&open); err != nil || open != windows || windows == 0 {
		t.Fatalf("%d window events, %d open tranches (%v)", windows, open, err)
	}
	token := strings.TrimSuffix(u.Path[strings.LastIndex(u.Path, "/")+1:], ".ics")
	if logs := e.logs.String(); strings.Contains(logs, token) || !strings.Contains(logs, "/calendar/{feed}.ics") {
		t.Fatalf("the logs show the feed's secret (or not its route)")
	}

	// Revoked: the address no longer works.
	// The calendar says a feed is live (used just now), without its
	// address, and no longer once it is revoked.
	if p := e.get(c, "/renewals"); !strings.Contains(p.body, `data-testid="calendar-feed-live"`) || strings.Contains(p.body, token) {
		t.Errorf("the calendar does not show the live feed, or shows its address:\n%s", p.body)
	}
	e.post(c, "/renewals/feed/revoke", url.Values{})
	if r := e.get(anon, u.Path); r.StatusCode != http.StatusNotFound {
		t.Fatalf("revoked feed: %d", r.StatusCode)
	}
	if p := e.get(c, "/renewals"); strings.Contains(p.body, `data-testid="calendar-feed-live"`) {
		t.Error("the calendar still shows a revoked feed")
	}
}

func TestRenewalCalendarFilters(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	c := e.client()
	e.login(c, "staff@example.com")
	from := e.sb.Now().Add(-30 * 24 * time.Hour).Format(time.DateOnly)
	to := e.sb.Now().Add(900 * 24 * time.Hour).Format(time.DateOnly)
	count := func(extra string) int {
		p := e.get(c, "/renewals?from="+from+"&to="+to+extra)
		if p.StatusCode != http.StatusOK {
			t.Fatalf("calendar%s: %d\n%s", extra, p.StatusCode, p.body)
		}
		return strings.Count(p.body, `data-testid="renewal"`)
	}
	all := count("")
	if all == 0 {
		t.Fatal("no renewals at all")
	}
	var want = map[string]string{
		"&autorenew_off=1": `NOT auto_renew`,
		"&window=1":        `window_closes_at >= $1`,
		"&scheduled=1":     `scheduled`,
		"&price=1":         `price_changes`,
	}
	for q, cond := range want {
		var n int
		if err := e.st.Pool.QueryRow(t.Context(), `SELECT count(*) FROM subscription_lifecycle WHERE status IN ('active', 'suspended')
			AND term_end IS NOT NULL AND `+strings.ReplaceAll(cond, "$1", "$1::timestamptz")+` AND ($1::timestamptz IS NOT NULL)`, e.sb.Now()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if got := count(q); got != n || got > all {
			t.Errorf("filter %s: %d rows, want %d (of %d)", q, got, n, all)
		}
	}
	if p := e.get(c, "/renewals?from=tomorrow"); !strings.Contains(p.body, "Enter a date") {
		t.Errorf("a bad date is not explained\n%s", p.body)
	}
}

// TestCustomerSeesRenewalAndPriceWhereAllowed: the customer view shows the
// renewal and what renews; the next-term price only once the reseller
// turned it on for this customer.
func TestCustomerSeesRenewalAndPriceWhereAllowed(t *testing.T) {
	t.Parallel()
	e := newSubEnv(t)
	c := e.client()
	e.login(c, "staff@example.com")
	cust, sub := e.subID("Fabrikam Inc", "%Premium%")
	e.savePrices(e.offerOf(sub), "22.00")
	if err := e.st.Pool.QueryRow(t.Context(), `UPDATE prices SET term_duration = 'P1Y' RETURNING 1`).Scan(new(int)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.stack.Mirror.RepriceRenewals(t.Context()); err != nil {
		t.Fatal(err)
	}
	view := "/customers/" + cust + "/view/subscriptions/" + sub
	p := e.get(c, view)
	if !hasTestID(p.body, "customer-renewal") || !strings.Contains(p.body, "Renews on") || hasTestID(p.body, "customer-renewal-price") {
		t.Fatalf("customer view before prices are shown\n%s", p.body)
	}
	r := e.post(c, "/customers/"+cust+"/renewal-prices", url.Values{"show": {"on"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("setting: %d\n%s", r.StatusCode, r.body)
	}
	p = e.get(c, view)
	if !hasTestID(p.body, "customer-renewal-price") || !strings.Contains(p.body, "$22.00 per licence") {
		t.Fatalf("customer view with prices shown\n%s", p.body)
	}
	var action string
	if err := e.st.Pool.QueryRow(t.Context(), `SELECT action FROM audit_log WHERE action = 'customer.renewal_prices'`).Scan(&action); err != nil {
		t.Fatalf("setting not audited: %v", err)
	}
	// Suspended: the customer reads the consequence.
	f := e.subForm(c, "/customers/"+cust+"/subscriptions/"+sub, "suspend", "reason", "Unpaid invoices", "confirm", "1")
	if res := e.changeResult(c, e.post(c, "/customers/"+cust+"/subscriptions/"+sub, f)); !hasTestID(res.body, "change-done") {
		t.Fatalf("suspend\n%s", res.body)
	}
	p = e.get(c, view)
	if !hasTestID(p.body, "customer-renewal-path") || !strings.Contains(p.body, "Suspended by your provider") || !strings.Contains(p.body, "deleted with its data on") {
		t.Fatalf("customer view of a suspended subscription\n%s", p.body)
	}
}
