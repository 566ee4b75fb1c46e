package mirror_test

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cspportal/portal/internal/sandboxtest"
	"github.com/cspportal/portal/internal/testdb"
	"github.com/cspportal/portal/mirror"
	"github.com/cspportal/portal/pccclient"
	"github.com/cspportal/portal/pccclient/sandbox"
	"github.com/cspportal/portal/store"
)

// The benchmark runs the sandbox in a child process (this test binary
// re-executed), so the peak RSS measured is the mirror's alone.
func TestMain(m *testing.M) {
	if n := os.Getenv("MIRROR_BENCH_SANDBOX"); n != "" {
		serveBenchSandbox(n)
		return
	}
	os.Exit(m.Run())
}

func serveBenchSandbox(spec string) {
	var customers, per int
	fmt.Sscanf(spec, "%d/%d", &customers, &per)
	// Partner Center's throttling model on, with its default limits.
	sb, err := sandbox.New(sandbox.Options{Seed: 99, RealTime: true, NoSeed: true, PCThrottling: &sandbox.PCThrottling{}})
	if err != nil {
		panic(err)
	}
	if err := sb.SeedBulk(customers, per); err != nil {
		panic(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	// The portal's partner admin consent (agreements and license usage
	// need the app+user credential).
	rt, err := sb.IssueRefreshToken("admin@sandbox.test")
	if err != nil {
		panic(err)
	}
	fmt.Println("URL http://" + ln.Addr().String() + " " + rt)
	http.Serve(ln, sb.Handler())
}

// BenchmarkMirror measures, against a sandbox with 10,000 customers and
// 100,000 subscriptions (MIRROR_BENCH_SIZE=customers/subscriptionsPerCustomer
// to change) that throttles like Partner Center (its PC model with the
// default limits), a full import by a client with its default budgets
// (which follow that model), an incremental sync after 100 changes, the
// 429s PC answered and the peak RSS of this process
// (MIRROR_BENCH_UNLIMITED=1 lifts the client's budgets). Run it with
//
//	go test ./mirror -run '^$' -bench BenchmarkMirror -benchtime 1x -timeout 40m
func BenchmarkMirror(b *testing.B) {
	size := cmp.Or(os.Getenv("MIRROR_BENCH_SIZE"), "10000/10")
	var customers, per int
	fmt.Sscanf(size, "%d/%d", &customers, &per)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "MIRROR_BENCH_SANDBOX="+size)
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "URL ") {
		b.Fatalf("sandbox process: %q %v", line, err)
	}
	url, rt, _ := strings.Cut(strings.TrimSpace(strings.TrimPrefix(line, "URL ")), " ")

	cr := sandbox.DefaultCredentials()
	cfg := pccclient.Config{PartnerTenantID: cr.TenantID, ClientID: cr.ClientID, ClientSecret: cr.ClientSecret,
		BaseURL: url, TokenURL: url + "/{tenant}/oauth2/token", UserTokens: pccclient.NewMemoryTokenStore(rt)}
	if os.Getenv("MIRROR_BENCH_UNLIMITED") != "" {
		sandboxtest.Unlimited(&cfg) // no client budgets: what the budgets cost
	}
	st := store.New(testdb.NewPool(b))
	m := sandboxtest.NewStack(b, st, sandboxtest.StackOptions{Logger: testLogger(), Tweak: func(*pccclient.Config) {}, Timeout: time.Minute,
		Config: func(context.Context) (pccclient.Config, error) { return cfg, nil },
		Mirror: mirror.Options{Concurrency: cmp.Or(int(envFloat("MIRROR_BENCH_CONCURRENCY")), 32)}}).Mirror
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	runID, err := m.Run(ctx, mirror.KindFull, mirror.RunOptions{Trigger: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	wall := time.Since(start)
	b.StopTimer()
	importThrottled := sandboxThrottled(b, url)
	run, _ := st.SyncRun(ctx, runID)
	var rows int
	st.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM customers) + (SELECT count(*) FROM subscriptions) +
		(SELECT count(*) FROM orders) + (SELECT count(*) FROM order_line_items) + (SELECT count(*) FROM agreements) +
		(SELECT count(*) FROM subscribed_skus)`).Scan(&rows)
	b.ReportMetric(float64(run.PcCalls), "import-calls")
	b.ReportMetric(wall.Seconds(), "import-s")
	b.ReportMetric(float64(run.PcCalls)/wall.Seconds(), "import-calls/s")
	b.ReportMetric(float64(importThrottled), "import-429s")
	b.ReportMetric(float64(rows), "rows")

	// 100 changes made in PC, then one incremental sync.
	pc, err := pccclient.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	rs, err := st.Pool.Query(ctx, `SELECT id, customer_id::text FROM subscriptions ORDER BY random() LIMIT 100`)
	if err != nil {
		b.Fatal(err)
	}
	type sub struct{ id, cust string }
	var subs []sub
	for rs.Next() {
		var s sub
		rs.Scan(&s.id, &s.cust)
		subs = append(subs, s)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range subs {
		if _, err := pc.SetSubscriptionFriendlyName(ctx, pccclient.NewRequestID(), s.cust, s.id, "bench "+strconv.Itoa(rng.IntN(1e6))); err != nil {
			b.Fatalf("change: %v", err)
		}
	}
	incID, err := m.Run(ctx, mirror.KindIncremental, mirror.RunOptions{Trigger: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	inc, _ := st.SyncRun(ctx, incID)
	b.ReportMetric(float64(inc.PcCalls), "incremental-calls/100-changes")
	b.ReportMetric(float64(sandboxThrottled(b, url)-importThrottled), "changes+incremental-429s")
	b.ReportMetric(float64(peakRSS())/(1<<20), "peak-RSS-MiB")
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		b.ReportMetric(cpu.Seconds(), "mirror-cpu-s")
	}
	b.ReportMetric(procCPU(cmd.Process.Pid).Seconds(), "sandbox-cpu-s")
}

// sandboxThrottled is how many requests the sandbox answered 429 so far.
func sandboxThrottled(b *testing.B, url string) int64 {
	resp, err := http.Get(url + "/_sandbox/state")
	if err != nil {
		b.Fatalf("sandbox state: %v", err)
	}
	defer resp.Body.Close()
	var sum sandbox.Summary
	if err := json.NewDecoder(resp.Body).Decode(&sum); err != nil {
		b.Fatalf("sandbox state: %v", err)
	}
	return sum.Throttled
}

// procCPU is the CPU time (user + system) a process used so far.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

// peakRSS is this process's peak resident set (VmHWM), in bytes.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			f := strings.Fields(l)
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n << 10
		}
	}
	return 0
}

func envFloat(k string) float64 {
	f, _ := strconv.ParseFloat(os.Getenv(k), 64)
	return f
}
