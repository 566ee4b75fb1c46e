package rules

import (
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

func TestPickMarkupMostSpecificWins(t *testing.T) {
	cust, other := uuid.New(), uuid.New()
	rs := []MarkupRule{
		{ID: 1, Kind: MarkupPercent, Amount: decimal.NewFromInt(10)},
		{ID: 2, Family: "Microsoft 365", Kind: MarkupPercent, Amount: decimal.NewFromInt(12)},
		{ID: 3, ProductID: "CFQ7TTC0LH18", Kind: MarkupPercent, Amount: decimal.NewFromInt(15)},
		{ID: 4, ProductID: "CFQ7TTC0LH18", SkuID: "0001", Kind: MarkupPercent, Amount: decimal.NewFromInt(20)},
		{ID: 5, CustomerID: cust, Kind: MarkupPercent, Amount: decimal.NewFromInt(5)},
		{ID: 6, CustomerID: cust, ProductID: "CFQ7TTC0LH18", SkuID: "0001", Kind: MarkupFixed, Amount: decimal.NewFromInt(1)},
	}
	tests := []struct {
		name string
		it   PricedItem
		want int64
	}{
		{"default", PricedItem{CustomerID: other, Family: "Dynamics", ProductID: "X", SkuID: "1"}, 1},
		{"family", PricedItem{CustomerID: other, Family: "microsoft 365", ProductID: "X", SkuID: "1"}, 2},
		{"product beats family", PricedItem{CustomerID: other, Family: "Microsoft 365", ProductID: "CFQ7TTC0LH18", SkuID: "0002"}, 3},
		{"sku beats product", PricedItem{CustomerID: other, Family: "Microsoft 365", ProductID: "CFQ7TTC0LH18", SkuID: "0001"}, 4},
		{"customer beats sku rule of everyone", PricedItem{CustomerID: cust, Family: "Microsoft 365", ProductID: "CFQ7TTC0LH18", SkuID: "0002"}, 5},
		{"customer x sku beats customer", PricedItem{CustomerID: cust, Family: "Microsoft 365", ProductID: "CFQ7TTC0LH18", SkuID: "0001"}, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := PickMarkup(rs, tt.it)
			if !ok || got.ID != tt.want {
				t.Fatalf("PickMarkup = rule %d (ok %v), want %d", got.ID, ok, tt.want)
			}
		})
	}
	if _, ok := PickMarkup(rs[1:4], PricedItem{Family: "Other"}); ok {
		t.Fatal("no default rule: nothing should match")
	}
}

func TestPickMarkupResellerLevel(t *testing.T) {
	resA, resB, custA := uuid.New(), uuid.New(), uuid.New()
	rs := []MarkupRule{
		{ID: 1, Kind: MarkupPercent, Amount: decimal.NewFromInt(15)},
		{ID: 2, ProductID: "CFQ7TTC0LH18", SkuID: "0001", Kind: MarkupPercent, Amount: decimal.NewFromInt(20)},
		{ID: 3, ResellerID: resA, Kind: MarkupPercent, Amount: decimal.NewFromInt(10)},
		{ID: 4, ResellerID: resA, ProductID: "CFQ7TTC0LH18", Kind: MarkupPercent, Amount: decimal.NewFromInt(8)},
		{ID: 5, CustomerID: custA, Kind: MarkupPercent, Amount: decimal.NewFromInt(3)},
	}
	tests := []struct {
		name  string
		it    PricedItem
		want  int64
		scope string
	}{
		{"direct customer: general rules", PricedItem{CustomerID: uuid.New(), ProductID: "X", SkuID: "1"}, 1, "Default"},
		{"reseller beats every general rule", PricedItem{CustomerID: uuid.New(), ResellerID: resA, ProductID: "CFQ7TTC0LH18", SkuID: "0002"}, 4, "Reseller × Product"},
		{"reseller beats a general SKU rule", PricedItem{CustomerID: uuid.New(), ResellerID: resA, ProductID: "Y", SkuID: "0001"}, 3, "Reseller"},
		{"another reseller: general rules", PricedItem{CustomerID: uuid.New(), ResellerID: resB, ProductID: "CFQ7TTC0LH18", SkuID: "0001"}, 2, "SKU"},
		{"customer beats its reseller", PricedItem{CustomerID: custA, ResellerID: resA, ProductID: "CFQ7TTC0LH18", SkuID: "0001"}, 5, "Customer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := PickMarkup(rs, tt.it)
			if !ok || got.ID != tt.want || got.Scope() != tt.scope {
				t.Fatalf("PickMarkup = rule %d %q (ok %v), want %d %q", got.ID, got.Scope(), ok, tt.want, tt.scope)
			}
		})
	}
}

