package rules

import (
	"math/big"

	"github.com/shopspring/decimal"
)

// Sum adds decimals in place. decimal.Add makes a new big.Int each time
// (and rescales one side when the exponents differ), and a run rate adds
// four amounts per subscription. The zero Sum is zero; Value is exactly
// what adding the same amounts to decimal.Zero with Add gives, exponent
// included.
type Sum struct {
	c, t big.Int
	exp  int32
}

// Add adds d.
func (s *Sum) Add(d decimal.Decimal) {
	e := d.Exponent()
	if e < s.exp {
		s.c.Mul(&s.c, pow10(s.exp-e))
		s.exp = e
	}
	if d.NumDigits() <= 18 {
		s.t.SetInt64(d.CoefficientInt64())
	} else {
		s.t.Set(d.Coefficient())
	}
	if e > s.exp {
		s.t.Mul(&s.t, pow10(e-s.exp))
	}
	s.c.Add(&s.c, &s.t)
}

// Value is the sum so far.
func (s *Sum) Value() decimal.Decimal { return decimal.NewFromBigInt(&s.c, s.exp) }

// powers10 are 10^0 to 10^39, read only.
var powers10 = func() (p [40]*big.Int) {
	for i := range p {
		p[i] = new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(i)), nil)
	}
	return p
}()

func pow10(n int32) *big.Int {
	if int(n) < len(powers10) {
		return powers10[n]
	}
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}
