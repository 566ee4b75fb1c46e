package handlers

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/prices"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// catalogPageSize is the number of offers per catalog page.
const catalogPageSize = 25

// catalogParams are the catalog list's URL parameters, in a fixed order so
// shared links look alike.
var catalogParams = []string{"q", "country", "currency", "family", "billing", "addon", "term", "cycle", "purchasable", "sort"}

// catalogList is the catalog: full-text search, filters and sort in the
// URL, server-side pages, read from the mirror only.
func (s *Server) catalogList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	if canonicalRedirect(w, r) {
		return nil
	}
	f := templates.NewForm()
	for _, k := range catalogParams {
		f.Values[k] = strings.TrimSpace(q.Get(k))
	}
	country := strings.ToUpper(f.Get("country"))
	if !reCountry.MatchString(country) {
		st, err := s.st.Settings(ctx)
		if err != nil {
			return err
		}
		country = cmp.Or(st.DefaultCountry, "US")
	}
	f.Values["country"] = country
	f.Values["q"] = searchTerms(f.Get("q"))
	facets, err := s.st.CatalogFacets(ctx, country)
	if err != nil {
		return err
	}
	// Values outside the known choices are dropped rather than refused: a
	// stale shared link still opens.
	keep := func(name string, allowed ...string) {
		v := f.Get(name)
		for _, a := range allowed {
			if strings.EqualFold(v, a) {
				f.Values[name] = a
				return
			}
		}
		f.Values[name] = ""
	}
	keep("billing", "license", "usage")
	keep("addon", "base", "addon")
	keep("sort", "relevance", "name", "name_desc", "family")
	keep("currency", facets.Currencies...)
	keep("family", facets.Families...)
	keep("term", facets.Terms...)
	keep("cycle", facets.Cycles...)
	keep("purchasable", "1")
	if f.Get("sort") == "" {
		f.Values["sort"] = "relevance"
	}
	page := pageParam(q.Get("page"))
	filter := store.CatalogFilter{Query: f.Get("q"), Country: country, Currency: f.Get("currency"), Family: f.Get("family"),
		Billing: f.Get("billing"), AddOn: f.Get("addon"), Term: f.Get("term"), BillingCycle: f.Get("cycle"),
		Purchasable: f.Get("purchasable") == "1", Sort: f.Get("sort"), Offset: (page - 1) * catalogPageSize, Limit: catalogPageSize,
		Items: facets.Items, Version: facets.Version}
	res, err := s.st.CatalogSearch(ctx, filter)
	if err != nil {
		return err
	}
	v := templates.CatalogView{Form: f, Total: res.Total, Freshness: i18n.Text(ctx, "The catalog has not been synced yet: run a catalog sync from the Sync page.")}
	if !facets.SyncedAt.IsZero() {
		v.Freshness = i18n.T(ctx, "h.catalog.synced_ago", ago(ctx, s.now().Sub(facets.SyncedAt)))
	}
	for _, c := range facets.Countries {
		v.Countries = append(v.Countries, templates.Option{Value: c, Label: c})
	}
	if len(v.Countries) == 0 {
		v.Countries = []templates.Option{{Value: country, Label: country}}
	}
	for _, c := range facets.Currencies {
		v.Currencies = append(v.Currencies, templates.Option{Value: c, Label: c})
	}
	for _, c := range facets.Families {
		v.Families = append(v.Families, templates.Option{Value: c, Label: c})
	}
	for _, t := range facets.Terms {
		v.Terms = append(v.Terms, templates.Option{Value: t, Label: termLabel(ctx, t)})
	}
	for _, c := range facets.Cycles {
		v.Cycles = append(v.Cycles, templates.Option{Value: c, Label: c})
	}
	for _, it := range res.Items {
		v.Rows = append(v.Rows, templates.CatalogRow{Href: offerHref(it.Country, it.Kind, it.ID), Name: it.Name, Kind: it.Kind,
			Family: it.Family, Billing: it.Billing, AddOn: it.IsAddOn, Terms: termsLabel(ctx, it.Terms), Cycles: strings.Join(it.BillingCycles, ", "),
			Purchasable: it.Purchasable, Description: it.Description})
	}
	if err := s.catalogRowPrices(ctx, country, facets.Version, res.Items, v.Rows); err != nil {
		return err
	}
	v.NoPrices = !facets.Sheet
	v.Pager = pager(r.URL, page, catalogPageSize, res.Total)
	return s.render(w, r, http.StatusOK, templates.CatalogPage(s.page(r, "Catalog", "/catalog"), v))
}

