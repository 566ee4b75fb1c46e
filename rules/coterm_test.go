package rules_test

import (
	"testing"
	"time"

	"github.com/cspportal/portal/rules"
)

func TestTermEndValueRoundTrip(t *testing.T) {
	t.Parallel()
	end := time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)
	v := rules.TermEndValue("P1Y", end)
	if v != "P1Y|2027-03-31" {
		t.Fatalf("TermEndValue = %q", v)
	}
	term, got, ok := rules.SplitTermEnd(v)
	if !ok || term != "P1Y" || !got.Equal(end) {
		t.Fatalf("SplitTermEnd(%q) = %q %s %v", v, term, got, ok)
	}
	for _, bad := range []string{"", "P1Y", "|2027-03-31", "P1Y|31/03/2027", "P1Y|2027-02-30"} {
		if _, _, ok := rules.SplitTermEnd(bad); ok {
			t.Errorf("SplitTermEnd(%q) accepted", bad)
		}
	}
}

func TestTermEndLabel(t *testing.T) {
	t.Parallel()
	end := time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		term  string
		month bool
		subs  []string
		want  string
	}{
		{"P1Y", true, nil, "1-year term: end with the calendar month, on 31 Mar 2027"},
		{"P1M", true, nil, "1-month term: end with the calendar month, on 31 Mar 2027"},
		{"P1Y", false, []string{"Office 365 E3"}, "1-year term: co-term with Office 365 E3, ending 31 Mar 2027"},
		{"P3Y", false, []string{"A", "B"}, "3-year term: co-term with A and B, ending 31 Mar 2027"},
		{"P1Y", false, []string{"A", "B", "C"}, "1-year term: co-term with A and 2 more, ending 31 Mar 2027"},
		{"P1Y", false, nil, "1-year term: co-term with existing subscriptions, ending 31 Mar 2027"},
	} {
		if got := rules.TermEndLabel(tc.term, end, tc.month, tc.subs); got != tc.want {
			t.Errorf("TermEndLabel(%s, %v, %v) = %q\nwant %q", tc.term, tc.month, tc.subs, got, tc.want)
		}
	}
}
