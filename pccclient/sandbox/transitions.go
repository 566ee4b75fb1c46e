package sandbox

import (
	"strings"
	"time"
)

// Transitions (learn.microsoft.com "Transition a new commerce
// subscription", "Get transitions", "Transition resources"): GET
// .../transitionEligibilities?eligibilityType=immediate|scheduled lists the
// targets, POST .../transitions starts one (it completes asynchronously,
// after Options.OrderDelay), GET .../transitions shows the history.

// Operation ids of the lifecycle endpoints (additions to the agreed list).
const (
	OpGetTransitionEligibilities = "get-transition-eligibilities"
	OpCreateTransition           = "create-transition"
	OpListTransitions            = "list-transitions"
)

// init appends the lifecycle operations here, beside their handlers, so
// feature files do not all edit one list.
func init() {
	allOps = append(allOps, OpGetTransitionEligibilities, OpCreateTransition, OpListTransitions)
}

// lifecycleRoutes registers the transition endpoints (both spellings of
// transitionEligibilities appear in PC's docs; the mux is case-sensitive).
func (s *Sandbox) lifecycleRoutes() {
	base := "/v1/customers/{cid}/subscriptions/{sid}/"
	s.handle("GET "+base+"transitionEligibilities", OpGetTransitionEligibilities, lockRead, true, s.getTransitionEligibilities)
	s.handle("GET "+base+"transitioneligibilities", OpGetTransitionEligibilities, lockRead, true, s.getTransitionEligibilities)
	s.handle("POST "+base+"transitions", OpCreateTransition, lockWrite, true, s.createTransition)
	s.handle("GET "+base+"transitions", OpListTransitions, lockRead, true, s.listTransitions)
}

// Transition types and the SDK's TransitionErrorCode values used here.
const (
	transitionOnly         = "transition_only"
	transitionWithLicenses = "transition_with_license_transfer"

	teStatusNotActive    = 2
	teConflictingService = 3
	teConcurrency        = 4
	teNoPaths            = 7
	tePathNotFound       = 8
	teNotProvisioned     = 9
	teBillingCycle       = 10
)

// teDesc are the descriptions: the eligibility errors of "Transition a new
// commerce subscription" where it lists them, else the enum's text.
var teDesc = map[int]string{
	teStatusNotActive:    "Subscription cannot be Transitioned - source subscription is not active.",
	teConflictingService: "Transition type is not compatible - conflicting subscriptions for license transfer exist.",
	teConcurrency:        "Transition cannot be performed due to concurrent subscription restrictions.",
	teNoPaths:            "Transition cannot be performed because the source subscription does not have upgrade paths.",
	tePathNotFound:       "Transition cannot be performed because the specified transition path is not an available transition path.",
	teNotProvisioned:     "Subscription cannot be Transitioned - source subscription is not provisioned yet.",
	teBillingCycle:       "The offer does not support the billing cycle.",
}

func teErr(code int) transitionErrorWire {
	return transitionErrorWire{Code: code, Description: teDesc[code]}
}

// upgradePaths are the sandbox's upgrade targets per productId:skuId (PC
// publishes paths per SKU; these follow Microsoft 365's usual ladder). The
// Business Premium trial converts to the paid SKU.
var upgradePaths = map[string][]string{
	"CFQ7TTC0LH16:0001": {"CFQ7TTC0LH18:0001", "CFQ7TTC0LDPB:0001", "CFQ7TTC0LCHC:0002", "CFQ7TTC0LF8R:0001", "CFQ7TTC0LF8Q:0001"},
	"CFQ7TTC0LH18:0001": {"CFQ7TTC0LDPB:0001", "CFQ7TTC0LCHC:0002", "CFQ7TTC0LF8Q:0001", "CFQ7TTC0LFLZ:0002", "CFQ7TTC0LFK5:0002"},
	"CFQ7TTC0LDPB:0001": {"CFQ7TTC0LCHC:0002", "CFQ7TTC0LF8Q:0001", "CFQ7TTC0LFLZ:0002", "CFQ7TTC0LFK5:0002"},
	"CFQ7TTC0LCHC:0001": {"CFQ7TTC0LCHC:0002"},
	"CFQ7TTC0LCHC:0002": {"CFQ7TTC0LFLZ:0002", "CFQ7TTC0LFK5:0002"},
	"CFQ7TTC0LF8R:0001": {"CFQ7TTC0LF8Q:0001", "CFQ7TTC0LFLZ:0002", "CFQ7TTC0LFK5:0002"},
	"CFQ7TTC0LF8Q:0001": {"CFQ7TTC0LFLZ:0002", "CFQ7TTC0LFK5:0002"},
	"CFQ7TTC0LFLZ:0002": {"CFQ7TTC0LFK5:0002"},
}