// offerShow is one legacy offer or new-commerce SKU with its prices and
// the offers that go with it.
func (s *Server) offerShow(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	country := strings.ToUpper(chi.URLParam(r, "country"))
	kind, id := "offer", chi.URLParam(r, "id")
	if p := chi.URLParam(r, "product"); p != "" {
		kind, id = "sku", p+"/"+chi.URLParam(r, "sku")
	}
	if !reCountry.MatchString(country) {
		return store.ErrNotFound
	}
	it, gone, err := s.st.CatalogItem(ctx, country, kind, id)
	if err != nil {
		return err
	}
	v := templates.OfferView{Name: it.Name, ID: it.ID, Kind: it.Kind, Country: it.Country, Description: it.Description,
		Family: it.Family, Billing: it.Billing, AddOn: it.IsAddOn, UnitType: cmp.Or(it.UnitType, "—"),
		MinQuantity: int(it.MinQuantity), MaxQuantity: int(it.MaxQuantity), Terms: cmp.Or(termsLabel(ctx, it.Terms), "—"),
		Cycles: cmp.Or(strings.Join(it.BillingCycles, ", "), "—"), Purchasable: it.Purchasable, Gone: gone != nil,
		OrderHref:       "/orders/new?" + url.Values{"country": {it.Country}, "item": {it.Kind + ":" + it.ID}}.Encode(),
		ReplacementHref: "/catalog?" + url.Values{"country": {it.Country}, "q": {it.Name}}.Encode()}
	p := s.page(r, it.Name, "/catalog")
	if rules.IsAzurePlan(it.Kind, it.ID, it.Family, it.Billing) {
		if p.Unavailable = s.missing(ctx, rules.CapAzurePlan); len(p.Unavailable) > 0 {
			v.Unavailable = true
		}
	}
	pricesKey := it.ID
	if kind == "sku" {
		pricesKey = strings.Replace(it.ID, "/", ":", 1) + ":"
		sp := strings.SplitN(it.ID, "/", 2)
		pre, err := s.st.SkuPrerequisites(ctx, country, sp[0], sp[1])
		if err != nil {
			return err
		}
		v.RequiresRaw = pre
	} else {
		links := func(kind string) ([]templates.OfferLink, error) {
			items, err := s.st.CatalogRelated(ctx, country, it.ID, kind)
			var out []templates.OfferLink
			for _, x := range items {
				out = append(out, templates.OfferLink{Href: offerHref(x.Country, x.Kind, x.ID), Name: x.Name})
			}
			return out, err
		}
		if v.AddOns, err = links("addon"); err != nil {
			return err
		}
		if v.Requires, err = links("prerequisite"); err != nil {
			return err
		}
		if it.IsAddOn {
			if v.Bases, err = links("base"); err != nil {
				return err
			}
		}
	}
	ps, err := s.st.CatalogPrices(ctx, country, pricesKey)
	if err != nil {
		return err
	}
	for _, p := range ps {
		sale, rule, err := s.pri.Pricer().UnitSale(ctx, prices.Provider, uuid.Nil, it.ID, it.Family, p.UnitPrice)
		if err != nil {
			return err
		}
		v.Prices = append(v.Prices, templates.OfferPriceRow{Term: cmp.Or(termLabel(ctx, p.TermDuration), "—"), Cycle: cmp.Or(p.BillingCycle, "—"),
			Currency: p.Currency, Price: templates.Money(p.UnitPrice, p.Currency), Sale: templates.Money(sale, p.Currency), Margin: marginLabel(p.UnitPrice, sale, p.Currency),
			Rule: cmp.Or(rule, i18n.T(ctx, "h.catalog.no_rule")), ERP: "—"})
		if p.ERPPrice.Valid {
			v.Prices[len(v.Prices)-1].ERP = templates.Money(p.ERPPrice.Decimal, p.Currency)
		}
	}
	return s.render(w, r, http.StatusOK, templates.OfferPage(p, v))
}

