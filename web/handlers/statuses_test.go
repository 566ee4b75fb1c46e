package handlers_test

import (
	"net/http"
	"strings"
	"testing"
)

// PC has subscription states beyond active and suspended (expired,
// disabled, deleted) and may add more: the mirror keeps them as strings
// and every page that shows a subscription renders them.
func TestRareAndUnknownSubscriptionStatusesRender(t *testing.T) {
	t.Parallel()
	e := newPCEnv(t, false)
	e.sync("full")
	type sub struct{ cust, id string }
	var subs []sub
	rows, err := e.st.Pool.Query(t.Context(), `SELECT customer_id::text, id FROM subscriptions
		WHERE parent_subscription_id = '' AND gone_at IS NULL ORDER BY id LIMIT 4`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var x sub
		rows.Scan(&x.cust, &x.id)
		subs = append(subs, x)
	}
	rows.Close()
	if len(subs) < 4 {
		t.Fatalf("seed has %d base subscriptions", len(subs))
	}
	statuses := []string{"expired", "disabled", "deleted", "pendingSomethingNew"}
	for i, st := range statuses {
		if err := e.sb.SetSubscriptionStatus(subs[i].cust, subs[i].id, st); err != nil {
			t.Fatal(err)
		}
	}
	e.sync("full")
	c := e.client()
	e.login(c, "staff@example.com")
	for i, st := range statuses {
		p := e.get(c, "/customers/"+subs[i].cust)
		// Statuses are case-insensitive at PC; the mirror keeps them lowercased.
		if p.StatusCode != http.StatusOK || !strings.Contains(strings.ToLower(p.body), strings.ToLower(st)) {
			t.Errorf("customer page with a %q subscription: %d", st, p.StatusCode)
		}
		p = e.get(c, "/customers/"+subs[i].cust+"/subscriptions/"+subs[i].id)
		if p.StatusCode != http.StatusOK || !strings.Contains(strings.ToLower(p.body), strings.ToLower(st)) {
			t.Errorf("subscription page with status %q: %d", st, p.StatusCode)
		}
	}
	cust := subs[3].cust
	if p := e.get(c, "/customers/"+cust+"/view/subscriptions"); p.StatusCode != http.StatusOK {
		t.Errorf("customer view: %d", p.StatusCode)
	}
	if p := e.get(c, "/customers/"+cust+"/view/subscriptions.csv"); p.StatusCode != http.StatusOK {
		t.Errorf("customer view CSV: %d", p.StatusCode)
	}
}
