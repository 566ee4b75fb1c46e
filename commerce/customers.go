package commerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pcconn"
	"github.com/cspportal/portal/store"
)

// Onboarding: the wizard creates the customer through the outbox but
// delivers the create-customer command inline, so the answer to that
// request is the only place PC's one-time admin password passes through
// (never stored or logged). If the inline attempt fails or the process
// dies, the held River job takes over; the password is then lost and the
// page says how to reset it. The Microsoft Customer Agreement follows once
// the customer exists, at most once per wizard.

const (
	inlineCreateTimeout    = 20 * time.Second
	inlineAgreementTimeout = 5 * time.Second
	templateTimeout        = 10 * time.Second
)

// NewCustomer is a customer to create, as the onboarding wizard collected it.
type NewCustomer struct {
	CompanyName, DomainPrefix, RegistrationNumber     string
	FirstName, LastName, Email, Phone                 string
	AddressLine1, AddressLine2, City, State, PostCode string
	Country, Culture, Language                        string
	// Agreement is who accepted the Microsoft Customer Agreement, and when.
	Agreement AgreementContact
	// ResellerTenantID, when set, creates the customer for that indirect
	// reseller (associatedPartnerId; the reseller's tenant id); empty makes
	// it the partner's own.
	ResellerTenantID string
}

// AgreementContact is the person who accepted the agreement for the customer.
type AgreementContact struct {
	FirstName, LastName, Email, Phone string
	DateAgreed                        time.Time
}

// Domain is the customer's initial domain.
func (c NewCustomer) Domain() string { return c.DomainPrefix + ".onmicrosoft.com" }

func (c NewCustomer) wire() pccclient.Customer {
	addr := &pccclient.Address{Country: c.Country, City: c.City, State: c.State, AddressLine1: c.AddressLine1,
		AddressLine2: c.AddressLine2, PostalCode: c.PostCode, FirstName: c.FirstName, LastName: c.LastName, PhoneNumber: c.Phone}
	return pccclient.Customer{
		CompanyProfile: &pccclient.CompanyProfile{Domain: c.Domain(), OrganizationRegistrationNumber: c.RegistrationNumber},
		BillingProfile: &pccclient.BillingProfile{FirstName: c.FirstName, LastName: c.LastName, Email: c.Email,
			Culture: c.Culture, Language: c.Language, CompanyName: c.CompanyName, DefaultAddress: addr},
		AssociatedPartnerID: c.ResellerTenantID,
	}
}

func (a AgreementContact) wire(templateID string) pccclient.Agreement {
	return pccclient.Agreement{TemplateID: templateID, DateAgreed: a.DateAgreed, Type: pccclient.AgreementMicrosoftCustomerAgreement,
		PrimaryContact: &pccclient.Contact{FirstName: a.FirstName, LastName: a.LastName, Email: a.Email, PhoneNumber: a.Phone}}
}

// Onboarded is a submitted wizard after CreateCustomer.
type Onboarded struct {
	store.Onboarding
	// SignIn is the new tenant's first admin, only in the answer to the
	// request that created it.
	SignIn *TenantSignIn
	// Resubmitted: the form's token was used already; nothing new was sent.
	Resubmitted bool
}

// RefusedError is PC's refusal to create the customer: nothing exists in PC.
type RefusedError struct {
	Err       error  // PC's error, when this request delivered it
	LastError string // the command's recorded error otherwise
}

func (e *RefusedError) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	return e.LastError
}

func (e *RefusedError) Unwrap() error { return e.Err }

// TemplateError means PC did not give the agreement template: nothing was
// created.
type TemplateError struct{ Err error }

func (e *TemplateError) Error() string { return fmt.Sprintf("agreement template: %v", e.Err) }

func (e *TemplateError) Unwrap() error { return e.Err }

// CreateCustomer creates customer c in Partner Center and queues its
// agreement, delivering both at once when it can. The wizard's token makes
// a double submit one customer. Errors: pcconn.ErrNotConfigured (no
// connection), *TemplateError and *RefusedError (nothing was created).
func (s *Service) CreateCustomer(ctx context.Context, by Actor, token uuid.UUID, c NewCustomer) (Onboarded, error) {
	if ob, err := s.st.OnboardingByToken(ctx, token); err == nil {
		return Onboarded{Onboarding: ob, Resubmitted: true}, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return Onboarded{}, err
	}
	pc, err := s.pc.Client(ctx)
	if err != nil {
		return Onboarded{}, err
	}
	mctx, cancel := context.WithTimeout(pcconn.Interactive(ctx), templateTimeout)
	md, err := pc.GetAgreementMetadata(mctx, pccclient.AgreementMicrosoftCustomerAgreement)
	cancel()
	templateID := ""
	switch {
	case pccclient.IsConsentRequired(err):
		// The template needs a partner admin's sign-in like the agreement
		// itself: create the customer anyway; the agreement step reads the
		// template when it is delivered and says what is missing.
	case err != nil || md == nil || md.TemplateID == "":
		return Onboarded{}, &TemplateError{Err: err}
	default:
		templateID = md.TemplateID
	}
	agreement, err := json.Marshal(c.Agreement.wire(templateID))
	if err != nil {
		return Onboarded{}, fmt.Errorf("encode agreement: %w", err)
	}
	var cmdID int64
	err = s.st.InTx(ctx, func(tx pgx.Tx) error {
		if c.ResellerTenantID != "" {
			if err := s.resellerToCreateFor(ctx, tx, c.ResellerTenantID); err != nil {
				return err
			}
		}
		id, err := s.enqueue(ctx, tx, Command{Kind: CmdCreateCustomer, Payload: CreateCustomerPayload{Customer: c.wire()}, By: by}, s.opt.InlineHold)
		if err != nil {
			return err
		}
		ok, err := s.st.InsertOnboarding(ctx, tx, store.NewOnboarding{Token: token, CreateCommandID: id, CompanyName: c.CompanyName,
			Domain: c.Domain(), Agreement: agreement, RequestedBy: by.UserID})
		if err != nil {
			return err
		}
		if !ok {
			return errRepeated
		}
		cmdID = id
		return nil
	})
	if errors.Is(err, errRepeated) {
		ob, err := s.st.OnboardingByToken(ctx, token)
		return Onboarded{Onboarding: ob, Resubmitted: true}, err
	}
	if err != nil {
		return Onboarded{}, err
	}
	dctx, cancel := context.WithTimeout(ctx, inlineCreateTimeout)
	d, derr := s.DeliverNow(dctx, cmdID)
	cancel()
	if d.Command.Status == CommandFailed {
		return Onboarded{}, &RefusedError{Err: derr, LastError: d.Command.LastError}
	}
	ob, err := s.st.OnboardingByToken(ctx, token)
	if err != nil {
		return Onboarded{}, err
	}
	if d.Command.Status == CommandSucceeded {
		if agrID, err := s.advanceOnboarding(ctx, by, ob, s.opt.InlineHold); err != nil {
			s.log.WarnContext(ctx, "queue agreement", "onboarding", token, "err", err)
		} else if agrID != 0 {
			actx, cancel := context.WithTimeout(ctx, inlineAgreementTimeout)
			_, _ = s.DeliverNow(actx, agrID) // its outcome shows in the progress
			cancel()
		}
		if ob, err = s.st.OnboardingByToken(ctx, token); err != nil {
			return Onboarded{}, err
		}
	}
	return Onboarded{Onboarding: ob, SignIn: d.SignIn}, nil
}

