package handlers

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/prices"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// customerPageSize is the number of customers per list page.
const customerPageSize = 50

// customerList is the customer list: search by name, domain or tenant id,
// filters, counts and pages, from the mirror.
func (s *Server) customerList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	if canonicalRedirect(w, r) {
		return nil
	}
	f := templates.NewForm()
	f.Values["q"] = searchTerms(q.Get("q"))
	for _, k := range []string{"suspended", "renewals", "noagreement"} {
		if q.Get(k) == "1" {
			f.Values[k] = "1"
		}
	}
	page := pageParam(q.Get("page"))
	now := s.now()
	counts, err := s.counts.get(ctx, s.st, now)
	if err != nil {
		return err
	}
	filter := store.CustomerFilter{Query: f.Get("q"), Suspended: f.Get("suspended") == "1",
		Renewals: f.Get("renewals") == "1", NoAgreement: f.Get("noagreement") == "1", Now: now,
		Offset: (page - 1) * customerPageSize, Limit: customerPageSize}
	filter.NoTotal = filter.Query == "" && !filter.Suspended && !filter.Renewals && !filter.NoAgreement
	if filter.NoTotal && page > 1 {
		// The unfiltered list's previous/next links name the customer the
		// page starts after (or ends before): a keyset, so page 150 costs
		// what page 2 does. A bare ?page=N starts after the customer that
		// ended page N-1 when the counts were taken (at most
		// customerCountsTTL ago, as old as the total the pager shows).
		filter.After, filter.Before = uuidParam(q.Get("after")), uuidParam(q.Get("before"))
		if filter.After == nil && filter.Before == nil && page-2 < len(counts.PageEnds) {
			filter.After = &counts.PageEnds[page-2]
		}
	}
	res, err := s.st.CustomerSearch(ctx, filter)
	if err != nil {
		return err
	}
	if len(res.Rows) == 0 && (filter.After != nil || filter.Before != nil) {
		// The customer the page was to start after (or end before) was
		// deleted since: by offset, as before keysets.
		filter.After, filter.Before = nil, nil
		if res, err = s.st.CustomerSearch(ctx, filter); err != nil {
			return err
		}
	}
	if filter.NoTotal {
		res.Total = counts.All
	}
	v := templates.CustomerListView{Form: f, Total: res.Total, All: counts.All, Suspended: counts.Suspended,
		Renewals: counts.Renewals, NoAgreement: counts.NoAgreement, Pager: pager(r.URL, page, customerPageSize, res.Total)}
	if filter.NoTotal && len(res.Rows) > 0 {
		keysetLinks(&v.Pager, r.URL, page, res.Rows[0].ID, res.Rows[len(res.Rows)-1].ID)
	}
	for _, c := range res.Rows {
		row := templates.CustomerListRow{Href: "/customers/" + c.ID.String(), Name: cmp.Or(c.CompanyName, c.Domain), Domain: c.Domain,
			Country: c.Country, Subscriptions: c.Subscriptions, Suspended: c.Suspended, Agreement: c.HasAgreement, NextRenewal: "—",
			RelationshipRemoved: c.RelationshipRemoved}
		if c.NextRenewal != nil {
			row.NextRenewal = c.NextRenewal.UTC().Format("2006-01-02")
		}
		v.Rows = append(v.Rows, row)
	}
	return s.render(w, r, http.StatusOK, templates.CustomerListPage(s.page(r, "Customers", "/customers"), v))
}

// uuidParam is v as a customer id, nil when it is none.
func uuidParam(v string) *uuid.UUID {
	id, err := uuid.Parse(v)
	if err != nil {
		return nil
	}
	return &id
}

// keysetLinks points the pager's previous and next links of page at the
// customers before first and after last.
func keysetLinks(pg *templates.Pager, u *url.URL, page int, first, last uuid.UUID) {
	link := func(n int, key string, id uuid.UUID) string {
		q := u.Query()
		q.Del("after")
		q.Del("before")
		q.Del("page")
		if n > 1 {
			q.Set("page", strconv.Itoa(n))
			q.Set(key, id.String())
		}
		if len(q) == 0 {
			return u.Path
		}
		return u.Path + "?" + q.Encode()
	}
	if pg.PrevHref != "" {
		pg.PrevHref = link(page-1, "before", first)
	}
	if pg.NextHref != "" {
		pg.NextHref = link(page+1, "after", last)
	}
}

// customerCountsTTL is how long the customer list's filter counts are
// reused before a request recomputes them: they cover every customer and
// change only with syncs and onboarding.
const customerCountsTTL = 10 * time.Second

// countsCache holds the customer list's filter counts between requests.
type countsCache struct {
	mu       sync.Mutex
	at       time.Time
	counts   store.CustomerCounts
	ok       bool          // counts were computed at least once
	inflight chan struct{} // closed when the running computation ends
}

