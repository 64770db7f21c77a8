package concernmap

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/paulmach/orb"

	"github.com/concernmap/concernmap/geo"
)

// Bounds on a concern's fields.
const (
	MaxVertices       = 10000
	MaxTitleLen       = 200  // bytes; about 70 Burmese characters
	MaxDescriptionLen = 8000 // bytes
	MinSeverity       = 1
	MaxSeverity       = 5
)

// Concern is one thing that makes a community unsafe, placed on the map.
type Concern struct {
	// ID is chosen by the client, so an offline phone can retry a report
	// without making a duplicate.
	ID            uuid.UUID
	Category      string
	Geometry      orb.Geometry // WGS84 lon/lat
	Title         string
	Description   string
	Severity      int
	Status        Status
	Affected      Affected
	WhenDangerous When
	ObservedAt    time.Time
	ReportedAt    time.Time
	UpdatedAt     time.Time
	// Reporter is the user who reported it; nil for an anonymous report,
	// which never stores who made it.
	Reporter *uuid.UUID
	// Area is the pcode of the village tract that holds the concern; empty
	// until areas are imported.
	Area    string
	Version int
	// DeletedAt is set by a soft delete; the row is kept for audit.
	DeletedAt time.Time
	// ReporterHidden says Reporter was removed for a viewer who may not
	// know who reported; the API then leaves the field out.
	ReporterHidden bool
	// Anonymous, on a new report, asks that who made it is not stored.
	Anonymous bool
}

// Deleted reports whether the concern was soft-deleted.
func (c *Concern) Deleted() bool { return !c.DeletedAt.IsZero() }

// StoreTime returns t as stores keep it: truncated to the microsecond, in
// UTC. The zero time stays zero, whatever its zone.
func StoreTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.Truncate(time.Microsecond).UTC()
}

// Normalized returns a copy of c as stores keep it: its times by StoreTime,
// and a geometry and reporter of its own.
func (c *Concern) Normalized() *Concern {
	n := *c
	n.ObservedAt = StoreTime(c.ObservedAt)
	n.ReportedAt = StoreTime(c.ReportedAt)
	n.UpdatedAt = StoreTime(c.UpdatedAt)
	n.DeletedAt = StoreTime(c.DeletedAt)
	n.Geometry = orb.Clone(c.Geometry)
	if c.Reporter != nil {
		r := *c.Reporter
		n.Reporter = &r
	}
	return &n
}

// Validate checks every field but the category's existence, which needs a
// store. Field names follow the GeoJSON Feature the API takes.
func (c *Concern) Validate() error {
	var fe fieldErrors
	if c.ID == uuid.Nil {
		fe.add("id", "must be a non-nil UUID")
	}
	if !categoryKeyRE.MatchString(c.Category) {
		fe.add("properties.category", "must be a category key")
	}
	if c.Geometry == nil {
		fe.add("geometry", "is required")
	} else if err := geo.Validate(c.Geometry, MaxVertices); err != nil {
		fe.add(geometryField(err), "%s", geoMessage(err))
	}
	validateText(&fe, "properties.title", c.Title, 1, MaxTitleLen)
	validateText(&fe, "properties.description", c.Description, 0, MaxDescriptionLen)
	if c.Severity < MinSeverity || c.Severity > MaxSeverity {
		fe.add("properties.severity", "must be between %d and %d", MinSeverity, MaxSeverity)
	}
	if !c.Status.Valid() {
		fe.add("properties.status", "unknown status %q", c.Status)
	}
	if !c.Affected.Valid() {
		fe.add("properties.affected", "holds an unknown group")
	}
	if err := c.WhenDangerous.Validate("properties.when_dangerous"); err != nil {
		fe = append(fe, ErrorFields(err)...)
	}
	if c.ObservedAt.IsZero() {
		fe.add("properties.observed_at", "is required")
	} else if !c.ReportedAt.IsZero() && c.ObservedAt.After(c.ReportedAt.Add(clockSkew)) {
		fe.add("properties.observed_at", "must not be after reported_at")
	}
	if c.ReportedAt.IsZero() {
		fe.add("properties.reported_at", "is required")
	}
	return fe.err("concern")
}

