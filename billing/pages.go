package billing

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/cspportal/portal/store"
)

// InvoicePage is an invoice as its page shows it: the invoice, its latest
// imports and one page of its customers (most charged first).
type InvoicePage struct {
	Invoice   store.BillingInvoice
	Imports   []store.BillingImport
	Customers []store.BillingCustomerRow
	Total     int // customers matching the search (all of them unfiltered)
	// Offset is the place of the first customer shown: the filter's, or 0
	// when a keyset link's customer is no longer on the invoice (the page
	// starts again at the first).
	Offset int
}

// pageCache keeps invoice pages for a moment: an invoice changes when an
// import of it finishes (a few times a month) while its page is read by
// many at once. Identical requests arriving together share one read.
type pageCache struct {
	ttl   time.Duration
	group singleflight.Group
	mu    sync.Mutex
	m     map[string]pageEntry
}

type pageEntry struct {
	at time.Time
	v  InvoicePage
}

// maxCachedPages bounds the cache; past it, it starts over.
const maxCachedPages = 512

func (c *pageCache) clear() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}

// InvoicePage reads the page of the invoice's customers f selects, with
// the invoice and its imports (store.ErrNotFound for an unknown invoice).
// f.Offset is the place the caller's page starts at, also when it pages by
// keyset. A page is at most Options.PageCacheTTL old.
func (s *Service) InvoicePage(ctx context.Context, id string, f store.BillingCustomerFilter) (InvoicePage, error) {
	key := strings.Join([]string{id, f.Q, strconv.Itoa(f.Offset), strconv.Itoa(f.Limit), f.After, f.Before}, "\x00")
	c := &s.pages
	if c.ttl > 0 {
		c.mu.Lock()
		e, ok := c.m[key]
		c.mu.Unlock()
		if ok && time.Since(e.at) < c.ttl {
			return e.v, nil
		}
	}
	v, err, _ := c.group.Do(key, func() (any, error) {
		var p InvoicePage
		var err error
		if p.Invoice, err = s.st.BillingInvoice(ctx, id); err != nil {
			return p, err
		}
		p.Offset = f.Offset
		if p.Customers, p.Total, err = s.st.BillingInvoiceCustomers(ctx, id, f); err != nil {
			return p, err
		}
		if len(p.Customers) == 0 && (f.After != "" || f.Before != "") {
			f.After, f.Before, f.Offset, p.Offset = "", "", 0, 0
			if p.Customers, p.Total, err = s.st.BillingInvoiceCustomers(ctx, id, f); err != nil {
				return p, err
			}
		}
		if f.Q == "" {
			p.Total = int(p.Invoice.Customers)
		}
		if p.Imports, err = s.st.BillingInvoiceImports(ctx, id); err != nil {
			return p, err
		}
		if c.ttl > 0 {
			c.mu.Lock()
			if c.m == nil || len(c.m) >= maxCachedPages {
				c.m = map[string]pageEntry{}
			}
			c.m[key] = pageEntry{at: time.Now(), v: p}
			c.mu.Unlock()
		}
		return p, nil
	})
	if err != nil {
		return InvoicePage{}, err
	}
	return v.(InvoicePage), nil
}
