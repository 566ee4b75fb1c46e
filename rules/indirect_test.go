package rules_test

import (
	"errors"
	"testing"

	"github.com/cspportal/portal/rules"
)

func TestCheckPartnerOnRecord(t *testing.T) {
	t.Parallel()
	yes, no := true, false
	firstUp := &rules.ResellerOfRecord{TenantID: "484e548c-f5f3-4528-93a9-c16c6373cb59", Known: true, Name: "First Up", MpnID: "4847383", MPASigned: &yes}
	unchecked := *firstUp
	unchecked.MPASigned = nil
	noMPA := *firstUp
	noMPA.MPASigned = &no
	gone := *firstUp
	gone.Known = false
	noMpn := *firstUp
	noMpn.MpnID = ""
	for _, tc := range []struct {
		name     string
		r        *rules.ResellerOfRecord
		por      []string
		want     error
		wantLine int
	}{
		{"own customer, no partner of record", nil, []string{"", ""}, nil, 0},
		{"own customer, a partner of record", nil, []string{"", "4847383"}, rules.ErrWrongPartnerOnRecord, 1},
		{"reseller's customer, every line", firstUp, []string{"4847383", "4847383"}, nil, 0},
		{"MPA not checked yet", &unchecked, []string{"4847383"}, nil, 0},
		{"a line without it", firstUp, []string{"4847383", ""}, rules.ErrNoPartnerOnRecord, 1},
		{"another reseller", firstUp, []string{"4847433"}, rules.ErrWrongPartnerOnRecord, 0},
		{"reseller without MPA", &noMPA, []string{"4847383"}, rules.ErrResellerMPA, -1},
		{"reseller gone", &gone, []string{"4847383"}, rules.ErrResellerUnknown, -1},
		{"reseller without partner id", &noMpn, []string{""}, rules.ErrResellerUnknown, -1},
		{"no lines", firstUp, nil, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := rules.CheckPartnerOnRecord(tc.r, tc.por)
			if !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			var pe *rules.PartnerOnRecordError
			if tc.want != nil && (!errors.As(err, &pe) || pe.Line != tc.wantLine || pe.Msg == "") {
				t.Fatalf("err = %#v, want line %d with a message", err, tc.wantLine)
			}
		})
	}
}
