package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// composeService is one service block of docker-compose.yml, as text.
type composeService struct {
	name, body string
}

var (
	composeServiceRe = regexp.MustCompile(`(?m)^  ([a-z][a-z0-9-]*):`)
	composeTopRe     = regexp.MustCompile(`(?m)^[a-z]`)
)

// composeServices splits the services section into its blocks (the file
// is read as text: no YAML parser is a dependency of the module).
func composeServices(t *testing.T, doc string) []composeService {
	t.Helper()
	i := strings.Index(doc, "\nservices:\n")
	if i < 0 {
		t.Fatal("docker-compose.yml has no services section")
	}
	sec := doc[i+len("\nservices:\n"):]
	if j := composeTopRe.FindStringIndex(sec); j != nil {
		sec = sec[:j[0]]
	}
	locs := composeServiceRe.FindAllStringSubmatchIndex(sec, -1)
	var out []composeService
	for k, l := range locs {
		end := len(sec)
		if k+1 < len(locs) {
			end = locs[k+1][0]
		}
		out = append(out, composeService{name: sec[l[2]:l[3]], body: sec[l[1]:end]})
	}
	return out
}

// The compose file runs at least two `portal serve` replicas behind
// Caddy's official image: the proxy's upstreams are exactly the replicas,
// its health check is the portal's /readyz, only the proxy publishes a
// port, and the replicas believe X-Forwarded-For from the proxy's address
// alone.
func TestComposeReplicasBehindProxy(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	var replicas []string
	var proxy composeService
	anchor := ""
	for _, s := range composeServices(t, doc) {
		if m := regexp.MustCompile(`^ &([a-z-]+)`).FindStringSubmatch(s.body); m != nil && strings.Contains(s.body, `command: ["serve"`) {
			anchor = m[1]
		}
		switch {
		case strings.Contains(s.body, `command: ["serve"`), anchor != "" && strings.Contains(s.body, "<<: *"+anchor):
			replicas = append(replicas, s.name)
		case strings.Contains(s.body, "image: caddy:"):
			proxy = s
		}
		if strings.Contains(s.body, "\n    ports:") && !strings.Contains(s.body, "image: caddy:") {
			t.Errorf("service %s publishes a port: only the proxy should", s.name)
		}
	}
	if len(replicas) < 2 {
		t.Fatalf("portal replicas %v, want at least 2", replicas)
	}
	if proxy.name == "" {
		t.Fatal("no service runs Caddy's official image")
	}
	m := regexp.MustCompile(`(?m)^\s+reverse_proxy ([^{\n]+)\{`).FindStringSubmatch(doc)
	if m == nil {
		t.Fatal("the Caddyfile has no reverse_proxy block")
	}
	upstreams := strings.Fields(m[1])
	var want []string
	for _, r := range replicas {
		want = append(want, r+":8080")
	}
	slices.Sort(upstreams)
	slices.Sort(want)
	if !slices.Equal(upstreams, want) {
		t.Errorf("the proxy's upstreams are %v, want every replica %v", upstreams, want)
	}
	if !strings.Contains(doc, "health_uri /readyz") {
		t.Error("the proxy does not check the replicas' /readyz")
	}
	ip := regexp.MustCompile(`ipv4_address: (\S+)`).FindStringSubmatch(proxy.body)
	tp := regexp.MustCompile(`PORTAL_TRUSTED_PROXIES: (\S+)`).FindStringSubmatch(doc)
	if ip == nil || tp == nil || ip[1] != tp[1] {
		t.Errorf("replicas trust %v, the proxy's address is %v: want the same single address", tp, ip)
	}
}
