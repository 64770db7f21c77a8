package concernmap

import (
	"fmt"
	"time"
)

// Date is a calendar day, "2026-12-01": due dates and review dates are days
// in a village's life, not instants. Dates in this form sort as strings.
type Date string

const dateLayout = "2006-01-02"

// Validate checks that d is a real day in the form YYYY-MM-DD, between the
// years 2000 and 2200; field names d in the error.
func (d Date) Validate(field string) error {
	t, err := time.Parse(dateLayout, string(d))
	if err != nil || t.Format(dateLayout) != string(d) {
		return Invalid(field, "must be a date YYYY-MM-DD")
	}
	if t.Year() < 2000 || t.Year() > 2200 {
		return Invalid(field, "must be between 2000 and 2200")
	}
	return nil
}

// DateOf returns the day t falls on in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	return Date(t.In(loc).Format(dateLayout))
}

// DefaultZone is where days begin and end unless a deployment says
// otherwise: Myanmar Time, UTC+06:30, fixed so that no zone database is
// needed.
var DefaultZone = time.FixedZone("MMT", 6*3600+30*60)

func fieldIndex(field string, i int) string { return fmt.Sprintf("%s[%d]", field, i) }
