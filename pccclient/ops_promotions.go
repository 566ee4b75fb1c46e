package pccclient

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strings"
)

// SegmentCommercial is the customer segment PC lists promotions for (the
// only one it supports: "Get promotions").
const SegmentCommercial = "commercial"

// ListProductPromotions lists the new-commerce promotions running now for
// customers of a market and segment (GET /productpromotions?country=&segment=;
// segment "" means SegmentCommercial).
func (c *Client) ListProductPromotions(ctx context.Context, country, segment string) iter.Seq2[ProductPromotion, error] {
	const op = "list-promotions"
	if segment == "" {
		segment = SegmentCommercial
	}
	if err := check(op).country(country).required("segment", segment).done(); err != nil {
		return errSeq[ProductPromotion](err)
	}
	return pages[ProductPromotion](ctx, c, &call{op: op, class: ClassCatalog, method: http.MethodGet, path: "/productpromotions",
		query: url.Values{"country": {country}, "segment": {segment}}}, false)
}

// GetProductPromotion returns one promotion of a market by id, also one
// that has ended (PC keeps them for reconciliation: "Get promotion by ID").
func (c *Client) GetProductPromotion(ctx context.Context, country, promotionID string) (*ProductPromotion, error) {
	const op = "get-promotion"
	if err := check(op).country(country).required("promotionID", promotionID).done(); err != nil {
		return nil, err
	}
	var p ProductPromotion
	if _, err := c.do(ctx, &call{op: op, class: ClassCatalog, method: http.MethodGet, path: "/productpromotions/" + esc(promotionID),
		query: url.Values{"country": {country}}, out: &p}); err != nil {
		return nil, err
	}
	return &p, nil
}

// CheckPromotionEligibilities asks whether purchases by a customer are
// eligible for promotions (POST /customers/{id}/promotionEligibilities):
// for an item with a PromotionID that promotion, otherwise every running
// promotion of the catalog item. Items without an ID are numbered 0..n-1.
// It changes nothing at PC, so no MS-RequestId needs keeping.
func (c *Client) CheckPromotionEligibilities(ctx context.Context, customerID string, items []PromotionEligibilityItem) ([]PromotionEligibilities, error) {
	const op = "check-promotion-eligibilities"
	a := check(op).guid("customerID", customerID).check(len(items) > 0, "items", "is empty")
	numbered := true
	for i, it := range items {
		f := "items[" + itoa(i) + "]"
		a.check(strings.Count(it.CatalogItemID, ":") == 2, f+".catalogItemId", "must be productId:skuId:availabilityId")
		a.positive(f+".quantity", it.Quantity)
		a.required(f+".termDuration", it.TermDuration)
		a.required(f+".billingCycle", string(it.BillingCycle))
		numbered = numbered && it.ID == 0
	}
	if err := a.done(); err != nil {
		return nil, err
	}
	if numbered {
		items = append([]PromotionEligibilityItem(nil), items...)
		for i := range items {
			items[i].ID = i
		}
	}
	body := struct {
		Items []PromotionEligibilityItem `json:"items"`
	}{items}
	var out Collection[PromotionEligibilities]
	if _, err := c.do(ctx, &call{op: op, class: ClassRead, method: http.MethodPost, path: "/customers/" + customerID + "/promotionEligibilities",
		body: body, out: &out}); err != nil {
		return nil, err
	}
	return out.Items, nil
}
