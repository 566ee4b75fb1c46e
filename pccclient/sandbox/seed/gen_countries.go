//go:build ignore

package main

import (
	"encoding/json"
	"os"
	"sort"
)

// isoCodes is Debian's iso-codes table of ISO 3166-1 (package iso-codes).
// Partner Center's "supported languages and locales" table lists the
// same countries and regions, so the sandbox takes its codes from it.
const isoCodes = "/usr/share/iso-codes/json/iso_3166-1.json"

type country struct {
	ISO2 string `json:"iso2"`
	ISO3 string `json:"iso3"`
}

// countries reads ISO 3166-1 and returns the codes sorted by ISO2.
func countries() []country {
	b, err := os.ReadFile(isoCodes)
	if err != nil {
		panic("gen needs Debian's iso-codes package (apt-get install iso-codes): " + err.Error())
	}
	var f struct {
		List []struct {
			Alpha2 string `json:"alpha_2"`
			Alpha3 string `json:"alpha_3"`
		} `json:"3166-1"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		panic(err)
	}
	var out []country
	for _, c := range f.List {
		out = append(out, country{ISO2: c.Alpha2, ISO3: c.Alpha3})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ISO2 < out[j].ISO2 })
	return out
}
