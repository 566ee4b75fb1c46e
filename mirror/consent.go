package mirror

import (
	"errors"

	"time"

	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/store/db"
)

// CodeConsentRequired is the pc_error_code of a command that failed because
// Partner Center needs a partner admin's app+user sign-in the portal does
// not have (a *pccclient.ConsentError). Such a command is not retried by
// the worker (no attempt could succeed before an admin reconnects) but the
// pages offer to retry it, with a reconnect link for admins.
const CodeConsentRequired = "consent_required"

// NewCustomerReadableWithin bounds how long after a customer was created
// Partner Center's 404 for it is taken as "not readable yet" (PC is
// eventually consistent: about 90 seconds) rather than as a refusal. The
// worker retries with its back-off meanwhile.
var NewCustomerReadableWithin = 10 * time.Minute

// notYetReadableError: PC does not know a customer created moments ago yet.
type notYetReadableError struct{ err error }

func (e *notYetReadableError) Error() string {
	return "the new customer is not readable in Partner Center yet (it can take a few minutes); retrying: " + e.err.Error()
}

func (e *notYetReadableError) Unwrap() error { return e.err }

// IsNotYetReadable reports a delivery that waits for Partner Center to make
// a new customer readable.
func IsNotYetReadable(err error) bool {
	var e *notYetReadableError
	return errors.As(err, &e)
}

// customerCommandError classifies an error of a command addressed to a
// customer that may have been created moments ago: a 404 within
// NewCustomerReadableWithin of the command's creation is transient.
func customerCommandError(cmd *db.Command, err error) error {
	if err != nil && pccclient.IsNotFound(err) && time.Since(cmd.CreatedAt) < NewCustomerReadableWithin {
		return &notYetReadableError{err: err}
	}
	return err
}

// classify overrides permanent for the errors of this file: ok is false
// when the generic rules apply.
func classify(err error) (isPermanent, ok bool) {
	switch {
	case IsNotYetReadable(err):
		return false, true
	case pccclient.IsConsentRequired(err):
		return true, true
	}
	return false, false
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
