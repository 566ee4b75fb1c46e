package handlers

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// cartReview shows the cart as the order it becomes: totals per currency,
// terms, when the new-commerce cancellation window closes and the phases.
func (s *Server) cartReview(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c, err := s.cartCustomer(r)
	if err != nil {
		return err
	}
	lines, err := s.st.CartLines(ctx, auth.UserFrom(ctx).ID, c.ID)
	if err != nil {
		return err
	}
	base := "/customers/" + c.ID.String()
	v := templates.CartReviewView{Customer: cmp.Or(c.CompanyName, c.Domain), CartHref: base + "/cart", Action: base + "/orders",
		Token: uuid.NewString()}
	var sales map[string]decimal.Decimal
	if v.Lines, sales, err = s.cartLineViews(ctx, c, lines, base); err != nil {
		return err
	}
	totals := map[string]decimal.Decimal{}
	for _, l := range lines {
		if l.UnitPrice.Valid {
			totals[l.Currency] = totals[l.Currency].Add(l.UnitPrice.Decimal.Mul(decimal.NewFromInt(int64(l.Quantity))))
		} else {
			v.Unpriced = true
		}
		if l.Kind == "nce" {
			v.WindowCloses = rules.WindowCloses(s.now()).Format("2006-01-02 15:04 UTC")
		}
		if l.ParentLineID != nil {
			v.TwoPhases = true
		}
	}
	for _, cur := range slices.Sorted(maps.Keys(totals)) {
		v.Totals = append(v.Totals, templates.Money(totals[cur], cur))
		v.SaleTotals = append(v.SaleTotals, templates.Money(sales[cur], cur))
	}
	return s.render(w, r, http.StatusOK, templates.CartReviewPage(s.page(r, "Review the order", "/customers"), v))
}

// orderSubmit places the cart (commerce.PlaceOrder); the review form's
// token makes a double submit one order.
func (s *Server) orderSubmit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := parseForm(r); err != nil {
		return err
	}
	c, err := s.cartCustomer(r)
	if err != nil {
		return err
	}
	token, err := uuid.Parse(r.PostForm.Get("token"))
	if err != nil {
		return &httpError{status: http.StatusUnprocessableEntity, msg: "The review form expired. Review the cart again."}
	}
	err = s.com.PlaceOrder(ctx, actorOf(r), c.ID, token)
	if errors.Is(err, commerce.ErrEmptyCart) {
		s.flash(ctx, "error", "The cart is empty: add a line first.")
		redirect(w, r, "/customers/"+c.ID.String()+"/cart")
		return nil
	}
	if err != nil {
		return err
	}
	redirect(w, r, "/customers/"+c.ID.String()+"/orders/"+token.String())
	return nil
}

// orderPlacementFromURL loads a placement scoped to the URL's customer.
func (s *Server) orderPlacementFromURL(r *http.Request) (store.OrderPlacement, error) {
	cust, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		return store.OrderPlacement{}, store.ErrNotFound
	}
	token, err := uuid.Parse(chi.URLParam(r, "token"))
	if err != nil {
		return store.OrderPlacement{}, store.ErrNotFound
	}
	return s.st.OrderPlacement(r.Context(), cust, token)
}

// orderShow is a placed cart's progress: phase 1, then phase 2 (queued by
// the workers once the new bases are active, or here if the page gets
// there first), with PC's answers.
func (s *Server) orderShow(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := s.orderPlacementFromURL(r)
	if err != nil {
		return err
	}
	if p.NeedsAddons && p.AddonCommandID == nil && p.CancelledAt == nil {
		queued, err := s.com.AdvancePlacement(ctx, p.CustomerID, p.Token)
		if err != nil {
			return err
		}
		if queued {
			if p, err = s.st.OrderPlacement(ctx, p.CustomerID, p.Token); err != nil {
				return err
			}
		}
	}
	v, err := s.placementView(ctx, p)
	if err != nil {
		return err
	}
	if isHTMX(r) {
		return s.render(w, r, http.StatusOK, templates.OrderProgress(v))
	}
	if err := s.placementPrices(ctx, p.CustomerID, v.Lines); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, templates.OrderPage(s.page(r, "Order", "/customers"), v))
}

