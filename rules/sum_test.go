package rules

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

func TestSum(t *testing.T) {
	d := decimal.RequireFromString
	for _, tt := range []struct {
		name string
		in   []string
		want string
	}{
		{"nothing is zero", nil, "0"},
		{"cents", []string{"12.50", "0.25", "-3"}, "9.75"},
		{"finer places win", []string{"1.5", "0.00000001", "2"}, "3.50000001"},
		{"past int64", []string{"92233720368547758.07", "92233720368547758.07", "1"}, "184467440737095517.14"},
		{"whole thousands", []string{"1200", "3e3"}, "4200"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var s Sum
			for _, x := range tt.in {
				s.Add(d(x))
			}
			if got := s.Value(); !got.Equal(d(tt.want)) {
				t.Fatalf("sum %s, want %s", got, tt.want)
			}
		})
	}
}

// TestSumAsAdd checks Sum against decimal.Add, value and exponent, on
// random amounts of many sizes and places.
func TestSumAsAdd(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 500 {
		var s Sum
		want := decimal.Zero
		for range r.IntN(30) {
			c := new(big.Int).SetUint64(r.Uint64() >> r.IntN(64))
			if r.IntN(4) == 0 {
				c.Mul(c, big.NewInt(1_000_000_007)) // past int64
			}
			if r.IntN(3) == 0 {
				c.Neg(c)
			}
			x := decimal.NewFromBigInt(c, int32(r.IntN(14)-10))
			s.Add(x)
			want = want.Add(x)
		}
		if got := s.Value(); !got.Equal(want) || got.Exponent() != want.Exponent() {
			t.Fatalf("sum %s (exp %d), Add gives %s (exp %d)", got, got.Exponent(), want, want.Exponent())
		}
	}
}

// BenchmarkSum adds 2,000 amounts, a big customer's run rate, by Add and
// by Sum.
func BenchmarkSum(b *testing.B) {
	amounts := make([]decimal.Decimal, 2000)
	for i := range amounts {
		amounts[i] = decimal.New(int64(i*1234567), -6-int32(i%3))
	}
	b.Run("Add", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			t := decimal.Zero
			for _, a := range amounts {
				t = t.Add(a)
			}
		}
	})
	b.Run("Sum", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var s Sum
			for _, a := range amounts {
				s.Add(a)
			}
			_ = s.Value()
		}
	})
}
