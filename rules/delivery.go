package rules

import (
	"strings"
	"time"
)

// Delivery of an outbox command as a page shows it: from the command row
// and its River job, what is happening now and when the next attempt is,
// including after the process sending it died (crash recovery).

// Delivery states (DeliveryState.State).
const (
	DeliveryQueued      = "queued"      // waiting for a worker; Next is when it may run
	DeliverySending     = "sending"     // an attempt is under way since Since
	DeliveryRetrying    = "retrying"    // the last attempt failed transiently; Next is the next one
	DeliveryInterrupted = "interrupted" // the process sending it stopped; Next is when another sends it again
	DeliveryDone        = "done"        // Partner Center accepted it
	DeliveryFailed      = "failed"      // Partner Center refused it (or attempts ran out): staff decide
	DeliveryStopped     = "stopped"     // no job will send it any more although it never finished
)

// DeliveryFacts is what the store knows about one command's delivery.
type DeliveryFacts struct {
	Status    string    // commands.status
	Attempts  int       // commands.attempts (attempts started, inline ones included)
	UpdatedAt time.Time // commands.updated_at (an attempt's start, a retry's record)
	LastError string    // commands.last_error (the last transient failure, PC's words)
	// The River job: JobState "" when it is gone.
	JobState     string
	JobAttempt   int
	ScheduledAt  time.Time
	AttemptedAt  time.Time // zero before River's first attempt
	JobLastError string    // River's last recorded error of the job
}

// DeliveryTiming is how the runner treats a stuck attempt.
type DeliveryTiming struct {
	Timeout     time.Duration // the delivery worker's timeout (and an inline attempt's budget)
	RescueAfter time.Duration // River's RescueStuckJobsAfter
	RescueEvery time.Duration // how often River's rescuer looks (30s)
}

// DeliveryState is what a page says about a delivery.
type DeliveryState struct {
	State     string
	Since     time.Time // DeliverySending: when the attempt started
	Next      time.Time // queued/retrying/interrupted (and sending: if it was interrupted): the next attempt, zero if unknown
	LastError string    // retrying/interrupted: the last transient failure
	Attempts  int
}

// rescuedError is the error River's rescuer records on a job it took back
// from a process that stopped.
const rescuedError = "Stuck job rescued"

// StateOfDelivery decides a delivery's state at now. A running attempt
// older than the timeout belongs to a process that stopped (its context
// would have ended it): River's rescuer hands it to another process once
// the timeout and RescueAfter have passed, at its next round. A command
// marked delivering whose job is still held back (an inline attempt while
// a person waits) is sent by the job at ScheduledAt if that attempt never
// finishes. The same MS-RequestId goes with every attempt, so PC applies
// the command once.
func StateOfDelivery(f DeliveryFacts, now time.Time, t DeliveryTiming) DeliveryState {
	d := DeliveryState{Attempts: f.Attempts}
	switch f.Status {
	case StatusSucceeded:
		d.State = DeliveryDone
		return d
	case StatusFailed:
		d.State = DeliveryFailed
		return d
	}
	d.LastError = f.LastError
	switch f.JobState {
	case "running":
		rescue := f.AttemptedAt.Add(max(t.Timeout, t.RescueAfter) + t.RescueEvery)
		d.Next = rescue
		if now.Sub(f.AttemptedAt) < t.Timeout {
			d.State, d.Since = DeliverySending, f.AttemptedAt
		} else {
			d.State = DeliveryInterrupted
		}
	case "available", "scheduled", "retryable", "pending":
		d.Next = f.ScheduledAt
		switch {
		case f.Status == StatusDelivering && f.JobAttempt == 0 && f.Attempts > 0 && f.LastError == "" && now.Before(f.ScheduledAt):
			// Held for an inline attempt that has started and not
			// recorded an outcome: under way, or its process stopped.
			if now.Sub(f.UpdatedAt) < t.Timeout {
				d.State, d.Since = DeliverySending, f.UpdatedAt
			} else {
				d.State = DeliveryInterrupted
			}
		case strings.Contains(f.JobLastError, rescuedError):
			d.State = DeliveryInterrupted
		case f.Status == StatusDelivering && f.Attempts > 0 && f.LastError == "" && f.JobAttempt == 0:
			// The inline attempt's process stopped and the held job is due.
			d.State = DeliveryInterrupted
		case f.Attempts > 0 && f.LastError != "":
			d.State = DeliveryRetrying
		default:
			d.State = DeliveryQueued
		}
	default: // completed, cancelled, discarded, or no job
		d.State = DeliveryStopped
	}
	return d
}
