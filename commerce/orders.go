package commerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
)

// inlineTimeout bounds the inline delivery of an order or a change; after
// it the held River job delivers it and the page polls.
const inlineTimeout = 15 * time.Second

// ErrEmptyCart means there is nothing in the cart to place.
var ErrEmptyCart = errors.New("the cart is empty")

// errRepeated rolls back a write whose form token was used already.
var errRepeated = errors.New("form token used already")

// PlaceOrder places the staff user's cart for customer through the outbox
// and delivers it at once when it can: phase 1 now, phase 2 (add-ons of new
// bases) once their subscriptions are active (advancePlacement). The review
// form's token makes a double submit one order: a token used already
// returns nil, and so does a repeat that finds the cart emptied by the
// first submit. The order's page is /customers/{customer}/orders/{token}.
func (s *Service) PlaceOrder(ctx context.Context, by Actor, customer, token uuid.UUID) error {
	if by.UserID == nil {
		return errors.New("place order: carts belong to a user")
	}
	var cmdID int64
	err := s.st.InTx(ctx, func(tx pgx.Tx) error {
		q := s.st.Q
		cartID, err := q.LockCart(ctx, tx, db.LockCartParams{UserID: *by.UserID, CustomerID: customer})
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrEmptyCart
		}
		if err != nil {
			return fmt.Errorf("lock cart: %w", err)
		}
		rows, err := q.CartLines(ctx, tx, db.CartLinesParams{UserID: *by.UserID, CustomerID: customer})
		if err != nil {
			return fmt.Errorf("cart lines: %w", err)
		}
		if len(rows) == 0 {
			return ErrEmptyCart
		}
		id, err := s.placeTx(ctx, tx, by, customer, token, cartLines(rows), uuid.Nil)
		if err != nil {
			return err
		}
		if err := q.ClearCart(ctx, tx, cartID); err != nil {
			return fmt.Errorf("clear cart: %w", err)
		}
		cmdID = id
		return nil
	})
	switch {
	case errors.Is(err, errRepeated):
		return nil
	case errors.Is(err, ErrEmptyCart):
		// A repeated submit finds the cart already emptied by the first.
		if _, perr := s.st.OrderPlacement(ctx, customer, token); perr == nil {
			return nil
		}
		return ErrEmptyCart
	case err != nil:
		return err
	}
	s.deliverInline(ctx, cmdID)
	return nil
}

// PlaceOrderLines places an order of lines for customer without a cart
// (the reseller API): every line gets the cart's checks (checkLine, in
// order, so a "line:N" parent names the Nth line, from 1) and problems come
// back by "lines[i].field" with nothing written. token names the order
// (its page and order_placements row) and makes a repeat one order: a
// used token returns no problems and places nothing. requestID is the
// MS-RequestId of the first phase, stable across the caller's retries.
func (s *Service) PlaceOrderLines(ctx context.Context, by Actor, customer store.CartCustomer, token, requestID uuid.UUID, reqs []CartLineRequest) (map[string]string, error) {
	switch {
	case len(reqs) == 0:
		return map[string]string{"lines": "Add at least one line."}, nil
	case len(reqs) > maxOrderLines:
		return map[string]string{"lines": fmt.Sprintf("An order has at most %d lines.", maxOrderLines)}, nil
	}
	if _, err := s.st.OrderPlacement(ctx, customer.ID, token); err == nil {
		return nil, nil
	}
	lines := make([]rules.CartLine, 0, len(reqs))
	problems := map[string]string{}
	for i, req := range reqs {
		l, pr, err := s.checkLine(ctx, customer, req, lines)
		if err != nil {
			return nil, err
		}
		for k, v := range pr {
			problems[fmt.Sprintf("lines[%d].%s", i, k)] = v
		}
		if len(pr) == 0 {
			lines = append(lines, l.rulesLine(int64(i+1)))
		}
	}
	if len(problems) > 0 {
		return problems, nil
	}
	var cmdID int64
	err := s.st.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		cmdID, err = s.placeTx(ctx, tx, by, customer.ID, token, lines, requestID)
		return err
	})
	switch {
	case errors.Is(err, errRepeated):
		return nil, nil
	case err != nil:
		return nil, err
	}
	s.deliverInline(ctx, cmdID)
	return nil, nil
}

// maxOrderLines bounds an order placed through the API (PC's own limit on
// line items per order is 50).
const maxOrderLines = 50

// placeTx queues the first phase of an order of lines and records its
// placement under token in tx, the one path of the cart's and the API's
// orders: errRepeated when token was used. requestID, when set, is the
// command's MS-RequestId.
func (s *Service) placeTx(ctx context.Context, tx pgx.Tx, by Actor, customer, token uuid.UUID, rows []rules.CartLine, requestID uuid.UUID) (int64, error) {
	q := s.st.Q
	if _, err := q.OrderPlacement(ctx, tx, db.OrderPlacementParams{Token: token, CustomerID: customer}); err == nil {
		return 0, errRepeated
	}
	lines, needsAddons := rules.Phases(rows)
	id, err := s.enqueue(ctx, tx, Command{Kind: CmdCreateOrder, CustomerID: customer, RequestID: requestID,
		Payload: CreateOrderPayload{Order: placementOrder(customer, lines, 1, nil)}, By: by}, s.opt.InlineHold)
	if err != nil {
		return 0, err
	}
	raw, _ := json.Marshal(lines)
	n, err := q.InsertOrderPlacement(ctx, tx, db.InsertOrderPlacementParams{Token: token, CustomerID: customer, UserID: by.UserID,
		Lines: raw, BaseCommandID: id, NeedsAddons: needsAddons})
	if err != nil {
		return 0, fmt.Errorf("order placement: %w", err)
	}
	if n == 0 {
		return 0, errRepeated
	}
	return id, nil
}

