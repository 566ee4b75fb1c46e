package rules

import (
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

func TestMonthlyEquivalent(t *testing.T) {
	d := decimal.RequireFromString
	tests := []struct {
		name        string
		unit        string
		qty         int64
		cycle, term string
		want        string
		ok          bool
	}{
		{"monthly billing is the unit price", "12.50", 10, "monthly", "P1Y", "125", true},
		{"annual billing over 12 months", "120", 3, "Annual", "P1Y", "30", true},
		{"triennial over 36 months", "360", 1, "triennial", "P3Y", "10", true},
		{"paid once for a year", "120", 1, "none", "P1Y", "10", true},
		{"paid once for a month", "7", 2, "", "P1M", "14", true},
		{"no fraction lost before rounding", "10", 1, "annual", "P1Y", "0.83333333", true},
		{"monthly keeps every fraction", "0.123456789", 3, "monthly", "P1M", "0.370370367", true},
		{"a credit", "-12.50", 2, "monthly", "P1M", "-25", true},
		{"past int64, still exact", "92233720368547758.07", 1000, "monthly", "P1M", "92233720368547758070", true},
		{"19 digits", "1234567890.123456789", 3, "monthly", "P1M", "3703703670.370370367", true},
		{"usage has no monthly equivalent", "1", 1, "usage", "", "0", false},
		{"unknown term paid once", "1", 1, "none", "P5Y", "0", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := MonthlyEquivalent(d(tt.unit), tt.qty, tt.cycle, tt.term)
			if ok != tt.ok || !got.Equal(d(tt.want)) {
				t.Fatalf("MonthlyEquivalent = %s, %v; want %s, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestMarginShare(t *testing.T) {
	d := decimal.RequireFromString
	for _, tt := range []struct{ cost, sale, want string }{
		{"10", "12.50", "20"},
		{"10", "10", "0"},
		{"10", "0", "0"},
		{"12", "10", "-20"},
		{"8.37", "9.63", "13.1"},
	} {
		if got := MarginShare(d(tt.cost), d(tt.sale)); !got.Equal(d(tt.want)) {
			t.Errorf("MarginShare(%s, %s) = %s, want %s", tt.cost, tt.sale, got, tt.want)
		}
	}
}

func TestPlanDifferences(t *testing.T) {
	d := decimal.RequireFromString
	// the NCE shape: P1Y paid up front 68.40 (5.70 a month), billed
	// monthly 5 % more (6.00), a monthly term 20 % more than that (7.20)
	plans := []PlanPrice{{"P1M", "monthly", d("7.20")}, {"P1Y", "monthly", d("6.00")}, {"P1Y", "annual", d("68.40")},
		{"P3Y", "triennial", d("194.40")}, {"", "usage", d("1")}}
	monthly, diffs, ok := PlanDifferences(PlanPrice{"P1Y", "monthly", d("6.00")}, plans)
	if !ok || !monthly.Equal(d("6")) || len(diffs) != 3 {
		t.Fatalf("PlanDifferences = %s, %v, %v", monthly, diffs, ok)
	}
	want := []struct{ term, cycle, monthly, pct string }{{"P3Y", "triennial", "5.4", "-10"}, {"P1Y", "annual", "5.7", "-5"}, {"P1M", "monthly", "7.2", "20"}}
	for i, w := range want {
		g := diffs[i]
		if g.Term != w.term || g.Cycle != w.cycle || !g.Monthly.Equal(d(w.monthly)) || !g.Percent.Equal(d(w.pct)) {
			t.Errorf("diff %d = %+v, want %+v", i, g, w)
		}
	}
	if _, _, ok := PlanDifferences(PlanPrice{"", "usage", d("1")}, plans); ok {
		t.Error("a usage plan has no monthly equivalent")
	}
}

// A big customer's run rate works out two monthly equivalents per
// subscription, so their cost shows on its pages.
func BenchmarkMonthlyEquivalent(b *testing.B) {
	unit := decimal.RequireFromString("12.3456")
	for _, cycle := range []string{"monthly", "annual"} {
		b.Run(cycle, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := MonthlyEquivalent(unit, 25, cycle, "P1Y"); !ok {
					b.Fatal("no monthly equivalent")
				}
			}
		})
	}
}

// TestMonthlyEquivalentAsDecimal checks the int64 arithmetic against the
// decimal arithmetic it stands in for, value and exponent, on random
// prices, seat counts and plans, halves included.
func TestMonthlyEquivalentAsDecimal(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		unit := decimal.New(r.Int64N(1_000_000_000)-r.Int64N(100_000), -int32(r.IntN(10)))
		if r.IntN(10) == 0 {
			unit = decimal.New(r.Int64(), -int32(r.IntN(12))) // near and past the int64 bounds
		}
		qty := r.Int64N(100_000)
		cycle := []string{"monthly", "annual", "triennial"}[r.IntN(3)]
		months, _ := MonthsBilled(cycle, "P1Y")
		want := unit.Mul(decimal.NewFromInt(qty))
		if months > 1 {
			want = want.DivRound(decimal.NewFromInt(months), monthlyPlaces)
		}
		got, ok := MonthlyEquivalent(unit, qty, cycle, "P1Y")
		if !ok || !got.Equal(want) || got.Exponent() != want.Exponent() {
			t.Fatalf("%s × %d %s: %s (exp %d), decimal gives %s (exp %d)", unit, qty, cycle, got, got.Exponent(), want, want.Exponent())
		}
	}
}
