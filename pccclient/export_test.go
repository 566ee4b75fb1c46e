package pccclient

import "golang.org/x/time/rate"

// ScopeRate is the rate of the budget a call of op (method, path) draws
// on now, or rate.Inf without one: tests watch a 429 slow its scope only.
func ScopeRate(c *Client, op, method, path string) rate.Limit {
	b := c.budgets.bucketFor(&call{op: op, method: method, path: path, class: ClassRead}, c.cfg.Clock.Now())
	if b == nil {
		return rate.Inf
	}
	r, _ := b.state()
	return r
}
