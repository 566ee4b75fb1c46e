package pccclient

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// maxPages stops a runaway iteration (a server repeating its next link).
const maxPages = 1_000_000

// pages iterates over the items of a collection call, following PC's paging:
//   - seek paging: links.next {uri with seekOperation=next, headers
//     [MS-ContinuationToken]} — the headers are sent with the next request;
//   - offset paging (offset=true): links.next.uri with the next offset, or,
//     when PC gives no next link but totalCount says more remain, the client
//     asks for offset+len(items) itself.
//
// The first error is yielded once and ends the iteration. Breaking out of
// the loop stops fetching.
func pages[T any](ctx context.Context, c *Client, first *call, offset bool) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		cl := first
		seen := 0
		prevNext := ""
		for range maxPages {
			var col Collection[T]
			cl.out = &col
			if _, err := c.do(ctx, cl); err != nil {
				yield(zero, err)
				return
			}
			for _, it := range col.Items {
				if !yield(it, nil) {
					return
				}
			}
			seen += len(col.Items)
			if len(col.Items) == 0 {
				return
			}
			next, hasNext := col.Links["next"]
			switch {
			case hasNext && next.URI != "":
				key := next.URI
				for _, kv := range next.Headers {
					key += "|" + kv.Value
				}
				if key == prevNext {
					return // no progress: the server repeated its link
				}
				prevNext = key
				nc := &call{op: cl.op, class: cl.class, method: http.MethodGet, path: next.URI, header: http.Header{}, cred: cl.cred, credSet: cl.credSet}
				for _, kv := range next.Headers {
					nc.header.Set(kv.Key, kv.Value)
				}
				if next.Method != "" && next.Method != http.MethodGet {
					nc.method = next.Method
				}
				cl = nc
			case offset && col.TotalCount > seen:
				nc := *first
				nc.query = url.Values{}
				for k, v := range first.query {
					nc.query[k] = v
				}
				nc.query.Set("offset", strconv.Itoa(seen))
				cl = &nc
			default:
				return
			}
		}
	}
}
