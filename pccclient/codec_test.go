package pccclient

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCodecEditsAreWrittenAndPresenceKept(t *testing.T) {
	t.Parallel()
	in := `{"Id":"s1","quantity":3,"autoRenewEnabled":true,"isTrial":false,"partnerId":null,
		"creationDate":"2015-11-24T01:07:00.863","commitmentEndDate":"2016-12-12T08: 00: 00Z",
		"futureField":{"a":[1,2]},"links":{"self":{"uri":"/x","headers":[]}}}`
	var s Subscription
	if err := json.Unmarshal([]byte(in), &s); err != nil {
		t.Fatal(err)
	}
	if s.ID != "s1" || s.Quantity != 3 || !s.AutoRenewEnabled {
		t.Fatalf("decoded %+v", s)
	}
	if want := time.Date(2015, 11, 24, 1, 7, 0, 863e6, time.UTC); !s.CreationDate.Equal(want) {
		t.Errorf("creationDate = %v, want %v", s.CreationDate, want)
	}
	if want := time.Date(2016, 12, 12, 8, 0, 0, 0, time.UTC); !s.CommitmentEndDate.Equal(want) {
		t.Errorf("commitmentEndDate = %v, want %v", s.CommitmentEndDate, want)
	}
	s.Quantity = 5
	s.AutoRenewEnabled = false
	s.CreationDate = time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	out, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"id": "s1", "quantity": 5.0, "autoRenewEnabled": false, "isTrial": false, "partnerId": nil,
		"creationDate":      "2020-01-02T03:04:05Z",
		"commitmentEndDate": "2016-12-12T08: 00: 00Z",
		"futureField":       map[string]any{"a": []any{1.0, 2.0}},
		"links":             map[string]any{"self": map[string]any{"uri": "/x", "headers": []any{}}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("re-encoded (-want +got):\n%s", d)
	}
}

func TestCodecFromScratchOmitsAbsentZeroes(t *testing.T) {
	t.Parallel()
	o := Order{ReferenceCustomerID: "c", LineItems: []OrderLineItem{{LineItemNumber: 0, OfferID: "o", Quantity: 1}}}
	out, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"referenceCustomerId":"c","lineItems":[{"lineItemNumber":0,"offerId":"o","quantity":1}]}`
	if string(out) != want {
		t.Errorf("got %s\nwant %s", out, want)
	}
	// autoRenewEnabled has no omitempty: a PATCH must be able to send false.
	b, _ := json.Marshal(Subscription{ID: "x"})
	if !strings.Contains(string(b), `"autoRenewEnabled":false`) {
		t.Errorf("autoRenewEnabled missing: %s", b)
	}
}

func TestCodecRejectsWrongTypes(t *testing.T) {
	t.Parallel()
	var s Subscription
	err := json.Unmarshal([]byte(`{"quantity":"three"}`), &s)
	if err == nil || !strings.Contains(err.Error(), "quantity") {
		t.Fatalf("err = %v, want a decode error naming quantity", err)
	}
	var ute *json.UnmarshalTypeError
	if !errors.As(err, &ute) {
		t.Errorf("err %v does not wrap *json.UnmarshalTypeError", err)
	}
}

func TestAPIFaultNumericCode(t *testing.T) {
	t.Parallel()
	var f APIFault
	if err := json.Unmarshal([]byte(`{"code":20003,"description":"Subscription not found","extra":1}`), &f); err != nil {
		t.Fatal(err)
	}
	if f.Code != "20003" || f.Description != "Subscription not found" || string(f.Extra["extra"]) != "1" {
		t.Errorf("fault = %+v", f)
	}
}

// FuzzDecode feeds arbitrary bytes to every decoder the client uses on
// responses (models, collections, error bodies, token responses): it must
// never panic, and what decodes must re-encode.
func FuzzDecode(f *testing.F) {
	for _, b := range readExamples(f) {
		f.Add(b)
	}
	f.Add([]byte(`{"code":"20003","description":"x","data":[],"source":"PartnerFD"}`))
	f.Add([]byte(`{"statusCode":429,"message":"Rate limit is exceeded. Try again in 57 seconds."}`))
	f.Add([]byte(`{"token_type":"Bearer","expires_in":"3600","access_token":"a"}`))
	f.Add([]byte(`{"error":"invalid_client","error_description":"AADSTS7000215"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, dec := range decoders {
			_, _ = dec(data)
		}
		_, _ = roundTrip[APIFault](data)
		_, _ = roundTrip[Collection[Order]](data)
		_, _ = roundTrip[Collection[Cart]](data)
		_ = decodeError(data, 400, nil, "fuzz")
		_, _ = parseTokenResponse(data)
		_, _ = ParseTime(string(data))
	})
}
