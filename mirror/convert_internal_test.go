package mirror

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cspportal/portal/pccclient"
)

// The reseller scoping compares associated_partner_id with a uuid printed
// in lower case: an upper-case id from PC is stored lower-cased.
func TestCustomerRowLowersTheReseller(t *testing.T) {
	c := &pccclient.Customer{AssociatedPartnerID: "B01B1487-B36E-4E6D-9B5E-0B58974C4B28"}
	if got := customerRow(c, uuid.New(), time.Now()).AssociatedPartnerID; got != "b01b1487-b36e-4e6d-9b5e-0b58974c4b28" {
		t.Fatalf("associated partner id %q", got)
	}
}
