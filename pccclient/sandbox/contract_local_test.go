package sandbox_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cspportal/portal/pccclient/sandbox"
)

// localExamplesDir holds documented samples the shared examples lack
// (the client's testdata; SOURCES.md there names the pages).
const localExamplesDir = "../testdata/examples"

// localCases produce the sandbox's response for each local sample.
var localCases = map[string]func(e *tenv) res{
	"promotions-list.response.json": func(e *tenv) res {
		return e.do("GET", "/v1/productpromotions?country=US&segment=commercial", nil)
	},
	"promotion-eligibilities.response.json": func(e *tenv) res {
		body := strings.NewReplacer("CFQ7TTC0LH2Z:0002:CFQ7TTC0HRVK", "CFQ7TTC0LCHC:0002:CFQ7TTC0K5BF",
			"39NFJQT1PM6C:0005:39NFJQT1Q5L7", allPromotionIDs[0]).Replace(string(e.localExample("promotion-eligibilities.request.json")))
		return e.do("POST", "/v1/customers/"+e.demo("Fabrikam Inc")+"/promotionEligibilities", body)
	},
	"promotion-eligibilities-all.response.json": func(e *tenv) res {
		return e.do("POST", "/v1/customers/"+e.demo("Fabrikam Inc")+"/promotionEligibilities", map[string]any{"items": []any{map[string]any{
			"id": "0", "catalogItemId": "CFQ7TTC0LCHC:0002:CFQ7TTC0K5BF", "quantity": 30, "termDuration": "P1Y", "billingCycle": "monthly"}}})
	},
	"country-validation-rules.response.json": func(e *tenv) res { return e.do("GET", "/v1/countryvalidationrules/US", nil) },
}

func (e *tenv) localExample(name string) []byte {
	e.t.Helper()
	b, err := os.ReadFile(filepath.Join(localExamplesDir, name))
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

// TestLocalContractShapes is TestContractShapes for the local samples.
func TestLocalContractShapes(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(localExamplesDir, "*.response.json"))
	if err != nil || len(files) != len(localCases) {
		t.Fatalf("%d response samples in %s, %d cases: %v", len(files), localExamplesDir, len(localCases), err)
	}
	e := newEnv(t, sandbox.Options{})
	for _, f := range files {
		name := filepath.Base(f)
		get := localCases[name]
		if get == nil {
			t.Fatalf("%s: no case", name)
		}
		var example, got any
		if err := json.Unmarshal(e.localExample(name), &example); err != nil {
			t.Fatal(err)
		}
		r := get(e)
		if r.status != 200 {
			t.Fatalf("%s: sandbox answered %d: %s", name, r.status, r.raw)
		}
		if err := json.Unmarshal(r.raw, &got); err != nil {
			t.Fatal(err)
		}
		var problems []string
		compareShape(name, "", example, got, &problems)
		if len(problems) > 0 {
			t.Errorf("%s: sandbox response lacks documented fields:\n  %s\nbody: %.600s", name, strings.Join(problems, "\n  "), r.raw)
		}
	}
}
