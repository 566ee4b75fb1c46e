package handlers

import (
	"testing"
	"time"
)

func TestRenewalDate(t *testing.T) {
	at := func(y int, m time.Month, d int) *time.Time {
		v := time.Date(y, m, d, 23, 0, 0, 0, time.FixedZone("x", -3600))
		return &v
	}
	for _, c := range []struct {
		in   *time.Time
		want string
	}{
		{nil, "—"},
		{&time.Time{}, "—"},
		{at(2027, time.March, 4), "2027-03-05"}, // shown in UTC
		{at(9999, time.December, 10), "—"},      // an Azure plan has no term end
	} {
		if got := renewalDate(c.in); got != c.want {
			t.Errorf("renewalDate(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}
