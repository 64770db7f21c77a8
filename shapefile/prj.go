package shapefile

import (
	"strings"
)

// IsWGS84 reports whether a .prj names geographic WGS 84 longitude and
// latitude: a GEOGCS (or WKT2 GEOGCRS) called "GCS_WGS_1984" or "WGS 84"
// that no PROJCS wraps. known is false when there is no .prj or it is not
// WKT that names a coordinate system, so that the caller can tell "not
// WGS 84" from "cannot say".
func IsWGS84(prj string) (wgs84, known bool) {
	s := strings.TrimSpace(strings.TrimPrefix(prj, "\uFEFF"))
	kw, rest := wktKeyword(s)
	switch kw {
	case "PROJCS", "PROJCRS", "PROJECTEDCRS":
		return false, true
	case "GEOGCS", "GEOGCRS", "GEODCRS", "GEOGRAPHICCRS":
		name, ok := wktName(rest)
		if !ok {
			return false, false
		}
		// Compare "GCS_WGS_1984", "WGS 84" and their kin alike.
		n := strings.NewReplacer(" ", "", "_", "", "-", "").Replace(strings.ToUpper(name))
		n = strings.TrimPrefix(n, "GCS")
		return n == "WGS84" || n == "WGS1984", true
	}
	// A compound system may still hold a projection.
	if strings.Contains(strings.ToUpper(s), "PROJCS[") {
		return false, true
	}
	return false, false
}

// wktKeyword splits WKT into its upper-cased leading keyword and the text
// after the bracket that opens its contents.
func wktKeyword(s string) (kw, rest string) {
	i := strings.IndexAny(s, "[(")
	if i < 0 {
		return "", ""
	}
	return strings.ToUpper(strings.TrimSpace(s[:i])), s[i+1:]
}

// wktName returns the quoted name that opens a WKT node's contents.
func wktName(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, `"`) {
		return "", false
	}
	end := strings.IndexByte(s[1:], '"')
	if end < 0 {
		return "", false
	}
	return s[1 : 1+end], true
}
