package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/store"
)

var timeZero time.Time

// backfillAudit makes the mirror's audit log cover the invoice's period
// before the seat and status checks read it: the incremental sync keeps
// PC's audit records from the portal's first import on, so an older period
// (or changes not synced yet) is read from PC now. PC keeps 90 days; when
// it refuses an older window the checks run on what the mirror has, and
// the returned note says so.
func (s *Service) backfillAudit(ctx context.Context, pc *pccclient.Client, inv store.BillingInvoice) (string, error) {
	start := inv.PeriodStart.AddDate(0, 0, -1)
	var recs []pccclient.AuditRecord
	for a, err := range pc.ListAuditRecords(ctx, start, timeZero, nil) {
		if pccclient.IsValidation(err) {
			return fmt.Sprintf("Partner Center no longer keeps the activity of %s (90 days): seats and statuses were checked "+
				"against the portal's own records of that time.", inv.PeriodStart.Format("January 2006")), nil
		}
		if err != nil {
			return "", fmt.Errorf("audit records of %s: %w", inv.ID, err)
		}
		if a.ID != "" && a.OperationDate.After(start) {
			recs = append(recs, a)
		}
	}
	return "", mirror.SaveAuditRecords(ctx, s.st, recs)
}
