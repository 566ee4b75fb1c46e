package sandbox_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cspportal/portal/pccclient/sandbox"
)

// lifecycleSamples are documented payloads of the lifecycle operations that
// shared/pc-api/examples does not hold: the response samples of
// learn.microsoft.com "Transition a new commerce subscription" (ids as
// published) and, for refundableQuantity, which no sample shows, the .NET
// SDK's Subscription.RefundableQuantity / RefundableQuantityDetail.
var lifecycleSamples = map[string]string{
	"transition-eligibilities": `{"totalCount":1,"items":[{"catalogItemId":"CFQ7TTC0KZCR:0001:CFQ7TTC0K71H",
		"title":"Microsoft 365 E5 Test Sku Title","description":"Microsoft 365 E5 Test Sku Description","quantity":1,
		"eligibilities":[{"isEligible":true,"transitionType":"transition_only","errors":[]},
		{"isEligible":false,"transitionType":"transition_with_license_transfer","errors":[{"code":3,
		"description":"Subscription cannot be transitioned because there are conflicting services."}]}],
		"attributes":{"objectType":"TransitionEligibility"}}],"attributes":{"objectType":"Collection"}}`,
	"transition": `{"fromCatalogItemId":"CFQ7TTC0LF8Q:0001:CFQ7TTC0K39X","fromSubscriptionId":"e487e8dc-421e-4275-cb42-3c1c8daccf70",
		"toCatalogItemId":"CFQ7TTC0LF8R:0001:CFQ7TTC0KCSV","toSubscriptionId":"0af52192-4a2a-4364-d25b-c8ecab3a5697","quantity":2,
		"termDuration":"P1M","billingCycle":"Monthly","transitionType":"transition_only",
		"Events":[{"name":"Conversion","status":"Started ","timestamp":"2021-01-08T18:01:14.7488618Z","attributes":{"objectType":"TransitionEvent"}}],
		"attributes":{"objectType":"Transition"}}`,
	"subscription-refundable": `{"id":"x","refundableQuantity":{"totalQuantity":5,"details":[{"quantity":5,
		"allowedUntilDateTime":"2021-01-15T00:00:00Z"}]},"cancellationAllowedUntilDate":"2021-01-15T00:00:00Z",
		"refundOptions":[{"type":"Full","expiresAt":"2021-01-15T00:00:00Z"}],
		"scheduledNextTermInstructions":{"product":{"productId":"DG7GMGF0DVSV","skuId":"000P","availabilityId":"DG7GMGF0F3Q9",
		"billingCycle":"Annual","termDuration":"P3Y"},"quantity":1}}`,
}

// TestLifecycleContractShapes checks the sandbox's lifecycle responses
// against the documented samples, as TestContractShapes does for the rest.
func TestLifecycleContractShapes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{})
	cid := e.newCustomer("lccontract", true)
	sid := e.buyNCE(cid, nceBasic, 5, "P1Y", "monthly")
	e.buyNCE(cid, nceBasic, 1, "P1Y", "monthly") // a conflict, so an eligibility has errors
	to := e.buyNCE(cid, nceStandard, 1, "P1Y", "monthly")
	base := "/v1/customers/" + cid + "/subscriptions/" + sid
	want(t, e.patchSub(cid, sid, map[string]any{"scheduledNextTermInstructions": map[string]any{"product": map[string]any{
		"productId": "CFQ7TTC0LH18", "skuId": "0001", "availabilityId": "CFQ7TTC0K971", "billingCycle": "Annual", "termDuration": "P1Y"},
		"quantity": 5}}), 200, "")
	got := map[string]res{
		"transition-eligibilities": e.do("GET", base+"/transitionEligibilities", nil),
		"subscription-refundable":  e.sub(cid, sid),
	}
	got["transition"] = e.do("POST", base+"/transitions", map[string]any{"fromCatalogItemId": nceBasic, "fromSubscriptionId": sid,
		"toCatalogItemId": nceStandard, "toSubscriptionId": to, "quantity": 2, "termDuration": "P1Y", "billingCycle": "monthly",
		"transitionType": "transition_only"})
	for name, sample := range lifecycleSamples {
		r := got[name]
		if r.status != 200 {
			t.Errorf("%s: %d %s", name, r.status, r.raw)
			continue
		}
		var want, have any
		if err := json.Unmarshal([]byte(sample), &want); err != nil {
			t.Fatalf("%s sample: %v", name, err)
		}
		if err := json.Unmarshal(r.raw, &have); err != nil {
			t.Fatal(err)
		}
		var problems []string
		compareShape(name, "", want, have, &problems)
		if len(problems) > 0 {
			t.Errorf("%s lacks documented fields:\n  %s\nbody: %.600s", name, strings.Join(problems, "\n  "), r.raw)
		}
	}
}
