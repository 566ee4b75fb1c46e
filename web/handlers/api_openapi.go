package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// The API's OpenAPI 3.1 description, served at /api/v1/openapi.json. It
// is written here by hand, operation by operation, and
// TestAPIOpenAPIDescribesRoutes walks the router to check that it names
// exactly the routes registered.

// apiOperation is one documented operation.
type apiOperation struct {
	method, path string // path as registered under apiPrefix, chi's {param} syntax
	id, summary  string
	write        bool   // needs the read_write scope and takes an Idempotency-Key
	public       bool   // no token
	body         string // request schema name, "" for none
	ok           int    // success status
	result       string // success schema name
	errors       []int
}

// apiOperations are the API's operations, in the description's order.
var apiOperations = []apiOperation{
	{method: http.MethodGet, path: "/openapi.json", id: "getOpenAPI", summary: "This description.", public: true, ok: 200, result: ""},
	{method: http.MethodGet, path: "/customers", id: "listCustomers", summary: "The reseller's customers by name, 100 a page.", ok: 200,
		result: "CustomerList", errors: []int{401, 422}},
	{method: http.MethodGet, path: "/customers/{id}", id: "getCustomer", summary: "One of the reseller's customers.", ok: 200,
		result: "Customer", errors: []int{401, 404}},
	{method: http.MethodGet, path: "/customers/{id}/subscriptions", id: "listCustomerSubscriptions", summary: "A customer's subscriptions.", ok: 200,
		result: "SubscriptionList", errors: []int{401, 404}},
	{method: http.MethodPost, path: "/customers/{id}/orders", id: "createOrder",
		summary: "Order for a customer: the lines are checked like the cart's and placed in Partner Center with the reseller as partner of record.",
		write:   true, body: "OrderRequest", ok: 201, result: "Order", errors: []int{400, 401, 403, 404, 409, 422}},
	{method: http.MethodGet, path: "/subscriptions/{id}", id: "getSubscription", summary: "One subscription of the reseller's customers.", ok: 200,
		result: "Subscription", errors: []int{401, 404}},
	{method: http.MethodPatch, path: "/subscriptions/{id}", id: "changeSubscription",
		summary: "Make one change to a subscription with the portal's rules, as its page does: the seat count (NCE decrease window, limits), suspend or reactivate, auto-renew, or the name.",
		write:   true, body: "SubscriptionChange", ok: 200, result: "Change", errors: []int{400, 401, 403, 404, 409, 422}},
}

var (
	openAPIOnce sync.Once
	openAPIDoc  map[string]any
)

// apiOpenAPI serves the description (no token: it holds no data).
func (s *Server) apiOpenAPI(w http.ResponseWriter, r *http.Request) {
	openAPIOnce.Do(func() { openAPIDoc = buildOpenAPI() })
	writeJSON(w, http.StatusOK, openAPIDoc)
}

// withOneOf makes o take exactly one of fields.
func withOneOf(o map[string]any, fields ...string) map[string]any {
	var one []any
	for _, f := range fields {
		one = append(one, map[string]any{"required": []string{f}})
	}
	o["oneOf"] = one
	return o
}

