package rules

import (
	"math"
	"math/bits"
	"strings"

	"github.com/shopspring/decimal"
)

// MonthsBilled is how many months one billing period of cycle covers
// (monthly 1, annual 12, triennial 36); a cycle of "none" or "" (paid
// once for the term) takes the term's length (P1M, P1Y, P3Y). ok is false
// when neither says (usage-based, unknown plans): such a line has no
// monthly equivalent.
func MonthsBilled(cycle, term string) (months int64, ok bool) {
	switch strings.ToLower(cycle) {
	case "monthly":
		return 1, true
	case "annual":
		return 12, true
	case "triennial":
		return 36, true
	case "none", "", "onetime", "one_time":
		switch strings.ToUpper(term) {
		case "P1M":
			return 1, true
		case "P1Y", "P12M":
			return 12, true
		case "P3Y", "P36M":
			return 36, true
		}
	}
	return 0, false
}

// MonthlyEquivalent is what quantity units at unit (the price per billing
// period) cost per month: monthly billing as is, annual over 12 months,
// triennial over 36. The result is not rounded: sums stay exact and the
// page rounds once.
func MonthlyEquivalent(unit decimal.Decimal, quantity int64, cycle, term string) (decimal.Decimal, bool) {
	months, ok := MonthsBilled(cycle, term)
	if !ok {
		return decimal.Zero, false
	}
	if d, ok := monthlyInt64(unit, quantity, months); ok {
		return d, true
	}
	total := unit.Mul(decimal.NewFromInt(quantity))
	if months == 1 {
		// Most plans bill monthly: no division, which costs more than
		// the rest of a big customer's run rate.
		return total, true
	}
	return total.DivRound(decimal.NewFromInt(months), monthlyPlaces), true
}

// monthlyPlaces is how many places a divided monthly equivalent keeps.
const monthlyPlaces = 8

// monthlyInt64 is MonthlyEquivalent in int64 arithmetic, when the amounts
// fit: the same value and exponent in one allocation where the decimal
// arithmetic makes three to seven, twice per subscription of a run rate.
// ok is false when they do not fit.
func monthlyInt64(unit decimal.Decimal, quantity, months int64) (decimal.Decimal, bool) {
	if unit.NumDigits() > 18 {
		return decimal.Decimal{}, false
	}
	c := unit.CoefficientInt64()
	hi, lo := bits.Mul64(absUint(c), absUint(quantity))
	if hi != 0 || lo > math.MaxInt64 {
		return decimal.Decimal{}, false
	}
	n, exp := c*quantity, unit.Exponent()
	if months == 1 {
		return decimal.New(n, exp), true
	}
	// n × 10^exp / months at monthlyPlaces places, the last rounded half
	// away from zero, as DivRound does.
	shift := int(exp) + monthlyPlaces
	if shift < 0 || shift > 18 {
		return decimal.Decimal{}, false
	}
	scale := int64(math.Pow10(shift))
	if hi, lo := bits.Mul64(absUint(n), uint64(scale)); hi != 0 || lo > math.MaxInt64 {
		return decimal.Decimal{}, false
	}
	n *= scale
	q, r := n/months, n%months
	if 2*absUint(r) >= uint64(months) {
		if n < 0 {
			q--
		} else {
			q++
		}
	}
	return decimal.New(q, -monthlyPlaces), true
}

func absUint(n int64) uint64 {
	if n < 0 {
		return uint64(-n)
	}
	return uint64(n)
}

// MarginShare is margin as a percentage of sale (0 when sale is zero),
// to one decimal.
func MarginShare(cost, sale decimal.Decimal) decimal.Decimal {
	if sale.IsZero() {
		return decimal.Zero
	}
	return sale.Sub(cost).Mul(decimal.NewFromInt(100)).DivRound(sale, 1)
}

// PlanPrice is an item's unit price on one term and billing plan.
type PlanPrice struct {
	Term, Cycle string
	Unit        decimal.Decimal
}

// PlanDifference is another plan of an item compared with the chosen one:
// its price per unit and month, and how much more (positive) or less
// (negative) that is than the chosen plan's, in percent.
type PlanDifference struct {
	PlanPrice
	Monthly, Percent decimal.Decimal
}

// PlanDifferences compares the chosen plan of an item with its other
// plans (the NCE rules make monthly billing of a yearly term 5 % dearer
// than paying up front, and a monthly term 20 % dearer than a yearly
// one): monthly is the chosen plan's price per unit and month, diffs the
// others cheapest first. Plans without a monthly equivalent and the
// chosen plan itself are left out; ok is false when the chosen plan has
// no monthly equivalent.
func PlanDifferences(chosen PlanPrice, plans []PlanPrice) (monthly decimal.Decimal, diffs []PlanDifference, ok bool) {
	monthly, ok = MonthlyEquivalent(chosen.Unit, 1, chosen.Cycle, chosen.Term)
	if !ok {
		return monthly, nil, false
	}
	for _, p := range plans {
		if p.Term == chosen.Term && strings.EqualFold(p.Cycle, chosen.Cycle) {
			continue
		}
		m, ok := MonthlyEquivalent(p.Unit, 1, p.Cycle, p.Term)
		if !ok {
			continue
		}
		d := PlanDifference{PlanPrice: p, Monthly: m}
		if !monthly.IsZero() {
			d.Percent = m.Sub(monthly).Mul(decimal.NewFromInt(100)).DivRound(monthly, 1)
		}
		diffs = append(diffs, d)
	}
	for i := 1; i < len(diffs); i++ {
		for j := i; j > 0 && diffs[j].Monthly.LessThan(diffs[j-1].Monthly); j-- {
			diffs[j], diffs[j-1] = diffs[j-1], diffs[j]
		}
	}
	return monthly, diffs, true
}
