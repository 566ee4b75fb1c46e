package prices

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/cspportal/portal/billing"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/store/db"
)

// RuleForm is a markup rule as the admin form submits it.
type RuleForm struct {
	CustomerID     *uuid.UUID
	Family         string
	ProductID      string
	SkuID          string
	Kind           string
	Amount         string
	Rounding       string
	AllowBelowCost bool
}

// SaveRule saves a markup rule (replacing the rule of the same scope): one
// transaction with the audit entry (before and after). problems maps form
// fields to messages when the form is not valid; nothing is saved then.
func (s *Service) SaveRule(ctx context.Context, by store.Actor, f RuleForm) (problems map[string]string, err error) {
	r := rules.MarkupRule{Family: strings.TrimSpace(f.Family), ProductID: strings.ToUpper(strings.TrimSpace(f.ProductID)),
		SkuID: strings.ToUpper(strings.TrimSpace(f.SkuID)), Kind: f.Kind, Rounding: f.Rounding, AllowBelowCost: f.AllowBelowCost}
	if f.CustomerID != nil {
		r.CustomerID = *f.CustomerID
	}
	amount, aerr := rules.ParseAmount(f.Amount)
	r.Amount = amount
	problems = rules.CheckMarkupRule(r)
	if aerr != nil {
		problems["amount"] = "Enter a number, such as 15 or 2.50."
	}
	if len(problems) > 0 {
		return problems, nil
	}
	row := store.MarkupRule{CustomerID: f.CustomerID, Family: r.Family, ProductID: r.ProductID, SkuID: r.SkuID, Kind: r.Kind,
		Amount: r.Amount, Rounding: r.Rounding, AllowBelowCost: r.AllowBelowCost}
	err = s.st.InTx(ctx, func(tx pgx.Tx) error {
		id, err := s.st.SaveMarkupRule(ctx, tx, row, by.UserID)
		if err != nil {
			return err
		}
		after, _ := json.Marshal(ruleAudit(row))
		_, err = s.st.Q.InsertAudit(ctx, tx, db.InsertAuditParams{ActorUserID: by.UserID, Actor: by.Label, Action: "prices.markup_saved",
			TargetType: "markup_rule", TargetID: fmt.Sprint(id), CustomerID: f.CustomerID, After: after, Outcome: "ok",
			Detail: r.Scope() + ": " + describe(r)})
		return err
	})
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrConflict) {
		return map[string]string{"customer_id": "No such customer."}, nil
	}
	if err != nil {
		return nil, err
	}
	s.pricer.Forget()
	return nil, nil
}

// DeleteRule deletes a markup rule: one transaction with the audit entry.
func (s *Service) DeleteRule(ctx context.Context, by store.Actor, id int64) error {
	err := s.st.InTx(ctx, func(tx pgx.Tx) error {
		old, err := s.st.MarkupRuleTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.st.DeleteMarkupRule(ctx, tx, id); err != nil {
			return err
		}
		before, _ := json.Marshal(ruleAudit(old))
		_, err = s.st.Q.InsertAudit(ctx, tx, db.InsertAuditParams{ActorUserID: by.UserID, Actor: by.Label, Action: "prices.markup_deleted",
			TargetType: "markup_rule", TargetID: fmt.Sprint(id), CustomerID: old.CustomerID, Before: before, Outcome: "ok"})
		return err
	})
	if err == nil {
		s.pricer.Forget()
	}
	return err
}

func ruleAudit(r store.MarkupRule) map[string]any {
	return map[string]any{"customer_id": r.CustomerID, "family": r.Family, "product_id": r.ProductID, "sku_id": r.SkuID,
		"kind": r.Kind, "amount": r.Amount.String(), "rounding": r.Rounding, "allow_below_cost": r.AllowBelowCost}
}

// describe says what a rule does in words ("+15%", "+2.50 per unit").
func describe(r rules.MarkupRule) string {
	sign := "+"
	if r.Amount.IsNegative() {
		sign = ""
	}
	if r.Kind == rules.MarkupFixed {
		return sign + r.Amount.StringFixed(2) + " per unit"
	}
	return sign + r.Amount.String() + "%"
}

// Describe says what a rule does in words, for the pages.
func Describe(r rules.MarkupRule) string { return describe(r) }

