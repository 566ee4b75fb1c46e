package rules

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// NCE promotions on cart lines: the discount in words, the discounted
// cost, and why Partner Center found a purchase not eligible.

// DiscountLabel says a PercentDiscount fraction (0.15) in words ("15% off").
func DiscountLabel(fraction decimal.Decimal) string {
	return fraction.Shift(2).String() + "% off"
}

// Discounted is price after a fractional discount, kept to four decimals
// the way PC's price lists write unit prices.
func Discounted(price, fraction decimal.Decimal) decimal.Decimal {
	return price.Mul(decimal.NewFromInt(1).Sub(fraction)).Round(4)
}

// EligibilityIssue is one reason PC gave for a purchase not being eligible
// for a promotion (PromotionEligibilityError).
type EligibilityIssue struct {
	Type        string // SeatCount, Term, OfferPurchasedPreviously, ...
	Description string // PC's text
	MinSeats    *int
	MaxSeats    *int
	Terms       []string // eligible terms as PlanLabel words
}

// EligibilitySentence explains why a purchase cannot have the promotion,
// in the staff's terms when the issue carries numbers, else in PC's words.
func EligibilitySentence(issues []EligibilityIssue) string {
	var parts []string
	for _, is := range issues {
		switch {
		case strings.EqualFold(is.Type, "SeatCount") && is.MinSeats != nil && is.MaxSeats != nil:
			parts = append(parts, fmt.Sprintf("this promotion needs between %d and %d seats", *is.MinSeats, *is.MaxSeats))
		case strings.EqualFold(is.Type, "Term") && len(is.Terms) > 0:
			parts = append(parts, "this promotion covers only "+strings.Join(is.Terms, "; "))
		case is.Description != "":
			parts = append(parts, strings.TrimSuffix(is.Description, "."))
		default:
			parts = append(parts, "Partner Center refused it ("+is.Type+")")
		}
	}
	if len(parts) == 0 {
		return "Partner Center says this purchase is not eligible for the promotion."
	}
	s := strings.Join(parts, "; ")
	return "Not eligible: " + s + "."
}
