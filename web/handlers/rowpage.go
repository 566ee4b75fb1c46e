package handlers

import (
	"net/url"

	"github.com/cspportal/portal/web/templates"
)

// rowPageSize is how many products (a base subscription with its add-ons)
// a page of one customer's subscriptions shows.
const rowPageSize = 50

// rowWindow picks the page of n rows, already in their stable order and
// named by id(i), that u's ?after= (the row before the page) or ?before=
// (the row after it) asks for, and builds its pager; the links keep u's
// other parameters. An unknown row (gone since the link was made) starts
// again at the first page.
func rowWindow(u *url.URL, n int, id func(i int) string) (lo, hi int, pg templates.Pager) {
	q := u.Query()
	find := func(key string) int {
		if want := q.Get(key); want != "" {
			for i := range n {
				if id(i) == want {
					return i
				}
			}
		}
		return -1
	}
	if i := find("after"); i >= 0 {
		lo, hi = i+1, min(i+1+rowPageSize, n)
	} else if i := find("before"); i >= 0 {
		lo, hi = max(i-rowPageSize, 0), i
	} else {
		lo, hi = 0, min(rowPageSize, n)
	}
	pg = templates.Pager{Page: (lo+rowPageSize-1)/rowPageSize + 1, Pages: max((n+rowPageSize-1)/rowPageSize, 1),
		From: min(lo+1, n), To: hi, Total: n}
	link := func(key, row string) string {
		q := u.Query()
		q.Del("after")
		q.Del("before")
		q.Del("page")
		if key != "" {
			q.Set(key, row)
		}
		if len(q) == 0 {
			return u.Path
		}
		return u.Path + "?" + q.Encode()
	}
	switch {
	case lo > rowPageSize:
		pg.PrevHref = link("before", id(lo))
	case lo > 0:
		pg.PrevHref = link("", "")
	}
	if hi < n {
		pg.NextHref = link("after", id(hi-1))
	}
	return lo, hi, pg
}