// RuleOf converts a stored rule.
func RuleOf(r store.MarkupRule) rules.MarkupRule {
	m := rules.MarkupRule{ID: r.ID, Family: r.Family, ProductID: r.ProductID, SkuID: r.SkuID, Kind: r.Kind, Amount: r.Amount,
		Rounding: r.Rounding, AllowBelowCost: r.AllowBelowCost}
	if r.CustomerID != nil {
		m.CustomerID = *r.CustomerID
	}
	return m
}

// Pricer prices lines from the imported sheets and the markup rules; it
// is billing's SalePricer and PriceChecker and the mirror's
// NextTermPricer. The rules are read at most once a few seconds (an
// invoice import prices every line).
type Pricer struct {
	st  *store.Store
	ttl time.Duration

	mu     sync.Mutex
	rules  []rules.MarkupRule
	loaded time.Time
	fams   map[string]string // "product/sku" -> family
}

// NewPricer returns a Pricer on st.
func NewPricer(st *store.Store) *Pricer {
	return &Pricer{st: st, ttl: 5 * time.Second, fams: map[string]string{}}
}

var (
	_ billing.SalePricer    = (*Pricer)(nil)
	_ billing.PriceChecker  = (*Pricer)(nil)
	_ mirror.NextTermPricer = (*Pricer)(nil)
)

// Forget drops the cached rules (after a change).
func (p *Pricer) Forget() {
	p.mu.Lock()
	p.loaded = time.Time{}
	p.fams = map[string]string{}
	p.mu.Unlock()
}

// Rules returns the markup rules.
func (p *Pricer) Rules(ctx context.Context) ([]rules.MarkupRule, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.loaded.IsZero() && time.Since(p.loaded) < p.ttl {
		return p.rules, nil
	}
	rs, err := p.st.MarkupRules(ctx)
	if err != nil {
		return nil, err
	}
	p.rules = make([]rules.MarkupRule, len(rs))
	for i, r := range rs {
		p.rules[i] = RuleOf(r)
	}
	p.loaded = time.Now()
	return p.rules, nil
}

// family returns the catalog family of product/sku (cached).
func (p *Pricer) family(ctx context.Context, productID, skuID string) string {
	key := strings.ToUpper(productID) + "/" + strings.ToUpper(skuID)
	p.mu.Lock()
	f, ok := p.fams[key]
	p.mu.Unlock()
	if ok {
		return f
	}
	got, err := p.st.ItemFamilies(ctx, []string{key})
	if err != nil {
		return ""
	}
	p.mu.Lock()
	p.fams[key] = got[key]
	p.mu.Unlock()
	return got[key]
}

// Sale implements billing.SalePricer: the line's cost priced by the most
// specific markup rule (per unit, then scaled to the line's cost, so a
// prorated charge keeps its proportion).
func (p *Pricer) Sale(ctx context.Context, customer uuid.UUID, line billing.LineItem) (decimal.Decimal, error) {
	rs, err := p.Rules(ctx)
	if err != nil {
		return decimal.Zero, err
	}
	it := rules.PricedItem{CustomerID: customer, ProductID: line.ProductID, SkuID: line.SkuID}
	if len(rs) > 0 && line.ProductID != "" {
		it.Family = p.family(ctx, line.ProductID, line.SkuID)
	}
	r, ok := rules.PickMarkup(rs, it)
	if !ok {
		return line.Cost, nil
	}
	return rules.SaleAmount(line.Cost, line.UnitPrice, r), nil
}

