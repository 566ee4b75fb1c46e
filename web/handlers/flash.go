package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/web/templates"
)

// Flashes belong to the request that set them. A flash used to be one
// value in the session, shown by whichever page rendered next: in another
// tab, or after an interrupted submit ("added to the cart" on a page that
// had nothing to do with it). Now each flash has an id and, once the
// request redirects, the path it redirects to: only that page shows it
// (or the request's own page, when it renders instead of redirecting),
// and a flash whose redirect was never followed expires within a minute.

const (
	sessFlashes   = "flashes"
	flashTTL      = time.Minute
	flashMaxQueue = 8
)

// pendingFlash is a flash waiting for the page its redirect leads to.
type pendingFlash struct {
	ID   string    `json:"id"`
	Kind string    `json:"kind"`
	Msg  string    `json:"msg"`
	To   string    `json:"to,omitempty"` // the redirect's path; "" before it
	At   time.Time `json:"at"`
}

// flashSlot holds the id of the flash this request set, for redirect.
type flashSlot struct {
	s  *Server
	id string
}

const flashSlotKey ctxKey = 100

// withFlashSlot gives the request a slot for the id of a flash it sets.
func (s *Server) withFlashSlot(ctx context.Context) context.Context {
	return context.WithValue(ctx, flashSlotKey, &flashSlot{s: s})
}

// flash queues a one-time message for the page this request redirects to
// (or renders itself).
func (s *Server) flash(ctx context.Context, kind, msg string) {
	var b [8]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	queue := s.flashQueue(ctx)
	// The message is put in the reader's language now: the page that shows
	// it may be another request, but it is the same reader.
	queue = append(queue, pendingFlash{ID: id, Kind: kind, Msg: i18n.Text(ctx, msg), At: time.Now()})
	if len(queue) > flashMaxQueue {
		queue = queue[len(queue)-flashMaxQueue:]
	}
	s.putFlashQueue(ctx, queue)
	if slot, ok := ctx.Value(flashSlotKey).(*flashSlot); ok {
		slot.id = id
	}
}

// popFlash takes the flash meant for r: the one r itself set, else one
// whose redirect leads to r's path, else one set by a request that did
// not redirect; a flash bound for another page stays for it.
func (s *Server) popFlash(r *http.Request) templates.Flash {
	ctx := r.Context()
	if !s.sessions.Exists(ctx, sessFlashes) {
		return templates.Flash{}
	}
	own := ""
	if slot, ok := ctx.Value(flashSlotKey).(*flashSlot); ok {
		own = slot.id
	}
	queue := s.flashQueue(ctx)
	pick := -1
	for i, f := range queue {
		switch {
		case own != "" && f.ID == own:
			pick = i
		case own == "" && pick < 0 && (f.To == r.URL.Path || f.To == ""):
			pick = i
		}
	}
	if pick < 0 {
		return templates.Flash{}
	}
	f := queue[pick]
	s.putFlashQueue(ctx, append(queue[:pick:pick], queue[pick+1:]...))
	return templates.Flash{Kind: f.Kind, Message: f.Msg}
}

// flashQueue reads the session's pending flashes, dropping expired ones.
func (s *Server) flashQueue(ctx context.Context) []pendingFlash {
	var queue []pendingFlash
	if raw := s.sessions.GetString(ctx, sessFlashes); raw != "" {
		_ = json.Unmarshal([]byte(raw), &queue)
	}
	live := queue[:0]
	for _, f := range queue {
		if time.Since(f.At) < flashTTL {
			live = append(live, f)
		}
	}
	return live
}

func (s *Server) putFlashQueue(ctx context.Context, queue []pendingFlash) {
	if len(queue) == 0 {
		s.sessions.Remove(ctx, sessFlashes)
		return
	}
	raw, _ := json.Marshal(queue)
	s.sessions.Put(ctx, sessFlashes, string(raw))
}

// bindFlash records where the request that set a flash redirects: only
// the page at that path shows it.
func bindFlash(r *http.Request, to string) {
	slot, ok := r.Context().Value(flashSlotKey).(*flashSlot)
	if !ok || slot.id == "" {
		return
	}
	u, err := url.Parse(to)
	if err != nil || u.Host != "" {
		return // only the portal's own pages show flashes
	}
	ctx := r.Context()
	queue := slot.s.flashQueue(ctx)
	for i := range queue {
		if queue[i].ID == slot.id {
			queue[i].To = u.Path
		}
	}
	slot.s.putFlashQueue(ctx, queue)
	slot.id = ""
}
