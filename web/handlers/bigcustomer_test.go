package handlers_test

import (
	"cmp"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cspportal/portal/store"
)

var (
	entRowRe    = regexp.MustCompile(`(?s)<tr data-testid="entitlement-row" data-subscription="([^"]+)">(.*?)</tr>`)
	entNameRe   = regexp.MustCompile(`data-testid="entitlement-name">([^<]*)<`)
	subRowRe    = regexp.MustCompile(`(?s)<tr data-testid="subscription-(base|addon)">(.*?)</tr>`)
	subLinkRe   = regexp.MustCompile(`href="/customers/[^/]+/subscriptions/([^"]+)" data-testid="subscription-link">([^<]*)<`)
	runRateRe   = regexp.MustCompile(`data-testid="run-rate-row" data-subscription="([^"]+)"`)
	nextLinkRe  = regexp.MustCompile(`href="([^"]+)" rel="next"`)
	prevLinkRe  = regexp.MustCompile(`href="([^"]+)" rel="prev"`)
	entitledRe  = regexp.MustCompile(`(\d+) entitled · (\d+) not entitled`)
	pagerSizeRe = regexp.MustCompile(`data-testid="pager-range">[^<]*?of (\d+)`)
)

// pageRow is one subscription row of a big customer's page.
type pageRow struct {
	id, name string
	addOn    bool
}

// bigPage is one page of a customer's subscriptions as served.
type bigPage struct {
	body       string
	rows       []pageRow
	next, prev string
}

func (p bigPage) bases() []pageRow {
	var out []pageRow
	for _, r := range p.rows {
		if !r.addOn {
			out = append(out, r)
		}
	}
	return out
}

// readBigPage fetches path and reads its subscription rows and pager
// links, on the staff customer page or the entitlement view.
func readBigPage(t *testing.T, e *env, c *http.Client, path string) bigPage {
	t.Helper()
	p := e.get(c, path)
	if p.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, p.StatusCode)
	}
	bp := bigPage{body: p.body}
	if strings.Contains(p.body, `data-testid="customer-subscriptions"`) {
		sec := p.body[strings.Index(p.body, `data-testid="customer-subscriptions"`):strings.Index(p.body, `data-testid="customer-run-rate"`)]
		for _, m := range subRowRe.FindAllStringSubmatch(sec, -1) {
			l := subLinkRe.FindStringSubmatch(m[2])
			if l == nil {
				t.Fatalf("%s: a subscription row without its link: %s", path, m[2])
			}
			bp.rows = append(bp.rows, pageRow{id: l[1], name: html.UnescapeString(l[2]), addOn: m[1] == "addon"})
		}
	} else {
		for _, m := range entRowRe.FindAllStringSubmatch(p.body, -1) {
			n := entNameRe.FindStringSubmatch(m[2])
			if n == nil {
				t.Fatalf("%s: an entitlement row without its name: %s", path, m[2])
			}
			bp.rows = append(bp.rows, pageRow{id: m[1], name: html.UnescapeString(n[1]), addOn: strings.Contains(m[2], `data-testid="entitlement-addon"`)})
		}
	}
	if m := nextLinkRe.FindStringSubmatch(p.body); m != nil {
		bp.next = html.UnescapeString(m[1])
	}
	if m := prevLinkRe.FindStringSubmatch(p.body); m != nil {
		bp.prev = html.UnescapeString(m[1])
	}
	return bp
}

