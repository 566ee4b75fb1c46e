package i18n

import (
	"fmt"
	"time"
)

// Month is t's month and year as a person reads it in l: "April 2026",
// "2026年4月".
func Month(l Lang, t time.Time) string {
	if l == SimplifiedChinese {
		return fmt.Sprintf("%d年%d月", t.Year(), int(t.Month()))
	}
	return t.Format("January 2006")
}

// ShortMonth is Month for a chart's axis: "Apr 26", "26年4月".
func ShortMonth(l Lang, t time.Time) string {
	if l == SimplifiedChinese {
		return fmt.Sprintf("%02d年%d月", t.Year()%100, int(t.Month()))
	}
	return t.Format("Jan 06")
}

// Day is a date in l: "2 Apr 2026", "2026年4月2日".
func Day(l Lang, t time.Time) string {
	if l == SimplifiedChinese {
		return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
	}
	return t.Format("2 Jan 2006")
}
