package sandbox_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cspportal/portal/pccclient/sandbox"
)

// examplesDir holds PC's documented payloads (CI clones shared/ beside main/).
const examplesDir = "../../../shared/pc-api/examples"

// notServed lists example responses of operations outside the sandbox's
// contract (no operation id in sandbox-api.md), with the reason.
var notServed = map[string]string{
	"invoice-lineitems-office.response.json": "invoice line items are not simulated",
	"service-requests.response.json":         "service requests are not simulated",
}

// ignoredPaths are example keys the sandbox legitimately does not mirror.
var ignoredPaths = map[string]string{
	"sku.response.json:dynamicAttributes.*":                     "dynamic attributes are product specific (the sample is an Azure RI sku)",
	"entitlements.response.json:items[].includedEntitlements.*": "only bundled software has included entitlements; the sandbox sells none",
}

// contractCases produce, for each example response, the sandbox response
// for the same operation. Requests are the documented request samples
// where they exist; offer ids unknown to the catalog are swapped for ours.
var contractCases = map[string]func(e *tenv) res{
	"agreement-metadata.response.json": func(e *tenv) res { return e.do("GET", "/v1/agreements", nil) },
	"audit-records.response.json":      func(e *tenv) res { return e.auditAll() },
	"audit-records-daily.response.json": func(e *tenv) res {
		return e.auditAll()
	},
	"availability-nce.response.json": func(e *tenv) res {
		return e.do("GET", "/v1/products/CFQ7TTC0LH18/skus/0001/availabilities/CFQ7TTC0K971?country=US", nil)
	},
	"availability.response.json": func(e *tenv) res {
		return e.do("GET", "/v1/products/CFQ7TTC0LFLZ/skus/0002/availabilities/CFQ7TTC0K4TS?country=US", nil)
	},
	"cart-checkout.response.json": func(e *tenv) res {
		cid := e.demo("Fabrikam Inc")
		r := e.do("POST", "/v1/customers/"+cid+"/carts", e.example("cart-create-nce.request.json"))
		return e.do("POST", "/v1/customers/"+cid+"/carts/"+r.str("id")+"/checkout", nil)
	},
	"cart-create-nce.response.json": func(e *tenv) res {
		return e.do("POST", "/v1/customers/"+e.demo("Fabrikam Inc")+"/carts", e.example("cart-create-nce.request.json"))
	},
	"cart-create-with-addons.response.json": func(e *tenv) res {
		return e.do("POST", "/v1/customers/"+e.demo("Contoso Ltd")+"/carts", e.example("cart-create-with-addons.request.json"))
	},
	"cart-create.response.json": func(e *tenv) res {
		return e.do("POST", "/v1/customers/"+e.demo("Contoso Ltd")+"/carts", e.example("cart-create.request.json"))
	},
	"create-order-indirect.response.json": func(e *tenv) res {
		body := strings.ReplaceAll(string(e.example("create-order-indirect.request.json")), "DB2E705F-B82A-4024-A3D5-D88E12F2DB35", e.offerID("Microsoft Intune"))
		cid := e.demo("Contoso Ltd")
		body = strings.ReplaceAll(body, "c501c3c4-d776-40ef-9ecf-9cefb59442c1", cid)
		return e.do("POST", "/v1/customers/"+cid+"/orders", body)
	},
	"create-order.response.json": func(e *tenv) res {
		body := strings.ReplaceAll(string(e.example("create-order.request.json")), "DZH318Z0BQ4B:0047:DZH318Z0DSM8", "CFQ7TTC0LH16:0001:CFQ7TTC0K5LQ")
		body = strings.ReplaceAll(body, `"one_time"`, `"monthly"`)
		body = strings.Replace(body, `"OfferId"`, `"TermDuration":"P1M","OfferId"`, 1)
		return e.do("POST", "/v1/customers/"+e.demo("Fabrikam Inc")+"/orders", body)
	},
	"customer-agreement-create.response.json": func(e *tenv) res {
		return e.do("POST", "/v1/customers/"+e.demo("Litware Inc")+"/agreements", e.example("customer-agreement-create.request.json"))
	},
	"customer-create-indirect.response.json": func(e *tenv) res {
		// App+User only ("Create a customer for an indirect reseller").
		return e.do("POST", "/v1/customers", e.example("customer-create-indirect.request.json"), "Authorization", "Bearer "+e.userToken)
	},
	"customer-create.response.json": func(e *tenv) res {
		return e.do("POST", "/v1/customers", e.example("customer-create.request.json"))
	},
	"customer.response.json":                       func(e *tenv) res { return e.do("GET", "/v1/customers/"+e.demo("Contoso Ltd"), nil) },
	"customers-list.response.json":                 func(e *tenv) res { return e.do("GET", "/v1/customers?size=40", nil) },
	"customers-of-indirect-reseller.response.json": func(e *tenv) res { return e.do("GET", "/v1/customers?size=40", nil) },
	"entitlements.response.json": func(e *tenv) res {
		return e.do("GET", "/v1/customers/"+e.demo("Contoso Ltd")+"/entitlements?showExpiry=true", nil)
	},
	"indirect-resellers.response.json": func(e *tenv) res {
		return e.do("GET", "/v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf", nil)
	},
	"invoices-list.response.json": func(e *tenv) res {
		// The example is a legacy (office) invoice with a tax receipt and an
		// amendment: page to the newest such one among the new-commerce ones.
		all := e.do("GET", "/v1/invoices", nil).items()
		i := slices.IndexFunc(all, func(m map[string]any) bool { return strings.HasPrefix(m["id"].(string), "D0") })
		return e.do("GET", "/v1/invoices?size=1&offset="+strconv.Itoa(i), nil)
	},
	"offer-addons.response.json": func(e *tenv) res {
		return e.do("GET", "/v1/offers/"+e.offerID("Office 365 E3")+"/addons?country=US", nil, "X-Locale", "en-US")
	},
	"offer.response.json": func(e *tenv) res {
		return e.do("GET", "/v1/offers/"+e.offerID("Office 365 Business Premium")+"?country=US", nil, "X-Locale", "en-US")
	},
	"order-patch-addon.response.json": func(e *tenv) res {
		cid := e.demo("Contoso Ltd")
		o := e.order(cid, li(e.offerID("Office 365 E3"), 5))
		e.settle()
		body := string(e.example("order-patch-addon.request.json"))
		body = strings.ReplaceAll(body, "4d3cf487-70f4-4e1e-9ff1-b2bfce8d9f04", cid)
		body = strings.ReplaceAll(body, "1C2B75C1-74A5-472A-A729-7F8CEFC477F9", o.str("lineItems.0.subscriptionId"))
		return e.do("PATCH", "/v1/customers/"+cid+"/orders/"+o.str("id"), body)
	},
	"order.response.json": func(e *tenv) res {
		cid := e.demo("Fabrikam Inc")
		orders := e.do("GET", "/v1/customers/"+cid+"/orders", nil)
		return e.do("GET", "/v1/customers/"+cid+"/orders/"+orders.str("items.0.id"), nil)
	},
	"product.response.json":       func(e *tenv) res { return e.do("GET", "/v1/products/DZH318Z0BPS6?country=US", nil) },
	"products-list.response.json": func(e *tenv) res { return e.do("GET", "/v1/products?country=US&targetView=Azure", nil) },
	"sku.response.json":           func(e *tenv) res { return e.do("GET", "/v1/products/CFQ7TTC0LH18/skus/0001?country=US", nil) },
	"subscribed-skus.response.json": func(e *tenv) res {
		return e.do("GET", "/v1/customers/"+e.demo("Contoso Ltd")+"/subscribedskus", nil)
	},
	"subscription-addon.response.json": func(e *tenv) res {
		cid := e.demo("Contoso Ltd")
		return e.do("GET", "/v1/customers/"+cid+"/subscriptions/"+e.demoSub(cid, "Exchange Online Archiving for Exchange Online"), nil)
	},
	"subscription-addons.response.json": func(e *tenv) res {
		cid := e.demo("Contoso Ltd")
		return e.do("GET", "/v1/customers/"+cid+"/subscriptions/"+e.demoSub(cid, "Office 365 E3")+"/addons", nil)
	},
	"subscription-nce-patch-quantity.request.json": func(e *tenv) res {
		cid := e.demo("Fabrikam Inc")
		return e.patchSub(cid, e.demoSub(cid, "Microsoft 365 Business Premium"), map[string]any{"quantity": 41})
	},
	"subscription-patch-quantity.response.json": func(e *tenv) res {
		cid := e.demo("Contoso Ltd")
		return e.patchSub(cid, e.demoSub(cid, "Office 365 E3"), map[string]any{"quantity": 26})
	},
	"subscription-provisioning-status.response.json": func(e *tenv) res {
		cid := e.demo("Contoso Ltd")
		return e.do("GET", "/v1/customers/"+cid+"/subscriptions/"+e.demoSub(cid, "Office 365 E3")+"/provisioningstatus", nil)
	},
	"subscription.response.json": func(e *tenv) res {
		cid := e.demo("Contoso Ltd")
		return e.do("GET", "/v1/customers/"+cid+"/subscriptions/"+e.demoSub(cid, "Microsoft Azure"), nil)
	},
	"subscriptions-by-partner.response.json": func(e *tenv) res {
		return e.do("GET", "/v1/customers/"+e.demo("Contoso Ltd")+"/subscriptions", nil)
	},
	"subscriptions-list.response.json": func(e *tenv) res {
		return e.do("GET", "/v1/customers/"+e.demo("Contoso Ltd")+"/subscriptions", nil)
	},
	"throttled-429.response.json": func(e *tenv) res {
		e.sb.ThrottleNext(sandbox.OpListOffers, 1, 57*time.Second)
		return e.do("GET", "/v1/offers?country=US", nil)
	},
}

