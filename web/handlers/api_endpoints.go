package handlers

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
)

// apiPageSize is the API's customer list page size.
const apiPageSize = 100

// apiCustomer is a customer as the API shows it.
type apiCustomer struct {
	ID          string `json:"id"`
	CompanyName string `json:"company_name"`
	Domain      string `json:"domain"`
	Country     string `json:"country"`
	TenantID    string `json:"tenant_id,omitempty"`
}

// apiSubscription is a subscription as the API shows it (no prices: the
// reseller's cost is not the API's business yet).
type apiSubscription struct {
	ID                   string     `json:"id"`
	CustomerID           string     `json:"customer_id,omitempty"`
	ParentSubscriptionID string     `json:"parent_subscription_id,omitempty"`
	OfferID              string     `json:"offer_id"`
	OfferName            string     `json:"offer_name"`
	FriendlyName         string     `json:"friendly_name"`
	Status               string     `json:"status"`
	Quantity             int        `json:"quantity"`
	TermDuration         string     `json:"term_duration,omitempty"`
	BillingCycle         string     `json:"billing_cycle"`
	AutoRenewEnabled     bool       `json:"auto_renew_enabled"`
	CommitmentEndDate    *time.Time `json:"commitment_end_date,omitempty"`
	MinQuantity          int        `json:"min_quantity,omitempty"`
	MaxQuantity          int        `json:"max_quantity,omitempty"`
}

// apiList is a page of a list.
type apiList[T any] struct {
	Data     []T `json:"data"`
	Page     int `json:"page,omitempty"`
	PageSize int `json:"page_size,omitempty"`
	Total    int `json:"total"`
}

func apiPrincipal(r *http.Request) store.APIPrincipal {
	p, _ := apiPrincipalOf(r.Context())
	return p
}

// apiCustomerList is the token's reseller's customers by name, paged.
func (s *Server) apiCustomerList(w http.ResponseWriter, r *http.Request) error {
	page := 1
	if v := r.URL.Query().Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			return &apiError{Status: http.StatusUnprocessableEntity, Code: "validation", Message: errAPIValidation,
				Fields: map[string]string{"page": "Give a page number from 1."}}
		}
		page = n
	}
	res, err := s.st.ResellerCustomers(r.Context(), apiPrincipal(r).ResellerID, "", page, apiPageSize)
	if err != nil {
		return err
	}
	out := apiList[apiCustomer]{Data: []apiCustomer{}, Page: page, PageSize: apiPageSize, Total: res.Total}
	for _, c := range res.Rows {
		out.Data = append(out.Data, apiCustomer{ID: c.ID.String(), CompanyName: c.CompanyName, Domain: c.Domain, Country: c.AddressCountry})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiCustomerOf reads the URL's customer, scoped to the token's reseller.
func (s *Server) apiCustomerOf(r *http.Request) (store.ResellerCustomerDetail, error) {
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		return store.ResellerCustomerDetail{}, store.ErrNotFound
	}
	return s.st.ResellerCustomer(r.Context(), apiPrincipal(r).ResellerID, id)
}

// apiCustomerShow is one of the reseller's customers.
func (s *Server) apiCustomerShow(w http.ResponseWriter, r *http.Request) error {
	d, err := s.apiCustomerOf(r)
	if err != nil {
		return err
	}
	c := d.Customer
	writeJSON(w, http.StatusOK, apiCustomer{ID: c.ID.String(), CompanyName: c.CompanyName, Domain: c.Domain, Country: c.AddressCountry, TenantID: c.TenantID})
	return nil
}