// TestBigCustomerPages walks every page of a 500-subscription customer on
// the staff customer page, "view as customer" and the customer's own
// entitlement view: 50 products a page in a stable order, every
// subscription exactly once, links that keep the other parameters and
// lead back, and totals over all 500 on every page.
func TestBigCustomerPages(t *testing.T) {
	e := newEnv(t)
	e.completeSetup()
	id := seedBigCustomer(t, e.st, 500)
	e.createUser(store.RoleStaff, "staff@example.com")
	staff := e.client()
	e.login(staff, "staff@example.com")
	if _, err := e.st.CreateUser(t.Context(), store.NewUser{Email: "big@big.example", Role: store.RoleCustomer, PasswordHash: testHash(),
		CustomerID: &id, CustomerVia: "invitation"}); err != nil {
		t.Fatal(err)
	}
	customer := e.client()
	e.login(customer, "big@big.example")

	seats := 0
	want := map[string]bool{}
	for g := 1; g <= 500; g++ {
		seats += g%40 + 1
		want[fmt.Sprintf("%s-%d", id, g)] = true
	}
	// The entitlement view writes numbers the reader's way (10,070).
	grouped := fmt.Sprintf("%d,%03d", seats/1000, seats%1000)

	for _, tc := range []struct {
		name   string
		c      *http.Client
		path   string
		entity bool // the entitlement view (else the staff customer page)
	}{
		{"customer page", staff, "/customers/" + id.String(), false},
		{"view as customer", staff, "/customers/" + id.String() + "/view/subscriptions", true},
		{"my subscriptions", customer, "/my/subscriptions", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var pages []bigPage
			seen := map[string]int{}
			for path := tc.path + "?keep=yes"; path != ""; {
				if len(pages) > 20 {
					t.Fatal("more than 20 pages: the next links go round")
				}
				p := readBigPage(t, e, tc.c, path)
				pages = append(pages, p)
				for _, r := range p.rows {
					seen[r.id]++
				}
				totals := fmt.Sprintf("500 subscriptions · %d seats in all", seats)
				if tc.entity {
					totals = "500 subscriptions · " + grouped + " seats in all"
				}
				if !strings.Contains(p.body, totals) {
					t.Errorf("%s: no %q", path, totals)
				}
				if m := pagerSizeRe.FindStringSubmatch(p.body); m == nil || m[1] != "400" {
					t.Errorf("%s: pager total %v, want 400 products", path, m)
				}
				if tc.entity {
					m := entitledRe.FindStringSubmatch(p.body)
					if m == nil {
						t.Fatalf("%s: no entitlement summary", path)
					}
					if a, b := atoi(m[1]), atoi(m[2]); a+b != 500 {
						t.Errorf("%s: %d entitled + %d not = %d, want 500", path, a, b, a+b)
					}
				} else {
					// The run rate lists the page's subscriptions.
					var ids, rr []string
					for _, r := range p.rows {
						ids = append(ids, r.id)
					}
					for _, m := range runRateRe.FindAllStringSubmatch(p.body, -1) {
						rr = append(rr, m[1])
					}
					if !sameSet(ids, rr) {
						t.Errorf("%s: run rate rows %d, subscription rows %d, not the same subscriptions", path, len(rr), len(ids))
					}
				}
				for _, l := range []string{p.next, p.prev} {
					if l != "" && !strings.Contains(l, "keep=yes") {
						t.Errorf("%s: link %q drops keep=yes", path, l)
					}
				}
				path = p.next
			}
			if len(pages) != 8 {
				t.Fatalf("%d pages, want 8 (400 products by 50)", len(pages))
			}
			var order []pageRow
			for i, p := range pages {
				if n := len(p.bases()); n != 50 {
					t.Errorf("page %d: %d products, want 50", i+1, n)
				}
				if (p.prev != "") != (i > 0) {
					t.Errorf("page %d: previous link %q", i+1, p.prev)
				}
				order = append(order, p.bases()...)
			}
			if len(seen) != len(want) {
				t.Errorf("%d distinct subscriptions over the pages, want %d", len(seen), len(want))
			}
			for sid, n := range seen {
				if !want[sid] || n != 1 {
					t.Errorf("subscription %s shown %d times (ours: %v)", sid, n, want[sid])
				}
			}
			for i := 1; i < len(order); i++ {
				a, b := order[i-1], order[i]
				if cmp.Or(cmp.Compare(strings.ToLower(a.name), strings.ToLower(b.name)), cmp.Compare(a.id, b.id)) >= 0 {
					t.Errorf("product %d (%s %s) sorts before product %d (%s %s)", i+1, b.name, b.id, i, a.name, a.id)
				}
			}
			// Back from the last page: the seventh page again.
			back := readBigPage(t, e, tc.c, pages[7].prev)
			if !sameRows(back.rows, pages[6].rows) {
				t.Errorf("previous of page 8 (%s) is not page 7", pages[7].prev)
			}
			if back = readBigPage(t, e, tc.c, pages[1].prev); !sameRows(back.rows, pages[0].rows) || back.prev != "" {
				t.Errorf("previous of page 2 (%s) is not page 1", pages[1].prev)
			}
			// A link whose row is gone starts again at the first page.
			if stale := readBigPage(t, e, tc.c, tc.path+"?after=gone-subscription"); !sameRows(stale.rows, pages[0].rows) {
				t.Error("?after= an unknown row is not the first page")
			}
		})
	}

	t.Run("no subscriptions", func(t *testing.T) {
		u := e.createUser(store.RoleCustomer, "empty@example.com")
		_ = u
		c := e.client()
		e.login(c, "empty@example.com")
		p := e.get(c, "/my/subscriptions")
		if !hasTestID(p.body, "entitlements-empty") || hasTestID(p.body, "pager") || hasTestID(p.body, "entitlements-totals") {
			t.Errorf("the empty view: empty state %v, pager %v, totals %v", hasTestID(p.body, "entitlements-empty"),
				hasTestID(p.body, "pager"), hasTestID(p.body, "entitlements-totals"))
		}
	})
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func sameRows(a, b []pageRow) bool {
	if len(a) != len(b) || len(a) == 0 {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) || len(a) == 0 {
		return false
	}
	in := map[string]bool{}
	for _, x := range a {
		in[x] = true
	}
	for _, x := range b {
		if !in[x] {
			return false
		}
	}
	return true
}
