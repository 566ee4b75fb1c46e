package pccclient_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
)

// TestServiceRequests walks the documented service request API against the
// sandbox: topics, create (retried with the same MS-RequestId: one
// request), PC's refusals, notes and statuses, the lists, app-only refused.
func TestServiceRequests(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, nil)
	ctx := ctxT(t)
	topics := must(e.c.ListSupportTopics(ctx))(t)
	if len(topics) < 2 || topics[0].ID == "" || topics[0].Name == "" {
		t.Fatalf("topics = %+v", topics)
	}
	reqID := pccclient.NewRequestID()
	in := pccclient.ServiceRequest{Title: "Licences not assigned", Description: "Contoso cannot assign E3",
		Severity: pccclient.SeverityModerate, SupportTopicID: topics[0].ID}
	sr := must(e.c.CreateServiceRequest(ctx, reqID, "en-US", in))(t)
	if sr.ID == "" || sr.Status.Name() != pccclient.SRStatusOpen || sr.SupportTopicName != topics[0].Name || sr.CreatedDate.IsZero() {
		t.Fatalf("created = %+v", sr)
	}
	again := must(e.c.CreateServiceRequest(ctx, reqID, "en-US", in))(t)
	if again.ID != sr.ID || len(e.sb.ServiceRequests()) != 1 {
		t.Fatalf("retry with the same MS-RequestId filed %q (first %q), sandbox holds %d", again.ID, sr.ID, len(e.sb.ServiceRequests()))
	}

	bad := in
	bad.SupportTopicID = "1"
	_, err := e.c.CreateServiceRequest(ctx, pccclient.NewRequestID(), "en-US", bad)
	var pe *pccclient.Error
	if !errors.As(err, &pe) || pe.HTTPStatus != http.StatusBadRequest {
		t.Errorf("unknown topic: err = %v, want PC's 400", err)
	}
	var ae *pccclient.ArgumentError
	if _, err := e.c.CreateServiceRequest(ctx, pccclient.NewRequestID(), "en-US", pccclient.ServiceRequest{Title: "x"}); !errors.As(err, &ae) {
		t.Errorf("missing fields: err = %v, want an ArgumentError before any call", err)
	}

	up := must(e.c.UpdateServiceRequest(ctx, pccclient.NewRequestID(), sr.ID, "Customer confirmed the tenant id", ""))(t)
	if len(up.Notes) != 1 || up.Notes[0].Text != "Customer confirmed the tenant id" || up.Status.Name() != pccclient.SRStatusOpen {
		t.Errorf("after a note = %+v", up)
	}
	if err := e.sb.UpdateServiceRequest(sr.ID, "attention_needed", "Please send a screenshot"); err != nil {
		t.Fatal(err)
	}
	got := must(e.c.GetServiceRequest(ctx, sr.ID))(t)
	if got.Status.Name() != pccclient.SRStatusAttentionNeeded || len(got.Notes) != 2 {
		t.Errorf("after Microsoft's answer = %+v", got)
	}
	closed := must(e.c.UpdateServiceRequest(ctx, pccclient.NewRequestID(), sr.ID, "", pccclient.SRStatusClosed))(t)
	if closed.Status.Name() != pccclient.SRStatusClosed || closed.LastClosedDate.IsZero() {
		t.Errorf("closed = %+v", closed)
	}
	if _, err := e.c.UpdateServiceRequest(ctx, pccclient.NewRequestID(), sr.ID, "one more thing", ""); !errors.As(err, &pe) || pe.HTTPStatus != http.StatusBadRequest {
		t.Errorf("note on a closed request: err = %v, want 400", err)
	}
	if _, err := e.c.GetServiceRequest(ctx, "600000000000000"); !pccclient.IsNotFound(err) {
		t.Errorf("unknown id: err = %v, want 404", err)
	}

	all := must(pccclient.Collect(e.c.ListServiceRequests(ctx)))(t)
	if len(all) != 1 || all[0].ID != sr.ID {
		t.Errorf("partner's list = %+v", all)
	}
	cust := newCustomer(t, e, "srcust")
	cid, err := e.sb.AddCustomerServiceRequest(cust.ID, "Mailbox migration", "minimal")
	if err != nil {
		t.Fatal(err)
	}
	mine := must(pccclient.Collect(e.c.ListCustomerServiceRequests(ctx, cust.ID)))(t)
	if len(mine) != 1 || mine[0].ID != cid || mine[0].Severity.Name() != pccclient.SeverityMinimal {
		t.Errorf("customer's list = %+v", mine)
	}
	if one := must(e.c.GetCustomerServiceRequest(ctx, cust.ID, cid))(t); one.Title != "Mailbox migration" {
		t.Errorf("customer's request = %+v", one)
	}
	if _, err := e.c.GetCustomerServiceRequest(ctx, cust.ID, sr.ID); !pccclient.IsNotFound(err) {
		t.Errorf("the partner's request read as the customer's: err = %v, want 404", err)
	}

	prof := must(e.c.GetSupportProfile(ctx))(t)
	if prof.Email == "" || prof.Attributes.Etag == "" {
		t.Errorf("support profile = %+v", prof)
	}
	prof.Telephone, prof.Website = "+1 425 555 0199", "help.contoso.example"
	upd := must(e.c.UpdateSupportProfile(ctx, pccclient.NewRequestID(), *prof))(t)
	if upd.Telephone != "+1 425 555 0199" || upd.Website != "help.contoso.example" || upd.Email != prof.Email {
		t.Errorf("updated profile = %+v", upd)
	}
	if _, err := e.c.UpdateSupportProfile(ctx, pccclient.NewRequestID(), pccclient.SupportProfile{Email: "not an address"}); !errors.As(err, &pe) || pe.HTTPStatus != http.StatusBadRequest {
		t.Errorf("bad email: err = %v, want PC's 400", err)
	}

	appOnly := newClient(t, e, nil)
	if _, err := appOnly.GetServiceRequest(ctx, sr.ID); err == nil {
		t.Error("app-only GetServiceRequest succeeded; PC allows it with App+User only")
	}
}
