package handlers

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/cspportal/portal/web/templates"
)

// auditActions names the audit trail's actions in words, in the order the
// action filter lists them.
var auditActions = []templates.Option{
	{Value: "pc.create_customer", Label: "Customer created in Partner Center"},
	{Value: "pc.accept_agreement", Label: "Customer agreement recorded"},
	{Value: "pc.create_order", Label: "Order placed"},
	{Value: "pc.patch_order", Label: "Add-ons added to an order"},
	{Value: "pc.patch_subscription", Label: "Subscription changed"},
	{Value: "order.cancelled", Label: "Order lines cancelled"},
	{Value: "customer_user.invited", Label: "Customer user invited"},
	{Value: "customer_user.invitation_accepted", Label: "Invitation accepted"},
	{Value: "customer_user.invitation_revoked", Label: "Invitation revoked"},
	{Value: "customer_user.revoked", Label: "Customer user's access revoked"},
	{Value: "reseller_user.invited", Label: "Reseller user invited"},
	{Value: "reseller_user.invitation_accepted", Label: "Reseller user's invitation accepted"},
	{Value: "reseller_user.invitation_revoked", Label: "Reseller user's invitation revoked"},
	{Value: "reseller_user.revoked", Label: "Reseller user's access revoked"},
	{Value: "customer_view.tenant_enabled", Label: "Tenant sign-in turned on"},
	{Value: "customer_view.tenant_disabled", Label: "Tenant sign-in turned off"},
	{Value: "customer_view.viewed_as", Label: "Viewed as the customer"},
	{Value: "user.created", Label: "User created"},
	{Value: "user.created_by_tenant", Label: "Customer user created at sign-in"},
	{Value: "user.admin_created", Label: "Admin created (command line)"},
	{Value: "user.enabled", Label: "User enabled"},
	{Value: "user.disabled", Label: "User disabled"},
	{Value: "user.password_reset_requested", Label: "Password reset asked for"},
	{Value: "user.password_reset", Label: "Password reset"},
	{Value: "setup.admin_created", Label: "First admin created"},
	{Value: "setup.completed", Label: "Setup completed"},
	{Value: "settings.pc_updated", Label: "Partner Center connection changed"},
	{Value: "settings.oidc_updated", Label: "Sign-in provider changed"},
	{Value: "settings.smtp_updated", Label: "Email settings changed"},
	{Value: "settings.defaults_updated", Label: "Defaults changed"},
	{Value: "settings.alerts_updated", Label: "Alert rules changed"},
	{Value: "alerts.opted_out", Label: "Customer's alerts stopped"},
	{Value: "alerts.opted_in", Label: "Customer's alerts mailed again"},
	{Value: "attention.dismissed", Label: "Dismissed from Needs attention"},
	{Value: "pc.connect", Label: "Partner admin connected"},
	{Value: "pc.disconnect", Label: "Partner admin disconnected"},
}

var auditLabels = func() map[string]string {
	m := make(map[string]string, len(auditActions))
	for _, a := range auditActions {
		m[a.Value] = a.Label
	}
	return m
}()

// auditLabel says an action in words: a subscription change by what it
// changed ("Seats 45 → 40"), others by their label; an action the portal
// does not know yet shows as it is stored.
func auditLabel(action, detail string) string {
	if action == "pc.patch_subscription" && detail != "" {
		what, _, _ := strings.Cut(detail, ": ")
		return "Subscription changed: " + what
	}
	if l, ok := auditLabels[action]; ok {
		return l
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
