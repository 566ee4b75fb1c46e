package rules

import (
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// MarkupRule turns a cost into a sale price for the lines it matches. Its
// scope is the fields set: none (the default), Family, ProductID,
// ProductID+SkuID, each optionally for one CustomerID or, among the
// provider's rules, one ResellerID (the reseller's customers' lines).
type MarkupRule struct {
	ID             int64
	CustomerID     uuid.UUID // uuid.Nil: every customer
	ResellerID     uuid.UUID // uuid.Nil: every reseller and direct customer
	Family         string
	ProductID      string
	SkuID          string
	Kind           string // "percent" | "fixed"
	Amount         decimal.Decimal
	Rounding       string // "cents" | "whole" | "x99"
	AllowBelowCost bool
}

// Markup kinds and roundings.
const (
	MarkupPercent = "percent"
	MarkupFixed   = "fixed"
	RoundCents    = "cents"
	RoundWhole    = "whole"
	Round99       = "x99"
)

// PricedItem is what a markup rule is matched against.
type PricedItem struct {
	CustomerID uuid.UUID
	ResellerID uuid.UUID // the customer's indirect reseller; uuid.Nil: a direct customer
	Family     string
	ProductID  string
	SkuID      string
}

// Scope names a rule's level for the pages ("Customer × SKU", "Default").
func (r MarkupRule) Scope() string {
	var s string
	switch {
	case r.SkuID != "":
		s = "SKU"
	case r.ProductID != "":
		s = "Product"
	case r.Family != "":
		s = "Family"
	}
	who := ""
	switch {
	case r.CustomerID != uuid.Nil:
		who = "Customer"
	case r.ResellerID != uuid.Nil:
		who = "Reseller"
	}
	if who != "" {
		if s == "" {
			return who
		}
		return who + " × " + s
	}
	return cmpOr(s, "Default")
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// specificity orders the levels: a customer's rule beats a reseller's,
// which beats every general one, then SKU > product > family > none.
func (r MarkupRule) specificity() int {
	n := 0
	switch {
	case r.SkuID != "":
		n = 3
	case r.ProductID != "":
		n = 2
	case r.Family != "":
		n = 1
	}
	if r.CustomerID != uuid.Nil {
		n += 20
	} else if r.ResellerID != uuid.Nil {
		n += 10
	}
	return n
}

// matches says whether r applies to it.
func (r MarkupRule) matches(it PricedItem) bool {
	if r.CustomerID != uuid.Nil && r.CustomerID != it.CustomerID {
		return false
	}
	if r.ResellerID != uuid.Nil && r.ResellerID != it.ResellerID {
		return false
	}
	if r.Family != "" && !strings.EqualFold(r.Family, it.Family) {
		return false
	}
	if r.ProductID != "" && !strings.EqualFold(r.ProductID, it.ProductID) {
		return false
	}
	if r.SkuID != "" && !strings.EqualFold(r.SkuID, it.SkuID) {
		return false
	}
	return true
}

// PickMarkup returns the most specific rule matching it; ok is false when
// none does (no default rule either: the sale price is the cost).
func PickMarkup(rs []MarkupRule, it PricedItem) (MarkupRule, bool) {
	best, ok := MarkupRule{}, false
	for _, r := range rs {
		if !r.matches(it) {
			continue
		}
		if !ok || r.specificity() > best.specificity() {
			best, ok = r, true
		}
	}
	return best, ok
}

var hundred = decimal.NewFromInt(100)

// ApplyMarkup prices one unit at cost by r, rounded as r says. A result
// below cost is raised to cost unless r allows it; it is never negative.
func ApplyMarkup(cost decimal.Decimal, r MarkupRule) decimal.Decimal {
	var sale decimal.Decimal
	switch r.Kind {
	case MarkupFixed:
		sale = cost.Add(r.Amount)
	default:
		sale = cost.Mul(hundred.Add(r.Amount)).Div(hundred)
	}
	switch r.Rounding {
	case RoundWhole:
		sale = sale.Round(0)
	case Round99:
		// the next price ending in .99 at or above sale: 10.20 -> 10.99, 9.99 -> 9.99
		sale = sale.Round(2).Add(decimal.New(1, -2)).Ceil().Sub(decimal.New(1, -2))
	default:
		sale = sale.Round(2)
	}
	if sale.LessThan(cost) && !r.AllowBelowCost {
		sale = cost
	}
	if sale.IsNegative() {
		sale = decimal.Zero
	}
	return sale
}

// SaleAmount prices a billed line: its cost times the marked-up unit
// price over the unit price (so a prorated charge keeps its proportion);
// without a unit price (usage) a percentage applies to the cost and a
// fixed amount does not apply.
func SaleAmount(cost, unitPrice decimal.Decimal, r MarkupRule) decimal.Decimal {
	if unitPrice.IsZero() {
		if r.Kind == MarkupFixed {
			return cost
		}
		sale := cost.Mul(hundred.Add(r.Amount)).Div(hundred).Round(2)
		if sale.LessThan(cost) && !r.AllowBelowCost {
			return cost
		}
		return sale
	}
	return cost.Mul(ApplyMarkup(unitPrice, r)).Div(unitPrice).Round(2)
}

// SalePrice prices one unit of it at cost by the most specific rule in rs;
// rule is the zero rule (Scope "Default", no markup) when none matches.
func SalePrice(rs []MarkupRule, it PricedItem, cost decimal.Decimal) (sale decimal.Decimal, rule MarkupRule, ok bool) {
	rule, ok = PickMarkup(rs, it)
	if !ok {
		return cost, rule, false
	}
	return ApplyMarkup(cost, rule), rule, true
}

// CheckMarkupRule validates a rule as the admin form submits it; problems
// maps form fields to messages.
func CheckMarkupRule(r MarkupRule) map[string]string {
	p := map[string]string{}
	switch r.Kind {
	case MarkupPercent:
		if r.Amount.LessThan(decimal.NewFromInt(-100)) {
			p["amount"] = "A markup below -100% would make the price negative."
		} else if r.Amount.GreaterThan(decimal.NewFromInt(1000)) {
			p["amount"] = "A markup above 1000% is almost certainly a typo."
		}
		if r.Amount.IsNegative() && !r.AllowBelowCost {
			p["amount"] = "A negative markup sells below cost: tick “Allow a sale price below cost” to save it."
		}
	case MarkupFixed:
		if r.Amount.IsNegative() && !r.AllowBelowCost {
			p["amount"] = "A negative amount sells below cost: tick “Allow a sale price below cost” to save it."
		}
	default:
		p["kind"] = "Choose a percentage or a fixed amount."
	}
	if r.Amount.Exponent() < -4 {
		p["amount"] = "Use at most four decimal places."
	}
	switch r.Rounding {
	case RoundCents, RoundWhole, Round99:
	default:
		p["rounding"] = "Choose how the sale price is rounded."
	}
	if r.SkuID != "" && r.ProductID == "" {
		p["product_id"] = "A SKU rule needs its product id too."
	}
	if r.SkuID != "" && r.Family != "" || r.ProductID != "" && r.Family != "" {
		p["family"] = "A rule is for a family or for a product, not both."
	}
	return p
}

// ParseAmount reads a decimal amount as typed in a form ("12.5", "12,5").
func ParseAmount(s string) (decimal.Decimal, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero, fmt.Errorf("%q is not a number", s)
	}
	return d, nil
}
