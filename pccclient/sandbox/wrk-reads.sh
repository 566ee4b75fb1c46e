#!/bin/sh
# wrk-reads.sh measures every read operation of a running sandbox with wrk
# (16 connections, 2 threads) and prints requests per second per endpoint,
# with the load average before and after. The target is 5,000 GET/s each.
#
#   portal sandbox --addr 127.0.0.1:8090 &
#   pccclient/sandbox/wrk-reads.sh http://127.0.0.1:8090 [seconds]
#
# Needs wrk, curl and python3.
set -eu
base=${1:-http://127.0.0.1:8090}
secs=${2:-5}
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
app=$(curl -fsS -X POST "$base/_sandbox/token" | json 'd["access_token"]')
usr=$(curl -fsS -X POST "$base/_sandbox/user-token" -d '{"user":"admin@sandbox.test"}' | json 'd["access_token"]')
get() { curl -fsS -H "Authorization: Bearer $app" "$base$1"; }
cid=$(get "/v1/customers?size=100" | json '[c["id"] for c in d["items"] if c["companyProfile"]["companyName"]=="Contoso Ltd"][0]')
nce=$(get "/v1/customers?size=100" | json '[c["id"] for c in d["items"] if c["companyProfile"]["companyName"]=="Fabrikam Inc"][0]')
sid=$(get "/v1/customers/$cid/subscriptions" | json '[s["id"] for s in d["items"] if s["offerName"]=="Office 365 E3"][0]')
oid=$(get "/v1/customers/$cid/subscriptions/$sid" | json 'd["orderId"]')
e3=$(get "/v1/offers?country=US" | json '[o["id"] for o in d["items"] if o["name"]=="Office 365 E3"][0]')
inv=$(get "/v1/invoices" | json 'd["items"][0]["id"]')
cart=$(curl -fsS -X POST -H "Authorization: Bearer $app" -H "Content-Type: application/json" "$base/v1/customers/$nce/carts" \
	-d '{"lineItems":[{"id":0,"catalogItemId":"CFQ7TTC0LH18:0001:CFQ7TTC0K971","quantity":1,"termDuration":"P1M","billingCycle":"monthly"}]}' | json 'd["id"]')
since=$(python3 -c 'import datetime; print((datetime.date.today()-datetime.timedelta(days=80)).isoformat())')

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
while read -r name tok path; do
	[ -z "$name" ] && continue
	t=$app
	[ "$tok" = user ] && t=$usr
	rps=$(wrk -t2 -c16 -d"${secs}s" -H "Authorization: Bearer $t" -H "X-Locale: en-US" "$base$path" |
		awk '/Requests\/sec/ {print $2} /Non-2xx/ {print "NON-2xx:" $4}' | tr '\n' ' ')
	printf '%-26s %s\n' "$name" "$rps"
done <<EOF
offers app /v1/offers?country=US
offer app /v1/offers/$e3?country=US
offer-addons app /v1/offers/$e3/addons?country=US
products app /v1/products?country=US&targetView=OnlineServices
product app /v1/products/CFQ7TTC0LFLZ?country=US
skus app /v1/products/CFQ7TTC0LCHC/skus?country=US
sku app /v1/products/CFQ7TTC0LFLZ/skus/0002?country=US
availabilities app /v1/products/CFQ7TTC0LFLZ/skus/0002/availabilities?country=US
availability app /v1/products/CFQ7TTC0LFLZ/skus/0002/availabilities/CFQ7TTC0K4TS?country=US
promotions app /v1/productpromotions?country=US&segment=commercial
promotion app /v1/productpromotions/39NFJQT13H15:0001:39NFJQT1Q87E?country=US
country-rules app /v1/countryvalidationrules/US
customers app /v1/customers?size=100
customer app /v1/customers/$cid
agreements user /v1/customers/$cid/agreements
agreement-metadata user /v1/agreements
cart app /v1/customers/$nce/carts/$cart
orders app /v1/customers/$cid/orders
order app /v1/customers/$cid/orders/$oid
order-provisioning app /v1/customers/$cid/orders/$oid/provisioningstatus
subscriptions app /v1/customers/$cid/subscriptions
subscription app /v1/customers/$cid/subscriptions/$sid
subscription-addons app /v1/customers/$cid/subscriptions/$sid/addons
subscription-provisioning app /v1/customers/$cid/subscriptions/$sid/provisioningstatus
entitlements app /v1/customers/$cid/entitlements
subscribed-skus user /v1/customers/$cid/subscribedskus
audit-records app /v1/auditrecords?startDate=$since
relationships user /v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf
invoices app /v1/invoices
invoice app /v1/invoices/$inv
EOF
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