func obj(props map[string]any, required ...string) map[string]any {
	o := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

var (
	str     = map[string]any{"type": "string"}
	integer = map[string]any{"type": "integer"}
	boolean = map[string]any{"type": "boolean"}
)

func listOf(item string) map[string]any {
	return obj(map[string]any{"data": map[string]any{"type": "array", "items": ref(item)}, "page": integer, "page_size": integer, "total": integer},
		"data", "total")
}

// buildOpenAPI assembles the description from apiOperations.
func buildOpenAPI() map[string]any {
	schemas := map[string]any{
		"Error": obj(map[string]any{"code": str, "message": str,
			"fields": map[string]any{"type": "object", "additionalProperties": str, "description": "Problems by field, e.g. quantity or lines[0].item_id."}},
			"code", "message"),
		"Customer": obj(map[string]any{"id": map[string]any{"type": "string", "format": "uuid"}, "company_name": str, "domain": str,
			"country": str, "tenant_id": str}, "id", "company_name", "domain", "country"),
		"CustomerList": listOf("Customer"),
		"Subscription": obj(map[string]any{"id": str, "customer_id": str, "parent_subscription_id": str, "offer_id": str, "offer_name": str,
			"friendly_name": str, "status": str, "quantity": integer, "term_duration": str, "billing_cycle": str, "auto_renew_enabled": boolean,
			"commitment_end_date": map[string]any{"type": "string", "format": "date-time"}, "min_quantity": integer, "max_quantity": integer},
			"id", "offer_id", "offer_name", "status", "quantity"),
		"SubscriptionList": listOf("Subscription"),
		"SubscriptionChange": withOneOf(obj(map[string]any{"quantity": map[string]any{"type": "integer", "minimum": 1},
			"accept_licence_loss": map[string]any{"type": "boolean", "description": "Confirms a decrease that leaves assigned users without a licence."},
			"status":              map[string]any{"type": "string", "enum": []string{"suspended", "active"}, "description": "Suspend, or reactivate a suspended subscription."},
			"suspension_reason":   map[string]any{"type": "string", "minLength": 3, "maxLength": 500, "description": "Why it is suspended (required to suspend)."},
			"auto_renew":          map[string]any{"type": "boolean"},
			"friendly_name":       map[string]any{"type": "string", "minLength": 1}}),
			"quantity", "status", "auto_renew", "friendly_name"),
		"Change": obj(map[string]any{"id": str, "subscription_id": str,
			"action":          map[string]any{"type": "string", "enum": []string{"quantity", "suspend", "reactivate", "autorenew", "name"}},
			"quantity_before": integer, "quantity_after": integer,
			"subscription_status_before": str, "subscription_status_after": str,
			"auto_renew_before": boolean, "auto_renew_after": boolean, "friendly_name_before": str, "friendly_name_after": str,
			"status": map[string]any{"type": "string", "enum": []string{"pending", "delivering", "succeeded", "failed"}},
			"error":  str, "pc_error_code": str, "ms_request_id": str}, "id", "subscription_id", "action", "status", "ms_request_id"),
		"OrderLine": obj(map[string]any{"item_id": map[string]any{"type": "string", "description": "A legacy offer id or an NCE productId:skuId:availabilityId."},
			"quantity": map[string]any{"type": "integer", "minimum": 1}, "term": str, "billing_cycle": str,
			"parent":       map[string]any{"type": "string", "description": "For an add-on: sub:<subscription id>, or line:<n> for the order's nth line (from 1)."},
			"promotion_id": str, "term_end": map[string]any{"type": "string", "format": "date"}}, "item_id", "quantity"),
		"OrderRequest": obj(map[string]any{"lines": map[string]any{"type": "array", "items": ref("OrderLine"), "minItems": 1, "maxItems": 50}}, "lines"),
		"PlacedLine": obj(map[string]any{"item_id": str, "name": str, "quantity": integer, "term": str, "billing_cycle": str,
			"phase":                  map[string]any{"type": "integer", "description": "1: placed first; 2: add-ons of new bases, placed once those are active."},
			"parent_subscription_id": str, "promotion_id": str, "term_end": str}, "item_id", "quantity", "phase"),
		"Order": obj(map[string]any{"id": str, "customer_id": str,
			"status":      map[string]any{"type": "string", "enum": []string{"pending", "delivering", "succeeded", "failed"}},
			"pc_order_id": str, "error": str, "pc_error_code": str, "ms_request_id": str,
			"lines": map[string]any{"type": "array", "items": ref("PlacedLine")}}, "id", "customer_id", "status", "ms_request_id", "lines"),
	}
	errText := map[int]string{400: "The body is not valid JSON for this operation.", 401: "No token, or an unknown or revoked one.",
		403: "The token's scope is read only.", 404: "Not one of the reseller's.", 409: "A request with the same Idempotency-Key is still running, or the subscription changed meanwhile.",
		422: "Validation problems by field, or an Idempotency-Key reused with another request."}
	paths := map[string]any{}
	for _, op := range apiOperations {
		p := apiPrefix + op.path
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		o := map[string]any{"operationId": op.id, "summary": op.summary}
		var params []any
		if strings.Contains(op.path, "{id}") {
			params = append(params, map[string]any{"name": "id", "in": "path", "required": true, "schema": str})
		}
		if op.path == "/customers" {
			params = append(params, map[string]any{"name": "page", "in": "query", "schema": map[string]any{"type": "integer", "minimum": 1}})
		}
		if op.write {
			params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header", "schema": map[string]any{"type": "string", "maxLength": 255},
				"description": "Makes a retry answer the first request's answer and change nothing twice; reusing it with another body is 422."})
		}
		if len(params) > 0 {
			o["parameters"] = params
		}
		if op.body != "" {
			o["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": ref(op.body)}}}
		}
		success := map[string]any{"description": "OK"}
		if op.result != "" {
			success["content"] = map[string]any{"application/json": map[string]any{"schema": ref(op.result)}}
		} else {
			success["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}
		}
		resp := map[string]any{strconv.Itoa(op.ok): success}
		for _, code := range op.errors {
			resp[strconv.Itoa(code)] = map[string]any{"description": errText[code],
				"content": map[string]any{"application/json": map[string]any{"schema": ref("Error")}}}
		}
		o["responses"] = resp
		if op.public {
			o["security"] = []any{}
		} else if op.write {
			o["security"] = []any{map[string]any{"bearer": []string{"read_write"}}}
		}
		item[strings.ToLower(op.method)] = o
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "CSP portal reseller API", "version": "1",
			"description": "A reseller's customers, subscriptions, seat changes and orders. Tokens are made by the reseller's users on /reseller/api-tokens; every answer is scoped to the token's reseller."},
		"servers":  []any{map[string]any{"url": "/"}},
		"security": []any{map[string]any{"bearer": []string{"read"}}},
		"paths":    paths,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "cspp_<random>",
				"description": "A reseller user's API token; scope read or read_write."}},
		},
	}
}
