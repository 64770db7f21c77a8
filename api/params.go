package api

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/geo"
)

// listParams are the query parameters GET /concerns and POST
// /concerns/search take. Anything else is an error, so that a typo such as
// "bbx" fails instead of silently returning everything.
var listParams = []string{"bbox", "near", "radius", "area", "category", "status", "min_severity",
	"max_severity", "from", "to", "affected", "limit", "cursor"}

// query parses the raw query string strictly: Echo's parser drops a
// malformed pair silently, which would turn a mangled cursor into page one.
func query(raw string) (url.Values, error) {
	q, err := url.ParseQuery(raw)
	if err != nil {
		for _, pair := range strings.Split(raw, "&") {
			key, val, _ := strings.Cut(pair, "=")
			if _, kerr := url.QueryUnescape(key); kerr != nil {
				return nil, concernmap.Invalid("query", "malformed query string")
			} else if _, verr := url.QueryUnescape(val); verr != nil {
				k, _ := url.QueryUnescape(key)
				return nil, concernmap.Invalid(k, "malformed value in the query string")
			}
		}
		return nil, concernmap.Invalid("query", "malformed query string")
	}
	return q, nil
}

// strictQuery parses the query string and refuses parameters not in
// allowed or given twice.
func strictQuery(c echo.Context, allowed []string) (url.Values, error) {
	q, err := query(c.Request().URL.RawQuery)
	if err != nil {
		return nil, err
	}
	for k := range q {
		if !contains(allowed, k) {
			return nil, concernmap.Invalid(k, "unknown query parameter; allowed: %s", strings.Join(allowed, ", "))
		}
		if len(q[k]) > 1 && k != "category" && k != "status" && k != "affected" {
			return nil, concernmap.Invalid(k, "must be given once")
		}
	}
	return q, nil
}

// parseFilter reads a ConcernFilter and cursor from the query string.
func parseFilter(raw string, allowed []string) (concernmap.ConcernFilter, string, error) {
	f := concernmap.ConcernFilter{Limit: concernmap.DefaultLimit}
	q, err := query(raw)
	if err != nil {
		return f, "", err
	}
	for k := range q {
		if !contains(allowed, k) {
			return f, "", concernmap.Invalid(k, "unknown query parameter; allowed: %s", strings.Join(allowed, ", "))
		}
		if len(q[k]) > 1 && k != "category" && k != "status" && k != "affected" {
			return f, "", concernmap.Invalid(k, "must be given once")
		}
	}
	if s := q.Get("bbox"); s != "" {
		b, err := geo.ParseBBox(s)
		if err != nil {
			return f, "", concernmap.Invalid("bbox", "%s", geoMessage(err))
		}
		f.BBox = &b
	}
	if s := q.Get("near"); s != "" {
		p, err := geo.ParsePoint(s)
		if err != nil {
			return f, "", concernmap.Invalid("near", "%s", geoMessage(err))
		}
		f.Near = &p
	}
	if s := q.Get("radius"); s != "" {
		if f.Radius, err = strconv.ParseFloat(s, 64); err != nil {
			return f, "", concernmap.Invalid("radius", "must be a number of metres")
		}
	} else if f.Near != nil {
		return f, "", concernmap.Invalid("radius", "is required with near")
	}
	f.Area = q.Get("area")
	f.Categories = list(q["category"])
	for _, s := range list(q["status"]) {
		f.Statuses = append(f.Statuses, concernmap.Status(s))
	}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"min_severity", &f.MinSeverity}, {"max_severity", &f.MaxSeverity}, {"limit", &f.Limit}} {
		if s := q.Get(p.name); s != "" {
			if *p.dst, err = strconv.Atoi(s); err != nil {
				return f, "", concernmap.Invalid(p.name, "must be a whole number")
			}
		}
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if s := q.Get(p.name); s != "" {
			if *p.dst, err = parseTimeParam(s, p.name == "to"); err != nil {
				return f, "", concernmap.Invalid(p.name, "must be a date (2026-03-01) or an RFC 3339 time")
			}
		}
	}
	if names := list(q["affected"]); len(names) > 0 {
		if f.Affected, err = concernmap.ParseAffected(names); err != nil {
			return f, "", concernmap.Invalid("affected", "%v", err)
		}
	}
	return f, q.Get("cursor"), nil
}

// list splits comma-separated and repeated values.
func list(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// parseTimeParam takes a date or a time; a date as the end of a range
// means the whole of that day.
func parseTimeParam(s string, end bool) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			t = t.Add(24*time.Hour - time.Microsecond)
		}
		return t, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

func geoMessage(err error) string {
	var ge *geo.Error
	if errors.As(err, &ge) {
		return ge.Message
	}
	return err.Error()
}