func (s *Server) placementView(ctx context.Context, p store.OrderPlacement) (templates.PlacementView, error) {
	base := "/customers/" + p.CustomerID.String()
	v := templates.PlacementView{Href: base + "/orders/" + p.Token.String(), CustomerHref: base, TwoPhases: p.NeedsAddons,
		Cancelled: p.CancelledAt != nil}
	var lines []rules.PlacementLine
	_ = json.Unmarshal(p.Lines, &lines)
	phase := func(id int64) (templates.OrderPhase, error) {
		d, err := s.st.CommandDelivery(ctx, id)
		if err != nil {
			return templates.OrderPhase{}, err
		}
		cmd := d.Command
		ph := templates.OrderPhase{Status: cmd.Status, RequestID: cmd.MsRequestID.String()}
		if cmd.Status == commerce.CommandFailed {
			ph.Error = pcRefusal(ctx, cmd.LastError, cmd.PcErrorCode)
		}
		ph.Delivery = deliveryView(d, v.Href)
		if o, ok := commerce.PlacedOrder(cmd); ok {
			ph.OrderID = o.ID
			for _, li := range o.Lines {
				ph.Subscriptions = append(ph.Subscriptions, templates.OrderSubscription{ID: li.SubscriptionID, Offer: li.OfferID,
					Quantity: li.Quantity, Href: base + "/subscriptions/" + li.SubscriptionID})
			}
		}
		return ph, nil
	}
	var err error
	if v.Base, err = phase(p.BaseCommandID); err != nil {
		return v, err
	}
	for _, l := range lines {
		lv := templates.OrderLine{Name: l.Name, Quantity: l.Quantity, Term: cmp.Or(rules.TermLabel(i18n.From(ctx), l.Term), "—"), Cycle: cmp.Or(l.Cycle, "—"), Phase: l.Phase,
			Promotion: l.Promotion, ItemID: l.ItemID, TermDuration: l.Term, BillingCycle: l.Cycle}
		if end, err := time.Parse(time.DateOnly, l.TermEnd); err == nil {
			lv.TermEnd = i18n.Day(i18n.From(ctx), end)
		}
		if l.Phase == 2 && l.BaseLine >= 0 && l.BaseLine < len(lines) {
			lv.Parent = lines[l.BaseLine].Name
		}
		v.Lines = append(v.Lines, lv)
	}
	if p.AddonCommandID != nil {
		if v.Addons, err = phase(*p.AddonCommandID); err != nil {
			return v, err
		}
	} else if p.NeedsAddons {
		v.Addons.Status = rules.StatusWaiting
	}
	if err := s.mirrorSubscriptionStatus(ctx, p.CustomerID, &v.Base); err != nil {
		return v, err
	}
	if err := s.mirrorSubscriptionStatus(ctx, p.CustomerID, &v.Addons); err != nil {
		return v, err
	}
	st := rules.PlacementState(rules.Phase{Status: v.Base.Status, Completed: v.Base.Completed},
		rules.Phase{Status: v.Addons.Status, Completed: v.Addons.Completed}, p.NeedsAddons, v.Cancelled)
	v.CanRetry, v.CanCancel, v.Done = st.CanRetry, st.CanCancel, st.Done
	return v, nil
}

