package prices

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
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

// RuleForm is a markup rule as a form submits it: the admin's (the
// provider's rules, ResellerID narrowing one to a reseller) or a reseller
// user's (Owner set: that reseller's own rules for its customers).
type RuleForm struct {
	Owner          store.RuleOwner
	CustomerID     *uuid.UUID
	ResellerID     *uuid.UUID
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
	if f.Owner.Reseller != nil {
		f.ResellerID = f.Owner.Reseller // its own rule, scoped like a provider's general one
	} else if f.ResellerID != nil {
		r.ResellerID = *f.ResellerID
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
	row := store.MarkupRule{CustomerID: f.CustomerID, ResellerID: f.ResellerID, ByReseller: f.Owner.Reseller != nil,
		Family: r.Family, ProductID: r.ProductID, SkuID: r.SkuID, Kind: r.Kind, Amount: r.Amount, Rounding: r.Rounding,
		AllowBelowCost: r.AllowBelowCost}
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
		if f.CustomerID == nil {
			return map[string]string{"reseller_id": "No such reseller."}, nil
		}
		return map[string]string{"customer_id": "No such customer."}, nil
	}
	if err != nil {
		return nil, err
	}
	s.pricer.Forget()
	return nil, nil
}

// DeleteRule deletes one of owner's markup rules (another party's is
// ErrNotFound): one transaction with the audit entry.
func (s *Service) DeleteRule(ctx context.Context, by store.Actor, owner store.RuleOwner, id int64) error {
	err := s.st.InTx(ctx, func(tx pgx.Tx) error {
		old, err := s.st.MarkupRuleTx(ctx, tx, owner, id)
		if err != nil {
			return err
		}
		if err := s.st.DeleteMarkupRule(ctx, tx, owner, id); err != nil {
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
	return map[string]any{"customer_id": r.CustomerID, "reseller_id": r.ResellerID, "by_reseller": r.ByReseller, "family": r.Family,
		"product_id": r.ProductID, "sku_id": r.SkuID, "kind": r.Kind, "amount": r.Amount.String(), "rounding": r.Rounding, "allow_below_cost": r.AllowBelowCost}
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

// RuleOf converts a stored rule. A reseller's own rule is read within its
// reseller's rules: its scope is customer, product or default, as the
// reseller sees it, not "Reseller".
func RuleOf(r store.MarkupRule) rules.MarkupRule {
	m := rules.MarkupRule{ID: r.ID, Family: r.Family, ProductID: r.ProductID, SkuID: r.SkuID, Kind: r.Kind, Amount: r.Amount,
		Rounding: r.Rounding, AllowBelowCost: r.AllowBelowCost}
	if r.CustomerID != nil {
		m.CustomerID = *r.CustomerID
	}
	if r.ResellerID != nil && !r.ByReseller {
		m.ResellerID = *r.ResellerID
	}
	return m
}

// Pricer prices lines from the imported sheets and the markup rules; it
// is billing's SalePricer and PriceChecker and the mirror's
// NextTermPricer. The rules are read at most once a few seconds (an
// invoice import prices every line).
//
// Prices have two tiers when the partner is an indirect provider: the
// provider's rules price what it bills (a direct customer, or a reseller
// for its customers' lines), and each reseller's own rules price what its
// customers pay on top of that.
type Pricer struct {
	st  *store.Store
	ttl time.Duration

	mu        sync.Mutex
	rules     ruleSet
	gen       uint64 // moves when the rules (or what Forget drops) change
	loaded    time.Time
	fams      map[string]string       // "product/sku" -> family
	resellers map[uuid.UUID]uuid.UUID // customer -> its reseller (uuid.Nil: direct)
	kept      map[runRateKey]*keptRunRate
	keptTick  uint64
}

// ruleSet is the rules split by owner.
type ruleSet struct {
	provider []rules.MarkupRule
	reseller map[uuid.UUID][]rules.MarkupRule // a reseller's own rules
	scoped   bool                             // some rule depends on the customer's reseller
}

// NewPricer returns a Pricer on st.
func NewPricer(st *store.Store) *Pricer {
	return &Pricer{st: st, ttl: 5 * time.Second, fams: map[string]string{}, resellers: map[uuid.UUID]uuid.UUID{},
		kept: map[runRateKey]*keptRunRate{}}
}

var (
	_ billing.SalePricer    = (*Pricer)(nil)
	_ billing.PriceChecker  = (*Pricer)(nil)
	_ mirror.NextTermPricer = (*Pricer)(nil)
)

// Forget drops the cached rules (after a change).
func (p *Pricer) Forget() {
	p.mu.Lock()
	p.loaded, p.gen = time.Time{}, p.gen+1
	p.fams = map[string]string{}
	p.resellers = map[uuid.UUID]uuid.UUID{}
	p.mu.Unlock()
}

// ruleSet returns the markup rules of every party.
func (p *Pricer) ruleSet(ctx context.Context) (ruleSet, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.loaded.IsZero() && time.Since(p.loaded) < p.ttl {
		return p.rules, nil
	}
	rs, err := p.st.AllMarkupRules(ctx)
	if err != nil {
		return ruleSet{}, err
	}
	set := ruleSet{reseller: map[uuid.UUID][]rules.MarkupRule{}}
	for _, r := range rs {
		m := RuleOf(r)
		if r.ByReseller {
			set.reseller[*r.ResellerID] = append(set.reseller[*r.ResellerID], m)
		} else {
			set.provider = append(set.provider, m)
		}
		set.scoped = set.scoped || r.ResellerID != nil
	}
	// Customers are read again too: a reseller synced after its customer.
	// A rule scoped to resellers prices by the customers' resellers, read
	// again with the rules: what was priced with them is then as old.
	if set.scoped || !reflect.DeepEqual(set, p.rules) {
		p.gen++
	}
	p.rules, p.loaded, p.resellers = set, time.Now(), map[uuid.UUID]uuid.UUID{}
	return set, nil
}

// resellerOf returns customer's indirect reseller (uuid.Nil: a direct
// customer), cached with the rules: PC never moves a customer to another
// reseller.
func (p *Pricer) resellerOf(ctx context.Context, customer uuid.UUID) (uuid.UUID, error) {
	if customer == uuid.Nil {
		return uuid.Nil, nil
	}
	p.mu.Lock()
	r, ok := p.resellers[customer]
	p.mu.Unlock()
	if ok {
		return r, nil
	}
	r, err := p.st.CustomerReseller(ctx, customer)
	if err != nil {
		return uuid.Nil, err
	}
	p.mu.Lock()
	p.resellers[customer] = r
	p.mu.Unlock()
	return r, nil
}

// item is what the rules match for a unit of product/sku sold to
// customer: its family (looked up when not given) and, when a rule depends
// on it, the customer's reseller.
func (p *Pricer) item(ctx context.Context, set ruleSet, customer uuid.UUID, product, sku, family string) (rules.PricedItem, error) {
	it := rules.PricedItem{CustomerID: customer, Family: family, ProductID: product, SkuID: sku}
	if it.Family == "" && product != "" {
		it.Family = p.family(ctx, product, sku)
	}
	if set.scoped {
		var err error
		if it.ResellerID, err = p.resellerOf(ctx, customer); err != nil {
			return it, err
		}
	}
	return it, nil
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
//
// It is the provider's sale: for a reseller's customer, the price billed
// to the reseller.
func (p *Pricer) Sale(ctx context.Context, customer uuid.UUID, line billing.LineItem) (decimal.Decimal, error) {
	set, err := p.ruleSet(ctx)
	if err != nil {
		return decimal.Zero, err
	}
	if len(set.provider) == 0 {
		return line.Cost, nil
	}
	it, err := p.item(ctx, set, customer, line.ProductID, line.SkuID, "")
	if err != nil {
		return decimal.Zero, err
	}
	r, ok := rules.PickMarkup(set.provider, it)
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

// Party is who looks at a price: each sees its own cost and sale.
type Party int

// The parties: the provider (cost: Microsoft's price; sale: what it bills
// the customer or, for a reseller's customer, the reseller), a reseller
// (cost: the provider's price; sale: its customer's price) and a customer
// (cost and sale: what it pays).
const (
	Provider Party = iota
	Reseller
	Customer
)

// Quote is one unit of an item priced through both tiers.
type Quote struct {
	Cost     decimal.Decimal // what the provider pays Microsoft
	Provider decimal.Decimal // the provider's sale (to a direct customer or to the reseller)
	Customer decimal.Decimal // what the customer pays
	Reseller uuid.UUID       // the customer's reseller; uuid.Nil: a direct customer
	// The rules that priced each tier ("" when none did: sale = cost).
	ProviderRule, ResellerRule string
}

// Seen is the quote as party sees it: its cost and its sale.
func (q Quote) Seen(party Party) (cost, sale decimal.Decimal, rule string) {
	switch party {
	case Reseller:
		return q.Provider, q.Customer, q.ResellerRule
	case Customer:
		return q.Customer, q.Customer, ""
	}
	return q.Cost, q.Provider, q.ProviderRule
}

// Quote prices one unit of a catalog item (a catalog item id
// "PRODUCT:SKU:AVAILABILITY" or "PRODUCT/SKU") at cost for customer
// (uuid.Nil: no customer's own rule) through the provider's rules and,
// for a reseller's customer, the reseller's own rules.
func (p *Pricer) Quote(ctx context.Context, customer uuid.UUID, itemID, family string, cost decimal.Decimal) (Quote, error) {
	q := Quote{Cost: cost, Provider: cost, Customer: cost}
	set, err := p.ruleSet(ctx)
	if err != nil {
		return q, err
	}
	if len(set.provider) == 0 && len(set.reseller) == 0 {
		return q, nil
	}
	product, sku := splitItem(itemID)
	it, err := p.item(ctx, set, customer, product, sku, family)
	if err != nil {
		return q, err
	}
	q.Reseller = it.ResellerID
	if sale, r, ok := rules.SalePrice(set.provider, it, cost); ok {
		q.Provider, q.ProviderRule = sale, r.Scope()+" "+describe(r)
	}
	q.Customer = q.Provider
	if q.Reseller != uuid.Nil {
		if sale, r, ok := rules.SalePrice(set.reseller[q.Reseller], it, q.Provider); ok {
			q.Customer, q.ResellerRule = sale, r.Scope()+" "+describe(r)
		}
	}
	return q, nil
}

// UnitSale prices one unit of a catalog item at cost for customer as
// party sees it, and names the rule that priced it ("" when none did).
func (p *Pricer) UnitSale(ctx context.Context, party Party, customer uuid.UUID, itemID, family string, cost decimal.Decimal) (decimal.Decimal, string, error) {
	q, err := p.Quote(ctx, customer, itemID, family, cost)
	_, sale, rule := q.Seen(party)
	return sale, rule, err
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
