package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cspportal/portal/pccclient/sandbox"
)

// TestChinaJourney: against the sandbox playing Partner Center operated by
// 21Vianet, a staff member signs in, switches the portal to 中文 in the
// header and sees the dashboard, a customer's subscriptions (the customer
// view) and the Azure plan, explained as unavailable in that cloud, all
// in Chinese with <html lang="zh-Hans">; axe-core finds no serious or
// critical problem on those pages. With E2E_SCREENSHOTS set, each page is
// saved there (CJK layout).
func TestChinaJourney(t *testing.T) {
	t.Parallel()
	b := newBrowser(t)
	p := newCloudPortal(t, false, sandbox.CloudChina)
	var cust string
	if err := p.Store.Pool.QueryRow(t.Context(), `SELECT id::text FROM customers ORDER BY company_name LIMIT 1`).Scan(&cust); err != nil {
		t.Fatal(err)
	}
	check := func(name string) {
		t.Helper()
		b.checkA11y(name)
		if dir := screenshotsDir(); dir != "" {
			b.fullScreenshot(filepath.Join(dir, "china-"+name+".png"))
		}
		if lang := b.htmlLang(); lang != "zh-Hans" {
			t.Errorf("%s: <html lang=%q>, want zh-Hans", name, lang)
		}
	}

	p.signIn(b)
	if got := b.text(`[data-testid="dashboard-title"]`); got != "Dashboard" {
		t.Fatalf("before switching, the dashboard is titled %q", got)
	}
	b.run("switch to 中文",
		chromedp.SetValue(testID("lang-select"), "zh-Hans"),
		chromedp.Click(testID("lang-submit")),
		chromedp.WaitVisible(`html[lang="zh-Hans"] [data-testid="dashboard"]`),
	)
	if got := b.text(`[data-testid="dashboard-title"]`); got != "仪表板" {
		t.Errorf("dashboard title %q, want 仪表板", got)
	}
	if got := b.text(`[data-testid="nav-customers"]`); got != "客户" {
		t.Errorf("nav says %q, want 客户", got)
	}
	if got := b.text(`[data-testid="pc-cloud-china"]`); !strings.Contains(got, "世纪互联") {
		t.Errorf("the dashboard does not name 21Vianet: %q", got)
	}
	check("dashboard")

	b.run("the customer's view", chromedp.Navigate(p.URL+"/customers/"+cust+"/view/subscriptions"),
		chromedp.WaitVisible(testID("entitlements-title")))
	if got := b.text(`[data-testid="entitlements-title"]`); !strings.Contains(got, "的订阅") {
		t.Errorf("customer view title %q is not Chinese", got)
	}
	if got := b.text(`[data-testid="customer-view-nav"]`); !strings.Contains(got, "订单历史") {
		t.Errorf("customer view nav %q is not Chinese", got)
	}
	check("customer-view")

	b.run("the Azure plan", chromedp.Navigate(p.URL+"/catalog/US/products/DZH318Z0BPS6/skus/0001"),
		chromedp.WaitVisible(testID("unavailable-azure_plan")))
	if got := b.text(`[data-testid="unavailable-azure_plan"]`); !strings.Contains(got, "世纪互联") || !strings.Contains(got, "Azure") {
		t.Errorf("the Azure plan's explanation is %q", got)
	}
	if n := b.count(`[data-testid="offer-order"]`); n != 0 {
		t.Error("the Azure plan can be ordered in 21Vianet's cloud")
	}
	check("azure-plan")
	if ps := realProblems(b.Problems()); len(ps) > 0 {
		t.Errorf("browser problems: %v", ps)
	}
}

// htmlLang is the lang attribute of the page's <html>.
func (b *browser) htmlLang() string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}
