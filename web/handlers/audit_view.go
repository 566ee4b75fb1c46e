package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/cspportal/portal/internal/i18n"
	"github.com/cspportal/portal/web/templates"
)

// auditActions names the audit trail's actions in words (message keys),
// in the order the action filter lists them.
var auditActions = []templates.Option{
	{Value: "pc.create_customer", Label: "h2.audit.pc.create_customer"},
	{Value: "pc.accept_agreement", Label: "h2.audit.pc.accept_agreement"},
	{Value: "pc.create_order", Label: "h2.audit.pc.create_order"},
	{Value: "pc.patch_order", Label: "h2.audit.pc.patch_order"},
	{Value: "pc.patch_subscription", Label: "h2.audit.pc.patch_subscription"},
	{Value: "order.cancelled", Label: "h2.audit.order.cancelled"},
	{Value: "customer_user.invited", Label: "h2.audit.customer_user.invited"},
	{Value: "customer_user.invitation_accepted", Label: "h2.audit.customer_user.invitation_accepted"},
	{Value: "customer_user.invitation_revoked", Label: "h2.audit.customer_user.invitation_revoked"},
	{Value: "customer_user.revoked", Label: "h2.audit.customer_user.revoked"},
	{Value: "reseller_user.invited", Label: "h2.audit.reseller_user.invited"},
	{Value: "reseller_user.invitation_accepted", Label: "h2.audit.reseller_user.invitation_accepted"},
	{Value: "reseller_user.invitation_revoked", Label: "h2.audit.reseller_user.invitation_revoked"},
	{Value: "reseller_user.revoked", Label: "h2.audit.reseller_user.revoked"},
	{Value: "customer_view.tenant_enabled", Label: "h2.audit.customer_view.tenant_enabled"},
	{Value: "customer_view.tenant_disabled", Label: "h2.audit.customer_view.tenant_disabled"},
	{Value: "customer_view.viewed_as", Label: "h2.audit.customer_view.viewed_as"},
	{Value: "user.created", Label: "h2.audit.user.created"},
	{Value: "user.created_by_tenant", Label: "h2.audit.user.created_by_tenant"},
	{Value: "user.admin_created", Label: "h2.audit.user.admin_created"},
	{Value: "user.enabled", Label: "h2.audit.user.enabled"},
	{Value: "user.disabled", Label: "h2.audit.user.disabled"},
	{Value: "user.password_reset_requested", Label: "h2.audit.user.password_reset_requested"},
	{Value: "user.password_reset", Label: "h2.audit.user.password_reset"},
	{Value: "setup.admin_created", Label: "h2.audit.setup.admin_created"},
	{Value: "setup.completed", Label: "h2.audit.setup.completed"},
	{Value: "settings.pc_updated", Label: "h2.audit.settings.pc_updated"},
	{Value: "settings.oidc_updated", Label: "h2.audit.settings.oidc_updated"},
	{Value: "settings.smtp_updated", Label: "h2.audit.settings.smtp_updated"},
	{Value: "settings.defaults_updated", Label: "h2.audit.settings.defaults_updated"},
	{Value: "settings.alerts_updated", Label: "h2.audit.settings.alerts_updated"},
	{Value: "alerts.opted_out", Label: "h2.audit.alerts.opted_out"},
	{Value: "alerts.opted_in", Label: "h2.audit.alerts.opted_in"},
	{Value: "attention.dismissed", Label: "h2.audit.attention.dismissed"},
	{Value: "pc.connect", Label: "h2.audit.pc.connect"},
	{Value: "pc.disconnect", Label: "h2.audit.pc.disconnect"},
}

var auditLabels = func() map[string]string {
	m := make(map[string]string, len(auditActions))
	for _, a := range auditActions {
		m[a.Value] = a.Label
	}
	return m
}()

// auditActionOptions is the action filter's options in ctx's language.
func auditActionOptions(ctx context.Context) []templates.Option {
	out := make([]templates.Option, len(auditActions))
	for i, a := range auditActions {
		out[i] = templates.Option{Value: a.Value, Label: i18n.T(ctx, a.Label)}
	}
	return out
}

// auditLabel says an action in words: a subscription change by what it
// changed ("Seats 45 → 40"), others by their label; an action the portal
// does not know yet shows as it is stored.
func auditLabel(ctx context.Context, action, detail string) string {
	if action == "pc.patch_subscription" && detail != "" {
		what, _, _ := strings.Cut(detail, ": ")
		return i18n.T(ctx, "h2.audit.subscription_changed", what)
	}
	if l, ok := auditLabels[action]; ok {
		return i18n.T(ctx, l)
	}
	return action
}

// auditStatus says a line's outcome: a command waiting for PC is pending.
func auditStatus(outcome string) string {
	switch outcome {
	case "ok":
		return "done"
	case "pending":
		return "pending"
	case "failed":
		return "failed"
	}
	return outcome
}

// auditStatusText is a line's outcome in ctx's language (the CSV export;
// the page keeps the word, which is also its CSS class).
func auditStatusText(ctx context.Context, outcome string) string {
	switch outcome {
	case "ok":
		return i18n.T(ctx, "h2.audit.st_done")
	case "pending":
		return i18n.T(ctx, "h2.audit.st_pending")
	case "failed":
		return i18n.T(ctx, "h2.audit.st_failed")
	}
	return outcome
}

// auditDiff compares the before and after of a change field by field. A
// field only after is new; a value that is an object or a list shows as
// JSON. Nothing comes back when neither side is a JSON object.
func auditDiff(before, after json.RawMessage) []templates.DiffLine {
	var b, a map[string]any
	_ = json.Unmarshal(before, &b)
	_ = json.Unmarshal(after, &a)
	if b == nil && a == nil {
		return nil
	}
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]templates.DiffLine, 0, len(names))
	for _, k := range names {
		bv, inB := b[k]
		av, inA := a[k]
		d := templates.DiffLine{Field: k, Before: "—", After: "—"}
		if inB {
			d.Before = valueText(bv)
		}
		if inA {
			d.After = valueText(av)
		}
		d.Changed = d.Before != d.After
		out = append(out, d)
	}
	return out
}

func valueText(v any) string {
	switch t := v.(type) {
	case nil:
		return "—"
	case string:
		return t
	case bool, float64:
		return fmt.Sprint(t)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