// ExpectedPrice implements billing.PriceChecker: the unit price of the
// line's SKU and billing plan in the current sheet of its charge's month
// and its customer's market. A line does not say its term, so a price of
// any term billed that way is accepted (the matching one is returned).
//
// q is the caller's transaction (billing reconciles inside one): asking
// the pool for a second connection while holding one can starve it.
func (p *Pricer) ExpectedPrice(ctx context.Context, q store.BillingDB, line billing.LineItem) (decimal.Decimal, error) {
	if line.CustomerID == uuid.Nil || line.ProductID == "" || line.Kind == "usage" {
		return decimal.Zero, billing.ErrNoPriceSheet
	}
	market, err := p.st.CustomerMarket(ctx, q, line.CustomerID)
	if err != nil || market == "" {
		return decimal.Zero, billing.ErrNoPriceSheet
	}
	at := line.ChargeStart
	ps, err := p.st.SheetPrices(ctx, q, market, "current", monthOf(at), line.ProductID, line.SkuID, at)
	if err != nil {
		return decimal.Zero, err
	}
	var cands []decimal.Decimal
	for _, x := range ps {
		if strings.EqualFold(x.BillingPlan, line.BillingCycle) && strings.EqualFold(x.Currency, line.Currency) {
			if x.UnitPrice.Equal(line.UnitPrice) {
				return x.UnitPrice, nil
			}
			cands = append(cands, x.UnitPrice)
		}
	}
	if len(cands) == 0 {
		if len(ps) == 0 {
			if ok, _ := p.st.HasSheetFor(ctx, q, market, monthOf(at)); !ok {
				return decimal.Zero, billing.ErrNoPriceSheet
			}
		}
		return decimal.Zero, fmt.Errorf("%s/%s billed %s is not in the %s price sheet of %s", line.ProductID, line.SkuID,
			strings.ToLower(line.BillingCycle), market, at.Format("January 2006"))
	}
	return cands[0], nil
}

// TermPrices implements mirror.NextTermPricer: the mirror's default (the
// order line, then the price list this package rebuilds from the current
// sheet), with the next term priced from the future sheet when the term
// renews in a month PC has published prices for.
func (p *Pricer) TermPrices(ctx context.Context, tx pgx.Tx, qs []mirror.PriceQuery) (map[string]mirror.TermPricing, error) {
	out, err := mirror.DefaultPricer{}.TermPrices(ctx, tx, qs)
	if err != nil {
		return nil, err
	}
	futures, err := p.st.FutureSheets(ctx, tx)
	if err != nil || len(futures) == 0 {
		return out, err
	}
	markets := map[uuid.UUID]string{}
	for _, q := range qs {
		parts := strings.Split(q.Next.ItemID, ":")
		if len(parts) != 3 || q.RenewsOn.IsZero() {
			continue
		}
		mk, ok := markets[q.CustomerID]
		if !ok {
			mk, _ = p.st.CustomerMarketTx(ctx, tx, q.CustomerID)
			markets[q.CustomerID] = mk
		}
		month, ok := futures[mk]
		if !ok || q.RenewsOn.Before(month) {
			continue
		}
		ps, err := p.st.SheetPrices(ctx, tx, mk, "future", month, parts[0], parts[1], month)
		if err != nil {
			return nil, err
		}
		tp := out[q.SubscriptionID]
		for _, x := range ps {
			if x.TermDuration == q.Next.TermDuration && strings.EqualFold(x.BillingPlan, q.Next.BillingCycle) &&
				(tp.Currency == "" || strings.EqualFold(x.Currency, tp.Currency)) {
				tp.Currency, tp.Next = x.Currency, decimal.NewNullDecimal(x.UnitPrice)
				tp.Source = "price sheet from " + month.Format("January 2006")
				out[q.SubscriptionID] = tp
				break
			}
		}
	}
	return out, nil
}

// UnitSale prices one unit of a catalog item (a catalog item id
// "PRODUCT:SKU:AVAILABILITY" or "PRODUCT/SKU") at cost for customer
// (uuid.Nil: no customer's own rule) and names the rule that priced it
// ("" when no rule matched: sale = cost).
func (p *Pricer) UnitSale(ctx context.Context, customer uuid.UUID, itemID, family string, cost decimal.Decimal) (decimal.Decimal, string, error) {
	rs, err := p.Rules(ctx)
	if err != nil {
		return cost, "", err
	}
	if len(rs) == 0 {
		return cost, "", nil
	}
	product, sku := splitItem(itemID)
	if family == "" && product != "" {
		family = p.family(ctx, product, sku)
	}
	sale, r, ok := rules.SalePrice(rs, rules.PricedItem{CustomerID: customer, Family: family, ProductID: product, SkuID: sku}, cost)
	if !ok {
		return cost, "", nil
	}
	return sale, r.Scope() + " " + describe(r), nil
}

// splitItem returns the product and SKU of a catalog item id.
func splitItem(id string) (product, sku string) {
	if p, s, ok := strings.Cut(id, "/"); ok {
		return p, s
	}
	parts := strings.Split(id, ":")
	if len(parts) >= 2 {
		return parts[0], parts[1]
	}
	return "", ""
}
