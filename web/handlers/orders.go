package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
	"github.com/cspportal/portal/subrules"
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
	lines, err := s.st.Q.CartLines(ctx, s.st.Pool, db.CartLinesParams{UserID: auth.UserFrom(ctx).ID, CustomerID: c.ID})
	if err != nil {
		return fmt.Errorf("cart lines: %w", err)
	}
	base := "/customers/" + c.ID.String()
	v := templates.CartReviewView{Customer: cmpOr(c.CompanyName, c.Domain), CartHref: base + "/cart", Action: base + "/orders",
		Token: uuid.NewString(), Lines: cartLineViews(lines, base)}
	totals := map[string]decimal.Decimal{}
	for _, l := range lines {
		if l.UnitPrice.Valid {
			totals[l.Currency] = totals[l.Currency].Add(l.UnitPrice.Decimal.Mul(decimal.NewFromInt(int64(l.Quantity))))
		} else {
			v.Unpriced = true
		}
		if l.Kind == "nce" {
			v.WindowCloses = subrules.WindowCloses(s.now()).Format("2006-01-02 15:04 UTC")
		}
		if l.ParentLineID != nil {
			v.TwoPhases = true
		}
	}
	for cur, t := range totals {
		v.Totals = append(v.Totals, t.StringFixed(2)+" "+cur)
	}
	return s.render(w, r, http.StatusOK, templates.CartReviewPage(s.page(r, "Review the order", "/customers"), v))
}

// orderSubmit places the cart through the outbox: phase 1 now, phase 2
// (add-ons of new bases) once their subscriptions are active (queued by the
// mirror's jobs, see mirror.AdvancePlacement). The review form's token
// makes a double submit one order.
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
	href := "/customers/" + c.ID.String() + "/orders/" + token.String()
	u := auth.UserFrom(ctx)
	var cmdID int64
	err = s.st.InTx(ctx, func(tx pgx.Tx) error {
		cartID, err := s.st.Q.LockCart(ctx, tx, db.LockCartParams{UserID: u.ID, CustomerID: c.ID})
		if errors.Is(err, pgx.ErrNoRows) {
			return errEmptyCart
		}
		if err != nil {
			return fmt.Errorf("lock cart: %w", err)
		}
		if _, err := s.st.Q.OrderPlacement(ctx, tx, db.OrderPlacementParams{Token: token, CustomerID: c.ID}); err == nil {
			return errChangeRepeated
		}
		lines, err := s.st.Q.CartLines(ctx, tx, db.CartLinesParams{UserID: u.ID, CustomerID: c.ID})
		if err != nil {
			return fmt.Errorf("cart lines: %w", err)
		}
		if len(lines) == 0 {
			return errEmptyCart
		}
		pl, needsAddons := placementLines(lines)
		payload := mirror.CreateOrderPayload{Order: mirror.PlacementOrder(c.ID, pl, 1, nil)}
		id, err := mirror.EnqueueHeld(ctx, tx, mirror.Command{Kind: mirror.CmdCreateOrder, CustomerID: c.ID, Payload: payload,
			RequestedBy: &u.ID, RequestedByLabel: u.Email}, inlineHold)
		if err != nil {
			return err
		}
		raw, _ := json.Marshal(pl)
		n, err := s.st.Q.InsertOrderPlacement(ctx, tx, db.InsertOrderPlacementParams{Token: token, CustomerID: c.ID, UserID: &u.ID,
			Lines: raw, BaseCommandID: id, NeedsAddons: needsAddons})
		if err != nil {
			return fmt.Errorf("order placement: %w", err)
		}
		if n == 0 {
			return errChangeRepeated
		}
		if err := s.st.Q.ClearCart(ctx, tx, cartID); err != nil {
			return fmt.Errorf("clear cart: %w", err)
		}
		cmdID = id
		return nil
	})
	switch {
	case errors.Is(err, errChangeRepeated):
		redirect(w, r, href)
		return nil
	case errors.Is(err, errEmptyCart):
		// A repeated submit finds the cart already emptied by the first.
		if _, perr := s.st.Q.OrderPlacement(ctx, s.st.Pool, db.OrderPlacementParams{Token: token, CustomerID: c.ID}); perr == nil {
			redirect(w, r, href)
			return nil
		}
		s.flash(ctx, "error", "The cart is empty: add a line first.")
		redirect(w, r, "/customers/"+c.ID.String()+"/cart")
		return nil
	case err != nil:
		return err
	}
	s.deliverInline(ctx, cmdID)
	redirect(w, r, href)
	return nil
}