func (e *tenv) example(name string) []byte {
	e.t.Helper()
	b, err := os.ReadFile(filepath.Join(examplesDir, name))
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

func (e *tenv) demo(company string) string {
	e.t.Helper()
	r := e.do("GET", "/v1/customers?size=100", nil)
	for _, it := range r.items() {
		if dig(it, "companyProfile.companyName") == company {
			return it["id"].(string)
		}
	}
	e.t.Fatalf("demo customer %q missing", company)
	return ""
}

func (e *tenv) demoSub(cid, offerName string) string {
	e.t.Helper()
	r := e.do("GET", "/v1/customers/"+cid+"/subscriptions", nil)
	for _, it := range r.items() {
		if it["offerName"] == offerName {
			return it["id"].(string)
		}
	}
	e.t.Fatalf("demo subscription %q missing", offerName)
	return ""
}

func (e *tenv) auditAll() res {
	return e.do("GET", "/v1/auditrecords?startDate="+e.sb.Now().Add(-89*24*time.Hour).Format("2006-01-02"), nil)
}

// TestContractShapes checks that for every documented example response
// the sandbox's response for the same operation has every documented
// field (names compared case-insensitively, arrays by the union of their
// elements' keys, scalar kinds must agree).
func TestContractShapes(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join(examplesDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples in %s (CI clones shared/ beside main/): %v", examplesDir, err)
	}
	covered := 0
	for _, f := range files {
		name := filepath.Base(f)
		if name == "SOURCES.md" || (strings.HasSuffix(name, ".request.json") && contractCases[name] == nil) {
			continue
		}
		if reason, ok := notServed[name]; ok {
			t.Logf("skip %s: %s", name, reason)
			continue
		}
		get := contractCases[name]
		if get == nil {
			t.Errorf("%s: no contract case (add one or list it in notServed)", name)
			continue
		}
		covered++
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			t.Parallel()
			// The documented samples include legacy orders and carts.
			e := newEnv(t, sandbox.Options{LegacyPurchases: true})
			var example any
			if err := json.Unmarshal(e.example(name), &example); err != nil {
				t.Fatal(err)
			}
			r := get(e)
			if r.status >= 300 && name != "throttled-429.response.json" {
				t.Fatalf("sandbox answered %d: %s", r.status, r.raw)
			}
			var got any
			if err := json.Unmarshal(r.raw, &got); err != nil {
				t.Fatalf("sandbox body: %v", err)
			}
			var problems []string
			compareShape(name, "", example, got, &problems)
			if len(problems) > 0 {
				t.Errorf("sandbox response lacks documented fields:\n  %s\nbody: %.600s", strings.Join(problems, "\n  "), r.raw)
			}
		})
	}
	if covered < 30 {
		t.Errorf("only %d examples covered", covered)
	}
}

