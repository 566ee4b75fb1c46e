package commerce

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/rules"
)

// ErrUnknownReseller: a customer to create names an indirect reseller the
// mirror does not list (or lists as gone).
var ErrUnknownReseller = errors.New("unknown indirect reseller")

// resellerOfRecord reads, inside the command's transaction, the indirect
// reseller a customer belongs to: nil for a customer of nobody's.
func (s *Service) resellerOfRecord(ctx context.Context, tx pgx.Tx, cmd Command) (*rules.ResellerOfRecord, error) {
	row, err := s.st.Q.ResellerOfRecord(ctx, tx, cmd.CustomerID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil // not mirrored yet (created moments ago): nobody's so far
	}
	if err != nil {
		return nil, fmt.Errorf("reseller of customer %s: %w", cmd.CustomerID, err)
	}
	if row.AssociatedPartnerID == "" {
		return nil, nil
	}
	r := &rules.ResellerOfRecord{TenantID: row.AssociatedPartnerID, MPASigned: row.MpaSigned,
		Known: row.ResellerTenantID != nil && row.ResellerGoneAt == nil}
	if row.ResellerName != nil {
		r.Name = *row.ResellerName
	}
	if row.ResellerMpnID != nil {
		r.MpnID = *row.ResellerMpnID
	}
	return r, nil
}

// stampPartnerOnRecord makes every order line of a reseller's customer carry
// the reseller's partner id (partnerIdOnRecord) and refuses the command
// (rules.CheckPartnerOnRecord) when it cannot: PC would accept the order
// without it and the reseller would lose its incentives. Every create-order
// and patch-order command passes here (enqueue), so phase 2 add-ons and
// retries of older payloads carry it too.
func (s *Service) stampPartnerOnRecord(ctx context.Context, tx pgx.Tx, cmd *Command) error {
	var lines []pccclient.OrderLineItem
	switch p := cmd.Payload.(type) {
	case CreateOrderPayload:
		lines = p.Order.LineItems
	case PatchOrderPayload:
		lines = p.Order.LineItems
	default:
		return nil
	}
	r, err := s.resellerOfRecord(ctx, tx, *cmd)
	if err != nil {
		return err
	}
	lines = append([]pccclient.OrderLineItem(nil), lines...)
	por := make([]string, len(lines))
	for i := range lines {
		if r != nil && r.Known && lines[i].PartnerIDOnRecord == "" {
			lines[i].PartnerIDOnRecord = r.MpnID
		}
		por[i] = lines[i].PartnerIDOnRecord
	}
	if err := rules.CheckPartnerOnRecord(r, por); err != nil {
		return err
	}
	switch p := cmd.Payload.(type) {
	case CreateOrderPayload:
		p.Order.LineItems = lines
		cmd.Payload = p
	case PatchOrderPayload:
		p.Order.LineItems = lines
		cmd.Payload = p
	}
	return nil
}

// resellerToCreateFor checks, inside the onboarding's transaction, that a
// customer to create for reseller tenantID names a current reseller.
func (s *Service) resellerToCreateFor(ctx context.Context, tx pgx.Tx, tenantID string) error {
	id, err := uuid.Parse(tenantID)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrUnknownReseller, tenantID)
	}
	r, err := s.st.Q.GetReseller(ctx, tx, id)
	if errors.Is(err, pgx.ErrNoRows) || err == nil && r.GoneAt != nil {
		return fmt.Errorf("%w: %s", ErrUnknownReseller, tenantID)
	}
	if err != nil {
		return fmt.Errorf("reseller %s: %w", tenantID, err)
	}
	return nil
}
