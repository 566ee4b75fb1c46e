package handlers

import (
	"context"

	"github.com/cspportal/portal/rules"
)

// missing returns those of caps the connected cloud does not offer, for
// templates.Page.Unavailable (the layout explains each one).
func (s *Server) missing(ctx context.Context, caps ...rules.Capability) []string {
	c, _ := rules.ParseCloud(s.instance(ctx).Cloud)
	p := rules.ProfileOf(c)
	var out []string
	for _, c := range caps {
		if !p.Has(c) {
			out = append(out, string(c))
		}
	}
	return out
}
