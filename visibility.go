package concernmap

import (
	"context"

	"github.com/google/uuid"
)

// Visibility is how much of a concern a viewer may see.
type Visibility int8

// The visibilities, from least to most.
const (
	SeeNothing    Visibility = iota
	SeeAggregate             // counted in area aggregates only, small counts suppressed
	SeeNoReporter            // the concern, exact, without who reported it
	SeeFull                  // everything, the reporter included
)

// Viewer is who is looking: a signed-in user or an anonymous visitor.
type Viewer struct {
	User *User // nil for an anonymous visitor
	// PublicMap lets anonymous visitors see area aggregates.
	PublicMap bool
	// K is the threshold under which an aggregate that holds concerns
	// this viewer may not see exactly is shown as "<K".
	K int
	// scope holds every pcode the user's scope covers, townships widened
	// to their tracts.
	scope     map[string]bool
	sensitive map[string]bool // category key → sensitive
}

// Visibility is the one rule every read path applies: lists, searches,
// single concerns, statistics, hotspots, and later tiles and exports.
// Sensitive categories are exact points only to CSWG members and
// coordinators whose scope covers them, to their reporter and to admins;
// the reporter's identity goes only to admins, to the reporter, and to the
// coordinators whose scope covers the concern.
func (v *Viewer) Visibility(category, area string, reporter uuid.UUID) Visibility {
	u := v.User
	if u == nil || u.Disabled {
		if u == nil && v.PublicMap {
			return SeeAggregate
		}
		return SeeNothing
	}
	if u.Role == RoleAdmin || reporter != uuid.Nil && reporter == u.ID {
		return SeeFull
	}
	sensitive, inScope := v.sensitive[category], v.scope[area]
	switch u.Role {
	case RoleCoordinator:
		switch {
		case inScope:
			return SeeFull
		case sensitive:
			return SeeAggregate
		}
		return SeeNoReporter
	case RoleMember:
		if sensitive && !inScope {
			return SeeAggregate
		}
		return SeeNoReporter
	case RoleAuthority:
		if inScope && !sensitive {
			return SeeNoReporter
		}
		return SeeAggregate
	case RoleAdvocate:
		if sensitive {
			return SeeAggregate
		}
		return SeeNoReporter
	}
	return SeeNothing
}

// Sensitive reports whether the category is sensitive.
func (v *Viewer) Sensitive(category string) bool { return v.sensitive[category] }

// InScope reports whether the user's scope covers the area with pcode.
func (v *Viewer) InScope(pcode string) bool { return v.scope[pcode] }

// Anonymous reports whether no one is signed in.
func (v *Viewer) Anonymous() bool { return v.User == nil }

type viewerKey struct{}

// WithViewer returns ctx carrying v.
func WithViewer(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// ViewerFrom returns the viewer in ctx, or nil: the system itself (the
// command line, seeding), which sees everything. The API always sets one.
func ViewerFrom(ctx context.Context) *Viewer {
	v, _ := ctx.Value(viewerKey{}).(*Viewer)
	return v
}
