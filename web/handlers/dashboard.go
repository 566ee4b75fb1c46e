package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/cspportal/portal/attention"
	"github.com/cspportal/portal/auth"
	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/rules"
	"github.com/cspportal/portal/store"
	"github.com/cspportal/portal/web/templates"
)

// home is the start page: the dashboard for admins and staff, the
// customer's subscriptions for customer users.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	u := auth.UserFrom(r.Context())
	if u.Role == auth.RoleCustomer {
		redirect(w, r, "/my/subscriptions")
		return nil
	}
	if u.Role == auth.RoleReseller {
		redirect(w, r, "/reseller/customers")
		return nil
	}
	dd, err := s.st.Dashboard(r.Context(), s.att.Due(), attentionShown)
	if err != nil {
		return err
	}
	st, c := dd.Settings, dd.Counts
	d := templates.Dashboard{
		SetupComplete:       st.SetupCompletedAt != nil,
		PCConfigured:        st.PcTenantID != "" && len(st.PcClientSecretEnc) > 0,
		PCTenantID:          st.PcTenantID,
		China:               st.PcCloud == string(rules.CloudChina),
		Users:               dd.Users,
		Admins:              dd.Admins,
		Country:             st.DefaultCountry,
		Currency:            st.DefaultCurrency,
		Customers:           c.Customers,
		Subscriptions:       c.Subscriptions,
		ActiveSubscriptions: c.ActiveSubscriptions,
		Offers:              c.Offers,
	}
	if c.LastSync != nil {
		d.LastSync = c.LastSync.UTC().Format("2006-01-02 15:04 UTC")
	}
	s.fillAttention(r, &d, dd.Attention, dd.AttentionTotal)
	return s.render(w, r, http.StatusOK, templates.DashboardPage(s.page(r, i18n.T(r.Context(), "dash.title"), "/"), d))
}

// attentionShown is how many open items the dashboard lists.
const attentionShown = 50

// fillAttention lists the open items, and how many more there are.
func (s *Server) fillAttention(r *http.Request, d *templates.Dashboard, items []store.AttentionItem, total int) {
	now := s.att.Now()
	for _, it := range items {
		v := templates.AttentionView{ID: it.ID, Title: attention.Title(it.Kind), Reason: it.Reason, Href: it.Href, Customer: it.CustomerName}
		if it.CustomerID != nil {
			v.CustomerHref = "/customers/" + it.CustomerID.String()
		}
		if it.Deadline != nil {
			v.Due = it.Deadline.UTC().Format("Mon 2 Jan 2006")
			if l := i18n.From(r.Context()); l != i18n.English {
				v.Due = i18n.Day(l, it.Deadline.UTC())
			}
			v.Urgent = it.Deadline.Sub(now) < 24*time.Hour
		}
		d.Attention = append(d.Attention, v)
	}
	d.MoreAttention = total - len(items)
	if total > store.AttentionCounted {
		d.MoreAttention, d.MoreCounted = store.AttentionCounted-len(items), true
	}
}

// dismissAttention hides an item from the dashboard until it changes.
func (s *Server) dismissAttention(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return store.ErrNotFound
	}
	ok, err := s.att.Dismiss(r.Context(), id, actorOf(r))
	if err != nil {
		return err
	}
	if !ok {
		s.flash(r.Context(), "info", "That item was already dismissed or resolved.")
	} else {
		s.flash(r.Context(), "success", "Dismissed. It comes back if its deadline changes.")
	}
	redirect(w, r, "/")
	return nil
}
