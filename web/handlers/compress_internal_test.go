package handlers

import "testing"

func TestChooseEncoding(t *testing.T) {
	for _, tc := range []struct {
		header []string
		want   string
	}{
		{nil, ""},
		{[]string{""}, ""},
		{[]string{"gzip, deflate, br, zstd"}, "zstd"}, // Chrome
		{[]string{"gzip, deflate, br"}, "gzip"},       // Safari
		{[]string{"deflate"}, "deflate"},
		{[]string{"br"}, ""},
		{[]string{"identity"}, ""},
		{[]string{"gzip;q=0"}, ""},
		{[]string{"gzip;q=0, deflate"}, "deflate"},
		{[]string{"zstd;q=0, gzip"}, "gzip"},
		{[]string{"zstd;q=0.5, gzip;q=1.0"}, "gzip"},
		{[]string{"zstd;q=0.5, gzip;q=0.5"}, "zstd"},
		{[]string{"GZIP ; Q=0.8"}, "gzip"},
		{[]string{"*"}, "zstd"},
		{[]string{"*;q=0"}, ""},
		{[]string{"*;q=0, gzip"}, "gzip"},
		{[]string{"zstd;q=0, *"}, "gzip"},
		{[]string{"gzip;q=abc"}, ""},
		{[]string{"gzip;q=2"}, ""},
		{[]string{"deflate", "gzip"}, "gzip"}, // two header lines
		{[]string{",, ;q=1, gzip"}, "gzip"},
	} {
		if got := chooseEncoding(tc.header); got != tc.want {
			t.Errorf("chooseEncoding(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
}
