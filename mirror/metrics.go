package mirror

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
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

// NewMetrics registers the mirror's metrics on reg: PC calls by operation
// and status, throttles, command delivery outcomes, sync runs, sync lag and
// job queue depth (read from River's table at scrape time through pool).
func NewMetrics(reg prometheus.Registerer, pool *pgxpool.Pool) (*Metrics, error) {
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
		if pool != nil {
			// Any replica may have run it: ask the database.
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			var at *time.Time
			if pool.QueryRow(ctx, `SELECT max(finished_at) FROM sync_runs WHERE status = 'succeeded'
				AND kind IN ('full', 'incremental', 'reconcile')`).Scan(&at) == nil && at != nil {
				t = max(t, at.Unix())
			}
		}
		if t == 0 {
			return -1
		}
		return time.Since(time.Unix(t, 0)).Seconds()
	})
	cs := []prometheus.Collector{m.pcCalls, m.pcThrottles, m.deliveries, m.runs, lag}
	if pool != nil {
		cs = append(cs, &queueCollector{pool: pool, desc: prometheus.NewDesc("portal_job_queue_depth",
			"River jobs waiting or running, by kind and state.", []string{"kind", "state"}, nil)})
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *Metrics) pcCall(op, status string) {
	if m == nil {
		return
	}
	m.pcCalls.WithLabelValues(op, status).Inc()
	if status == "429" {
		m.pcThrottles.WithLabelValues(op).Inc()
	}
}

func (m *Metrics) delivery(kind, outcome string) {
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
	pool *pgxpool.Pool
	desc *prometheus.Desc
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	rows, err := c.pool.Query(ctx, `SELECT kind, state::text, count(*) FROM river_job
		WHERE state IN ('available', 'scheduled', 'retryable', 'running', 'pending') GROUP BY kind, state`)
	if err != nil {
		return
	}
	defer rows.Close()
	for rows.Next() {
		var kind, state string
		var n int64
		if rows.Scan(&kind, &state, &n) == nil {
			ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), kind, state)
		}
	}
}
