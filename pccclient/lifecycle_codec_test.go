package pccclient

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// lifecycleSamples are PC's documented lifecycle payloads (learn.microsoft.com
// "Transition a new commerce subscription"; refundableQuantity in the shape
// of the .NET SDK's RefundableQuantity) with the client type of each.
var lifecycleSamples = map[string]struct {
	json string
	rt   func([]byte) ([]byte, error)
}{
	"eligibilities": {`{"totalCount":2,"items":[{"catalogItemId":"CFQ7TTC0KZCR:0001:CFQ7TTC0K71H","title":"Microsoft 365 E5 Test Sku Title",
		"description":"Microsoft 365 E5 Test Sku Description","quantity":1,"eligibilities":[{"isEligible":true,"transitionType":"transition_only","errors":[]},
		{"isEligible":false,"transitionType":"transition_with_license_transfer","errors":[{"code":3,
		"description":"Subscription cannot be transitioned because there are conflicting services."}]}],"attributes":{"objectType":"TransitionEligibility"}},
		{"catalogItemId":"CFQ7TTC0L4M3:0001:CFQ7TTC0K78T","title":"Business Premium Test Sku Title","description":"Business Premium Test Sku Description",
		"quantity":1,"eligibilities":[{"isEligible":false,"transitionType":"transition_with_license_transfer","errors":[{"code":3,
		"description":"Subscription cannot be transitioned because there are conflicting services."}]}],"attributes":{"objectType":"TransitionEligibility"}}],
		"attributes":{"objectType":"Collection"}}`, roundTrip[Collection[TransitionEligibility]]},
	"transition": {`{"fromCatalogItemId":"CFQ7TTC0LF8Q:0001:CFQ7TTC0K39X","fromSubscriptionId":"e487e8dc-421e-4275-cb42-3c1c8daccf70",
		"toCatalogItemId":"CFQ7TTC0LF8R:0001:CFQ7TTC0KCSV","toSubscriptionId":"0af52192-4a2a-4364-d25b-c8ecab3a5697","quantity":2,
		"termDuration":"P1M","billingCycle":"Monthly","transitionType":"transition_only","Events":[{"name":"Conversion","status":"Started ",
		"timestamp":"2021-01-08T18:01:14.7488618Z","attributes":{"objectType":"TransitionEvent"}}],"attributes":{"objectType":"Transition"}}`,
		roundTrip[Transition]},
	"subscription": {`{"id":"a4c1340d-6911-4758-bba3-0c4c6007d161","quantity":5,"autoRenewEnabled":true,"refundableQuantity":{"totalQuantity":5,
		"details":[{"quantity":3,"allowedUntilDateTime":"2021-01-21T16:57:15.0966728Z"},{"quantity":2,"allowedUntilDateTime":"2021-01-24T08:00:00Z"}]},
		"futureMember":{"kept":true}}`, roundTrip[Subscription]},
}

func TestLifecycleModelsRoundTrip(t *testing.T) {
	t.Parallel()
	for name, s := range lifecycleSamples {
		out, err := s.rt([]byte(s.json))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var want, got any
		if err := json.Unmarshal([]byte(s.json), &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%s re-encoded: %v", name, err)
		}
		if d := cmp.Diff(camelKeys(want), camelKeys(got)); d != "" {
			t.Errorf("%s round trip (-want +got):\n%s", name, d)
		}
	}
	var tr Transition
	if err := json.Unmarshal([]byte(lifecycleSamples["transition"].json), &tr); err != nil {
		t.Fatal(err)
	}
	if tr.Status() != TransitionStarted || tr.Events[0].Timestamp.IsZero() || !tr.BillingCycle.Is(BillingCycleMonthly) {
		t.Errorf("decoded transition %+v", tr)
	}
	var sub Subscription
	if err := json.Unmarshal([]byte(lifecycleSamples["subscription"].json), &sub); err != nil {
		t.Fatal(err)
	}
	rq := sub.RefundableQuantity
	if rq == nil || rq.TotalQuantity != 5 || len(rq.Details) != 2 || !rq.Details[1].AllowedUntilDateTime.Equal(time.Date(2021, 1, 24, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("refundableQuantity %+v", rq)
	}
}

func TestTransitionErrorsFromAPIError(t *testing.T) {
	t.Parallel()
	body := []byte(`{"code":"800002","description":"Invalid request input: x","data":[{"code":8,"description":"not an available transition path"}],"source":"PartnerFD"}`)
	err := decodeError(body, 400, nil, "create-transition")
	te := TransitionErrors(err)
	if len(te) != 1 || te[0].Code != TransitionErrTargetOfferNotFound {
		t.Fatalf("TransitionErrors = %+v", te)
	}
	if TransitionErrors(decodeError([]byte(`{"code":"2001","description":"x","data":[]}`), 400, nil, "op")) != nil {
		t.Fatal("errors without data have no transition errors")
	}
}
