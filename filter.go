package concernmap

import (
	"time"

	"github.com/google/uuid"
	"github.com/paulmach/orb"

	"github.com/concernmap/concernmap/geo"
)

// Bounds on a query.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
	MaxRadius    = 100_000 // metres
)

// ConcernFilter selects concerns by place and attributes. At most one of
// BBox, Near and Intersects is set; none means everywhere.
type ConcernFilter struct {
	BBox       *orb.Bound
	Near       *orb.Point
	Radius     float64 // metres, geodesic on WGS84; with Near
	Intersects orb.Geometry

	Categories  []string
	Statuses    []Status
	MinSeverity int       // 0: no bound
	MaxSeverity int       // 0: no bound
	From, To    time.Time // observed_at range, inclusive; zero: open
	Affected    Affected  // any of these groups; 0: no filter
	// Area is a pcode at any level; the service widens it into AreaIn, the
	// area and every area below it, which the index matches.
	Area   string
	AreaIn []string

	// Viewer, if set, hides what it may not see: lists keep concerns it
	// sees at least without the reporter, statistics those it sees at
	// least as a number. The service sets it from the request.
	Viewer *Viewer

	// Limit is the page size. After is the last ID of the previous page;
	// pages are in ID order so that a cursor stays valid under writes.
	Limit int
	After uuid.UUID
}

// Validate checks the filter's bounds; field names are the query
// parameters of GET /api/v1/concerns.
func (f *ConcernFilter) Validate() error {
	var fe fieldErrors
	spatial := 0
	if f.BBox != nil {
		spatial++
	}
	if f.Near != nil {
		spatial++
		if !(f.Radius > 0 && f.Radius <= MaxRadius) {
			fe.add("radius", "must be more than 0 and at most %d metres", MaxRadius)
		}
	} else if f.Radius != 0 {
		fe.add("radius", "needs near")
	}
	if f.Intersects != nil {
		spatial++
		if err := geo.Validate(f.Intersects, MaxVertices); err != nil {
			fe.add(geometryField(err), "%s", geoMessage(err))
		}
	}
	if spatial > 1 {
		fe.add("bbox", "use only one of bbox, near and a search geometry")
	}
	for _, s := range f.Statuses {
		if !s.Valid() {
			fe.add("status", "unknown status %q", s)
		}
	}
	for _, c := range f.Categories {
		if !categoryKeyRE.MatchString(c) {
			fe.add("category", "malformed category key %q", c)
		}
	}
	if f.MinSeverity != 0 && (f.MinSeverity < MinSeverity || f.MinSeverity > MaxSeverity) {
		fe.add("min_severity", "must be between %d and %d", MinSeverity, MaxSeverity)
	}
	if f.MaxSeverity != 0 && (f.MaxSeverity < MinSeverity || f.MaxSeverity > MaxSeverity) {
		fe.add("max_severity", "must be between %d and %d", MinSeverity, MaxSeverity)
	}
	if f.MinSeverity != 0 && f.MaxSeverity != 0 && f.MinSeverity > f.MaxSeverity {
		fe.add("min_severity", "must not exceed max_severity")
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.From.After(f.To) {
		fe.add("from", "must not be after to")
	}
	if !f.Affected.Valid() {
		fe.add("affected", "holds an unknown group")
	}
	if f.Area != "" && !pcodeRE.MatchString(f.Area) {
		fe.add("area", "must be a pcode")
	}
	if f.Limit < 1 || f.Limit > MaxLimit {
		fe.add("limit", "must be between 1 and %d", MaxLimit)
	}
	return fe.err("query")
}

// Match reports whether c passes the attribute filters (not the spatial
// ones, which the index answers).
func (f *ConcernFilter) Match(c *Concern) bool {
	if c.Deleted() {
		return false
	}
	if len(f.Categories) > 0 && indexOf(f.Categories, c.Category) < 0 {
		return false
	}
	if len(f.Statuses) > 0 {
		ok := false
		for _, s := range f.Statuses {
			ok = ok || s == c.Status
		}
		if !ok {
			return false
		}
	}
	if f.MinSeverity != 0 && c.Severity < f.MinSeverity || f.MaxSeverity != 0 && c.Severity > f.MaxSeverity {
		return false
	}
	if !f.From.IsZero() && c.ObservedAt.Before(f.From) || !f.To.IsZero() && c.ObservedAt.After(f.To) {
		return false
	}
	if f.AreaIn != nil && indexOf(f.AreaIn, c.Area) < 0 {
		return false
	}
	return f.Affected == 0 || c.Affected&f.Affected != 0
}