var errEmptyCart = errors.New("empty cart")

// pcConfigTweak, when set (by tests and benchmarks only), adjusts the
// Partner Center client configuration of pcClient, e.g. to lift the
// client-side rate limits when measuring the portal's own overhead.
var pcConfigTweak func(*pccclient.Config)

// placementLines numbers the cart's lines into the two phases.
func placementLines(lines []db.CartLine) ([]mirror.PlacementLine, bool) {
	idx := map[int64]int{}
	var out []mirror.PlacementLine
	n1, n2 := 0, 0
	for _, l := range lines {
		if l.ParentLineID != nil {
			continue
		}
		idx[l.ID] = len(out)
		out = append(out, mirror.PlacementLine{ItemID: l.ItemID, Name: l.Name, Quantity: int(l.Quantity), Term: l.TermDuration, Cycle: l.BillingCycle,
			Phase: 1, BaseLine: -1, ParentSubID: l.ParentSubscriptionID, OrderLineNum: n1})
		n1++
	}
	for _, l := range lines {
		if l.ParentLineID == nil {
			continue
		}
		out = append(out, mirror.PlacementLine{ItemID: l.ItemID, Name: l.Name, Quantity: int(l.Quantity), Term: l.TermDuration, Cycle: l.BillingCycle,
			Phase: 2, BaseLine: idx[*l.ParentLineID], OrderLineNum: n2})
		n2++
	}
	return out, n2 > 0
}

// deliverInline tries a queued command at once (the held River job takes
// over when this does not finish it).
func (s *Server) deliverInline(ctx context.Context, id int64) {
	pc, err := s.pcClient(ctx)
	if err != nil {
		// No connection to try with here: let the worker have it now
		// rather than after the hold.
		if _, rerr := s.st.Pool.Exec(context.WithoutCancel(ctx), `UPDATE river_job SET state = 'available', scheduled_at = now()
			WHERE id = (SELECT river_job_id FROM commands WHERE id = $1) AND state = 'scheduled'`, id); rerr != nil {
			s.log.WarnContext(ctx, "held job not released", "command", id, "err", rerr)
		}
		return
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), subscriptionInlineTimeout)
	defer cancel()
	if _, err := mirror.DeliverNow(dctx, s.st, s.log, pc, id); err != nil {
		s.log.InfoContext(ctx, "command not delivered inline", "command", id, "err", err)
	}
}

// orderPlacementFromURL loads a placement scoped to the URL's customer.
func (s *Server) orderPlacementFromURL(r *http.Request) (db.OrderPlacement, error) {
	cust, err := uuid.Parse(chi.URLParam(r, "id"))
	if err != nil {
		return db.OrderPlacement{}, store.ErrNotFound
	}
	token, err := uuid.Parse(chi.URLParam(r, "token"))
	if err != nil {
		return db.OrderPlacement{}, store.ErrNotFound
	}
	p, err := s.st.Q.OrderPlacement(r.Context(), s.st.Pool, db.OrderPlacementParams{Token: token, CustomerID: cust})
	if err != nil {
		return p, fmt.Errorf("order %s: %w", token, store.MapErr(err))
	}
	return p, nil
}

// orderShow is a placed cart's progress: phase 1, then phase 2 (queued by
// the mirror's jobs once the new bases are active, or here if the page
// gets there first), with PC's answers.
func (s *Server) orderShow(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := s.orderPlacementFromURL(r)
	if err != nil {
		return err
	}
	if p, err = s.advancePlacement(ctx, p); err != nil {
		return err
	}
	v, err := s.placementView(ctx, p)
	if err != nil {
		return err
	}
	if isHTMX(r) {
		return s.render(w, r, http.StatusOK, templates.OrderProgress(v))
	}
	return s.render(w, r, http.StatusOK, templates.OrderPage(s.page(r, "Order", "/customers"), v))
}

