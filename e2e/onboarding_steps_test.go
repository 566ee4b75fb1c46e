package e2e

import (
	"github.com/chromedp/chromedp"
)

// newCustomer is what the onboarding wizard is filled with; BadEmail is
// typed first so the form's error is seen, then Email.
type newCustomer struct {
	Company, First, Last, BadEmail, Email string
	Street, City, State, Postal           string
	Prefix                                string // the onmicrosoft.com domain prefix
	AgreementDate                         string // YYYY-MM-DD, the customer's clock
}

// onboard walks the wizard from the customer list to the created customer:
// a mistake first (the email), then the domain with its live check, the
// customer agreement, the review and creation, until the agreement is
// recorded. check runs on each page the journey looks at, by name.
func (b *browser) onboard(baseURL string, c newCustomer, check func(step string)) {
	b.run("customer list",
		chromedp.Navigate(baseURL+"/customers"),
		chromedp.WaitVisible(testID("customer-new")),
	)
	check("customers")
	b.run("start onboarding",
		chromedp.Click(testID("customer-new")),
		chromedp.WaitVisible(testID("onboarding-company")),
	)
	check("onboarding-company")
	b.run("company with a mistake",
		chromedp.SendKeys(field("company_name"), c.Company),
		chromedp.SendKeys(field("first_name"), c.First),
		chromedp.SendKeys(field("last_name"), c.Last),
		chromedp.SendKeys(field("email"), c.BadEmail),
		chromedp.SendKeys(field("address_line1"), c.Street),
		chromedp.SendKeys(field("city"), c.City),
		chromedp.SendKeys(field("state"), c.State),
		chromedp.SendKeys(field("postal_code"), c.Postal),
		chromedp.Click(testID("onboarding-next")),
		chromedp.WaitVisible(testID("error-email")),
	)
	check("onboarding-company-errors")
	b.run("company fixed",
		chromedp.SetValue(field("email"), c.Email),
		chromedp.Click(testID("onboarding-next")),
		chromedp.WaitVisible(testID("onboarding-domain")),
	)
	b.run("domain: live check",
		chromedp.SendKeys(field("domain_prefix"), c.Prefix),
		chromedp.WaitVisible(testID("domain-available")),
	)
	check("onboarding-domain")
	b.run("agreement",
		chromedp.Click(testID("onboarding-next")),
		chromedp.WaitVisible(testID("onboarding-agreement")),
		chromedp.SendKeys(field("mca_first_name"), c.First),
		chromedp.SendKeys(field("mca_last_name"), c.Last),
		chromedp.SendKeys(field("mca_email"), c.Email),
		chromedp.SendKeys(field("mca_phone"), "+1 206 555 0100"),
		chromedp.SetValue(field("mca_date"), c.AgreementDate),
	)
	check("onboarding-agreement")
	b.run("review",
		chromedp.Click(testID("onboarding-next")),
		chromedp.WaitVisible(testID("onboarding-review")),
	)
	check("onboarding-review")
	b.run("create",
		chromedp.Click(testID("onboarding-create")),
		chromedp.WaitVisible(testID("admin-credentials")),
		chromedp.WaitVisible(`[data-testid="progress-agreement-state"][data-state="succeeded"]`),
	)
	check("onboarding-result")
}
