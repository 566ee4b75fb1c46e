package mirror

import (
	"context"
	"fmt"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
)

// SaveAuditRecords keeps PC's audit records in the mirror's log (known ids
// are left as they are), as the incremental sync does, without moving its
// watermark: billing reads a billing period's seat and status history
// from PC when the mirror's log does not reach back that far.
func SaveAuditRecords(ctx context.Context, st *store.Store, records []pccclient.AuditRecord) error {
	if len(records) == 0 {
		return nil
	}
	at := SyncTime()
	rows := make([]db.InsertPCAuditRecordParams, len(records))
	for i := range records {
		rows[i] = auditRow(&records[i], at)
	}
	var berr error
	st.Q.InsertPCAuditRecord(ctx, st.Pool, rows).Exec(func(_ int, e error) {
		if e != nil && berr == nil {
			berr = e
		}
	})
	if berr != nil {
		return fmt.Errorf("save audit records: %w", berr)
	}
	return nil
}
