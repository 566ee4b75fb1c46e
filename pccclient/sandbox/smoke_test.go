package sandbox_test

import (
	"testing"

	"github.com/cspportal/portal/pccclient/sandbox"
)

func TestSmoke(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	r := e.do("GET", "/v1/offers?country=US&size=3", nil, "X-Locale", "en-US")
	want(t, r, 200, "")
	t.Logf("%s", r.raw[:300])
	r = e.do("GET", "/v1/customers?size=3", nil)
	want(t, r, 200, "")
	t.Logf("customers total %d next %v", r.num("totalCount"), r.obj["links"])
	cid := r.items()[0]["id"].(string)
	r = e.do("GET", "/v1/customers/"+cid+"/subscriptions", nil)
	want(t, r, 200, "")
	t.Logf("subs %s", r.raw[:600])
}
