package templates

import (
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

func TestNewBarChart(t *testing.T) {
	t.Parallel()
	d := decimal.RequireFromString
	series := []ChartSeries{{Name: "cost"}, {Name: "sale"}, {Name: "margin"}}
	c := NewBarChart("c", "t", "d", series, []ChartPoint{{Label: "Jan", Values: []decimal.Decimal{d("100"), d("50"), d("-20")}}})
	// The plot is rows 12 to 184 (172 rows) for 100 down to -20.
	if c.BaseY != 155 {
		t.Errorf("zero line on row %d, want 155 (12 + 100×172/120 rounded)", c.BaseY)
	}
	want := []struct{ y, h int }{{12, 143}, {84, 71}, {155, 29}}
	for i, b := range c.Groups[0].Bars {
		if b.Y != want[i].y || b.H != want[i].h {
			t.Errorf("bar %d at y %d height %d, want %d and %d", i, b.Y, b.H, want[i].y, want[i].h)
		}
	}
	var ticks []int
	for _, tk := range c.Ticks {
		ticks = append(ticks, tk.Y)
	}
	if len(ticks) != 4 || ticks[0] != 12 || ticks[1] != 84 || ticks[2] != 155 || ticks[3] != 184 {
		t.Errorf("ticks on rows %v, want [12 84 155 184]", ticks)
	}
	// 8 to 0 over 172 rows: 7 is 21.5 rows down, which rounds away from zero.
	c = NewBarChart("c", "t", "d", series[:1], []ChartPoint{{Values: []decimal.Decimal{d("8")}}, {Values: []decimal.Decimal{d("7")}}})
	if y := c.Groups[1].Bars[0].Y; y != 34 {
		t.Errorf("7 of 8 on row %d, want 34", y)
	}
	// An empty chart still has a scale.
	if c := NewBarChart("c", "t", "d", series, nil); !c.Empty() || c.BaseY != 184 {
		t.Errorf("empty chart: empty %v, zero line %d", c.Empty(), c.BaseY)
	}
}

// TestPixelScaleAsDecimal checks the int64 rows against the decimal
// arithmetic they replace, amounts too large for int64 included.
func TestPixelScaleAsDecimal(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 23))
	random := func() decimal.Decimal {
		digits := []int64{1e3, 1e6, 1e9, 1e12, 1e15, 1e18}[rng.IntN(6)]
		n := rng.Int64N(digits)
		if rng.IntN(4) == 0 {
			n = -n
		}
		v := decimal.New(n, -int32(rng.IntN(9)))
		if rng.IntN(50) == 0 {
			v = v.Mul(decimal.New(1, 6)) // past int64 at a fine exponent
		}
		return v
	}
	fast := 0
	for range 2000 {
		var vals []decimal.Decimal
		for range 1 + rng.IntN(8) {
			vals = append(vals, random())
		}
		hi, lo := decimal.Zero, decimal.Zero
		for _, v := range vals {
			hi, lo = decimal.Max(hi, v), decimal.Min(lo, v)
		}
		if hi.Equal(lo) {
			hi = decimal.NewFromInt(1)
		}
		plot := 20 + rng.IntN(400)
		s := newPixelScale(12, plot, hi, lo, []ChartPoint{{Values: vals}})
		if s.ints {
			fast++
		}
		for _, v := range append(vals, hi, lo, decimal.Zero, hi.Div(decimal.NewFromInt(2))) {
			want := 12 + int(hi.Sub(v).Mul(decimal.NewFromInt(int64(plot))).Div(hi.Sub(lo)).Round(0).IntPart())
			if got := s.row(v); got != want {
				t.Fatalf("row(%s) between %s and %s over %d rows = %d, want %d (int64 path %v)", v, hi, lo, plot, got, want, s.ints)
			}
		}
	}
	if fast < 500 || fast == 2000 {
		t.Errorf("%d of 2000 charts took the int64 path: both paths should be checked", fast)
	}
}

// BenchmarkNewBarChart lays out the billing page's chart: twelve months
// of cost, sale and margin.
func BenchmarkNewBarChart(b *testing.B) {
	series := []ChartSeries{{Name: "cost"}, {Name: "sale"}, {Name: "margin"}}
	var pts []ChartPoint
	for m := range 12 {
		cost := decimal.New(int64(1_234_567+m*10_007), -2)
		sale := cost.Mul(decimal.RequireFromString("1.15")).Round(2)
		pts = append(pts, ChartPoint{Label: "m", Values: []decimal.Decimal{cost, sale, sale.Sub(cost)}})
	}
	b.ReportAllocs()
	for b.Loop() {
		NewBarChart("c", "t", "d", series, pts)
	}
}
