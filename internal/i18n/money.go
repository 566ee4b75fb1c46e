package i18n

import (
	"math/bits"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"golang.org/x/text/currency"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Money renders an amount for a person reading language l: the
// currency's CLDR symbol, its standard number of decimals and thousands
// separators, a real minus sign: "$1,234.50", "CHF 1,234.50", "¥1,235",
// "−€3.00". An unknown currency code follows the number ("1,234.50
// XYZ"); an empty one leaves the number alone. Exports use plain decimals
// instead.
func Money(l Lang, d decimal.Decimal, cur string) string {
	f := formatOf(l, cur)
	num, neg, ok := f.digitsInt64(d)
	if !ok {
		num, neg = f.digits(d)
	}
	var out string
	switch {
	case f.symbol == "":
		out = num
	case !f.known:
		out = num + " " + f.symbol
	case f.spaced:
		out = f.symbol + " " + num
	default:
		out = f.symbol + num
	}
	if neg {
		out = "−" + out
	}
	return out
}

// digits is d rounded to f's places, without its sign and with thousands
// separators, and whether it is below zero once rounded.
func (f moneyFormat) digits(d decimal.Decimal) (string, bool) {
	d = f.round(d)
	return groupDigits(d.Abs().StringFixed(f.scale)), d.IsNegative()
}

// digitsInt64 is digits in int64 arithmetic, for amounts of up to 18
// digits in currencies rounded to their last place (most): a page of a
// big customer formats hundreds of amounts, and the decimal path makes
// several big.Ints and strings for each. ok is false for the others.
func (f moneyFormat) digitsInt64(d decimal.Decimal) (num string, neg bool, ok bool) {
	if f.increment > 1 || d.NumDigits() > 18 {
		return "", false, false
	}
	c := d.CoefficientInt64()
	abs := uint64(c)
	if c < 0 {
		abs = uint64(-c)
	}
	// units is |d| in the currency's last place, rounded half away
	// from zero as decimal.Round does.
	var units uint64
	switch drop := -int(d.Exponent()) - int(f.scale); {
	case drop <= 0:
		if -drop > 18 {
			return "", false, false
		}
		hi, lo := bits.Mul64(abs, pow10u[-drop])
		if hi != 0 {
			return "", false, false
		}
		units = lo
	case drop > 18:
		units = 0 // below a tenth of the last place
	default:
		p := pow10u[drop]
		units = abs / p
		if 2*(abs%p) >= p {
			units++
		}
	}
	digits := strconv.FormatUint(units, 10)
	if n := int(f.scale) + 1 - len(digits); n > 0 {
		digits = strings.Repeat("0", n) + digits
	}
	whole, frac := digits[:len(digits)-int(f.scale)], digits[len(digits)-int(f.scale):]
	num = groupDigits(whole)
	if f.scale > 0 {
		num += "." + frac
	}
	return num, c < 0 && units != 0, true
}

// pow10u are 10^0 to 10^18.
var pow10u = func() (p [19]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// Count renders a whole number with thousands separators: 1,000,000.
func Count(n int64) string {
	s := decimal.NewFromInt(n).String()
	if neg, ok := strings.CutPrefix(s, "-"); ok {
		return "−" + groupDigits(neg)
	}
	return groupDigits(s)
}

// moneyFormat is what one currency looks like in one language.
type moneyFormat struct {
	symbol    string
	known     bool  // an ISO 4217 code x/text knows
	spaced    bool  // the symbol ends in a letter ("CHF 1.00"), CLDR's currency spacing
	scale     int32 // decimals shown
	increment int64 // rounding step in units of the last decimal (1 for most)
}

func (f moneyFormat) round(d decimal.Decimal) decimal.Decimal {
	if f.increment <= 1 {
		return d.Round(f.scale)
	}
	step := decimal.New(f.increment, -f.scale)
	return d.Div(step).Round(0).Mul(step)
}

type moneyKey struct {
	lang Lang
	cur  string
}

// moneyFormats caches formats per language and currency: the CLDR lookup
// goes through fmt and would otherwise run for every amount of a page.
var moneyFormats sync.Map // moneyKey -> moneyFormat

func formatOf(l Lang, cur string) moneyFormat {
	key := moneyKey{l, cur}
	if f, ok := moneyFormats.Load(key); ok {
		return f.(moneyFormat)
	}
	f := moneyFormat{symbol: cur, scale: 2, increment: 1}
	if u, err := currency.ParseISO(cur); err == nil && cur != "" {
		tag := language.English
		if l == SimplifiedChinese {
			tag = language.SimplifiedChinese
		}
		scale, inc := currency.Standard.Rounding(u)
		f.symbol = message.NewPrinter(tag).Sprint(currency.Symbol(u))
		f.known, f.scale, f.increment = true, int32(scale), int64(inc)
		last, _ := utf8.DecodeLastRuneInString(f.symbol)
		f.spaced = unicode.IsLetter(last)
	}
	moneyFormats.Store(key, f)
	return f
}

// groupDigits puts thousands separators into a non-negative decimal
// string: "1234567.50" -> "1,234,567.50".
func groupDigits(s string) string {
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i := range len(whole) {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(whole[i])
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}
