package rules_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/rules"
)

func TestDiscountLabelAndPrice(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		price, fraction, label, want string
	}{
		{"22.00", "0.15", "15% off", "18.7"},
		{"36", "0.1", "10% off", "32.4"},
		{"10.99", "0.05", "5% off", "10.4405"},
		{"12.3456", "0.333", "33.3% off", "8.2345"},
		{"9", "0", "0% off", "9"},
	} {
		f := decimal.RequireFromString(tc.fraction)
		if got := rules.DiscountLabel(f); got != tc.label {
			t.Errorf("DiscountLabel(%s) = %q, want %q", tc.fraction, got, tc.label)
		}
		if got := rules.Discounted(decimal.RequireFromString(tc.price), f); !got.Equal(decimal.RequireFromString(tc.want)) {
			t.Errorf("Discounted(%s, %s) = %s, want %s", tc.price, tc.fraction, got, tc.want)
		}
	}
}

func TestEligibilitySentence(t *testing.T) {
	t.Parallel()
	one, three := 1, 300
	for _, tc := range []struct {
		name   string
		issues []rules.EligibilityIssue
		want   string
	}{
		{"none", nil, "Partner Center says this purchase is not eligible for the promotion."},
		{"seats", []rules.EligibilityIssue{{Type: "SeatCount", Description: "The provided quantity doesn't satisfy…", MinSeats: &one, MaxSeats: &three}},
			"Not eligible: this promotion needs between 1 and 300 seats."},
		{"seats without numbers uses PC's text", []rules.EligibilityIssue{{Type: "SeatCount", Description: "Wrong seat count."}},
			"Not eligible: Wrong seat count."},
		{"term", []rules.EligibilityIssue{{Type: "Term", Terms: []string{"1 year, billed monthly", "1 year, billed annually"}}},
			"Not eligible: this promotion covers only 1 year, billed monthly; 1 year, billed annually."},
		{"two", []rules.EligibilityIssue{{Type: "OfferPurchasedPreviously", Description: "This offer has been purchased previously for this customer."},
			{Type: "RedemptionLimit"}},
			"Not eligible: This offer has been purchased previously for this customer; Partner Center refused it (RedemptionLimit)."},
	} {
		if got := rules.EligibilitySentence(tc.issues); got != tc.want {
			t.Errorf("%s: got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}