// apiSubscriptionList is a reseller's customer's subscriptions.
func (s *Server) apiSubscriptionList(w http.ResponseWriter, r *http.Request) error {
	d, err := s.apiCustomerOf(r)
	if err != nil {
		return err
	}
	out := apiList[apiSubscription]{Data: []apiSubscription{}, Total: len(d.Subscriptions)}
	for _, sub := range d.Subscriptions {
		out.Data = append(out.Data, apiSubscription{ID: sub.ID, CustomerID: d.Customer.ID.String(), ParentSubscriptionID: sub.ParentSubscriptionID,
			OfferID: sub.OfferID, OfferName: sub.OfferName, FriendlyName: sub.FriendlyName, Status: sub.Status, Quantity: int(sub.Quantity),
			TermDuration: sub.TermDuration, BillingCycle: sub.BillingCycle, AutoRenewEnabled: sub.AutoRenewEnabled, CommitmentEndDate: sub.CommitmentEndDate})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func apiSubscriptionOf(sub store.SubscriptionForChange) apiSubscription {
	return apiSubscription{ID: sub.ID, CustomerID: sub.CustomerID.String(), ParentSubscriptionID: sub.ParentSubscriptionID, OfferID: sub.OfferID,
		OfferName: sub.OfferName, FriendlyName: sub.FriendlyName, Status: sub.Status, Quantity: int(sub.Quantity), TermDuration: sub.TermDuration,
		BillingCycle: sub.BillingCycle, AutoRenewEnabled: sub.AutoRenewEnabled, CommitmentEndDate: sub.CommitmentEndDate,
		MinQuantity: int(sub.MinQuantity), MaxQuantity: int(sub.MaxQuantity)}
}

// apiSubscriptionShow is one subscription of the reseller's customers.
func (s *Server) apiSubscriptionShow(w http.ResponseWriter, r *http.Request) error {
	sub, err := s.st.ResellerSubscriptionForChange(r.Context(), apiPrincipal(r).ResellerID, chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiSubscriptionOf(sub))
	return nil
}

// apiSubscriptionPatch is the body of a subscription change: exactly one
// of quantity, status, auto_renew and friendly_name, as on the
// subscription's page (one change, one confirmation, one PC call).
type apiSubscriptionPatch struct {
	Quantity *int `json:"quantity"`
	// AcceptLicenceLoss confirms a decrease that leaves assigned users
	// without a licence (the page's tick box).
	AcceptLicenceLoss bool    `json:"accept_licence_loss"`
	Status            *string `json:"status"` // suspended or active
	// SuspensionReason is why a subscription is suspended (kept in the
	// audit trail, as the page asks for it).
	SuspensionReason string  `json:"suspension_reason"`
	AutoRenew        *bool   `json:"auto_renew"`
	FriendlyName     *string `json:"friendly_name"`
}

// errAPIOneChange is a body with no change or more than one.
const errAPIOneChange = "Give exactly one change: quantity, status, auto_renew or friendly_name."

// changeRequest maps the body to the page's change request; field is the
// body's field the change came from (for errors the page puts on the form).
func (b apiSubscriptionPatch) changeRequest() (req commerce.ChangeRequest, field string, problems map[string]string) {
	n := 0
	for _, set := range []bool{b.Quantity != nil, b.Status != nil, b.AutoRenew != nil, b.FriendlyName != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return req, "", map[string]string{"_body": errAPIOneChange}
	}
	req = commerce.ChangeRequest{Confirming: true, AcceptLicenceLoss: b.AcceptLicenceLoss}
	switch {
	case b.Quantity != nil:
		req.Action, req.Quantity, field = "quantity", strconv.Itoa(*b.Quantity), "quantity"
	case b.Status != nil:
		field = "status"
		switch *b.Status {
		case "suspended":
			req.Action, req.Reason = "suspend", b.SuspensionReason
		case "active":
			req.Action = "reactivate"
		default:
			return req, field, map[string]string{"status": `Give "suspended" or "active".`}
		}
	case b.AutoRenew != nil:
		req.Action, req.AutoRenew, field = "autorenew", commerce.OnOff(*b.AutoRenew), "auto_renew"
	default:
		req.Action, req.FriendlyName, field = "name", *b.FriendlyName, "friendly_name"
	}
	return req, field, nil
}

// apiProblems names the page's problems by the API body's fields.
func apiProblems(problems map[string]string, field string) map[string]string {
	out := make(map[string]string, len(problems))
	for k, v := range problems {
		switch k {
		case "_form":
			k = field
		case "reason":
			k = "suspension_reason"
		}
		out[k] = v
	}
	return out
}

// apiChange is a change as the API answers it.
type apiChange struct {
	ID                 string  `json:"id"`
	SubscriptionID     string  `json:"subscription_id"`
	Action             string  `json:"action"`
	QuantityBefore     *int    `json:"quantity_before,omitempty"`
	QuantityAfter      *int    `json:"quantity_after,omitempty"`
	StatusBefore       string  `json:"subscription_status_before,omitempty"`
	StatusAfter        string  `json:"subscription_status_after,omitempty"`
	AutoRenewBefore    *bool   `json:"auto_renew_before,omitempty"`
	AutoRenewAfter     *bool   `json:"auto_renew_after,omitempty"`
	FriendlyNameBefore *string `json:"friendly_name_before,omitempty"`
	FriendlyNameAfter  *string `json:"friendly_name_after,omitempty"`
	Status             string  `json:"status"`
	Error              string  `json:"error,omitempty"`
	ErrorCode          string  `json:"pc_error_code,omitempty"`
	MSRequestID        string  `json:"ms_request_id"`
}

// writeIDs are an API write's token and MS-RequestId: derived from the
// token and the Idempotency-Key when one was sent, else fresh.
func writeIDs(r *http.Request) (token, requestID uuid.UUID) {
	if key := apiKeyOf(r.Context()); key != "" {
		return commerce.APIWriteIDs(apiPrincipal(r).ID, key)
	}
	return uuid.New(), uuid.New()
}

// apiSubscriptionChange changes a subscription's seat count with the
// page's rules (commerce.PlanChange) and use case (ChangeSubscription).
func (s *Server) apiSubscriptionChange(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := apiPrincipal(r)
	var body apiSubscriptionPatch
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	sub, err := s.st.ResellerSubscriptionForChange(ctx, p.ResellerID, chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	req, field, problems := body.changeRequest()
	if len(problems) > 0 {
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "validation", Message: errAPIValidation, Fields: problems}
	}
	token, reqID := writeIDs(r)
	if ch, err := s.st.SubscriptionChangeByToken(ctx, sub.CustomerID, token); err == nil {
		// Made already (a retry after the answer was lost): answer it.
		return s.writeChange(w, http.StatusOK, ch)
	}
	life, err := s.st.SubscriptionLifecycle(ctx, sub.CustomerID, sub.ID)
	if err != nil {
		return err
	}
	plan, problems := commerce.PlanChange(sub, life, req, s.now())
	if len(problems) > 0 {
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "validation", Message: errAPIValidation,
			Fields: apiProblems(problems, field)}
	}
	if err := s.com.ChangeSubscription(ctx, apiActor(p), sub, commerce.SubscriptionVersion(sub), token, plan.WithRequestID(reqID)); err != nil {
		return err
	}
	ch, err := s.st.SubscriptionChangeByToken(ctx, sub.CustomerID, token)
	if err != nil {
		return err
	}
	return s.writeChange(w, http.StatusOK, ch)
}

func (s *Server) writeChange(w http.ResponseWriter, status int, ch store.SubscriptionChangeByToken) error {
	var before, after commerce.ChangeValues
	_ = json.Unmarshal(ch.Before, &before)
	_ = json.Unmarshal(ch.After, &after)
	writeJSON(w, status, apiChange{ID: ch.Token.String(), SubscriptionID: ch.SubscriptionID, Action: ch.Action, QuantityBefore: before.Quantity,
		QuantityAfter: after.Quantity, StatusBefore: before.Status, StatusAfter: after.Status, AutoRenewBefore: before.AutoRenew,
		AutoRenewAfter: after.AutoRenew, FriendlyNameBefore: before.FriendlyName, FriendlyNameAfter: after.FriendlyName, Status: ch.CommandStatus, Error: ch.LastError, ErrorCode: ch.PcErrorCode, MSRequestID: ch.MsRequestID.String()})
	return nil
}

// apiOrderLine is a line of an API order: the cart's fields.
type apiOrderLine struct {
	ItemID       string `json:"item_id"`
	Quantity     int    `json:"quantity"`
	Term         string `json:"term,omitempty"`
	BillingCycle string `json:"billing_cycle,omitempty"`
	// Parent is "sub:<subscription id>" or "line:<n>" (the order's nth
	// line, from 1) for an add-on.
	Parent      string `json:"parent,omitempty"`
	PromotionID string `json:"promotion_id,omitempty"`
	TermEnd     string `json:"term_end,omitempty"`
}

// apiOrderRequest is the body of an order.
type apiOrderRequest struct {
	Lines []apiOrderLine `json:"lines"`
}

// apiOrder is an order as the API answers it.
type apiOrder struct {
	ID          string          `json:"id"`
	CustomerID  string          `json:"customer_id"`
	Status      string          `json:"status"`
	PCOrderID   string          `json:"pc_order_id,omitempty"`
	Error       string          `json:"error,omitempty"`
	ErrorCode   string          `json:"pc_error_code,omitempty"`
	MSRequestID string          `json:"ms_request_id"`
	Lines       []apiPlacedLine `json:"lines"`
}

// apiPlacedLine is a line of a placed order.
type apiPlacedLine struct {
	ItemID               string `json:"item_id"`
	Name                 string `json:"name"`
	Quantity             int    `json:"quantity"`
	Term                 string `json:"term,omitempty"`
	BillingCycle         string `json:"billing_cycle,omitempty"`
	Phase                int    `json:"phase"`
	ParentSubscriptionID string `json:"parent_subscription_id,omitempty"`
	PromotionID          string `json:"promotion_id,omitempty"`
	TermEnd              string `json:"term_end,omitempty"`
}

// apiOrderCreate places an order for one of the reseller's customers with
// the cart's checks (commerce.PlaceOrderLines).
func (s *Server) apiOrderCreate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := apiPrincipal(r)
	var body apiOrderRequest
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	id, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		return store.ErrNotFound
	}
	c, err := s.st.ResellerCartCustomer(ctx, p.ResellerID, id)
	if err != nil {
		return err
	}
	reqs := make([]commerce.CartLineRequest, len(body.Lines))
	for i, l := range body.Lines {
		reqs[i] = commerce.CartLineRequest{ItemID: l.ItemID, PromotionID: l.PromotionID, TermEnd: l.TermEnd,
			CartRequest: rules.CartRequest{Quantity: strconv.Itoa(l.Quantity), Term: l.Term, Cycle: l.BillingCycle, Parent: l.Parent}}
	}
	token, reqID := writeIDs(r)
	problems, err := s.com.PlaceOrderLines(ctx, apiActor(p), c, token, reqID, reqs)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return &apiError{Status: http.StatusUnprocessableEntity, Code: "validation", Message: errAPIValidation, Fields: apiLineFields(problems)}
	}
	pl, err := s.st.OrderPlacement(ctx, c.ID, token)
	if err != nil {
		return err
	}
	cmd, err := s.st.Command(ctx, pl.BaseCommandID)
	if err != nil {
		return err
	}
	out := apiOrder{ID: token.String(), CustomerID: c.ID.String(), Status: cmd.Status, Error: cmd.LastError, ErrorCode: cmd.PcErrorCode,
		MSRequestID: cmd.MsRequestID.String()}
	if placed, ok := commerce.PlacedOrder(cmd); ok {
		out.PCOrderID = placed.ID
	}
	var lines []rules.PlacementLine
	_ = json.Unmarshal(pl.Lines, &lines)
	out.Lines = make([]apiPlacedLine, len(lines))
	for i, l := range lines {
		out.Lines[i] = apiPlacedLine{ItemID: l.ItemID, Name: l.Name, Quantity: l.Quantity, Term: l.Term, BillingCycle: l.Cycle, Phase: l.Phase,
			ParentSubscriptionID: l.ParentSubID, PromotionID: l.PromotionID, TermEnd: l.TermEnd}
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// apiLineFields renames the cart form's fields to the API's.
func apiLineFields(problems map[string]string) map[string]string {
	out := make(map[string]string, len(problems))
	for k, v := range problems {
		if strings.HasSuffix(k, ".promotion") {
			k += "_id"
		}
		out[k] = v
	}
	return out
}
