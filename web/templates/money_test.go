package templates

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/internal/i18n"
)

func TestMoney(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lang i18n.Lang
		d    string
		cur  string
		want string
	}{
		{i18n.English, "1234.5", "USD", "$1,234.50"},
		{i18n.English, "1234.5", "EUR", "€1,234.50"},
		{i18n.English, "1234.5", "CHF", "CHF 1,234.50"},
		{i18n.English, "1234.5", "SEK", "SEK 1,234.50"},
		{i18n.English, "1234.5", "AUD", "A$1,234.50"},
		{i18n.English, "-1234.5", "USD", "−$1,234.50"},
		{i18n.English, "-0.5", "CHF", "−CHF 0.50"},
		{i18n.English, "0", "USD", "$0.00"},
		{i18n.English, "-0.001", "USD", "$0.00"}, // rounds to zero: no minus sign
		{i18n.English, "0.005", "USD", "$0.01"},  // half away from zero, like CLDR
		{i18n.English, "-0.005", "USD", "−$0.01"},
		{i18n.English, "1234567890123.456", "EUR", "€1,234,567,890,123.46"},
		{i18n.English, "999.999", "USD", "$1,000.00"},
		{i18n.English, "1234.5", "JPY", "¥1,235"},
		{i18n.English, "-1234.4", "JPY", "−¥1,234"},
		{i18n.English, "1234.5", "KRW", "₩1,235"},
		{i18n.English, "1234.5678", "BHD", "BHD 1,234.568"},
		{i18n.English, "1234.5", "CNY", "CN¥1,234.50"},
		{i18n.English, "12", "usd", "$12.00"},
		{i18n.English, "1234.5", "XYZ", "1,234.50 XYZ"},
		{i18n.English, "-1234.5", "XYZ", "−1,234.50 XYZ"},
		{i18n.English, "1234.5", "", "1,234.50"},
		{i18n.SimplifiedChinese, "1234.5", "CNY", "￥1,234.50"},
		{i18n.SimplifiedChinese, "1234.5", "USD", "US$1,234.50"},
		{i18n.SimplifiedChinese, "1234.5", "JPY", "JP¥1,235"},
	} {
		got := MoneyIn(tc.lang, decimal.RequireFromString(tc.d), tc.cur)
		if got != tc.want {
			t.Errorf("MoneyIn(%s, %s, %q) = %q, want %q", tc.lang, tc.d, tc.cur, got, tc.want)
		}
	}
	if got, want := Money(decimal.RequireFromString("1234.5"), "CNY"), "CN¥1,234.50"; got != want {
		t.Errorf("Money = %q, want %q (English)", got, want)
	}
	if got, want := MoneyCtx(i18n.WithLang(t.Context(), i18n.SimplifiedChinese), decimal.RequireFromString("1234.5"), "CNY"), "￥1,234.50"; got != want {
		t.Errorf("MoneyCtx = %q, want %q (the request's language)", got, want)
	}
}

func TestCount(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 1234567: "1,234,567", -45000: "−45,000"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}
