package i18n

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
)

// TestMoneyDigitsInt64 checks the int64 formatting against the decimal
// one on random amounts of every size and place count, halves included,
// in currencies of 0, 2 and 3 places.
func TestMoneyDigitsInt64(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, cur := range []string{"USD", "JPY", "BHD", "XYZ", ""} {
		f := formatOf(English, cur)
		fast := 0
		for range 20000 {
			c := new(big.Int).SetUint64(r.Uint64() >> r.IntN(64))
			if r.IntN(3) == 0 {
				c.Neg(c)
			}
			if r.IntN(5) == 0 {
				c.SetInt64(int64(r.IntN(2000)*5) - 5000) // halves of the last place
			}
			d := decimal.NewFromBigInt(c, int32(r.IntN(26)-22))
			want, wantNeg := f.digits(d)
			got, neg, ok := f.digitsInt64(d)
			if !ok {
				continue
			}
			fast++
			if got != want || neg != wantNeg {
				t.Fatalf("%s %s: %q (negative %v), the decimal path gives %q (%v)", cur, d, got, neg, want, wantNeg)
			}
		}
		if fast < 10000 {
			t.Errorf("%s: only %d of 20000 amounts took the int64 path", cur, fast)
		}
	}
	if _, _, ok := formatOf(English, "CHF").digitsInt64(decimal.RequireFromString("1.03")); ok && formatOf(English, "CHF").increment > 1 {
		t.Error("a currency rounded to a step took the int64 path")
	}
}

// BenchmarkMoney formats a price, as a page's rows do hundreds of times.
func BenchmarkMoney(b *testing.B) {
	d := decimal.RequireFromString("1234.567891")
	b.ReportAllocs()
	for b.Loop() {
		_ = Money(English, d, "USD")
	}
}
