package pccclient

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"
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

// FuzzDecode feeds arbitrary bytes to the decoders the client uses on
// responses (models, collections, error bodies, token responses, times): it
// must never panic. kind picks one decoder per input so each execution stays
// cheap; the seed corpus pairs every example with its own decoder.
func FuzzDecode(f *testing.F) {
	names := slices.Sorted(maps.Keys(decoders))
	for name, b := range readExamples(f) {
		f.Add(b, uint8(slices.Index(names, name)))
	}
	extra := len(names)
	f.Add([]byte(`{"code":"20003","description":"x","data":[],"source":"PartnerFD"}`), uint8(extra))
	f.Add([]byte(`{"statusCode":429,"message":"Rate limit is exceeded. Try again in 57 seconds."}`), uint8(extra))
	f.Add([]byte(`{"code":800001,"description":"Partner Token missing"}`), uint8(extra+1))
	f.Add([]byte(`{"token_type":"Bearer","expires_in":"3600","access_token":"a"}`), uint8(extra+2))
	f.Add([]byte(`{"error":"invalid_client","error_description":"AADSTS7000215"}`), uint8(extra+2))
	f.Add([]byte(`2021-09-14T16:44:14.1210743Z`), uint8(extra+3))
	f.Add([]byte(`null`), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, kind uint8) {
		switch k := int(kind) % (extra + 4); {
		case k < extra:
			_, _ = decoders[names[k]](data)
		case k == extra:
			if e := decodeError(data, 429, nil, "fuzz"); e == nil || e.HTTPStatus != 429 {
				t.Fatalf("decodeError = %+v", e)
			}
		case k == extra+1:
			_, _ = roundTrip[APIFault](data)
			// Direct calls skip encoding/json's validation: the codec's own
			// scanner sees the raw bytes.
			var s Subscription
			if s.UnmarshalJSON(data) == nil {
				_, _ = json.Marshal(s)
			}
		case k == extra+2:
			_, _ = parseTokenResponse(data)
		default:
			_, _ = ParseTime(string(data))
		}
	})
}

func TestReceivedJSONKeepsWhatPCSent(t *testing.T) {
	in := []byte(`{"id":"s1", "quantity":5,"status":"active","futureMember":{"a":[1,2]},"creationDate":"2024-01-02T03:04:05.1Z"}`)
	var s Subscription
	if err := json.Unmarshal(in, &s); err != nil {
		t.Fatal(err)
	}
	if got := string(s.ReceivedJSON()); got != string(in) {
		t.Fatalf("ReceivedJSON = %s, want the input verbatim", got)
	}
	// Decoding again replaces it; a model built in code has none.
	if err := json.Unmarshal([]byte(`{"id":"s2"}`), &s); err != nil {
		t.Fatal(err)
	}
	if got := string(s.ReceivedJSON()); got != `{"id":"s2"}` {
		t.Fatalf("after second decode ReceivedJSON = %s", got)
	}
	var built Subscription
	built.ID = "x"
	if built.ReceivedJSON() != nil {
		t.Fatal("a model built in code has no received JSON")
	}
	// Models outside the bulk-mirrored set do not keep a copy.
	var c Customer
	if err := json.Unmarshal([]byte(`{"id":"c1"}`), &c); err != nil {
		t.Fatal(err)
	}
	if c.wire.orig != nil {
		t.Fatal("Customer kept its received JSON")
	}
}