// deliveryView says where a command's delivery stands, crash recovery
// included, shown on page back (which a resend returns to). River's
// timestamps are the database's wall clock, so this compares with
// time.Now, not the server's (possibly virtual) clock.
func deliveryView(d store.CommandDelivery, back string) templates.DeliveryView {
	now := time.Now()
	st := commerce.StateOfDelivery(d, now)
	v := templates.DeliveryView{State: st.State, Attempts: st.Attempts, LastError: st.LastError, Since: clockTime(st.Since)}
	if !st.Next.IsZero() {
		v.Next, v.Overdue = clockTime(st.Next), !st.Next.After(now)
	}
	if st.State == rules.DeliveryStopped && d.CustomerID != nil {
		v.ResendHref = "/customers/" + d.CustomerID.String() + "/commands/" + strconv.FormatInt(d.ID, 10) + "/resend"
		v.Back = back
	}
	return v
}

// commandResend queues a command no job sends any more again, with its
// MS-RequestId, and returns to the page it was shown on.
func (s *Server) commandResend(w http.ResponseWriter, r *http.Request) error {
	cust, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		return store.ErrNotFound
	}
	id, err := strconv.ParseInt(chi.URLParam(r, "cmd"), 10, 64)
	if err != nil || id < 1 {
		return store.ErrNotFound
	}
	if err := s.com.ResendCommand(r.Context(), actorOf(r), cust, id); err != nil {
		return err
	}
	back := "/customers/" + cust.String()
	// Only a page of this customer: never a redirect elsewhere.
	if b := r.PostFormValue("back"); strings.HasPrefix(b, back+"/") && !strings.ContainsAny(b, "\\?#") && !strings.Contains(b, "//") && !strings.Contains(b, "..") {
		back = b
	}
	s.flash(r.Context(), "success", "Sent again with the same request id.")
	redirect(w, r, back)
	return nil
}

// clockTime is a time of day as the order page shows it (UTC).
func clockTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("15:04:05 UTC")
}

// mirrorSubscriptionStatus fills the new subscriptions' status and offer
// name from the mirror (the order's settle job keeps them current while PC
// provisions them: the page never asks PC); the phase is complete when all
// are active.
func (s *Server) mirrorSubscriptionStatus(ctx context.Context, customer uuid.UUID, ph *templates.OrderPhase) error {
	if ph.Status != commerce.CommandSucceeded || len(ph.Subscriptions) == 0 || ph.OrderID == "" {
		return nil
	}
	rows, err := s.st.OrderSubscriptions(ctx, customer, ph.OrderID)
	if err != nil {
		return err
	}
	byID := make(map[string]store.OrderSubscription, len(rows))
	for _, r := range rows {
		byID[r.ID] = r
	}
	all := true
	for i := range ph.Subscriptions {
		sub, ok := byID[ph.Subscriptions[i].ID]
		if !ok {
			all = false
			continue
		}
		ph.Subscriptions[i].Status = sub.Status
		ph.Subscriptions[i].Offer = cmp.Or(sub.OfferName, ph.Subscriptions[i].Offer)
		all = all && strings.EqualFold(sub.Status, "active")
	}
	ph.Completed = all
	return nil
}

// orderRetry sends a refused phase again with a fresh MS-RequestId.
func (s *Server) orderRetry(w http.ResponseWriter, r *http.Request) error {
	p, err := s.orderPlacementFromURL(r)
	if err != nil {
		return err
	}
	if err := s.com.RetryPlacement(r.Context(), actorOf(r), p.CustomerID, p.Token); err != nil {
		return err
	}
	redirect(w, r, "/customers/"+p.CustomerID.String()+"/orders/"+p.Token.String())
	return nil
}

// orderCancel gives up on the lines not yet placed.
func (s *Server) orderCancel(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := s.orderPlacementFromURL(r)
	if err != nil {
		return err
	}
	if err := s.com.CancelPlacement(ctx, actorOf(r), p.CustomerID, p.Token); err != nil {
		return err
	}
	s.flash(ctx, "info", "The lines not yet placed were cancelled; anything Partner Center already accepted stays.")
	redirect(w, r, "/customers/"+p.CustomerID.String()+"/orders/"+p.Token.String())
	return nil
}
