package rules_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cspportal/portal/rules"
)

func TestStateOfDelivery(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	in := func(d time.Duration) time.Time { return now.Add(d) }
	timing := rules.DeliveryTiming{Timeout: time.Minute, RescueAfter: time.Minute, RescueEvery: 30 * time.Second}
	tests := []struct {
		name string
		f    rules.DeliveryFacts
		want rules.DeliveryState
	}{
		{"succeeded", rules.DeliveryFacts{Status: "succeeded", Attempts: 2, JobState: "completed"},
			rules.DeliveryState{State: rules.DeliveryDone, Attempts: 2}},
		{"refused", rules.DeliveryFacts{Status: "failed", Attempts: 1, LastError: "x"},
			rules.DeliveryState{State: rules.DeliveryFailed, Attempts: 1}},
		{"queued for a worker", rules.DeliveryFacts{Status: "pending", JobState: "available", ScheduledAt: ago(time.Second)},
			rules.DeliveryState{State: rules.DeliveryQueued, Next: ago(time.Second)}},
		{"queued behind an inline attempt not started", rules.DeliveryFacts{Status: "pending", JobState: "scheduled", ScheduledAt: in(time.Minute)},
			rules.DeliveryState{State: rules.DeliveryQueued, Next: in(time.Minute)}},
		{"inline attempt under way", rules.DeliveryFacts{Status: "delivering", Attempts: 1, UpdatedAt: ago(2 * time.Second),
			JobState: "scheduled", ScheduledAt: in(2 * time.Minute)},
			rules.DeliveryState{State: rules.DeliverySending, Since: ago(2 * time.Second), Next: in(2 * time.Minute), Attempts: 1}},
		{"inline attempt's process stopped, job still held", rules.DeliveryFacts{Status: "delivering", Attempts: 1, UpdatedAt: ago(90 * time.Second),
			JobState: "scheduled", ScheduledAt: in(30 * time.Second)},
			rules.DeliveryState{State: rules.DeliveryInterrupted, Next: in(30 * time.Second), Attempts: 1}},
		{"inline attempt's process stopped, job due", rules.DeliveryFacts{Status: "delivering", Attempts: 1, UpdatedAt: ago(3 * time.Minute),
			JobState: "available", ScheduledAt: ago(time.Minute)},
			rules.DeliveryState{State: rules.DeliveryInterrupted, Next: ago(time.Minute), Attempts: 1}},
		{"worker sending", rules.DeliveryFacts{Status: "delivering", Attempts: 1, JobState: "running", JobAttempt: 1, AttemptedAt: ago(10 * time.Second)},
			rules.DeliveryState{State: rules.DeliverySending, Since: ago(10 * time.Second), Next: in(80 * time.Second), Attempts: 1}},
		{"worker's process stopped: rescued after timeout + a round", rules.DeliveryFacts{Status: "delivering", Attempts: 1, JobState: "running",
			JobAttempt: 1, AttemptedAt: ago(70 * time.Second)},
			rules.DeliveryState{State: rules.DeliveryInterrupted, Next: in(20 * time.Second), Attempts: 1}},
		{"a longer rescue delay than the timeout", rules.DeliveryFacts{Status: "delivering", Attempts: 1, JobState: "running",
			JobAttempt: 1, AttemptedAt: ago(70 * time.Second)}, rules.DeliveryState{State: rules.DeliveryInterrupted, Next: in(4*time.Minute + 20*time.Second), Attempts: 1}},
		{"rescued, waiting for its next attempt", rules.DeliveryFacts{Status: "delivering", Attempts: 1, JobState: "retryable", JobAttempt: 1,
			ScheduledAt: in(2 * time.Second), JobLastError: "Stuck job rescued by JobRescuer"},
			rules.DeliveryState{State: rules.DeliveryInterrupted, Next: in(2 * time.Second), Attempts: 1}},
		{"transient failure, retrying", rules.DeliveryFacts{Status: "delivering", Attempts: 3, LastError: "PC answered 503", JobState: "retryable",
			JobAttempt: 3, ScheduledAt: in(8 * time.Second), JobLastError: "PC answered 503"},
			rules.DeliveryState{State: rules.DeliveryRetrying, Next: in(8 * time.Second), LastError: "PC answered 503", Attempts: 3}},
		{"inline failure released to the worker", rules.DeliveryFacts{Status: "delivering", Attempts: 1, LastError: "timeout", JobState: "available",
			ScheduledAt: ago(time.Second)},
			rules.DeliveryState{State: rules.DeliveryRetrying, Next: ago(time.Second), LastError: "timeout", Attempts: 1}},
		{"job gone without an answer", rules.DeliveryFacts{Status: "delivering", Attempts: 12, JobState: "discarded"},
			rules.DeliveryState{State: rules.DeliveryStopped, Attempts: 12}},
	}
	for _, tt := range tests {
		tm := timing
		if tt.name == "a longer rescue delay than the timeout" {
			tm.RescueAfter = 5 * time.Minute
		}
		if d := cmp.Diff(tt.want, rules.StateOfDelivery(tt.f, now, tm)); d != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, d)
		}
	}
}