// get returns st's filter counts, computed at most once per
// customerCountsTTL. While one request recomputes stale counts, the others
// get the previous ones instead of queueing behind the query (every
// connection waiting on one ~20 ms query every ten seconds was the list's
// p99 under load); only the very first computation is waited for.
func (c *countsCache) get(ctx context.Context, st *store.Store, now time.Time) (store.CustomerCounts, error) {
	c.mu.Lock()
	for {
		if c.ok && (c.inflight != nil || time.Since(c.at) < customerCountsTTL) {
			counts := c.counts
			c.mu.Unlock()
			return counts, nil
		}
		if c.inflight == nil {
			break
		}
		wait := c.inflight
		c.mu.Unlock()
		select {
		case <-ctx.Done():
			return store.CustomerCounts{}, ctx.Err()
		case <-wait:
		}
		c.mu.Lock()
	}
	done := make(chan struct{})
	c.inflight = done
	c.mu.Unlock()
	counts, err := st.CustomerCounts(ctx, now, customerPageSize)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inflight = nil
	close(done)
	if err != nil {
		return counts, err
	}
	c.at, c.counts, c.ok = time.Now(), counts, true
	return counts, nil
}

// customerShow is one customer: profiles, agreement, subscriptions with
// add-ons nested, orders, license usage and the audit trail.
func (s *Server) customerShow(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		return store.ErrNotFound
	}
	d, err := s.st.CustomerDetail(ctx, id)
	if err != nil {
		return err
	}
	c := d.Customer
	v := templates.CustomerView{ID: c.ID.String(), Name: cmp.Or(c.CompanyName, c.Domain), Domain: c.Domain, TenantID: cmp.Or(c.TenantID, c.ID.String()),
		Email: c.CompanyEmail, Relationship: cmp.Or(c.Relationship, "—"), Gone: c.GoneAt != nil, SyncedAgo: ago(ctx, s.now().Sub(c.SyncedAt)),
		RetryHref: "/customers/" + c.ID.String() + "/agreement/retry", LicenseUsageProblem: c.LicenseUsageError}
	if c.RelationshipRemovedAt != nil {
		v.RelationshipRemoved = c.RelationshipRemovedAt.UTC().Format("2006-01-02")
	}
	for _, l := range []string{c.AddressLine1, c.AddressLine2, strings.TrimSpace(c.AddressPostalCode + " " + c.AddressCity), c.AddressState, c.AddressCountry} {
		if strings.TrimSpace(l) != "" {
			v.Address = append(v.Address, l)
		}
	}
	for _, kv := range [][2]string{{i18n.T(ctx, "h.customer.contact"), strings.TrimSpace(c.BillingFirstName + " " + c.BillingLastName)},
		{i18n.T(ctx, "h.customer.email"), c.BillingEmail}, {i18n.T(ctx, "h.customer.phone"), c.BillingPhone},
		{i18n.T(ctx, "h.customer.company"), c.BillingCompanyName}, {i18n.T(ctx, "h.customer.culture"), c.BillingCulture},
		{i18n.T(ctx, "h.customer.language"), c.BillingLanguage}} {
		if kv[1] != "" {
			v.Billing = append(v.Billing, templates.AuditView{At: kv[0], Actor: kv[1]})
		}
	}
	for _, a := range d.Agreements {
		v.Agreements = append(v.Agreements, templates.AgreementView{Type: agreementName(ctx, a.AgreementType), Date: a.DateAgreed.UTC().Format("2006-01-02"),
			Contact: strings.TrimSpace(a.ContactFirstName+" "+a.ContactLastName) + " <" + a.ContactEmail + ">"})
	}
	if len(d.Agreements) == 0 {
		if err := s.agreementState(r, c.ID, &v); err != nil {
			return err
		}
	}
	// The totals cover every subscription; the tables show one page of
	// products (a base with its add-ons).
	subs := d.Subscriptions
	products, addOns := d.Nest.Bases, d.Nest.AddOns
	for _, sb := range subs {
		v.SubscriptionCount, v.Seats = v.SubscriptionCount+1, v.Seats+int(sb.Quantity)
	}
	lo, hi, pg := rowWindow(r.URL, len(products), func(i int) string { return subs[products[i]].ID })
	v.Subscriptions, v.SubscriptionPager = subscriptionViews(i18n.From(ctx), subs, products[lo:hi], addOns), pg
	onPage := map[string]int{} // the page's subscriptions by their place in its table
	for _, sb := range v.Subscriptions {
		onPage[sb.ID] = len(onPage) + 1
		for _, a := range sb.AddOns {
			onPage[a.ID] = len(onPage) + 1
		}
	}
	for i := range v.Subscriptions {
		v.Subscriptions[i].Href = "/customers/" + c.ID.String() + "/subscriptions/" + v.Subscriptions[i].ID
		for j := range v.Subscriptions[i].AddOns {
			v.Subscriptions[i].AddOns[j].Href = "/customers/" + c.ID.String() + "/subscriptions/" + v.Subscriptions[i].AddOns[j].ID
		}
	}
	// Prices: the run rate at cost and sale, and each subscription's
	// renewal at its next term's sale price.
	rr, err := s.pri.Pricer().RunRateAt(ctx, prices.Provider, c.ID, d.Version, d.Priced)
	if err != nil {
		return err
	}
	base := "/customers/" + c.ID.String()
	// Lines are formatted for the page's subscriptions only; the totals
	// cover them all.
	// The run rate is shared (a big customer's is kept): the page's lines
	// go to a slice of their own, in the table's order.
	paged := rr
	placed := make([]prices.SubscriptionPrice, len(onPage))
	for _, sp := range rr.Subscriptions {
		if at := onPage[sp.ID]; at != 0 {
			placed[at-1] = sp
		}
	}
	// Each row's renewal at its next term's sale price, found by its
	// place (a map of the prices copied each of them once more).
	for i := range v.Subscriptions {
		sv := &v.Subscriptions[i]
		sp := &placed[onPage[sv.ID]-1]
		sv.RenewsAt, sv.PriceChanges = saleRenewal(ctx, *sp), sp.SaleChanges()
		for j := range sv.AddOns {
			a := &sv.AddOns[j]
			sp := &placed[onPage[a.ID]-1]
			a.RenewsAt, a.PriceChanges = saleRenewal(ctx, *sp), sp.SaleChanges()
		}
	}
	paged.Subscriptions = slices.DeleteFunc(placed, func(sp prices.SubscriptionPrice) bool { return sp.ID == "" })
	v.RunRate, v.RunRateTotals = runRateView(ctx, paged, base)
	v.PriceListHref, v.PriceListCostHref = base+"/prices.csv", base+"/prices.csv?cost=1"
	for _, o := range d.Orders {
		ov := templates.OrderView{ID: o.ID, Status: o.Status, Lines: int(o.Lines), Created: "—", Total: "—"}
		if o.CreationDate != nil {
			ov.Created = o.CreationDate.UTC().Format("2006-01-02")
		}
		if o.TotalPrice.Valid {
			ov.Total = templates.Money(o.TotalPrice.Decimal, o.Currency)
		}
		v.Orders = append(v.Orders, ov)
	}
	for _, u := range d.Usage {
		v.Usage = append(v.Usage, templates.UsageView{SKU: u.SkuPartNumber, Name: cmp.Or(u.SkuName, u.SkuPartNumber),
			Assigned: int(u.Assigned), Purchased: int(u.Purchased), Over: u.Assigned > u.Purchased})
	}
	for _, a := range d.Audit {
		v.Audit = append(v.Audit, templates.AuditView{At: a.At.UTC().Format("2006-01-02 15:04 UTC"), Source: sourceLabel(ctx, a.Source),
			Actor: a.Actor, Action: a.Action, Outcome: a.Outcome, Detail: a.Detail})
	}
	return s.render(w, r, http.StatusOK, templates.CustomerPage(s.page(r, v.Name, "/customers"), v))
}

