package templates

import (
	"context"

	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/internal/i18n"
)

// Money renders an amount for a person in English (i18n.Money): "$1,234.50",
// "CHF 1,234.50", "¥1,235", "−€3.00". Exports use plain decimals instead.
func Money(d decimal.Decimal, currency string) string {
	return i18n.Money(i18n.English, d, currency)
}

// MoneyCtx is Money in the request's language (symbols differ: the
// yuan is "CN¥" in English and "￥" in Chinese).
func MoneyCtx(ctx context.Context, d decimal.Decimal, currency string) string {
	return i18n.Money(i18n.From(ctx), d, currency)
}

// MoneyIn is Money in language l.
func MoneyIn(l i18n.Lang, d decimal.Decimal, cur string) string { return i18n.Money(l, d, cur) }

// Count renders a whole number with thousands separators: 1,000,000.
func Count(n int64) string { return i18n.Count(n) }
