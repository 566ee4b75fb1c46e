package store

import "time"

// CustomerSearchSharers returns how many requests wait to share the queued
// search for f (0 if none is queued).
func CustomerSearchSharers(s *Store, f CustomerFilter) int {
	key := searchKey{st: s, f: f}
	key.f.Now = time.Time{}
	customerFlights.Lock()
	defer customerFlights.Unlock()
	if fl := customerFlights.m[key]; fl != nil {
		return fl.sharers
	}
	return 0
}