// clockSkew is how far ahead of the server a phone's clock may run.
const clockSkew = 10 * time.Minute

func validateText(fe *fieldErrors, field, s string, min, max int) {
	switch {
	case !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0:
		// PostgreSQL text takes no NUL; every store refuses the same input.
		fe.add(field, "must be valid UTF-8 without NUL")
	case len(s) < min:
		fe.add(field, "is required")
	case len(s) > max:
		fe.add(field, "must be at most %d bytes", max)
	}
}

func geometryField(err error) string {
	var ge *geo.Error
	if errors.As(err, &ge) && ge.Path != "" {
		return "geometry." + ge.Path
	}
	return "geometry"
}

func geoMessage(err error) string {
	var ge *geo.Error
	if errors.As(err, &ge) {
		return ge.Message
	}
	return err.Error()
}

// ConcernUpdate holds the fields a PATCH may change; nil means unchanged.
type ConcernUpdate struct {
	Category      *string
	Geometry      orb.Geometry
	Title         *string
	Description   *string
	Severity      *int
	Affected      *Affected
	WhenDangerous *When
	ObservedAt    *time.Time
	// Area is set by the service, never by a client: it follows Geometry.
	Area *string
}

// Apply copies the set fields of u onto c. The caller validates after.
func (u ConcernUpdate) Apply(c *Concern) {
	if u.Category != nil {
		c.Category = *u.Category
	}
	if u.Geometry != nil {
		c.Geometry = u.Geometry
	}
	if u.Title != nil {
		c.Title = *u.Title
	}
	if u.Description != nil {
		c.Description = *u.Description
	}
	if u.Severity != nil {
		c.Severity = *u.Severity
	}
	if u.Affected != nil {
		c.Affected = *u.Affected
	}
	if u.WhenDangerous != nil {
		c.WhenDangerous = *u.WhenDangerous
	}
	if u.ObservedAt != nil {
		c.ObservedAt = *u.ObservedAt
	}
	if u.Area != nil {
		c.Area = *u.Area
	}
}

// Empty reports whether u changes nothing.
func (u ConcernUpdate) Empty() bool { return u == (ConcernUpdate{}) }

// ConcernStore is the system of record for concerns. Every write is one
// transaction, and a write that fails leaves nothing behind. Stores keep
// times to the microsecond and return them in UTC. Update and delete report
// ENOTFOUND, then EGONE, then EPRECONDITION, in that order. storetest holds
// the contract suite that every store passes.
type ConcernStore interface {
	CategoryStore

	// CreateConcern inserts c. If a concern with c.ID exists, it returns that
	// concern and created=false, and writes nothing.
	CreateConcern(ctx context.Context, c *Concern) (got *Concern, created bool, err error)
	// CreateConcerns inserts many concerns in one transaction, for seeding
	// and imports: each must already be valid, and one with an existing ID
	// is left as it is. It returns how many were new. On any error nothing
	// is written.
	CreateConcerns(ctx context.Context, cs []*Concern) (created int, err error)
	// FindConcernByID returns the concern, deleted or not; ENOTFOUND if none.
	FindConcernByID(ctx context.Context, id uuid.UUID) (*Concern, error)
	// UpdateConcern applies upd in one transaction. If ifVersion is not 0 and
	// differs from the stored version, it fails with EPRECONDITION. It
	// validates the result, bumps Version and sets UpdatedAt to now.
	UpdateConcern(ctx context.Context, id uuid.UUID, upd ConcernUpdate, ifVersion int, now time.Time) (*Concern, error)
	// DeleteConcern soft-deletes: it sets DeletedAt and bumps Version, under
	// the same ifVersion rule as UpdateConcern.
	DeleteConcern(ctx context.Context, id uuid.UUID, ifVersion int, now time.Time) (*Concern, error)
	// ScanConcerns calls fn for every concern that is not deleted, in no
	// particular order, and stops at fn's first error.
	ScanConcerns(ctx context.Context, fn func(*Concern) error) error
	// Secret returns a random key made once per store, shared by every
	// instance on it; it signs cursors.
	Secret(ctx context.Context) ([]byte, error)
	// Ping checks that the store answers.
	Ping(ctx context.Context) error
	Close() error
}
