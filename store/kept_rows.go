package store

import (
	"sync"

	"github.com/google/uuid"

	"github.com/cspportal/portal/rules"
)

// Big customers' subscriptions kept between requests. Reading, decoding
// and sorting a customer's 500 subscriptions was most of the server time
// of its page and view, on every request, while they change a few times a
// day. A trigger-kept version per customer (migration 00266) moves with
// every write to what those pages read; a page's batch reads the version
// and, only when it is not the kept one, the rows, in the same snapshot.
// So a kept list is never older than the snapshot that read the version.

const (
	// keepFrom is the fewest rows a customer's list needs to be kept: a
	// small customer's rows cost less to read than the memory they hold.
	keepFrom = 100
	// keepRows bounds the rows one keeper holds (about 5 MiB of
	// subscriptions): twenty customers of 500.
	keepRows = 10_000
)

// noVersion asks the queries for the rows in any case: versions are never
// negative.
const noVersion = -1

// rowKeeper holds lists of rows per customer at a data version, and how
// each list's add-ons nest under their bases (the pages show them so and
// nesting 500 rows was a tenth of a page's time), the least recently used
// dropped first beyond keepRows. Lists are shared between readers: nobody
// changes them.
type rowKeeper[T any] struct {
	mu   sync.Mutex
	m    map[uuid.UUID]*keptRows[T]
	held int
	tick uint64
	// nest nests a list, once per list read.
	nest func([]T) rules.Nesting
}

// rowList is a list of rows in order and how they nest.
type rowList[T any] struct {
	rows []T
	nest rules.Nesting
}

type keptRows[T any] struct {
	version int64
	rowList[T]
	used uint64
}

func newRowKeeper[T any](nest func([]T) rules.Nesting) *rowKeeper[T] {
	return &rowKeeper[T]{m: map[uuid.UUID]*keptRows[T]{}, nest: nest}
}

// get returns the version and list kept for customer (noVersion when
// none).
func (k *rowKeeper[T]) get(customer uuid.UUID) (int64, rowList[T]) {
	if k == nil {
		return noVersion, rowList[T]{}
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	e := k.m[customer]
	if e == nil {
		return noVersion, rowList[T]{}
	}
	k.tick++
	e.used = k.tick
	return e.version, e.rowList
}

// put keeps l as customer's list at version, when it has enough rows and
// is newer than the one kept.
func (k *rowKeeper[T]) put(customer uuid.UUID, version int64, l rowList[T]) {
	rows := l.rows
	if k == nil || len(rows) < keepFrom || len(rows) > keepRows {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if e := k.m[customer]; e != nil {
		if e.version >= version {
			return
		}
		k.held -= len(e.rows)
	}
	k.tick++
	k.m[customer] = &keptRows[T]{version: version, rowList: l, used: k.tick}
	k.held += len(rows)
	for k.held > keepRows {
		var oldest uuid.UUID
		var at uint64
		for id, e := range k.m {
			if at == 0 || e.used < at {
				oldest, at = id, e.used
			}
		}
		k.held -= len(k.m[oldest].rows)
		delete(k.m, oldest)
	}
}

// keep returns the list to use after a batch that read version and, when
// it was not keptVersion, fresh (unsorted) rows: the kept list, or fresh
// sorted, nested and kept.
func (k *rowKeeper[T]) keep(customer uuid.UUID, keptVersion, version int64, kept rowList[T], fresh []T, sort func([]T)) rowList[T] {
	if keptVersion != noVersion && version == keptVersion {
		return kept
	}
	sort(fresh)
	l := rowList[T]{rows: fresh, nest: k.nest(fresh)}
	k.put(customer, version, l)
	return l
}
