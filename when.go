package concernmap

import (
	"fmt"
	"strings"
)

// WhenKind says when a place or thing is dangerous.
type WhenKind string

// The kinds of danger time. A window is a daily time span such as 18:00-06:00.
const (
	WhenAlways      WhenKind = "always"
	WhenDay         WhenKind = "day"
	WhenNight       WhenKind = "night"
	WhenDrySeason   WhenKind = "dry_season"
	WhenRainySeason WhenKind = "rainy_season"
	WhenWindow      WhenKind = "window"
)

// WhenKinds lists the kinds in the order the index stores them.
var WhenKinds = []WhenKind{WhenAlways, WhenDay, WhenNight, WhenDrySeason, WhenRainySeason, WhenWindow}

// When is when a concern is dangerous. From and To are minutes after
// midnight, local time, and are set only for a window; a window may wrap
// midnight (From > To), as night-time sap routes do.
type When struct {
	Kind WhenKind
	From int
	To   int
}

// Validate checks w; field names the JSON field for the error.
func (w When) Validate(field string) error {
	var fe fieldErrors
	switch w.Kind {
	case WhenWindow:
		if w.From < 0 || w.From >= 24*60 {
			fe.add(field+".from", "must be a time HH:MM")
		}
		if w.To < 0 || w.To >= 24*60 {
			fe.add(field+".to", "must be a time HH:MM")
		}
		if w.From == w.To {
			fe.add(field+".to", "must differ from from; use kind always for all day")
		}
	case WhenAlways, WhenDay, WhenNight, WhenDrySeason, WhenRainySeason:
		if w.From != 0 || w.To != 0 {
			fe.add(field+".from", "is only allowed with kind window")
		}
	default:
		fe.add(field+".kind", "must be one of always, day, night, dry_season, rainy_season, window")
	}
	return fe.err(field)
}

// Ordinal returns the position of the kind in WhenKinds, or -1.
func (k WhenKind) Ordinal() int {
	for i, v := range WhenKinds {
		if v == k {
			return i
		}
	}
	return -1
}

// FormatClock formats minutes after midnight as HH:MM.
func FormatClock(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

// ParseClock parses HH:MM into minutes after midnight.
func ParseClock(s string) (int, error) {
	var h, m int
	if len(s) != 5 || s[2] != ':' || strings.ContainsAny(s, "+- ") {
		return 0, fmt.Errorf("want HH:MM, got %q", s)
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil || h > 23 || m > 59 {
		return 0, fmt.Errorf("want HH:MM, got %q", s)
	}
	return h*60 + m, nil
}