func kind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	}
	return "null"
}

// union merges array elements into one shape (objects: union of keys).
func union(list []any) any {
	var out any
	for _, el := range list {
		out = mergeShape(out, el)
	}
	return out
}

func mergeShape(a, b any) any {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if !aok || !bok {
		if a == nil {
			return b
		}
		return a
	}
	m := map[string]any{}
	for k, v := range am {
		m[k] = v
	}
	for k, v := range bm {
		m[k] = mergeShape(m[k], v)
	}
	return m
}

func compareShape(file, path string, want, got any, problems *[]string) {
	if _, ok := ignoredPaths[file+":"+strings.TrimSuffix(strings.TrimPrefix(path, "."), "[]")+".*"]; ok {
		return
	}
	if want == nil || got == nil {
		if want != nil && got == nil {
			if kw := kind(want); kw == "array" || kw == "object" {
				*problems = append(*problems, fmt.Sprintf("%s: null, want %s", path, kw))
			}
		}
		return
	}
	if kw, kg := kind(want), kind(got); kw != kg {
		*problems = append(*problems, fmt.Sprintf("%s: %s, want %s", path, kg, kw))
		return
	}
	switch w := want.(type) {
	case map[string]any:
		g := map[string]any{}
		for k, v := range got.(map[string]any) {
			g[strings.ToLower(k)] = v
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			gv, ok := g[strings.ToLower(k)]
			if !ok && w[k] == nil {
				continue // null in the sample: an optional field that was not set
			}
			if !ok {
				*problems = append(*problems, path+"."+k+": missing")
				continue
			}
			compareShape(file, path+"."+k, w[k], gv, problems)
		}
	case []any:
		if len(w) == 0 {
			return
		}
		g := got.([]any)
		if _, objects := union(w).(map[string]any); len(g) == 0 && !objects {
			return // an empty list of strings or numbers is a value, not a shape
		}
		if len(g) == 0 {
			*problems = append(*problems, path+"[]: empty, example has elements")
			return
		}
		compareShape(file, path+"[]", union(w), union(g), problems)
	}
}
