package handlers_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/store"
)

// tenantFixture is a mirrored customer with subscriptions in every
// entitlement state, orders and license usage.
type tenantFixture struct {
	ID       uuid.UUID
	TenantID string
	Name     string
	Subs     map[string]string // role -> subscription id: base, addon, suspended, unpaid, expired, pending, old, new, trial
	Orders   []string
}

// seedTenant inserts a customer named name with one subscription per
// entitlement state; subscription names are prefixed with name so pages of
// different customers can be told apart.
func (e *env) seedTenant(name string, now time.Time) tenantFixture {
	e.t.Helper()
	ctx := e.t.Context()
	f := tenantFixture{ID: uuid.New(), Name: name, Subs: map[string]string{}}
	f.TenantID = f.ID.String()
	exec := func(q string, args ...any) {
		e.t.Helper()
		if _, err := e.st.Pool.Exec(ctx, q, args...); err != nil {
			e.t.Fatalf("seed %s: %v\n%s", name, err, q)
		}
	}
	exec(`INSERT INTO customers (id, tenant_id, company_name, domain) VALUES ($1, $2, $3, $4)`,
		f.ID, f.TenantID, name, strings.ToLower(name)+".example")
	order := func(status string, created time.Time) string {
		id := "ord-" + uuid.NewString()
		exec(`INSERT INTO orders (id, customer_id, status, billing_cycle, currency_code, total_price, creation_date)
			VALUES ($1, $2, $3, 'monthly', 'EUR', 120.50, $4)`, id, f.ID, status, created)
		f.Orders = append(f.Orders, id)
		return id
	}
	done := order("completed", now.Add(-60*24*time.Hour))
	waiting := order("pending", now.Add(-time.Hour))
	end, past := now.Add(200*24*time.Hour), now.Add(-24*time.Hour)
	sub := func(role, offer, status, orderID, parent string, autoRenew, trial bool, endAt time.Time, reasons []string, raw string) {
		id := uuid.NewString()
		f.Subs[role] = id
		if parent != "" {
			parent = f.Subs[parent]
		}
		if reasons == nil {
			reasons = []string{}
		}
		exec(`INSERT INTO subscriptions (id, customer_id, parent_subscription_id, order_id, offer_id, offer_name, status, quantity,
			unit_type, term_duration, billing_cycle, auto_renew_enabled, is_trial, suspension_reasons, effective_start_date,
			commitment_end_date, raw) VALUES ($1, $2, $3, $4, $5, $6, $7, 10, 'Licenses', 'P1Y', 'monthly', $8, $9, $10, $11, $12, $13)`,
			id, f.ID, parent, orderID, "offer-"+role, name+" "+offer, status, autoRenew, trial, reasons, now.Add(-100*24*time.Hour), endAt, raw)
		exec(`INSERT INTO order_line_items (order_id, line_item_number, offer_id, subscription_id, parent_subscription_id, friendly_name, quantity, term_duration)
			VALUES ($1, (SELECT count(*) FROM order_line_items WHERE order_id = $1), $2, $3, $4, $5, 10, 'P1Y')`, orderID, "offer-"+role, id, parent, name+" "+offer)
	}
	sub("base", "Business Premium", "active", done, "", true, false, end, nil, "{}")
	sub("addon", "Defender add-on", "active", done, "base", true, false, end, nil, "{}")
	sub("suspended", "Visio", "suspended", done, "", true, false, end, []string{"CustomerCancellation"}, "{}")
	sub("unpaid", "Project", "suspended", done, "", true, false, end, []string{"PaymentIssue"}, "{}")
	sub("expired", "Exchange", "active", done, "", false, false, past, nil, "{}")
	sub("pending", "Teams", "pending", waiting, "", true, false, end, nil, "{}")
	sub("old", "E3 legacy", "active", done, "", true, false, end, nil, "{}")
	sub("new", "E3", "active", done, "", true, false, end, nil, fmt.Sprintf(`{"migratedFromSubscriptionId": %q}`, f.Subs["old"]))
	sub("trial", "Power BI trial", "active", done, "", false, true, end, nil, "{}")
	exec(`INSERT INTO subscribed_skus (customer_id, sku_id, sku_part_number, sku_name, consumed_units, active_units)
		VALUES ($1, $2, 'SPB', $3, 7, 10)`, f.ID, uuid.NewString(), name+" Business Premium")
	return f
}

// createCustomerUser adds a password account bound to customer id.
func (e *env) createCustomerUser(email string, id uuid.UUID) store.User {
	e.t.Helper()
	u, err := e.st.CreateUser(e.t.Context(), store.NewUser{Email: email, DisplayName: strings.Split(email, "@")[0],
		Role: store.RoleCustomer, PasswordHash: testHash(), CustomerID: &id, CustomerVia: "invitation"})
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// seedSeatRequest stores a seat request of f's base subscription by u and
// returns its id.
func (e *env) seedSeatRequest(f tenantFixture, u store.User) string {
	e.t.Helper()
	var id int64
	err := e.st.Pool.QueryRow(e.t.Context(), `INSERT INTO support_requests (customer_id, kind, token, subscription_id, current_seats,
		requested_seats, subject, requested_by, requester_label) VALUES ($1, 'seats', $2, $3, 10, 15, $4, $5, $6) RETURNING id`,
		f.ID, uuid.New(), f.Subs["base"], f.Name+" seats", u.ID, u.Email).Scan(&id)
	if err != nil {
		e.t.Fatal(err)
	}
	return fmt.Sprint(id)
}
