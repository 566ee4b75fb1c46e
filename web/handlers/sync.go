package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/cspportal/portal/commerce"
	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// syncShow is the sync status page (admins and staff).
func (s *Server) syncShow(w http.ResponseWriter, r *http.Request) error {
	v, err := s.syncView(r)
	if err != nil {
		return err
	}
	// The last sync could not use the partner admin's sign-in: say what
	// was skipped and (admins) how to fix it.
	if set, err := s.st.Settings(r.Context()); err == nil && set.PcAppUserError != "" {
		v.Consent = consentNotice(r.Context(), i18n.T(r.Context(), "h.sync.consent_skipped", set.PcAppUserError))
	}
	d, err := s.st.LatestDrift(r.Context(), driftShown)
	if err != nil {
		return err
	}
	v.Drift = driftView(d)
	return s.render(w, r, http.StatusOK, templates.SyncPage(s.page(r, "Sync", "/sync"), v))
}

// driftShown bounds the drift lines the sync page lists.
const driftShown = 100

// driftView is the last reconcile's drift report as the sync page shows
// it: per line, what the mirror held and what Partner Center said.
func driftView(d store.DriftReport) *templates.DriftView {
	if d.Run.ID == 0 {
		return nil
	}
	v := &templates.DriftView{RunID: d.Run.ID, Total: d.Total, More: d.Total - len(d.Lines)}
	if d.Run.FinishedAt != nil {
		v.At = d.Run.FinishedAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	for _, l := range d.Lines {
		lv := templates.DriftLine{Entity: l.Entity, ID: l.EntityID, Change: l.Change, Applied: l.Applied, Note: l.Note,
			Found: l.DetectedAt.UTC().Format("2006-01-02 15:04 UTC")}
		if l.CustomerID != nil {
			lv.CustomerHref = "/customers/" + l.CustomerID.String()
			switch l.Entity {
			case "customer":
				lv.Href = lv.CustomerHref
			case "subscription":
				lv.Href = lv.CustomerHref + "/subscriptions/" + l.EntityID
			}
		}
		var fields map[string][2]any
		_ = json.Unmarshal(l.Fields, &fields)
		names := make([]string, 0, len(fields))
		for k := range fields {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			lv.Fields = append(lv.Fields, templates.DriftField{Name: strings.ReplaceAll(k, "_", " "),
				Mirror: fmt.Sprint(fields[k][0]), PC: fmt.Sprint(fields[k][1])})
		}
		v.Lines = append(v.Lines, lv)
	}
	return v
}

// syncLive is the self-refreshing fragment of the sync page.
func (s *Server) syncLive(w http.ResponseWriter, r *http.Request) error {
	v, err := s.syncView(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, templates.SyncLive(v))
}

// syncNow queues a sync of the posted kind for the workers.
func (s *Server) syncNow(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	kind := r.PostForm.Get("kind")
	switch kind {
	case mirror.KindIncremental, mirror.KindFull, mirror.KindReconcile, mirror.KindCatalog:
	default:
		s.flash(r.Context(), "error", i18n.T(r.Context(), "h.sync.unknown_kind", kind))
		redirect(w, r, "/sync")
		return nil
	}
	_, joined, err := s.com.QueueSync(r.Context(), actorOf(r), kind)
	if err != nil {
		return err
	}
	if joined {
		s.flash(r.Context(), "info", i18n.T(r.Context(), "h.sync.joined", i18n.T(r.Context(), "h.sync.kind."+kind)))
	} else {
		s.flash(r.Context(), "success", i18n.T(r.Context(), "h.sync.queued", i18n.T(r.Context(), "h.sync.kind."+kind)))
	}
	redirect(w, r, "/sync")
	return nil
}

func (s *Server) syncView(r *http.Request) (templates.SyncView, error) {
	st, err := s.st.SyncStatus(r.Context(), 20)
	if err != nil {
		return templates.SyncView{}, err
	}
	now := time.Now()
	if s.d.Now != nil {
		now = s.d.Now()
	}
	v := templates.SyncView{Lag: i18n.T(r.Context(), "h.sync.never_synced"), PendingCommands: st.Commands[commerce.CommandPending] + st.Commands[commerce.CommandDelivering],
		FailedCommands: st.Commands[commerce.CommandFailed]}
	for _, run := range st.Running {
		v.Running = append(v.Running, runView(run, now))
	}
	for _, run := range st.Recent {
		v.Recent = append(v.Recent, runView(run, now))
	}
	imps, err := s.st.RecentBillingImports(r.Context(), 8)
	if err != nil {
		return v, err
	}
	for _, i := range imps {
		v.Billing = append(v.Billing, importView(r.Context(), i))
	}
	last := func(kind string) string {
		run, ok := st.LastByKind[kind]
		if !ok || run.FinishedAt == nil {
			return i18n.T(r.Context(), "h.sync.never")
		}
		return i18n.T(r.Context(), "h.sync.ago_status", ago(r.Context(), now.Sub(*run.FinishedAt)), run.Status)
	}
	v.LastFull, v.LastIncremental = last(mirror.KindFull), last(mirror.KindIncremental)
	v.LastReconcile, v.LastCatalog = last(mirror.KindReconcile), last(mirror.KindCatalog)
	// Lag: since the newest successful customer sync finished.
	var newest time.Time
	for _, k := range []string{mirror.KindIncremental, mirror.KindFull, mirror.KindReconcile} {
		if run, ok := st.LastByKind[k]; ok && run.Status == mirror.StatusSucceeded && run.FinishedAt != nil && run.FinishedAt.After(newest) {
			newest = *run.FinishedAt
		}
	}
	if !newest.IsZero() {
		v.Lag = ago(r.Context(), now.Sub(newest))
	}
	return v, nil
}

func runView(r store.SyncRun, now time.Time) templates.SyncRunView {
	end := now
	if r.FinishedAt != nil {
		end = *r.FinishedAt
	}
	v := templates.SyncRunView{ID: r.ID, Kind: r.Kind, Status: r.Status, Trigger: r.Trigger,
		Started: r.StartedAt.Local().Format("2006-01-02 15:04:05"), Duration: end.Sub(r.StartedAt).Round(time.Second).String(),
		Done: int(r.Done), Total: int(r.Total), Calls: int(r.PcCalls), Throttles: int(r.Throttles), Errors: int(r.ErrorCount),
		LastError: r.LastError}
	if r.Status == mirror.StatusSucceeded {
		v.LastError = ""
	}
	var counts map[string]int
	if json.Unmarshal(r.Counts, &counts) == nil {
		keys := make([]string, 0, len(counts))
		for k, n := range counts {
			if n > 0 {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s %d", strings.ReplaceAll(k, "_", " "), counts[k]))
		}
		v.Counts = strings.Join(parts, ", ")
	}
	return v
}
