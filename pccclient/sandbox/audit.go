package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// auditRetention is how far back audit records can be queried.
const auditRetention = 90 * 24 * time.Hour

// dotnetTicks converts t to .NET ticks, which PC uses in audit record ids.
func dotnetTicks(t time.Time) int64 { return t.UnixNano()/100 + 621355968000000000 }

// pascalJSON renders v as PC stores it in resourceNewValue: a JSON string
// with PascalCase property names.
func pascalJSON(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	var generic any
	if err := json.Unmarshal(b, &generic); err != nil {
		return ""
	}
	out, _ := json.Marshal(pascalize(generic))
	return string(out)
}

func pascalize(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, val := range t {
			r, n := utf8.DecodeRuneInString(k)
			m[string(unicode.ToUpper(r))+k[n:]] = pascalize(val)
		}
		return m
	case []any:
		for i := range t {
			t[i] = pascalize(t[i])
		}
		return t
	}
	return v
}

// audit appends an audit record (caller holds s.mu for writing).
func (s *Sandbox) audit(c *call, cust *customer, resourceType, opType string, oldV, newV any, data ...kv) {
	now := s.clock.Now()
	corr := ""
	if c != nil {
		now, corr = c.now, c.corr
	}
	rec := &auditRecordWire{PartnerID: PartnerID, Participants: []string{PartnerID},
		UserPrincipalName: "admin@sandboxpartner.onmicrosoft.com", ApplicationID: s.creds.ClientID,
		ResourceType: resourceType, ResourceOldValue: pascalJSON(oldV), ResourceNewValue: pascalJSON(newV),
		OperationType: opType, OriginalCorrelationID: corr, OperationDate: now, OperationStatus: "succeeded",
		CustomizedData: data, Attributes: attrs{ObjectType: "AuditRecord"}}
	if c == nil || c.system {
		rec.ApplicationID = "FulfillmentService"
	}
	if rec.CustomizedData == nil {
		rec.CustomizedData = []kv{}
	}
	if w, ok := newV.(subscriptionWire); ok && resourceType == "subscription" {
		s.billObserve(now, w)
	}
	cid := ""
	if cust != nil {
		cid = cust.W.ID
		rec.CustomerID, rec.CustomerName = cust.W.ID, cust.name()
	}
	prefix := PartnerID + "_" + cid + "_" + strings.ReplaceAll(opType, "_", "") + "_"
	ticks := dotnetTicks(now)
	rec.ID = prefix + strconv.FormatInt(ticks, 10)
	// One change can write several records at one instant (a base and its
	// add-ons): the ids, which embed the time, stay unique a tick apart.
	for i := len(s.st.Audit) - 1; i >= 0 && i >= len(s.st.Audit)-64; i-- {
		if s.st.Audit[i].ID == rec.ID {
			ticks++
			rec.ID = prefix + strconv.FormatInt(ticks, 10)
			i = len(s.st.Audit)
		}
	}
	s.st.Audit = append(s.st.Audit, rec)
}

type auditFilter struct {
	Field    string `json:"Field"`
	Value    string `json:"Value"`
	Operator string `json:"Operator"`
}

func (f *auditFilter) match(r *auditRecordWire) bool {
	want := strings.ToLower(f.Value)
	switch strings.ToLower(f.Field) {
	case "companyname":
		return strings.Contains(strings.ToLower(r.CustomerName), want)
	case "customerid":
		return strings.ToLower(r.CustomerID) == want
	case "resourcetype":
		return strings.ToLower(r.ResourceType) == want
	}
	return false
}

type auditToken struct {
	Offset int    `json:"o"`
	Size   int    `json:"s"`
	Start  string `json:"b"`
	End    string `json:"e"`
	Filter string `json:"f,omitempty"`
}

func parseDay(v string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02", time.RFC3339Nano, "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// listAuditRecords: startDate (default 30 days ago, at most 90 days ago),
// endDate (inclusive day), size, filter; seek paging like customers.
func (s *Sandbox) listAuditRecords(c *call) (int, any) {
	size, _ := strconv.Atoi(c.qi("size"))
	startRaw, endRaw, filterRaw := c.qi("startDate"), c.qi("endDate"), c.qi("filter")
	offset := 0
	if strings.EqualFold(c.qi("seekOperation"), "next") {
		var tok auditToken
		b, err := base64.RawURLEncoding.DecodeString(c.r.Header.Get("MS-ContinuationToken"))
		if err != nil || json.Unmarshal(b, &tok) != nil || tok.Offset < 0 {
			return 0, errBadInput("MS-ContinuationToken header is missing or invalid")
		}
		offset, startRaw, endRaw, filterRaw = tok.Offset, tok.Start, tok.End, tok.Filter
		if size <= 0 {
			size = tok.Size
		}
	}
	if size <= 0 || size > 500 {
		size = 500
	}
	today := c.now.Truncate(24 * time.Hour)
	start := today.Add(-30 * 24 * time.Hour)
	if startRaw != "" {
		t, ok := parseDay(startRaw)
		if !ok {
			return 0, errInvalidProperty("startDate %q is not a date (yyyy-mm-dd)", startRaw)
		}
		start = t
	}
	if start.Before(today.Add(-auditRetention)) {
		return 0, newErr(http.StatusBadRequest, "400", "The startDate %s is more than 90 days in the past; only the last 90 days of activity can be queried", start.Format("2006-01-02"))
	}
	end := c.now.Add(time.Nanosecond)
	if endRaw != "" {
		t, ok := parseDay(endRaw)
		if !ok {
			return 0, errInvalidProperty("endDate %q is not a date (yyyy-mm-dd)", endRaw)
		}
		if len(endRaw) == len("2006-01-02") {
			t = t.Add(24 * time.Hour)
		}
		end = t
	}
	if !end.After(start) {
		return 0, errInvalidProperty("endDate must be after startDate")
	}
	var f *auditFilter
	if filterRaw != "" {
		f = &auditFilter{}
		if err := json.Unmarshal([]byte(filterRaw), f); err != nil || f.Field == "" {
			return 0, errBadInput("filter must be a JSON object with Field, Value and Operator")
		}
	}
	var matched []*auditRecordWire
	for _, r := range s.st.Audit {
		if r.OperationDate.Before(start) || !r.OperationDate.Before(end) {
			continue
		}
		if f == nil || f.match(r) {
			matched = append(matched, r)
		}
	}
	from := min(offset, len(matched))
	to := min(from+size, len(matched))
	items := matched[from:to]
	if items == nil {
		items = []*auditRecordWire{}
	}
	self := "/auditrecords?startDate=" + start.Format("2006-01-02") + "&size=" + strconv.Itoa(size)
	col := newCollection(items, len(matched), self)
	if to < len(matched) {
		b, _ := json.Marshal(auditToken{Offset: to, Size: size, Start: startRaw, End: endRaw, Filter: filterRaw})
		tok := base64.RawURLEncoding.EncodeToString(b)
		col.ContinuationToken = tok
		col.Links.Next = &link{URI: "/auditrecords?size=" + strconv.Itoa(size) + "&seekOperation=next", Method: "GET",
			Headers: []header{{Key: "MS-ContinuationToken", Value: tok}}}
	}
	return 200, col
}
