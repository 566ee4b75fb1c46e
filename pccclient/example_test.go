package pccclient_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
)

// Example_sandbox points the client at the Partner Center sandbox and
// walks the customers, the way the mirror's sync does.
func Example_sandbox() {
	sb, err := sandbox.New(sandbox.Options{Seed: 1})
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	srv := httptest.NewServer(sb.Handler())
	defer srv.Close()

	cred := sandbox.DefaultCredentials()
	c, err := pccclient.New(pccclient.Config{
		PartnerTenantID: cred.TenantID,
		ClientID:        cred.ClientID,
		ClientSecret:    cred.ClientSecret,
		BaseURL:         srv.URL,
		TokenURL:        srv.URL + "/" + cred.TenantID + "/oauth2/token",
	})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	n := 0
	for cu, err := range c.ListCustomers(ctx, pccclient.ListCustomersOptions{}) {
		if err != nil {
			panic(err)
		}
		if _, err := pccclient.Collect(c.ListSubscriptions(ctx, cu.ID)); err != nil {
			panic(err)
		}
		n++
	}
	fmt.Println(n > 0)
	// Output: true
}
