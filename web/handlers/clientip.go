package handlers

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientIP is the address the sign-in throttle and the logs know a client
// by: the TCP peer, unless the peer is a trusted proxy, in which case the
// forwarding headers are walked from the right (the entry the nearest
// proxy appended) past every trusted proxy to the first address that is
// not one. Nothing else reads X-Forwarded-For or Forwarded: from an
// untrusted peer they are the client's own words.
func (s *Server) clientIP(r *http.Request) string {
	return clientAddr(r, s.d.TrustedProxies)
}

func clientAddr(r *http.Request, trusted []netip.Prefix) string {
	peer := parseAddr(r.RemoteAddr)
	if !peer.IsValid() {
		return r.RemoteAddr
	}
	if !isTrusted(peer, trusted) {
		return peer.String()
	}
	hops := forwardedFor(r.Header)
	for i := len(hops) - 1; i >= 0; i-- {
		a := parseAddr(hops[i])
		if !a.IsValid() {
			// A hop a proxy could not parse: stop at the last address we
			// can stand behind.
			break
		}
		if !isTrusted(a, trusted) {
			return a.String()
		}
		peer = a
	}
	return peer.String()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedFor lists the hops of the Forwarded header's for= parameters
// (RFC 7239) when present, else of X-Forwarded-For, in order.
func forwardedFor(h http.Header) []string {
	var hops []string
	if vs := h.Values("Forwarded"); len(vs) > 0 {
		for _, v := range vs {
			for elem := range strings.SplitSeq(v, ",") {
				for pair := range strings.SplitSeq(elem, ";") {
					k, val, ok := strings.Cut(strings.TrimSpace(pair), "=")
					if ok && strings.EqualFold(k, "for") {
						hops = append(hops, strings.Trim(val, `"`))
					}
				}
			}
		}
		return hops
	}
	for _, v := range h.Values("X-Forwarded-For") {
		for hop := range strings.SplitSeq(v, ",") {
			hops = append(hops, strings.TrimSpace(hop))
		}
	}
	return hops
}

// parseAddr reads "1.2.3.4", "1.2.3.4:5", "[::1]:5", "[::1]" or "::1",
// unmapping IPv4-in-IPv6; anything else (a name, "unknown", an obfuscated
// Forwarded id) is invalid.
func parseAddr(s string) netip.Addr {
	s = strings.TrimSpace(s)
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap().WithZone("")
}
