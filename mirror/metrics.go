package mirror

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cspportal/portal/store"
)

// Metrics are the mirror's Prometheus metrics. A nil *Metrics records
// nothing, so every method is safe to call without a registry.
type Metrics struct {
	pcCalls      *prometheus.CounterVec
	pcThrottles  *prometheus.CounterVec
	deliveries   *prometheus.CounterVec
	runs         *prometheus.CounterVec
	lastSyncUnix atomic.Int64
}

// NewMetrics registers the background work's metrics on reg: PC calls by
// operation and status, throttles, command delivery outcomes, sync runs,
// sync lag and job queue depth (read at scrape time through st; nil st
// leaves out what needs the database).
func NewMetrics(reg prometheus.Registerer, st *store.Store) (*Metrics, error) {
	m := &Metrics{
		pcCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "portal_pc_calls_total", Help: "Partner Center HTTP calls by operation and status (\"error\" for network failures).",
		}, []string{"operation", "status"}),
		pcThrottles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "portal_pc_throttles_total", Help: "Partner Center 429 responses by operation.",
		}, []string{"operation"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "portal_command_deliveries_total", Help: "Outbox command delivery attempts by kind and outcome (succeeded, failed, retry).",
		}, []string{"kind", "outcome"}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "portal_sync_runs_total", Help: "Finished sync runs by kind and status.",
		}, []string{"kind", "status"}),
	}
	lag := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "portal_sync_lag_seconds",
		Help: "Seconds since the mirror last finished a successful customer sync, by any replica (-1 before the first).",
	}, func() float64 {
		t := m.lastSyncUnix.Load()
		if st != nil {
			// Any replica may have run it: ask the database.
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			if at, err := st.LastCustomerSync(ctx); err == nil && at != nil {
				t = max(t, at.Unix())
			}
		}
		if t == 0 {
			return -1
		}
		return time.Since(time.Unix(t, 0)).Seconds()
	})
	cs := []prometheus.Collector{m.pcCalls, m.pcThrottles, m.deliveries, m.runs, lag}
	if st != nil {
		cs = append(cs, &queueCollector{st: st, desc: prometheus.NewDesc("portal_job_queue_depth",
			"River jobs waiting or running, by kind and state.", []string{"kind", "state"}, nil)})
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// PCCall counts one Partner Center exchange (pcconn.Deps.OnCall).
func (m *Metrics) PCCall(op, status string) {
	if m == nil {
		return
	}
	m.pcCalls.WithLabelValues(op, status).Inc()
	if status == "429" {
		m.pcThrottles.WithLabelValues(op).Inc()
	}
}

// Delivery counts one outbox delivery attempt's outcome.
func (m *Metrics) Delivery(kind, outcome string) {
	if m == nil {
		return
	}
	m.deliveries.WithLabelValues(kind, outcome).Inc()
}

func (m *Metrics) run(kind, status string) {
	if m == nil {
		return
	}
	m.runs.WithLabelValues(kind, status).Inc()
	if status == StatusSucceeded {
		m.synced(time.Now())
	}
}

func (m *Metrics) synced(t time.Time) {
	if m == nil {
		return
	}
	if t.Unix() > m.lastSyncUnix.Load() {
		m.lastSyncUnix.Store(t.Unix())
	}
}

// queueCollector reports River's queue depth at scrape time.
type queueCollector struct {
	st   *store.Store
	desc *prometheus.Desc
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := c.st.JobQueueDepth(ctx)
	if err != nil {
		return
	}
	for _, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n.N), n.Kind, n.State)
	}
}