// advancePlacement tries the add-on phase while the page is open and
// delivers it at once when it could be queued; the mirror's jobs do the
// same without the page (one phase 2 command either way).
func (s *Server) advancePlacement(ctx context.Context, p db.OrderPlacement) (db.OrderPlacement, error) {
	if !p.NeedsAddons || p.AddonCommandID != nil || p.CancelledAt != nil {
		return p, nil
	}
	pc, err := s.pcClient(ctx)
	if err != nil {
		return p, nil
	}
	id, _, err := mirror.AdvancePlacement(ctx, s.st, pc, p.CustomerID, p.Token, inlineHold)
	if err != nil {
		return p, err
	}
	if id == 0 {
		return p, nil
	}
	s.deliverInline(ctx, id)
	return s.st.Q.OrderPlacement(ctx, s.st.Pool, db.OrderPlacementParams{Token: p.Token, CustomerID: p.CustomerID})
}

func (s *Server) placementView(ctx context.Context, p db.OrderPlacement) (templates.PlacementView, error) {
	base := "/customers/" + p.CustomerID.String()
	v := templates.PlacementView{Href: base + "/orders/" + p.Token.String(), CustomerHref: base, TwoPhases: p.NeedsAddons,
		Cancelled: p.CancelledAt != nil}
	var lines []mirror.PlacementLine
	_ = json.Unmarshal(p.Lines, &lines)
	phase := func(id int64) (templates.OrderPhase, store.Command, error) {
		cmd, err := s.st.Command(ctx, id)
		if err != nil {
			return templates.OrderPhase{}, cmd, err
		}
		ph := templates.OrderPhase{Status: cmd.Status, RequestID: cmd.MsRequestID.String()}
		if cmd.Status == mirror.CommandFailed {
			ph.Error = pcRefusal(cmd.LastError, cmd.PcErrorCode)
		}
		var o pccclient.Order
		if len(cmd.Result) > 0 && json.Unmarshal(cmd.Result, &o) == nil {
			ph.OrderID = o.ID
			for _, li := range o.LineItems {
				ph.Subscriptions = append(ph.Subscriptions, templates.OrderSubscription{ID: li.SubscriptionID, Offer: li.OfferID,
					Quantity: li.Quantity, Href: base + "/subscriptions/" + li.SubscriptionID})
			}
		}
		return ph, cmd, nil
	}
	var err error
	var baseCmd store.Command
	if v.Base, baseCmd, err = phase(p.BaseCommandID); err != nil {
		return v, err
	}
	for _, l := range lines {
		lv := templates.OrderLine{Name: l.Name, Quantity: l.Quantity, Term: cmpOr(termLabel(l.Term), "—"), Cycle: cmpOr(l.Cycle, "—"), Phase: l.Phase}
		if l.Phase == 2 && l.BaseLine >= 0 && l.BaseLine < len(lines) {
			lv.Parent = lines[l.BaseLine].Name
		}
		v.Lines = append(v.Lines, lv)
	}
	if p.AddonCommandID != nil {
		if v.Addons, _, err = phase(*p.AddonCommandID); err != nil {
			return v, err
		}
	} else if p.NeedsAddons {
		v.Addons.Status = "waiting"
	}
	if err := s.mirrorSubscriptionStatus(ctx, p.CustomerID, &v.Base); err != nil {
		return v, err
	}
	if err := s.mirrorSubscriptionStatus(ctx, p.CustomerID, &v.Addons); err != nil {
		return v, err
	}
	failed := v.Base.Status == mirror.CommandFailed || v.Addons.Status == mirror.CommandFailed
	v.CanRetry = failed && !v.Cancelled
	v.CanCancel = !v.Cancelled && (failed || v.Addons.Status == "waiting") && baseCmd.Status != mirror.CommandPending
	v.Done = v.Cancelled || failed || (v.Base.Status == mirror.CommandSucceeded && v.Base.Completed &&
		(!p.NeedsAddons || (v.Addons.Status == mirror.CommandSucceeded && v.Addons.Completed)))
	return v, nil
}

