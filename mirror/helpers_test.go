package mirror_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"golang.org/x/time/rate"

	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/store"
)

// tenv is a sandbox over real HTTP, a fresh database and a mirror on both.
type tenv struct {
	t   testing.TB
	sb  *sandbox.Sandbox
	url string
	st  *store.Store
	m   *mirror.Mirror
	pc  *pccclient.Client // the test's own client: changes "outside the portal"
	cfg pccclient.Config
}

// fastClock shortens the client's waits (Retry-After, back-off) a
// hundredfold, so fault tests take seconds.
type fastClock struct{}

func (fastClock) Now() time.Time                         { return time.Now() }
func (fastClock) After(d time.Duration) <-chan time.Time { return time.After(d / 100) }

func testLogger() *slog.Logger {
	if os.Getenv("MIRROR_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func unlimited() map[pccclient.OpClass]pccclient.RateLimit {
	inf := pccclient.RateLimit{Rate: rate.Inf, Burst: 1}
	return map[pccclient.OpClass]pccclient.RateLimit{pccclient.ClassCatalog: inf, pccclient.ClassRead: inf,
		pccclient.ClassWrite: inf, pccclient.ClassAudit: inf}
}

func newEnv(t testing.TB, so sandbox.Options, mo mirror.Options) *tenv {
	t.Helper()
	if so.Seed == 0 {
		so.Seed = 7
	}
	// Test data: these tests deliver orders of legacy offers, which PC
	// (and the sandbox by default) no longer sells.
	so.LegacyPurchases = true
	sb, err := sandbox.New(so)
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		sb.Close()
	})
	e := &tenv{t: t, sb: sb, url: srv.URL, st: testdb.NewStore(t)}
	cr := sb.Credentials()
	e.cfg = pccclient.Config{PartnerTenantID: cr.TenantID, ClientID: cr.ClientID, ClientSecret: cr.ClientSecret,
		BaseURL: srv.URL, TokenURL: srv.URL + "/{tenant}/oauth2/token", Logger: testLogger(),
		RateLimits: unlimited(), Clock: fastClock{}, BaseBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond,
		MaxAttempts: 6}
	// A connected partner admin (with MFA), as after the portal's consent:
	// agreements and license usage need the app+user credential.
	rt, err := sb.IssueRefreshToken("admin@sandbox.test")
	if err != nil {
		t.Fatalf("refresh token: %v", err)
	}
	e.cfg.UserTokens = pccclient.NewMemoryTokenStore(rt)
	e.pc, err = pccclient.New(e.cfg)
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	mo.PCNow = sb.Now
	mo.NoPeriodic = true
	if mo.HTTPTimeout == 0 {
		mo.HTTPTimeout = 3 * time.Second
	}
	e.m = e.newMirror(mo)
	return e
}

// reconnect stores a fresh partner admin consent (after the refresh token
// expired on the sandbox clock).
func (e *tenv) reconnect() {
	e.t.Helper()
	rt, err := e.sb.IssueRefreshToken("admin@sandbox.test")
	if err != nil {
		e.t.Fatal(err)
	}
	e.cfg.UserTokens.(*pccclient.MemoryTokenStore).Set(rt)
}

func (e *tenv) newMirror(mo mirror.Options) *mirror.Mirror {
	e.t.Helper()
	mo.PCNow = e.sb.Now
	if mo.HTTPTimeout == 0 {
		mo.HTTPTimeout = 3 * time.Second
	}
	cfg := e.cfg
	m, err := mirror.New(mirror.Deps{Store: e.st, Logger: testLogger(), Options: mo,
		PCConfig: func(context.Context) (pccclient.Config, error) { return cfg, nil }})
	if err != nil {
		e.t.Fatalf("mirror: %v", err)
	}
	return m
}

func (e *tenv) run(kind string) int64 {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	id, err := e.m.Run(ctx, kind, mirror.RunOptions{Trigger: "test"})
	if err != nil {
		e.t.Fatalf("%s sync: %v", kind, err)
	}
	return id
}

// pcState is PC's view through the API, in the mirror's terms.
type pcState struct {
	Customers map[string]string   // id -> company|domain|email
	Subs      map[string]string   // id -> customer|status|qty|autorenew|name|offer|parent|cycle|term
	Orders    map[string]string   // id -> customer|status|lines
	Agree     map[string][]string // customer -> agreement keys
}

func subKey(customer, status string, qty int, auto bool, name, offer, parent, cycle, term string) string {
	return fmt.Sprintf("%s|%s|%d|%t|%s|%s|%s|%s|%s", customer, strings.ToLower(status), qty, auto, name, offer, parent,
		strings.ToLower(cycle), term)
}

