package sandboxtest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/store"
)

// State is PC's view through the API, in the mirror's terms.
type State struct {
	Customers map[string]string   // id -> company|domain|email
	Subs      map[string]string   // id -> customer|status|qty|autorenew|name|offer|parent|cycle|term
	Orders    map[string]string   // id -> customer|status|lines
	Agree     map[string][]string // customer -> agreement keys
}

func subKey(customer, status string, qty int, auto bool, name, offer, parent, cycle, term string) string {
	return fmt.Sprintf("%s|%s|%d|%t|%s|%s|%s|%s|%s", customer, strings.ToLower(status), qty, auto, name, offer, parent,
		strings.ToLower(cycle), term)
}

// ReadPC reads PC's customers, subscriptions, orders and agreements
// through the API.
func ReadPC(t testing.TB, pc *pccclient.Client) State {
	t.Helper()
	ctx := context.Background()
	s := State{Customers: map[string]string{}, Subs: map[string]string{}, Orders: map[string]string{}, Agree: map[string][]string{}}
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

// ReadMirror reads the same from the mirror.
func ReadMirror(t testing.TB, st *store.Store) State {
	t.Helper()
	ctx := context.Background()
	s := State{Customers: map[string]string{}, Subs: map[string]string{}, Orders: map[string]string{}, Agree: map[string][]string{}}
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

// AssertConverged fails unless the mirror equals PC field by field.
func AssertConverged(t testing.TB, pc *pccclient.Client, st *store.Store) {
	t.Helper()
	want, got := ReadPC(t, pc), ReadMirror(t, st)
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("mirror differs from partner center (-pc +mirror):\n%s", d)
	}
	if len(want.Customers) == 0 || len(want.Subs) == 0 {
		t.Fatalf("partner center has no data to compare (%d customers, %d subscriptions)", len(want.Customers), len(want.Subs))
	}
}

// Count runs a count query on st (tests look at rows directly).
func Count(t testing.TB, st *store.Store, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := st.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}