func sourceLabel(ctx context.Context, s string) string {
	if s == "pc" {
		return i18n.T(ctx, "h.source.pc")
	}
	return i18n.T(ctx, "h.source.portal")
}

// agreementName is an agreement type as people write it
// ("MicrosoftCustomerAgreement" is the Microsoft Customer Agreement).
func agreementName(ctx context.Context, t string) string {
	if t == "MicrosoftCustomerAgreement" {
		return i18n.T(ctx, "h.customer.mca")
	}
	return t
}

// subscriptionViews are the customer page's rows of the products given
// (positions in subs, a base with its add-ons): only the page's products
// are formatted.
func subscriptionViews(l i18n.Lang, subs []store.CustomerSubscription, products []int, addOns map[int][]int) []templates.SubscriptionView {
	view := func(s *store.CustomerSubscription) templates.SubscriptionView {
		return templates.SubscriptionView{ID: s.ID, Name: cmp.Or(s.FriendlyName, s.OfferName), Offer: s.OfferName, Status: s.Status,
			Quantity: strconv.Itoa(int(s.Quantity)) + " " + strings.ToLower(s.UnitType), Term: cmp.Or(rules.TermLabel(l, s.TermDuration), "—"),
			Cycle: cmp.Or(s.BillingCycle, "—"), AutoRenew: s.AutoRenewEnabled, Renews: renewalDate(s.CommitmentEndDate),
			NCE: rules.Subscription{OfferID: s.OfferID}.NCE()}
	}
	out := make([]templates.SubscriptionView, 0, len(products))
	for _, p := range products {
		v := view(&subs[p])
		for _, a := range addOns[p] {
			v.AddOns = append(v.AddOns, view(&subs[a]))
		}
		out = append(out, v)
	}
	return out
}
