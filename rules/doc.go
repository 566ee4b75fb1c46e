// Package rules holds the commerce rules of Partner Center and of the
// portal as plain functions with table tests: changing a subscription (the
// new-commerce seat tranches and their 7-day windows, quantity limits,
// status changes, optimistic-concurrency versions), the subscription
// calendar (renewal, the post-term path and its dates, countdowns in words),
// the next term and scheduled changes, upgrades (transitions) and their
// eligibility errors in plain words, entitlement, cart lines, the phases of
// an order with add-ons and its state, and how add-ons nest under their
// bases. The portal checks them before queueing a change so staff get a
// clear answer at once; Partner Center still has the last word and its
// refusals are shown as they come. Nothing here does I/O.
package rules