func TestApplyMarkupRounding(t *testing.T) {
	d := decimal.RequireFromString
	tests := []struct {
		name string
		cost string
		r    MarkupRule
		want string
	}{
		{"percent to cents", "10.00", MarkupRule{Kind: MarkupPercent, Amount: d("12.5"), Rounding: RoundCents}, "11.25"},
		{"half cent rounds up", "0.05", MarkupRule{Kind: MarkupPercent, Amount: d("10"), Rounding: RoundCents}, "0.06"},
		{"whole", "10.00", MarkupRule{Kind: MarkupPercent, Amount: d("14"), Rounding: RoundWhole}, "11"},
		{"x99 rounds up", "10.00", MarkupRule{Kind: MarkupPercent, Amount: d("2"), Rounding: Round99}, "10.99"},
		{"x99 keeps .99", "9.99", MarkupRule{Kind: MarkupPercent, Amount: d("0"), Rounding: Round99}, "9.99"},
		{"fixed", "7.20", MarkupRule{Kind: MarkupFixed, Amount: d("1.5"), Rounding: RoundCents}, "8.7"},
		{"below cost clamps", "10", MarkupRule{Kind: MarkupPercent, Amount: d("-10"), Rounding: RoundCents}, "10"},
		{"below cost allowed", "10", MarkupRule{Kind: MarkupPercent, Amount: d("-10"), Rounding: RoundCents, AllowBelowCost: true}, "9"},
		{"never negative", "1", MarkupRule{Kind: MarkupFixed, Amount: d("-5"), AllowBelowCost: true}, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ApplyMarkup(d(tt.cost), tt.r); !got.Equal(d(tt.want)) {
				t.Fatalf("ApplyMarkup(%s) = %s, want %s", tt.cost, got, tt.want)
			}
		})
	}
}

func TestCheckMarkupRule(t *testing.T) {
	d := decimal.RequireFromString
	tests := []struct {
		name  string
		r     MarkupRule
		field string
	}{
		{"ok", MarkupRule{Kind: MarkupPercent, Amount: d("15"), Rounding: RoundCents}, ""},
		{"negative needs flag", MarkupRule{Kind: MarkupPercent, Amount: d("-5"), Rounding: RoundCents}, "amount"},
		{"negative with flag", MarkupRule{Kind: MarkupPercent, Amount: d("-5"), Rounding: RoundCents, AllowBelowCost: true}, ""},
		{"too big", MarkupRule{Kind: MarkupPercent, Amount: d("5000"), Rounding: RoundCents}, "amount"},
		{"kind", MarkupRule{Kind: "x", Amount: d("1"), Rounding: RoundCents}, "kind"},
		{"rounding", MarkupRule{Kind: MarkupFixed, Amount: d("1"), Rounding: "up"}, "rounding"},
		{"sku without product", MarkupRule{Kind: MarkupFixed, Amount: d("1"), Rounding: RoundCents, SkuID: "0001"}, "product_id"},
		{"too precise", MarkupRule{Kind: MarkupFixed, Amount: d("1.00001"), Rounding: RoundCents}, "amount"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := CheckMarkupRule(tt.r)
			if tt.field == "" && len(p) > 0 || tt.field != "" && p[tt.field] == "" {
				t.Fatalf("problems = %v, want field %q", p, tt.field)
			}
		})
	}
}

func TestParseAmount(t *testing.T) {
	for in, want := range map[string]string{"12.5": "12.5", " 12,5 ": "12.5", "15%": "15", "-3": "-3"} {
		got, err := ParseAmount(in)
		if err != nil || !got.Equal(decimal.RequireFromString(want)) {
			t.Errorf("ParseAmount(%q) = %s, %v", in, got, err)
		}
	}
	if _, err := ParseAmount("abc"); err == nil {
		t.Error("ParseAmount(abc) should fail")
	}
}

func TestSaleAmountScalesProratedCharges(t *testing.T) {
	d := decimal.RequireFromString
	r := MarkupRule{Kind: MarkupPercent, Amount: d("10"), Rounding: Round99}
	// 10.00 + 10% = 11.00 sells at 11.99; two units 23.98; a quarter of a
	// month of one unit keeps its quarter
	if got := SaleAmount(d("20.00"), d("10.00"), r); !got.Equal(d("23.98")) {
		t.Fatalf("full = %s", got)
	}
	if got := SaleAmount(d("2.50"), d("10.00"), r); !got.Equal(d("3.00")) {
		t.Fatalf("prorated = %s", got)
	}
	if got := SaleAmount(d("100"), decimal.Zero, MarkupRule{Kind: MarkupPercent, Amount: d("5")}); !got.Equal(d("105")) {
		t.Fatalf("usage = %s", got)
	}
	if got := SaleAmount(d("100"), decimal.Zero, MarkupRule{Kind: MarkupFixed, Amount: d("5")}); !got.Equal(d("100")) {
		t.Fatalf("usage fixed = %s", got)
	}
}
