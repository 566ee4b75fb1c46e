package pccclient

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strings"
)

// offerPageSize is the page size the client asks for on offset-paged lists.
const offerPageSize = 200

func errSeq[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}

func esc(s string) string { return url.PathEscape(s) }

// ListOffers lists the legacy offers of a market (GET /offers?country=),
// following offset paging.
func (c *Client) ListOffers(ctx context.Context, country string) iter.Seq2[Offer, error] {
	const op = "list-offers"
	if err := check(op).country(country).done(); err != nil {
		return errSeq[Offer](err)
	}
	return pages[Offer](ctx, c, &call{op: op, class: ClassCatalog, method: http.MethodGet, path: "/offers",
		query: url.Values{"country": {country}, "offset": {"0"}, "size": {c.pageSize(offerPageSize)}}}, true)
}

// GetOffer returns one offer of a market.
func (c *Client) GetOffer(ctx context.Context, country, offerID string) (*Offer, error) {
	const op = "get-offer"
	if err := check(op).country(country).required("offerID", offerID).done(); err != nil {
		return nil, err
	}
	var o Offer
	_, err := c.do(ctx, &call{op: op, class: ClassCatalog, method: http.MethodGet, path: "/offers/" + esc(offerID),
		query: url.Values{"country": {country}}, out: &o})
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// ListOfferAddOns lists the add-ons of an offer.
func (c *Client) ListOfferAddOns(ctx context.Context, country, offerID string) iter.Seq2[Offer, error] {
	const op = "list-offer-addons"
	if err := check(op).country(country).required("offerID", offerID).done(); err != nil {
		return errSeq[Offer](err)
	}
	return pages[Offer](ctx, c, &call{op: op, class: ClassCatalog, method: http.MethodGet,
		path: "/offers/" + esc(offerID) + "/addons", query: url.Values{"country": {country}, "offset": {"0"}, "size": {c.pageSize(offerPageSize)}}}, true)
}

// ListProducts lists new-catalog products of a market and target view
// ("OnlineServices", "Azure", "Software", ...).
func (c *Client) ListProducts(ctx context.Context, country, targetView string) iter.Seq2[Product, error] {
	const op = "list-products"
	if err := check(op).country(country).required("targetView", targetView).done(); err != nil {
		return errSeq[Product](err)
	}
	return pages[Product](ctx, c, &call{op: op, class: ClassCatalog, method: http.MethodGet, path: "/products",
		query: url.Values{"country": {country}, "targetView": {targetView}}}, false)
}

// GetProduct returns one product.
func (c *Client) GetProduct(ctx context.Context, country, productID string) (*Product, error) {
	const op = "get-product"
	if err := check(op).country(country).required("productID", productID).done(); err != nil {
		return nil, err
	}
	var p Product
	if _, err := c.do(ctx, &call{op: op, class: ClassCatalog, method: http.MethodGet, path: "/products/" + esc(productID),
		query: url.Values{"country": {country}}, out: &p}); err != nil {
		return nil, err
	}
	return &p, nil
}

// ListSKUs lists the SKUs of a product.
func (c *Client) ListSKUs(ctx context.Context, country, productID string) iter.Seq2[SKU, error] {
	const op = "list-skus"
	if err := check(op).country(country).required("productID", productID).done(); err != nil {
		return errSeq[SKU](err)
	}
	return pages[SKU](ctx, c, &call{op: op, class: ClassCatalog, method: http.MethodGet,
		path: "/products/" + esc(productID) + "/skus", query: url.Values{"country": {country}}}, false)
}

// GetSKU returns one SKU of a product.
func (c *Client) GetSKU(ctx context.Context, country, productID, skuID string) (*SKU, error) {
	const op = "get-sku"
	if err := check(op).country(country).required("productID", productID).required("skuID", skuID).done(); err != nil {
		return nil, err
	}
	var s SKU
	if _, err := c.do(ctx, &call{op: op, class: ClassCatalog, method: http.MethodGet,
		path: "/products/" + esc(productID) + "/skus/" + esc(skuID), query: url.Values{"country": {country}}, out: &s}); err != nil {
		return nil, err
	}
	return &s, nil
}

// ListAvailabilities lists the availabilities of a SKU.
func (c *Client) ListAvailabilities(ctx context.Context, country, productID, skuID string) iter.Seq2[Availability, error] {
	const op = "list-availabilities"
	if err := check(op).country(country).required("productID", productID).required("skuID", skuID).done(); err != nil {
		return errSeq[Availability](err)
	}
	return pages[Availability](ctx, c, &call{op: op, class: ClassCatalog, method: http.MethodGet,
		path: "/products/" + esc(productID) + "/skus/" + esc(skuID) + "/availabilities", query: url.Values{"country": {country}}}, false)
}

// GetAvailability returns one availability.
func (c *Client) GetAvailability(ctx context.Context, country, productID, skuID, availabilityID string) (*Availability, error) {
	const op = "get-availability"
	if err := check(op).country(country).required("productID", productID).required("skuID", skuID).
		required("availabilityID", availabilityID).done(); err != nil {
		return nil, err
	}
	var a Availability
	if _, err := c.do(ctx, &call{op: op, class: ClassCatalog, method: http.MethodGet,
		path:  "/products/" + esc(productID) + "/skus/" + esc(skuID) + "/availabilities/" + esc(availabilityID),
		query: url.Values{"country": {country}}, out: &a}); err != nil {
		return nil, err
	}
	return &a, nil
}

// CheckDomainAvailable reports whether a <prefix>.onmicrosoft.com domain is
// free for a new customer (HEAD /domains/{domain}: 200 = taken, 404 = free).
func (c *Client) CheckDomainAvailable(ctx context.Context, domain string) (bool, error) {
	const op = "check-domain"
	if err := check(op).required("domain", domain).
		check(!strings.ContainsAny(domain, " @"), "domain", "must be a domain name").done(); err != nil {
		return false, err
	}
	res, err := c.do(ctx, &call{op: op, class: ClassCatalog, method: http.MethodHead, path: "/domains/" + esc(domain),
		ok: []int{http.StatusOK, http.StatusNotFound}})
	if err != nil {
		return false, err
	}
	return res.status == http.StatusNotFound, nil
}

// ListAgreementMetadata lists agreement templates, optionally of one type
// (e.g. AgreementMicrosoftCustomerAgreement; "" = all).
func (c *Client) ListAgreementMetadata(ctx context.Context, agreementType string) iter.Seq2[AgreementMetadata, error] {
	q := url.Values{}
	if agreementType != "" {
		q.Set("agreementType", agreementType)
	}
	return pages[AgreementMetadata](ctx, c, &call{op: "get-agreement-metadata", class: ClassCatalog, method: http.MethodGet,
		path: "/agreements", query: q}, false)
}

// GetAgreementMetadata returns the current template of an agreement type
// (the entry with the highest versionRank).
func (c *Client) GetAgreementMetadata(ctx context.Context, agreementType string) (*AgreementMetadata, error) {
	const op = "get-agreement-metadata"
	if err := check(op).required("agreementType", agreementType).done(); err != nil {
		return nil, err
	}
	all, err := Collect(c.ListAgreementMetadata(ctx, agreementType))
	if err != nil {
		return nil, err
	}
	var best *AgreementMetadata
	for i := range all {
		if strings.EqualFold(all[i].AgreementType, agreementType) && (best == nil || all[i].VersionRank > best.VersionRank) {
			best = &all[i]
		}
	}
	if best == nil {
		return nil, &Error{Operation: op, HTTPStatus: http.StatusNotFound, Description: "no agreement template of type " + agreementType}
	}
	return best, nil
}
