package concernmap

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/concernmap/concernmap/geo"
)

// TimeFormat is how the API writes times: RFC 3339 in UTC with the
// microsecond precision that both stores keep.
const TimeFormat = "2006-01-02T15:04:05.999999Z07:00"

// AppendFeature appends c as an RFC 7946 GeoJSON Feature. The reporter is
// written only when withReporter is set, so that a caller who may not see
// it cannot leak it by accident. It is hand-written, not reflective,
// because the index encodes every concern once at load and lists copy the
// bytes as they are.
func (c *Concern) AppendFeature(b []byte, withReporter bool) []byte {
	b = append(b, `{"type":"Feature","id":"`...)
	b = appendUUID(b, c.ID)
	b = append(b, `","geometry":`...)
	b = geo.AppendGeoJSON(b, c.Geometry)
	b = append(b, `,"properties":{"category":`...)
	b = AppendJSONString(b, c.Category)
	b = append(b, `,"title":`...)
	b = AppendJSONString(b, c.Title)
	b = append(b, `,"description":`...)
	b = AppendJSONString(b, c.Description)
	b = append(b, `,"severity":`...)
	b = strconv.AppendInt(b, int64(c.Severity), 10)
	b = append(b, `,"status":"`...)
	b = append(b, c.Status...)
	b = append(b, `","affected":[`...)
	for i, n := range c.Affected.Names() {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, n...)
		b = append(b, '"')
	}
	b = append(b, `],"when_dangerous":{"kind":"`...)
	b = append(b, c.WhenDangerous.Kind...)
	b = append(b, '"')
	if c.WhenDangerous.Kind == WhenWindow {
		b = append(b, `,"from":"`...)
		b = append(b, FormatClock(c.WhenDangerous.From)...)
		b = append(b, `","to":"`...)
		b = append(b, FormatClock(c.WhenDangerous.To)...)
		b = append(b, '"')
	}
	b = append(b, `},"observed_at":`...)
	b = appendTime(b, c.ObservedAt)
	b = append(b, `,"reported_at":`...)
	b = appendTime(b, c.ReportedAt)
	b = append(b, `,"updated_at":`...)
	b = appendTime(b, c.UpdatedAt)
	b = append(b, `,"area":`...)
	if c.Area == "" {
		b = append(b, "null"...)
	} else {
		b = AppendJSONString(b, c.Area)
	}
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, int64(c.Version), 10)
	if withReporter {
		b = append(b, `,"reporter":`...)
		if c.Reporter == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, '"')
			b = appendUUID(b, *c.Reporter)
			b = append(b, '"')
		}
	}
	return append(b, "}}"...)
}

func appendUUID(b []byte, id [16]byte) []byte {
	const hexdigits = "0123456789abcdef"
	for i, x := range id {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hexdigits[x>>4], hexdigits[x&0xf])
	}
	return b
}

func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	// RFC3339Nano on a time cut to microseconds writes the same bytes as
	// TimeFormat, and its fast path is nearly three times quicker.
	b = t.UTC().Truncate(time.Microsecond).AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// AppendJSONString appends s as a JSON string. Like encoding/json it escapes
// <, > and & so that free text is inert even if a page mistakes JSON for
// HTML, and it replaces invalid UTF-8 with U+FFFD.
func AppendJSONString(b []byte, s string) []byte {
	const hexdigits = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexdigits[c>>4], hexdigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		// U+2028 and U+2029 end lines in JavaScript source.
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexdigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
