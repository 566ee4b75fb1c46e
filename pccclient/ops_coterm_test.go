package pccclient_test

import (
	"testing"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
)

func TestListCustomTermEndDates(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{NoSeed: true}, nil)
	ctx := ctxT(t)
	cu := newCustomer(t, e, "coterm")
	dates := must(pccclient.Collect(e.c.ListCustomTermEndDates(ctx, cu.ID, "P1Y", e.sb.Now(), "")))(t)
	if len(dates) != 1 || dates[0].Type != pccclient.CustomTermEndCalendarMonth {
		t.Fatalf("a customer without subscriptions: %+v, want the calendar month's end only", dates)
	}
	d := dates[0].Date.Time
	if d.AddDate(0, 0, 1).Day() != 1 || !d.After(e.sb.Now().AddDate(0, 10, 0)) {
		t.Errorf("calendar-aligned end %s is not the last day of a month about a year ahead of %s", d, e.sb.Now())
	}
	if _, err := pccclient.Collect(e.c.ListCustomTermEndDates(ctx, cu.ID, "", e.sb.Now(), "")); err == nil {
		t.Error("no term duration: no error")
	}
	if _, err := pccclient.Collect(e.c.ListCustomTermEndDates(ctx, cu.ID, "P2Y", e.sb.Now(), "")); !pccclient.IsValidation(err) {
		t.Errorf("P2Y: err = %v, want PC's 400", err)
	}
}