// AdvanceOnboarding queues the agreement of a wizard whose customer the
// worker (not the request) created; it returns the wizard as it is now.
func (s *Service) AdvanceOnboarding(ctx context.Context, by Actor, ob store.Onboarding) (store.Onboarding, error) {
	if ob.AgreementCommandID != nil {
		return ob, nil
	}
	id, err := s.advanceOnboarding(ctx, by, ob, 0)
	if err != nil || id == 0 {
		return ob, err
	}
	return s.st.OnboardingByToken(ctx, ob.Token)
}

// advanceOnboarding queues the agreement once the customer exists (at most
// once per wizard) and returns the new command's id (0 when nothing was
// queued); hold > 0 holds its River job for an inline attempt.
func (s *Service) advanceOnboarding(ctx context.Context, by Actor, ob store.Onboarding, hold time.Duration) (int64, error) {
	if ob.AgreementCommandID != nil {
		return 0, nil
	}
	create, err := s.st.Command(ctx, ob.CreateCommandID)
	if err != nil {
		return 0, err
	}
	if create.Status != CommandSucceeded || create.CustomerID == nil {
		return 0, nil
	}
	return s.queueAgreement(ctx, by, ob, *create.CustomerID, nil, hold)
}

// queueAgreement queues the wizard's agreement for customer if the wizard's
// agreement command is still old; hold > 0 holds the River job for an
// inline attempt.
func (s *Service) queueAgreement(ctx context.Context, by Actor, ob store.Onboarding, customer uuid.UUID, old *int64, hold time.Duration) (int64, error) {
	var a pccclient.Agreement
	if err := json.Unmarshal(ob.Agreement, &a); err != nil {
		return 0, fmt.Errorf("onboarding agreement: %w", err)
	}
	var id int64
	err := s.st.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		id, err = s.enqueue(ctx, tx, Command{Kind: CmdAcceptAgreement, CustomerID: customer, Payload: AcceptAgreementPayload{Agreement: a},
			By: by}, hold)
		if err != nil {
			return err
		}
		ok, err := s.st.SwapOnboardingAgreement(ctx, tx, ob.Token, customer, old, id)
		if err != nil {
			return err
		}
		if !ok {
			return errRepeated
		}
		return nil
	})
	if errors.Is(err, errRepeated) {
		return 0, nil
	}
	return id, err
}

// Agreement retry outcomes (RetryAgreement).
var (
	// ErrNotOnboarded: the customer was not onboarded through the portal.
	ErrNotOnboarded = errors.New("customer not onboarded through the portal")
	// ErrAgreementOnItsWay: the agreement is not refused; nothing to retry.
	ErrAgreementOnItsWay = errors.New("agreement already on its way")
)

// RetryAgreement sends the onboarding agreement of customer again after a
// refusal, delivering it at once when it can; it returns the command as the
// attempt left it (Status "" when nothing was sent) with PC's error.
func (s *Service) RetryAgreement(ctx context.Context, by Actor, customer uuid.UUID) (store.Command, error) {
	ob, err := s.st.OnboardingByCustomer(ctx, customer)
	if errors.Is(err, store.ErrNotFound) {
		return store.Command{}, ErrNotOnboarded
	}
	if err != nil {
		return store.Command{}, err
	}
	if ob.AgreementCommandID != nil {
		agr, err := s.st.Command(ctx, *ob.AgreementCommandID)
		if err != nil {
			return store.Command{}, err
		}
		if agr.Status != CommandFailed {
			return agr, ErrAgreementOnItsWay
		}
	}
	id, err := s.queueAgreement(ctx, by, ob, customer, ob.AgreementCommandID, s.opt.InlineHold)
	if err != nil || id == 0 {
		return store.Command{}, err
	}
	actx, cancel := context.WithTimeout(ctx, inlineAgreementTimeout)
	defer cancel()
	d, err := s.DeliverNow(actx, id)
	return d.Command, err
}
