package mirror_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient/sandbox"
)

// metricValue returns the value of the series of name whose labels include want.
func metricValue(t *testing.T, reg *prometheus.Registry, name string, want map[string]string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	series:
		for _, m := range mf.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for k, v := range want {
				if have[k] != v {
					continue series
				}
			}
			switch {
			case m.Counter != nil:
				return m.Counter.GetValue()
			case m.Gauge != nil:
				return m.Gauge.GetValue()
			}
		}
	}
	return -1
}

func TestMetricsCountCallsThrottlesAndRuns(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sandbox.Options{Seed: 41}, sandboxtest.StackOptions{})
	reg := prometheus.NewRegistry()
	met, err := mirror.NewMetrics(reg, e.Store)
	if err != nil {
		t.Fatal(err)
	}
	m := e.NewStack(sandboxtest.StackOptions{Metrics: met}).Mirror
	e.SB.FailNext(sandbox.OpListSubscriptions, 2, 429)
	if _, err := m.Run(t.Context(), mirror.KindFull, mirror.RunOptions{}); err != nil {
		t.Fatal(err)
	}
	served := e.SB.Calls(sandbox.OpListSubscriptions)
	ok := metricValue(t, reg, "portal_pc_calls_total", map[string]string{"operation": "list-subscriptions", "status": "200"})
	if int(ok)+2 != served {
		t.Errorf("list-subscriptions 200s counted %v, sandbox served %d (2 of them 429)", ok, served)
	}
	if v := metricValue(t, reg, "portal_pc_throttles_total", map[string]string{"operation": "list-subscriptions"}); v != 2 {
		t.Errorf("throttles counted %v, want 2", v)
	}
	if v := metricValue(t, reg, "portal_sync_runs_total", map[string]string{"kind": "full", "status": "succeeded"}); v != 1 {
		t.Errorf("full runs counted %v, want 1", v)
	}
	if v := metricValue(t, reg, "portal_sync_lag_seconds", nil); v < 0 || v > 60 {
		t.Errorf("sync lag %v after a successful sync", v)
	}
}
