package handlers

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/store/db"
	"github.com/cspportal/portal/subrules"
	"github.com/cspportal/portal/web/templates"
)

// changeValues are the before and after of a change as stored.
type changeValues struct {
	Quantity     *int    `json:"quantity,omitempty"`
	Status       string  `json:"status,omitempty"`
	AutoRenew    *bool   `json:"autoRenewEnabled,omitempty"`
	FriendlyName *string `json:"friendlyName,omitempty"`
}

func changeSummary(action string, before, after json.RawMessage) string {
	var b, a changeValues
	_ = json.Unmarshal(before, &b)
	_ = json.Unmarshal(after, &a)
	switch action {
	case "quantity":
		if b.Quantity != nil && a.Quantity != nil {
			return fmt.Sprintf("Seats %d → %d", *b.Quantity, *a.Quantity)
		}
	case "suspend":
		return "Suspend"
	case "reactivate":
		return "Reactivate"
	case "autorenew":
		if a.AutoRenew != nil {
			return "Auto-renew " + onOff(*a.AutoRenew)
		}
	case "name":
		if a.FriendlyName != nil {
			return fmt.Sprintf("Rename to %q", *a.FriendlyName)
		}
	}
	return action
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// plannedChange is a validated change: the PC patch, its before/after and
// what the confirmation says.
type plannedChange struct {
	action        string
	patch         mirror.PatchSubscriptionPayload
	before, after changeValues
	reason        string
	effect        string
	title         string
}

// planChange validates the form's change against the rules; problems are
// returned as field errors in f.
func (s *Server) planChange(sub db.SubscriptionForChangeRow, f templates.Form) (plannedChange, bool) {
	rs := rulesOf(sub)
	p := plannedChange{action: f.Get("action")}
	switch p.action {
	case "quantity":
		q, err := strconv.Atoi(strings.TrimSpace(f.Get("quantity")))
		if err != nil {
			f.Errors["quantity"] = "Enter a whole number of seats."
			return p, false
		}
		if msg := subrules.CheckQuantity(rs, q, s.now()); msg != "" {
			f.Errors["quantity"] = msg
			return p, false
		}
		old := int(sub.Quantity)
		p.patch.Quantity, p.before.Quantity, p.after.Quantity = &q, &old, &q
		p.title, p.effect = "Change the seat count", subrules.QuantityEffect(rs, q)
	case "suspend":
		if msg := subrules.CheckSuspend(rs); msg != "" {
			f.Errors["_form"] = msg
			return p, false
		}
		p.reason = strings.TrimSpace(f.Get("reason"))
		if len(p.reason) < 3 || len(p.reason) > 500 {
			f.Errors["reason"] = "Give the reason for suspending (3 to 500 characters)."
			return p, false
		}
		st := pccclient.SubscriptionSuspended
		p.patch.Status, p.before.Status, p.after.Status = &st, sub.Status, "suspended"
		p.title, p.effect = "Suspend the subscription", "The customer's users lose access to this subscription's services until it is reactivated."
	case "reactivate":
		if msg := subrules.CheckReactivate(rs, sub.ParentStatus); msg != "" {
			f.Errors["_form"] = msg
			return p, false
		}
		st := pccclient.SubscriptionActive
		p.patch.Status, p.before.Status, p.after.Status = &st, sub.Status, "active"
		p.title, p.effect = "Reactivate the subscription", "The subscription becomes active again and is billed from today."
	case "autorenew":
		on := f.Get("autorenew") == "on"
		if on == sub.AutoRenewEnabled {
			f.Errors["_form"] = "Auto-renew is already " + onOff(on) + "."
			return p, false
		}
		if msg := subrules.CheckAutoRenew(rs, on); msg != "" {
			f.Errors["_form"] = msg
			return p, false
		}
		old := sub.AutoRenewEnabled
		p.patch.AutoRenewEnabled, p.before.AutoRenew, p.after.AutoRenew = &on, &old, &on
		p.title = "Turn auto-renew " + onOff(on)
		if on {
			p.effect = "The subscription renews for another term on " + cvDate(sub.CommitmentEndDate) + "."
		} else {
			p.effect = "The subscription ends on " + cvDate(sub.CommitmentEndDate) + " instead of renewing."
		}
	case "name":
		name := strings.TrimSpace(f.Get("friendly_name"))
		if msg := subrules.CheckFriendlyName(rs, name); msg != "" {
			f.Errors["friendly_name"] = msg
			return p, false
		}
		if name == sub.FriendlyName {
			f.Errors["friendly_name"] = "The name is unchanged."
			return p, false
		}
		old := sub.FriendlyName
		p.patch.FriendlyName, p.before.FriendlyName, p.after.FriendlyName = &name, &old, &name
		p.title, p.effect = "Rename the subscription", fmt.Sprintf("The subscription is shown as %q in Partner Center and here.", name)
	default:
		f.Errors["_form"] = "Choose a change to make."
		return p, false
	}
	return p, true
}