// mirrorSubscriptionStatus fills the new subscriptions' status and offer
// name from the mirror (the order's settle job keeps them current while PC
// provisions them: the page never asks PC); the phase is complete when all
// are active.
func (s *Server) mirrorSubscriptionStatus(ctx context.Context, customer uuid.UUID, ph *templates.OrderPhase) error {
	if ph.Status != mirror.CommandSucceeded || len(ph.Subscriptions) == 0 || ph.OrderID == "" {
		return nil
	}
	rows, err := s.st.Q.OrderSubscriptions(ctx, s.st.Pool, db.OrderSubscriptionsParams{CustomerID: customer, OrderIds: []string{ph.OrderID}})
	if err != nil {
		return fmt.Errorf("order %s subscriptions: %w", ph.OrderID, err)
	}
	byID := make(map[string]db.OrderSubscriptionsRow, len(rows))
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
		ph.Subscriptions[i].Offer = cmpOr(sub.OfferName, ph.Subscriptions[i].Offer)
		all = all && pccclient.SubscriptionStatus(sub.Status).Is(pccclient.SubscriptionActive)
	}
	ph.Completed = all
	return nil
}

// orderRetry sends a refused phase again with a fresh MS-RequestId (PC
// refused it, so nothing was created).
func (s *Server) orderRetry(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := s.orderPlacementFromURL(r)
	if err != nil {
		return err
	}
	href := "/customers/" + p.CustomerID.String() + "/orders/" + p.Token.String()
	u := auth.UserFrom(ctx)
	var id int64
	err = s.st.InTx(ctx, func(tx pgx.Tx) error {
		locked, err := s.st.Q.LockOrderPlacement(ctx, tx, db.LockOrderPlacementParams{Token: p.Token, CustomerID: p.CustomerID})
		if err != nil {
			return fmt.Errorf("lock order: %w", store.MapErr(err))
		}
		if locked.CancelledAt != nil {
			return nil
		}
		retry := func(old int64) (int64, error) {
			cmd, err := s.st.Q.GetCommand(ctx, tx, old)
			if err != nil || cmd.Status != mirror.CommandFailed {
				return 0, err
			}
			var pl mirror.CreateOrderPayload
			if err := json.Unmarshal(cmd.Payload, &pl); err != nil {
				return 0, fmt.Errorf("order payload: %w", err)
			}
			return mirror.EnqueueHeld(ctx, tx, mirror.Command{Kind: mirror.CmdCreateOrder, CustomerID: p.CustomerID, Payload: pl,
				RequestedBy: &u.ID, RequestedByLabel: u.Email}, inlineHold)
		}
		if id, err = retry(locked.BaseCommandID); err != nil || id != 0 {
			if id != 0 {
				err = s.st.Q.SetOrderPlacementBase(ctx, tx, db.SetOrderPlacementBaseParams{BaseCommandID: id, Token: p.Token})
			}
			return err
		}
		if locked.AddonCommandID != nil {
			if id, err = retry(*locked.AddonCommandID); err == nil && id != 0 {
				err = s.st.Q.SetOrderPlacementAddons(ctx, tx, db.SetOrderPlacementAddonsParams{AddonCommandID: &id, Token: p.Token})
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	if id != 0 {
		s.deliverInline(ctx, id)
	}
	redirect(w, r, href)
	return nil
}

// orderCancel gives up on the lines not yet placed.
func (s *Server) orderCancel(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := s.orderPlacementFromURL(r)
	if err != nil {
		return err
	}
	if err := s.st.Q.CancelOrderPlacement(ctx, s.st.Pool, p.Token); err != nil {
		return fmt.Errorf("cancel order: %w", err)
	}
	s.flash(ctx, "info", "The lines not yet placed were cancelled; anything Partner Center already accepted stays.")
	redirect(w, r, "/customers/"+p.CustomerID.String()+"/orders/"+p.Token.String())
	return nil
}
