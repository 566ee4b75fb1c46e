package pccclient

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// localExamplesDir holds documented samples of operations the shared
// examples lack (testdata/examples/SOURCES.md).
const localExamplesDir = "testdata/examples"

var localDecoders = map[string]func([]byte) ([]byte, error){
	"promotions-list.response.json":             roundTrip[Collection[ProductPromotion]],
	"promotion-eligibilities.request.json":      roundTrip[promotionEligibilitiesRequest],
	"promotion-eligibilities.response.json":     roundTrip[Collection[PromotionEligibilities]],
	"promotion-eligibilities-all.response.json": roundTrip[Collection[PromotionEligibilities]],
	"country-validation-rules.response.json":    roundTrip[CountryValidationRules],
}

// promotionEligibilitiesRequest is the body CheckPromotionEligibilities sends.
type promotionEligibilitiesRequest struct {
	Items []PromotionEligibilityItem `json:"items"`
}

// TestLocalExamplesRoundTrip is TestContractExamplesRoundTrip for
// testdata/examples: every sample decodes and re-encodes unchanged.
func TestLocalExamplesRoundTrip(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(localExamplesDir, "*.json"))
	if err != nil || len(files) != len(localDecoders) {
		t.Fatalf("%d examples in %s, %d decoders: %v", len(files), localExamplesDir, len(localDecoders), err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			dec, ok := localDecoders[name]
			if !ok {
				t.Fatalf("example %s has no decoder", name)
			}
			out, err := dec(data)
			if err != nil {
				t.Fatalf("round trip: %v", err)
			}
			var want, got any
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("re-encoded JSON invalid: %v\n%s", err, out)
			}
			if d := cmp.Diff(camelKeys(want), camelKeys(got)); d != "" {
				t.Errorf("round trip changed the payload (-want +got):\n%s", d)
			}
		})
	}
}