// cartLines are the rules' view of the cart's rows.
func cartLines(rows []db.CartLine) []rules.CartLine {
	out := make([]rules.CartLine, len(rows))
	for i, l := range rows {
		out[i] = rules.CartLine{ID: l.ID, ItemID: l.ItemID, Name: l.Name, Quantity: int(l.Quantity), TermDuration: l.TermDuration,
			BillingCycle: l.BillingCycle, IsAddOn: l.IsAddOn, ParentLineID: l.ParentLineID, ParentSubscriptionID: l.ParentSubscriptionID,
			PromotionID: l.PromotionID, PromotionLabel: l.PromotionLabel}
		if l.CustomTermEnd.Valid {
			out[i].CustomTermEnd = l.CustomTermEnd.Time.Format(time.DateOnly)
		}
	}
	return out
}

// deliverInline tries a queued command at once; the held River job takes
// over when this does not finish it (DeliverNow releases it).
func (s *Service) deliverInline(ctx context.Context, id int64) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), inlineTimeout)
	defer cancel()
	if _, err := s.DeliverNow(dctx, id); err != nil {
		s.log.InfoContext(ctx, "command not delivered inline", "command", id, "err", err)
	}
}

// AdvancePlacement tries the add-on phase of an order while its page is
// open and delivers it at once when it could be queued (queued); the
// workers do the same without the page (one phase 2 command either way).
func (s *Service) AdvancePlacement(ctx context.Context, customer, token uuid.UUID) (queued bool, err error) {
	id, _, err := s.advancePlacement(ctx, customer, token, s.opt.InlineHold)
	if err != nil || id == 0 {
		return false, err
	}
	s.deliverInline(ctx, id)
	return true, nil
}

// RetryPlacement sends a refused phase of an order again with a fresh
// MS-RequestId (PC refused it, so nothing was created).
func (s *Service) RetryPlacement(ctx context.Context, by Actor, customer, token uuid.UUID) error {
	var id int64
	err := s.st.InTx(ctx, func(tx pgx.Tx) error {
		q := s.st.Q
		locked, err := q.LockOrderPlacement(ctx, tx, db.LockOrderPlacementParams{Token: token, CustomerID: customer})
		if err != nil {
			return fmt.Errorf("lock order: %w", store.MapErr(err))
		}
		if locked.CancelledAt != nil {
			return nil
		}
		retry := func(old int64) (int64, error) {
			cmd, err := q.GetCommand(ctx, tx, old)
			if err != nil || cmd.Status != CommandFailed {
				return 0, err
			}
			var pl CreateOrderPayload
			if err := json.Unmarshal(cmd.Payload, &pl); err != nil {
				return 0, fmt.Errorf("order payload: %w", err)
			}
			return s.enqueue(ctx, tx, Command{Kind: CmdCreateOrder, CustomerID: customer, Payload: pl, By: by}, s.opt.InlineHold)
		}
		if id, err = retry(locked.BaseCommandID); err != nil || id != 0 {
			if id != 0 {
				err = q.SetOrderPlacementBase(ctx, tx, db.SetOrderPlacementBaseParams{BaseCommandID: id, Token: token})
			}
			return err
		}
		if locked.AddonCommandID != nil {
			if id, err = retry(*locked.AddonCommandID); err == nil && id != 0 {
				err = q.SetOrderPlacementAddons(ctx, tx, db.SetOrderPlacementAddonsParams{AddonCommandID: &id, Token: token})
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
	return nil
}

// CancelPlacement gives up on the lines of an order not yet placed;
// anything Partner Center already accepted stays.
func (s *Service) CancelPlacement(ctx context.Context, by Actor, customer, token uuid.UUID) error {
	return s.st.InTx(ctx, func(tx pgx.Tx) error {
		if err := s.st.Q.CancelOrderPlacement(ctx, tx, token); err != nil {
			return fmt.Errorf("cancel order: %w", err)
		}
		cust := customer
		_, err := s.st.Q.InsertAudit(ctx, tx, db.InsertAuditParams{ActorUserID: by.UserID, Actor: by.Label, Action: "order.cancelled",
			TargetType: "order", TargetID: token.String(), CustomerID: &cust, Outcome: "ok"})
		return err
	})
}

// Placed is what PC answered to an order command, as its page shows it.
type Placed struct {
	ID    string
	Lines []PlacedLine
}

// PlacedLine is a line of a placed order with the subscription PC created.
type PlacedLine struct {
	OfferID, SubscriptionID string
	Quantity                int
}

// PlacedOrder reads the order PC answered from an order command's result;
// ok is false before PC answered.
func PlacedOrder(cmd store.Command) (Placed, bool) {
	var o pccclient.Order
	if len(cmd.Result) == 0 || json.Unmarshal(cmd.Result, &o) != nil {
		return Placed{}, false
	}
	p := Placed{ID: o.ID}
	for _, li := range o.LineItems {
		p.Lines = append(p.Lines, PlacedLine{OfferID: li.OfferID, SubscriptionID: li.SubscriptionID, Quantity: li.Quantity})
	}
	return p, true
}
