package mail

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"
	"time"
)

// The portal's mails. Each has a plain-text body and the same as simple
// HTML (no images, no script, inline-free: mail clients strip styles
// anyway).

var layout = template.Must(template.New("mail").Parse(`<!doctype html><html lang="en"><body>
<h1>{{.Title}}</h1>
{{range .Paras}}<p>{{.}}</p>
{{end}}{{if .Link}}<p><a href="{{.Link}}">{{.LinkText}}</a></p>
<p>If the button does not work, copy this address into your browser:<br>{{.Link}}</p>
{{end}}{{range .After}}<p>{{.}}</p>
{{end}}<p>— CSP Portal</p>
</body></html>`))

type content struct {
	Title          string
	Paras          []string
	Link, LinkText string
	After          []string
}

func (c content) message(kind, to, subject, key string) Message {
	var text strings.Builder
	text.WriteString(c.Title + "\n\n")
	for _, p := range c.Paras {
		text.WriteString(p + "\n\n")
	}
	if c.Link != "" {
		text.WriteString(c.LinkText + ":\n" + c.Link + "\n\n")
	}
	for _, p := range c.After {
		text.WriteString(p + "\n\n")
	}
	text.WriteString("— CSP Portal\n")
	var html bytes.Buffer
	_ = layout.Execute(&html, c)
	return Message{To: []string{to}, Subject: subject, Text: text.String(), HTML: html.String(), Kind: kind, Key: key}
}

// PasswordReset is the mail with a one-time link to set a new password.
func PasswordReset(to, link string, valid time.Duration) Message {
	return content{Title: "Reset your password",
		Paras: []string{"Someone (we hope you) asked to reset the password of the portal account " + to + "."},
		Link:  link, LinkText: "Set a new password",
		After: []string{"The link works once and for " + durationText(valid) + ". If you did not ask for it, ignore this mail: your password stays as it is."},
	}.message("password_reset", to, "Reset your CSP Portal password", "")
}

// PasswordResetElsewhere answers a reset request for an account that signs
// in with its organisation's account and has no password here.
func PasswordResetElsewhere(to, loginURL string) Message {
	return content{Title: "Your account has no password here",
		Paras: []string{"Someone asked to reset the password of the portal account " + to + ", but it signs in with your organisation's Microsoft account: there is no portal password to reset."},
		Link:  loginURL, LinkText: "Sign in with your organisation's account",
		After: []string{"If you did not ask, ignore this mail."},
	}.message("password_reset", to, "Signing in to the CSP Portal", "")
}

// Invitation invites a customer's person to their view of the portal.
func Invitation(to, company, link string, expires time.Time) Message {
	return content{Title: "You are invited to the CSP Portal",
		Paras: []string{"Your reseller invites you to see " + company + "'s Microsoft subscriptions and licences in their portal."},
		Link:  link, LinkText: "Accept the invitation",
		After: []string{"The link works once, until " + expires.UTC().Format("Mon 2 Jan 2006 15:04 UTC") + "."},
	}.message("invitation", to, "Invitation to "+company+"'s subscriptions", "")
}

// Welcome greets a new staff user or admin.
func Welcome(to, role, loginURL string) Message {
	return content{Title: "Welcome to the CSP Portal",
		Paras: []string{"An account (" + role + ") was created for you: " + to + ".",
			"Your admin gives you your first password, or use \"Forgot your password?\" on the sign-in page to set one."},
		Link: loginURL, LinkText: "Sign in",
	}.message("welcome", to, "Your CSP Portal account", "")
}

// Test is the settings page's test mail.
func Test(to string) Message {
	return content{Title: "Test mail",
		Paras: []string{"The portal can send mail through the SMTP server set on its settings page."},
	}.message("test", to, "CSP Portal test mail", "")
}

func durationText(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		if d == time.Hour {
			return "one hour"
		}
		return d.Truncate(time.Hour).String()
	case d >= time.Minute:
		return d.Truncate(time.Minute).String()
	}
	return d.String()
}

// AlertView is one event in an alert mail.
type AlertView struct {
	Title, Reason, Customer, Due, Link string
}

var alertList = template.Must(template.New("alerts").Parse(`<!doctype html><html lang="en"><body>
<h1>{{.Title}}</h1>
<ul>
{{range .Alerts}}<li><p><strong>{{.Title}}</strong>{{if .Customer}} · {{.Customer}}{{end}}{{if .Due}} · due {{.Due}}{{end}}<br>
{{.Reason}}<br><a href="{{.Link}}">Open in the portal</a></p></li>
{{end}}</ul>
{{if .Home}}<p><a href="{{.Home}}">Everything that needs attention</a></p>{{end}}
<p>— CSP Portal</p>
</body></html>`))

func alertMail(kind, to, subject, title string, alerts []AlertView, home string) Message {
	var text strings.Builder
	text.WriteString(title + "\n\n")
	for _, a := range alerts {
		text.WriteString("* " + a.Title)
		if a.Customer != "" {
			text.WriteString(" · " + a.Customer)
		}
		if a.Due != "" {
			text.WriteString(" · due " + a.Due)
		}
		text.WriteString("\n  " + a.Reason + "\n  " + a.Link + "\n\n")
	}
	if home != "" {
		text.WriteString("Everything that needs attention: " + home + "\n\n")
	}
	text.WriteString("— CSP Portal\n")
	var html bytes.Buffer
	_ = alertList.Execute(&html, map[string]any{"Title": title, "Alerts": alerts, "Home": home})
	return Message{To: []string{to}, Subject: subject, Text: text.String(), HTML: html.String(), Kind: kind}
}

// Alert is one event mailed at once (a reduce window closing today).
func Alert(to string, a AlertView) Message {
	return alertMail("alert", to, a.Title+": "+a.Customer, a.Title, []AlertView{a}, "")
}

// Digest is the day's events that need attention, in one mail.
func Digest(to, day string, alerts []AlertView, home string) Message {
	return alertMail("digest", to, "What needs attention on "+day+" ("+pluralize(len(alerts), "item", "items")+")",
		"What needs attention", alerts, home)
}

func pluralize(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
