package commerce

import (
	"context"
	"errors"
	"net/http"

	"github.com/google/uuid"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pcconn"
)

// CodeConsentRequired is the pc_error_code of a command that failed because
// Partner Center needs a partner admin's app+user sign-in the portal does
// not have (a *pccclient.ConsentError). Such a command is not retried by
// the worker (no attempt could succeed before an admin reconnects) but the
// pages offer to retry it, with a reconnect link for admins.
const CodeConsentRequired = "consent_required"

// NotYetReadableMessage starts the last_error of a command waiting for
// Partner Center to show a new customer.
const NotYetReadableMessage = "the new customer is not readable in Partner Center yet"

// ReadAfterCreateWait says in words how long Partner Center takes to show
// a new customer to its other APIs (the one place pages take it from).
const ReadAfterCreateWait = "Partner Center shows a new customer to its other APIs only after a short delay, usually under a minute"

// notYetReadableError: PC does not know a customer created moments ago yet.
type notYetReadableError struct{ err error }

func (e *notYetReadableError) Error() string {
	return NotYetReadableMessage + "; retrying: " + e.err.Error()
}

func (e *notYetReadableError) Unwrap() error { return e.err }

// IsNotYetReadable reports a delivery that waits for Partner Center to make
// a new customer readable.
func IsNotYetReadable(err error) bool {
	var e *notYetReadableError
	return errors.As(err, &e)
}

// newCustomerError classifies an error of a command for a customer the
// portal itself created moments ago (mirror.JustCreated: the agreement of
// an onboarding, an order placed right after it): PC's 404 is then "not
// readable yet", retried with the worker's back-off.
func (s *Service) newCustomerError(ctx context.Context, cust uuid.UUID, err error) error {
	if err == nil || !pccclient.IsNotFound(err) || cust == uuid.Nil || !s.mir.JustCreated(ctx, cust) {
		return err
	}
	return &notYetReadableError{err: err}
}

// permanent tells PC's refusals (which a retry cannot fix) from transient
// failures (throttling, 5xx, network, timeouts, a new customer not
// readable yet).
func permanent(err error) bool {
	switch {
	case IsNotYetReadable(err):
		return false
	case pccclient.IsConsentRequired(err):
		return true
	}
	var ae *pccclient.ArgumentError
	if errors.As(err, &ae) {
		return true
	}
	if errors.Is(err, pcconn.ErrNotConfigured) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pe *pccclient.Error
	if errors.As(err, &pe) {
		if pe.Code == "800060" { // "Your order is in progress": try again later
			return false
		}
		s := pe.HTTPStatus
		return s >= 400 && s < 500 && s != http.StatusTooManyRequests && s != http.StatusRequestTimeout && s != http.StatusUnauthorized
	}
	return false
}

// errorCode is the pc_error_code recorded for a failed delivery.
func errorCode(err error) string {
	if pccclient.IsConsentRequired(err) {
		return CodeConsentRequired
	}
	var pe *pccclient.Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}