// skuItem is the purchasable item of productId:skuId (its first availability).
func (s *Sandbox) skuItem(skuKey string) *item {
	pid, sid, _ := strings.Cut(skuKey, ":")
	p := s.cat.products[strings.ToUpper(pid)]
	if p == nil {
		return nil
	}
	for i := range p.Skus {
		if sk := &p.Skus[i]; strings.EqualFold(sk.ID, sid) && len(sk.Availabilities) > 0 {
			return s.cat.item(p.ID + ":" + sk.ID + ":" + sk.Availabilities[0].ID)
		}
	}
	return nil
}

// transitionRec is a requested transition and when it completes.
type transitionRec struct {
	W     transitionWire `json:"w"`
	DueAt time.Time      `json:"dueAt"`
	Done  bool           `json:"done,omitempty"`
}

// eligibilities lists sub's transition targets: upgrades (immediate) or
// the SKU itself plus upgrades (scheduled, for the next term).
func (s *Sandbox) eligibilities(cust *customer, sub *subscription, scheduled bool) []transitionEligibilityWire {
	it := s.cat.item(sub.ItemID)
	out := []transitionEligibilityWire{}
	if it == nil || !it.NCE || it.Billing == "usage" {
		return out
	}
	var targets []*item
	if scheduled && !it.Trial {
		targets = append(targets, it)
	}
	for _, k := range upgradePaths[strings.ToUpper(it.skuKey())] {
		if ti := s.skuItem(k); ti != nil {
			targets = append(targets, ti)
		}
	}
	var common []transitionErrorWire
	switch sub.W.Status {
	case "active":
	case "pending":
		common = append(common, teErr(teNotProvisioned))
	default:
		common = append(common, teErr(teStatusNotActive))
	}
	if !scheduled && sub.transitionPending() {
		common = append(common, teErr(teConcurrency))
	}
	conflict := false
	for _, sid := range cust.SubIDs {
		if o := s.st.Subs[sid]; o != sub && o.W.Status == "active" && strings.EqualFold(s.cat.item(o.ItemID).skuKey(), it.skuKey()) {
			conflict = true
		}
	}
	for _, ti := range targets {
		errs := append([]transitionErrorWire{}, common...)
		if !scheduled && !it.Trial && ti.term(sub.W.TermDuration, sub.W.BillingCycle) == nil {
			errs = append(errs, teErr(teBillingCycle))
		}
		e := transitionEligibilityWire{CatalogItemID: ti.ID, Title: ti.Sku.Title, Description: ti.Sku.Description,
			Quantity: sub.W.Quantity, Attributes: attrs{ObjectType: "TransitionEligibility"}}
		e.Eligibilities = append(e.Eligibilities, detail(transitionOnly, errs))
		if !scheduled {
			lic := errs
			if conflict {
				lic = append(append([]transitionErrorWire{}, errs...), teErr(teConflictingService))
			}
			e.Eligibilities = append(e.Eligibilities, detail(transitionWithLicenses, lic))
			for _, sid := range cust.SubIDs {
				o := s.st.Subs[sid]
				if o != sub && o.W.Status == "active" && strings.EqualFold(o.ItemID, ti.ID) &&
					strings.EqualFold(o.W.TermDuration, sub.W.TermDuration) && strings.EqualFold(o.W.BillingCycle, sub.W.BillingCycle) {
					e.SubscriptionEligibilities = append(e.SubscriptionEligibilities, targetSubscriptionWire{IsEligible: true,
						SubscriptionID: o.W.ID, SubscriptionFriendlyName: o.W.FriendlyName, SubscriptionTermDuration: o.W.TermDuration,
						SubscriptionBillingCycle: o.W.BillingCycle, Errors: []transitionErrorWire{}})
				}
			}
		}
		out = append(out, e)
	}
	return out
}

func detail(typ string, errs []transitionErrorWire) transitionEligibilityDetailWire {
	return transitionEligibilityDetailWire{IsEligible: len(errs) == 0, TransitionType: typ, Errors: errs}
}

func (sub *subscription) transitionPending() bool {
	for _, t := range sub.Life.Transitions {
		if !t.Done {
			return true
		}
	}
	return false
}

func (s *Sandbox) getTransitionEligibilities(c *call) (int, any) {
	cust, sub, e := s.subOf(c)
	if e != nil {
		return 0, e
	}
	var scheduled bool
	switch strings.ToLower(c.qi("eligibilityType")) {
	case "", "immediate":
	case "scheduled":
		scheduled = true
	default:
		return 0, errBadInput("eligibilityType must be immediate or scheduled, got %q", c.qi("eligibilityType"))
	}
	items := s.eligibilities(cust, sub, scheduled)
	return 200, newCollection(items, len(items), "")
}

func (s *Sandbox) listTransitions(c *call) (int, any) {
	_, sub, e := s.subOf(c)
	if e != nil {
		return 0, e
	}
	op := c.qi("operationId")
	items := []transitionWire{}
	for _, t := range sub.Life.Transitions {
		if op == "" || strings.EqualFold(op, t.W.OperationID) {
			items = append(items, t.W)
		}
	}
	return 200, newCollection(items, len(items), "")
}
