package handlers

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// The renewal calendar as an iCalendar feed (RFC 5545) at a per-user
// secret address, for Outlook or Google Calendar: an all-day event on each
// renewal date and an event at the last moment each tranche's seats can be
// removed. The address is the only credential (calendar apps send no
// cookies), so it is long and random, stored only as its hash, revocable,
// and logged as the route pattern, never as the path.

// calendarFeedRoute is the feed's route pattern (and what the logs show).
const calendarFeedRoute = "/calendar/{feed}.ics"

// Feed ranges: renewals from a week back to half a year ahead, windows
// closing in the next two months, at most feedMax of each.
const (
	feedBack    = 7 * 24 * time.Hour
	feedAhead   = 183 * 24 * time.Hour
	feedWindows = 61 * 24 * time.Hour
	feedMax     = 2000
)

// calendarFeed serves a feed by its secret token; an unknown or revoked
// token (or a user who is no longer staff) is simply not found.
func (s *Server) calendarFeed(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u, err := s.st.CalendarFeedUser(ctx, commerce.CalendarFeedHash(chi.URLParam(r, "feed")))
	if err != nil {
		return err
	}
	now := s.now()
	day := now.UTC().Truncate(24 * time.Hour)
	rows, err := s.st.RenewalCalendar(ctx, store.RenewalFilter{From: day.Add(-feedBack), To: day.Add(feedAhead), Now: now, Limit: feedMax})
	if err != nil {
		return err
	}
	wins, err := s.st.WindowsClosing(ctx, nil, now, now.Add(feedWindows), feedMax)
	if err != nil {
		return err
	}
	base := strings.TrimRight(s.d.BaseURL, "/")
	var c icsWriter
	c.line("BEGIN", "VCALENDAR")
	c.line("VERSION", "2.0")
	c.line("PRODID", "-//CSP Portal//Renewal calendar//EN")
	c.line("CALSCALE", "GREGORIAN")
	c.line("METHOD", "PUBLISH")
	c.text("X-WR-CALNAME", "Renewals ("+u.Email+")")
	stamp := now.UTC().Format("20060102T150405Z")
	for _, x := range rows {
		e := RenewalEvent(x)
		c.line("BEGIN", "VEVENT")
		c.line("UID", e.UID)
		c.line("DTSTAMP", stamp)
		c.line("DTSTART;VALUE=DATE", x.TermEnd.UTC().Format("20060102"))
		c.line("DTEND;VALUE=DATE", x.TermEnd.UTC().Add(24*time.Hour).Format("20060102"))
		c.text("SUMMARY", e.Summary)
		c.text("DESCRIPTION", e.Description)
		c.line("URL", base+"/customers/"+x.CustomerID+"/subscriptions/"+x.SubscriptionID)
		c.line("TRANSP", "TRANSPARENT")
		c.line("END", "VEVENT")
	}
	for _, x := range wins {
		c.line("BEGIN", "VEVENT")
		c.line("UID", fmt.Sprintf("window-%s-%d@cspportal", x.SubscriptionID, x.Until.Unix()))
		c.line("DTSTAMP", stamp)
		c.line("DTSTART", x.Until.UTC().Format("20060102T150405Z"))
		c.line("DTEND", x.Until.UTC().Add(15*time.Minute).Format("20060102T150405Z"))
		c.text("SUMMARY", fmt.Sprintf("Last moment to remove %s: %s (%s)", rules.Seats(i18n.English, x.Quantity), x.Name, x.CustomerName))
		c.text("DESCRIPTION", "After this moment these seats are billed to the end of the term (the 7-day window of a new-commerce purchase, renewal or seat increase).")
		c.line("URL", base+"/customers/"+x.CustomerID+"/subscriptions/"+x.SubscriptionID)
		c.line("END", "VEVENT")
	}
	c.line("END", "VCALENDAR")
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Disposition", `inline; filename="renewals.ics"`)
	_, err = w.Write([]byte(c.b.String()))
	return err
}

// FeedEvent is a renewal as the feed (and the calendar page) says it.
type FeedEvent struct {
	UID, Summary, Description string
}

// RenewalEvent is the feed's event of a calendar row.
func RenewalEvent(x store.RenewalRow) FeedEvent {
	e := FeedEvent{UID: fmt.Sprintf("renewal-%s-%s@cspportal", x.SubscriptionID, x.TermEnd.UTC().Format("20060102"))}
	switch {
	case x.Status != "active":
		e.Summary = fmt.Sprintf("Term ends (%s): %s (%s)", x.Status, x.Name, x.CustomerName)
		e.Description = "The subscription is " + x.Status + ": it does not renew."
	case !x.AutoRenew:
		e.Summary = fmt.Sprintf("Ends (auto-renew off): %s (%s)", x.Name, x.CustomerName)
		e.Description = fmt.Sprintf("%s end with the term.", rules.Seats(i18n.English, x.Quantity))
	default:
		e.Summary = fmt.Sprintf("Renews: %s (%s), %d → %d seats", x.Name, x.CustomerName, x.Quantity, x.NextQuantity)
		e.Description = fmt.Sprintf("Renews as %s, %s, billed %s.", rules.Seats(i18n.English, x.NextQuantity), rules.TermLabel(i18n.English, x.NextTermDuration),
			rules.CycleLabel(i18n.English, x.NextBillingCycle))
		if x.Scheduled {
			e.Description += " A change is scheduled for the next term."
		}
		if x.NextPrice.Valid {
			e.Description += " Unit price from then: " + templates.Money(x.NextPrice.Decimal, x.Currency) + "."
		}
	}
	return e
}

// icsWriter writes RFC 5545 content lines: CRLF endings, text values
// escaped, lines folded at 75 octets.
type icsWriter struct{ b strings.Builder }

func (c *icsWriter) line(name, value string) {
	l, limit := name+":"+value, 75
	for len(l) > limit {
		cut := limit
		for cut > 1 && !utf8Start(l[cut]) { // never split a UTF-8 sequence
			cut--
		}
		c.b.WriteString(l[:cut] + "\r\n ")
		l, limit = l[cut:], 74 // a continuation line starts with the space
	}
	c.b.WriteString(l + "\r\n")
}

func (c *icsWriter) text(name, value string) {
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`)
	c.line(name, r.Replace(value))
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
