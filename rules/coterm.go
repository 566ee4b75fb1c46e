package rules

import (
	"strconv"
	"strings"
	"time"

	"github.com/cspportal/portal/internal/i18n"
)

// Custom term end dates of new NCE purchases: a term may end with the
// calendar month or with existing subscriptions (co-terming) instead of a
// full term after it starts; PC lists the dates a purchase may have.

// TermEndValue is the configurator's value for a term end date of a term
// duration ("P1Y|2027-03-31"); "" means a full term.
func TermEndValue(term string, end time.Time) string {
	return term + "|" + end.Format(time.DateOnly)
}

// SplitTermEnd reads a TermEndValue; ok is false for anything else.
func SplitTermEnd(v string) (term string, end time.Time, ok bool) {
	term, d, found := strings.Cut(v, "|")
	if !found || term == "" {
		return "", time.Time{}, false
	}
	end, err := time.Parse(time.DateOnly, d)
	return term, end, err == nil
}

// TermEndLabel says a term end choice in words: aligned with the calendar
// month, or with the named subscriptions (co-terming).
func TermEndLabel(term string, end time.Time, monthAligned bool, subscriptions []string) string {
	date := end.Format("2 Jan 2006")
	prefix := map[string]string{"P1M": "1-month", "P1Y": "1-year", "P3Y": "3-year"}[term]
	if prefix == "" {
		prefix = TermLabel(i18n.English, term)
	}
	prefix += " term: "
	if monthAligned {
		return prefix + "end with the calendar month, on " + date
	}
	with := "existing subscriptions"
	switch n := len(subscriptions); {
	case n == 1:
		with = subscriptions[0]
	case n == 2:
		with = subscriptions[0] + " and " + subscriptions[1]
	case n > 2:
		with = subscriptions[0] + " and " + strconv.Itoa(n-1) + " more"
	}
	return prefix + "co-term with " + with + ", ending " + date
}
