package store_test

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/internal/testdb"
)

// TestMoneyTextMatchesPages: the SQL money_text renders every currency
// Partner Center sells in as the pages' i18n.Money does.
func TestMoneyTextMatchesPages(t *testing.T) {
	t.Parallel()
	s := testdb.NewStore(t)
	currencies := []string{"USD", "EUR", "GBP", "AUD", "BRL", "CAD", "CHF", "CNY", "DKK", "HKD", "INR", "JPY", "KRW", "MXN", "NOK",
		"NZD", "SEK", "TWD", "ZAR", "ILS", "SGD", "PLN", "CZK", "HUF", "TRY", "SAR", "AED", "usd", ""}
	amounts := []string{"0", "0.004", "-0.004", "-0.555", "0.5", "1", "12.345", "999.995", "1234.5", "-1234.5", "1000000", "123456789.99"}
	for _, c := range currencies {
		for _, a := range amounts {
			d := decimal.RequireFromString(a)
			var got string
			if err := s.Pool.QueryRow(t.Context(), `SELECT money_text($1::numeric, $2)`, a, c).Scan(&got); err != nil {
				t.Fatal(err)
			}
			want := i18n.Money(i18n.English, d, strings.ToUpper(c))
			if got != want {
				t.Errorf("money_text(%s, %q) = %q, the pages show %q", a, c, got, want)
			}
		}
	}
}