// orderNew is a placeholder for ordering until the ordering work lands.
func (s *Server) orderNew(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	country := strings.ToUpper(q.Get("country"))
	kind, id, ok := strings.Cut(q.Get("item"), ":")
	if !ok || !reCountry.MatchString(country) {
		return store.ErrNotFound
	}
	it, _, err := s.st.CatalogItem(ctx, country, kind, id)
	if err != nil {
		return err
	}
	v := templates.OrderForView{Offer: it.Name, OfferHref: offerHref(country, kind, id), Country: country,
		Item: q.Get("item"), Query: strings.TrimSpace(q.Get("q"))}
	p := s.page(r, i18n.T(ctx, "h.catalog.order_title", it.Name), "/catalog")
	if rules.IsAzurePlan(it.Kind, it.ID, it.Family, it.Billing) {
		if p.Unavailable = s.missing(ctx, rules.CapAzurePlan); len(p.Unavailable) > 0 {
			v.Unavailable = true
			return s.render(w, r, http.StatusOK, templates.OrderForPage(p, v))
		}
	}
	cartItem, err := s.st.CartItemOf(ctx, country, kind, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		v.NotBuyable = true
	case err != nil:
		return err
	}
	if !v.NotBuyable {
		page, err := s.st.CustomerSearch(ctx, store.CustomerFilter{Query: v.Query, Limit: 20, NoTotal: true, Now: s.now()})
		if err != nil {
			return err
		}
		for _, c := range page.Rows {
			cv := templates.OrderForCustomer{Name: cmp.Or(c.CompanyName, c.Domain), Domain: c.Domain, Country: c.Country,
				Href: "/customers/" + c.ID.String() + "/cart"}
			if strings.EqualFold(c.Country, country) {
				cv.Href += "?" + url.Values{"item": {cartItem}}.Encode()
				cv.SameMarket = true
			}
			v.Customers = append(v.Customers, cv)
		}
	}
	return s.render(w, r, http.StatusOK, templates.OrderForPage(p, v))
}

func offerHref(country, kind, id string) string {
	if kind == "sku" {
		p, sku, _ := strings.Cut(id, "/")
		return "/catalog/" + url.PathEscape(country) + "/products/" + url.PathEscape(p) + "/skus/" + url.PathEscape(sku)
	}
	return "/catalog/" + url.PathEscape(country) + "/offers/" + url.PathEscape(id)
}

// canonicalRedirect sends a list URL carrying empty parameters (what a GET
// form submits for unused filters) to the same URL without them, so shared
// links stay short. It reports whether it redirected.
func canonicalRedirect(w http.ResponseWriter, r *http.Request) bool {
	q := r.URL.Query()
	clean := url.Values{}
	dirty := false
	for k, vs := range q {
		for _, v := range vs {
			if strings.TrimSpace(v) == "" {
				dirty = true
				continue
			}
			clean.Add(k, v)
		}
	}
	if !dirty {
		return false
	}
	to := r.URL.Path
	if len(clean) > 0 {
		to += "?" + clean.Encode()
	}
	http.Redirect(w, r, to, http.StatusFound)
	return true
}