func readPC(t testing.TB, pc *pccclient.Client) pcState {
	t.Helper()
	ctx := context.Background()
	s := pcState{Customers: map[string]string{}, Subs: map[string]string{}, Orders: map[string]string{}, Agree: map[string][]string{}}
	custs, err := pccclient.Collect(pc.ListCustomers(ctx, pccclient.ListCustomersOptions{}))
	if err != nil {
		t.Fatalf("list customers: %v", err)
	}
	for _, c := range custs {
		id := strings.ToLower(c.ID)
		full, err := pc.GetCustomer(ctx, c.ID)
		if err != nil {
			t.Fatalf("get customer: %v", err)
		}
		c := *full
		var name, domain, email string
		if c.CompanyProfile != nil {
			name, domain = c.CompanyProfile.CompanyName, c.CompanyProfile.Domain
		}
		if c.BillingProfile != nil {
			email = c.BillingProfile.Email
		}
		s.Customers[id] = name + "|" + domain + "|" + email
		subs, err := pccclient.Collect(pc.ListSubscriptions(ctx, c.ID))
		if err != nil {
			t.Fatalf("list subscriptions: %v", err)
		}
		for _, x := range subs {
			s.Subs[x.ID] = subKey(id, string(x.Status), x.Quantity, x.AutoRenewEnabled, x.FriendlyName, x.OfferID,
				x.ParentSubscriptionID, string(x.BillingCycle), x.TermDuration)
		}
		orders, err := pccclient.Collect(pc.ListOrders(ctx, c.ID))
		if err != nil {
			t.Fatalf("list orders: %v", err)
		}
		for _, o := range orders {
			s.Orders[o.ID] = fmt.Sprintf("%s|%s|%d", id, strings.ToLower(string(o.Status)), len(o.LineItems))
		}
		ags, err := pccclient.Collect(pc.ListAgreements(ctx, c.ID, ""))
		if err != nil {
			t.Fatalf("list agreements: %v", err)
		}
		for _, a := range ags {
			s.Agree[id] = append(s.Agree[id], a.Type+"|"+a.TemplateID+"|"+a.DateAgreed.UTC().Format(time.RFC3339))
		}
		slices.Sort(s.Agree[id])
	}
	return s
}

func readMirror(t testing.TB, st *store.Store) pcState {
	t.Helper()
	ctx := context.Background()
	s := pcState{Customers: map[string]string{}, Subs: map[string]string{}, Orders: map[string]string{}, Agree: map[string][]string{}}
	rows, err := st.Pool.Query(ctx, `SELECT id, company_name, domain, billing_email FROM customers WHERE gone_at IS NULL`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id uuid.UUID
		var a, b, c string
		if err := rows.Scan(&id, &a, &b, &c); err != nil {
			t.Fatal(err)
		}
		s.Customers[id.String()] = a + "|" + b + "|" + c
	}
	rows, err = st.Pool.Query(ctx, `SELECT id, customer_id, status, quantity, auto_renew_enabled, friendly_name, offer_id,
		parent_subscription_id, billing_cycle, term_duration FROM subscriptions WHERE gone_at IS NULL`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, status, name, offer, parent, cycle, term string
		var cust uuid.UUID
		var qty int
		var auto bool
		if err := rows.Scan(&id, &cust, &status, &qty, &auto, &name, &offer, &parent, &cycle, &term); err != nil {
			t.Fatal(err)
		}
		s.Subs[id] = subKey(cust.String(), status, qty, auto, name, offer, parent, cycle, term)
	}
	rows, err = st.Pool.Query(ctx, `SELECT o.id, o.customer_id, o.status,
		(SELECT count(*) FROM order_line_items l WHERE l.order_id = o.id AND l.gone_at IS NULL)
		FROM orders o WHERE o.gone_at IS NULL`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, status string
		var cust uuid.UUID
		var n int
		if err := rows.Scan(&id, &cust, &status, &n); err != nil {
			t.Fatal(err)
		}
		s.Orders[id] = fmt.Sprintf("%s|%s|%d", cust, status, n)
	}
	rows, err = st.Pool.Query(ctx, `SELECT customer_id, agreement_type, template_id, date_agreed FROM agreements
		WHERE gone_at IS NULL ORDER BY 1, 2, 3, 4`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var cust uuid.UUID
		var typ, tmpl string
		var at time.Time
		if err := rows.Scan(&cust, &typ, &tmpl, &at); err != nil {
			t.Fatal(err)
		}
		s.Agree[cust.String()] = append(s.Agree[cust.String()], typ+"|"+tmpl+"|"+at.UTC().Format(time.RFC3339))
	}
	for k := range s.Agree {
		slices.Sort(s.Agree[k])
	}
	return s
}

// assertConverged fails unless the mirror equals PC field by field.
func assertConverged(t testing.TB, pc *pccclient.Client, st *store.Store) {
	t.Helper()
	want, got := readPC(t, pc), readMirror(t, st)
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("mirror differs from partner center (-pc +mirror):\n%s", d)
	}
	if len(want.Customers) == 0 || len(want.Subs) == 0 {
		t.Fatalf("partner center has no data to compare (%d customers, %d subscriptions)", len(want.Customers), len(want.Subs))
	}
}

func count(t testing.TB, st *store.Store, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := st.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}
