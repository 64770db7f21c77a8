package concernmap

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// SetZone sets where days begin and end, for due and review dates.
func (s *Service) SetZone(loc *time.Location) { s.zone = loc }

// Today returns today's date in the deployment's zone, against which plans
// are due for review and requests overdue.
func (s *Service) Today() Date { return DateOf(s.now(), s.zone) }

// nowStored returns the clock as stores keep it.
func (s *Service) nowStored() time.Time { return StoreTime(s.now()) }

// signedIn returns the signed-in user of ctx, or EUNAUTHORIZED. The system
// (no viewer) acts as a nil user with every right.
func signedIn(ctx context.Context) (*Viewer, *User, error) {
	v := ViewerFrom(ctx)
	if v == nil {
		return nil, nil, nil
	}
	if v.User == nil || v.User.Disabled {
		return nil, nil, Errorf(EUNAUTHORIZED, "sign in first")
	}
	return v, v.User, nil
}

// actorRole is the role the workflow table is checked against: the system
// acts as an admin.
func actorRole(u *User) Role {
	if u == nil {
		return RoleAdmin
	}
	return u.Role
}

func actorID(u *User) *uuid.UUID {
	if u == nil {
		return nil
	}
	id := u.ID
	return &id
}

// coversArea reports whether the viewer's scope covers the area: admins and
// the system cover everything.
func coversArea(v *Viewer, area string) bool {
	return v == nil || v.User.Role == RoleAdmin || v.InScope(area)
}

// MoveConcern moves a concern to another status, if the workflow table lets
// the viewer's role make that move. Coordinators and authorities move only
// concerns in their scope. The move is recorded with its note.
func (s *Service) MoveConcern(ctx context.Context, id uuid.UUID, to Status, note string, ifVersion int) (*Concern, error) {
	v, u, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	if !to.Valid() {
		return nil, Invalid("status", "unknown status %q", to)
	}
	if err := validateNote("note", note); err != nil {
		return nil, err
	}
	c, err := s.store.FindConcernByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("move concern %s: %w", id, err)
	}
	if v != nil && v.Visibility(c.Category, c.Area, reporterOf(c)) < SeeNoReporter {
		return nil, Errorf(ENOTFOUND, "no concern %s", id)
	}
	if c.Deleted() {
		return nil, Errorf(EGONE, "concern %s was deleted", id)
	}
	m, ok := FindMove(c.Status, to)
	if !ok {
		return nil, Errorf(ECONFLICT, "a concern cannot move from %s to %s", c.Status, to)
	}
	role := actorRole(u)
	if !m.Allows(role) {
		return nil, Errorf(EFORBIDDEN, "a %s may not move a concern from %s to %s", role, c.Status, to)
	}
	if !coversArea(v, c.Area) {
		return nil, Errorf(EFORBIDDEN, "the concern lies outside your area")
	}
	if m.NeedsNote && strings.TrimSpace(note) == "" {
		return nil, Invalid("note", "is required to move a concern to %s", to)
	}
	if ifVersion == 0 {
		ifVersion = c.Version
	}
	moved, err := s.store.WriteWorkflow(ctx, &WorkflowWrite{Now: s.nowStored(), Moves: []*ConcernMove{{
		ConcernID: id, From: c.Status, To: to, Note: note, By: actorID(u), At: s.nowStored(), IfVersion: ifVersion,
	}}})
	if err != nil {
		return nil, fmt.Errorf("move concern %s: %w", id, err)
	}
	s.putAll(moved)
	return s.shown(v, moved[0]), nil
}

// shown returns c as the viewer may see it: without the reporter unless it
// may see them.
func (s *Service) shown(v *Viewer, c *Concern) *Concern {
	if v != nil && v.Visibility(c.Category, c.Area, reporterOf(c)) < SeeFull {
		c = c.Normalized()
		c.Reporter, c.ReporterHidden = nil, true
	}
	return c
}

func (s *Service) putAll(cs []*Concern) {
	for _, c := range cs {
		s.put(c)
	}
}

func reporterOf(c *Concern) uuid.UUID {
	if c.Reporter == nil {
		return uuid.Nil
	}
	return *c.Reporter
}

func validateNote(field, note string) error {
	if !utf8.ValidString(note) || len(note) > MaxNoteLen || strings.IndexByte(note, 0) >= 0 {
		return Invalid(field, "must be at most %d bytes of UTF-8, without NUL", MaxNoteLen)
	}
	return nil
}

// ConcernHistory returns the status moves of a concern the viewer may see.
func (s *Service) ConcernHistory(ctx context.Context, id uuid.UUID) ([]*ConcernMove, error) {
	if _, err := s.FindConcernByID(ctx, id); err != nil {
		return nil, err
	}
	moves, err := s.store.FindConcernMoves(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("concern %s history: %w", id, err)
	}
	return moves, nil
}

// follow returns the moves that a request's answer (or a plan) makes on its
// linked concerns: each live concern at a From status of rules moves to its
// To, if the workflow table lets role make the move. Concerns elsewhere in
// the process stay where they are.
func (s *Service) follow(cs []*Concern, rules []struct{ From, To Status }, role Role, by *uuid.UUID, note string, request, plan *uuid.UUID) []*ConcernMove {
	var moves []*ConcernMove
	now := s.nowStored()
	for _, c := range cs {
		if c.Deleted() {
			continue
		}
		for _, r := range rules {
			if m, ok := FindMove(r.From, r.To); c.Status == r.From && ok && m.Allows(role) {
				moves = append(moves, &ConcernMove{ConcernID: c.ID, From: c.Status, To: r.To, Note: note,
					By: by, At: now, Request: request, Plan: plan, IfVersion: c.Version})
				break
			}
		}
	}
	return moves
}

// linked reads the concerns a request links.
func (s *Service) linked(ctx context.Context, ids []uuid.UUID) ([]*Concern, error) {
	cs := make([]*Concern, 0, len(ids))
	for _, id := range ids {
		c, err := s.store.FindConcernByID(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("linked concern %s: %w", id, err)
		}
		cs = append(cs, c)
	}
	return cs, nil
}

// checkLinked checks that every linked concern exists, is live, lies in the
// area and is still open; field names the list. Concerns in old, linked
// before, are not checked again. It returns the concerns it checked, for
// follow.
func (s *Service) checkLinked(ctx context.Context, v *Viewer, field, area string, ids, old []uuid.UUID) ([]*Concern, error) {
	within := map[string]bool{}
	for _, p := range s.areas.Within(area) {
		within[p] = true
	}
	var fe fieldErrors
	var cs []*Concern
	for i, id := range ids {
		if slices.Contains(old, id) {
			continue
		}
		at := fieldIndex(field, i)
		c, err := s.store.FindConcernByID(ctx, id)
		switch {
		case ErrorCode(err) == ENOTFOUND:
			fe.add(at, "no concern %s", id)
			continue
		case err != nil:
			return nil, fmt.Errorf("linked concern %s: %w", id, err)
		case c.Deleted():
			fe.add(at, "concern %s was deleted", id)
		case v != nil && v.Visibility(c.Category, c.Area, reporterOf(c)) < SeeNoReporter:
			fe.add(at, "no concern %s", id)
		case !within[c.Area]:
			fe.add(at, "concern %s lies outside area %s", id, area)
		case c.Status == StatusClosed || c.Status == StatusResolved:
			fe.add(at, "concern %s is %s", id, c.Status)
		}
		cs = append(cs, c)
	}
	if err := fe.err("linked concerns"); err != nil {
		return nil, err
	}
	return cs, nil
}

// FileRequest sends a request for an area and its linked concerns to every
// authority whose jurisdiction holds the area. The linked concerns move to
// requested.
func (s *Service) FileRequest(ctx context.Context, r *Request) (*Request, error) {
	v, u, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	if role := actorRole(u); role != RoleCoordinator && role != RoleAdmin {
		return nil, Errorf(EFORBIDDEN, "a %s may not file requests", role)
	}
	now := s.nowStored()
	if r.ID == uuid.Nil {
		r.ID = uuid.Must(uuid.NewV7())
	}
	r.Status, r.Responses, r.CreatedBy = RequestSent, []Response{}, actorID(u)
	r.CreatedAt, r.UpdatedAt, r.AcknowledgedAt, r.FinishedAt, r.Version = now, now, nil, nil, 0
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if today := s.Today(); r.Due < today {
		return nil, Invalid("due", "must not be before today, %s", today)
	}
	if _, ok := s.areas.Find(r.Area); !ok {
		return nil, Invalid("area", "no area has pcode %q", r.Area)
	}
	if !coversArea(v, r.Area) {
		return nil, Errorf(EFORBIDDEN, "area %s lies outside your scope", r.Area)
	}
	if r.RoutedTo, err = s.route(ctx, r.Area); err != nil {
		return nil, err
	}
	cs, err := s.checkLinked(ctx, v, "concerns", r.Area, r.Concerns, nil)
	if err != nil {
		return nil, err
	}
	moves := s.follow(cs, concernFollows[RequestSent], actorRole(u), actorID(u), "request filed: "+truncate(r.Ask, 200), &r.ID, nil)
	moved, err := s.store.WriteWorkflow(ctx, &WorkflowWrite{Now: now, Moves: moves,
		Request: r, RequestAction: "request.create"})
	if err != nil {
		return nil, fmt.Errorf("file request: %w", err)
	}
	s.putAll(moved)
	return r, nil
}

// route returns the authority users whose scope holds area.
func (s *Service) route(ctx context.Context, area string) ([]uuid.UUID, error) {
	users, err := s.store.FindUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("route request: %w", err)
	}
	var to []uuid.UUID
	for _, u := range users {
		if u.Role != RoleAuthority || u.Disabled {
			continue
		}
		for _, p := range u.Scope {
			if slices.Contains(s.areas.Within(p), area) {
				to = append(to, u.ID)
				break
			}
		}
	}
	if len(to) == 0 {
		return nil, Invalid("area", "no authority's jurisdiction holds area %s; an admin must give an authority user this area first", area)
	}
	return to, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// mayAnswer reports whether the viewer is an authority the request is
// addressed to: routed to them when filed, or in their jurisdiction now.
func mayAnswer(v *Viewer, r *Request) bool {
	if v == nil || v.User.Role == RoleAdmin {
		return true
	}
	return v.User.Role == RoleAuthority && (slices.Contains(r.RoutedTo, v.User.ID) || v.InScope(r.Area))
}

// maySeeRequest reports whether the viewer may read the request: the
// authorities it is addressed to, and the CSWG whose area it covers.
func maySeeRequest(v *Viewer, r *Request) bool {
	if mayAnswer(v, r) {
		return true
	}
	switch v.User.Role {
	case RoleCoordinator, RoleMember:
		return v.InScope(r.Area)
	}
	return false
}

// RespondToRequest records an authority's answer: acknowledged, scheduled
// (for a date), done or declined, each with a message. The linked
// concerns' status follows.
func (s *Service) RespondToRequest(ctx context.Context, id uuid.UUID, to RequestStatus, message string, scheduledFor Date, ifVersion int) (*Request, error) {
	v, u, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	if err := validateNote("message", message); err != nil {
		return nil, err
	}
	r, err := s.store.FindRequest(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("respond to request %s: %w", id, err)
	}
	if v != nil && !maySeeRequest(v, r) {
		return nil, Errorf(ENOTFOUND, "no request %s", id)
	}
	if !mayAnswer(v, r) {
		return nil, Errorf(EFORBIDDEN, "only the authorities a request is addressed to may answer it")
	}
	if ifVersion != 0 && ifVersion != r.Version {
		return nil, Errorf(EPRECONDITION, "request %s is at version %d, not %d", id, r.Version, ifVersion)
	}
	if !to.Valid() || to == RequestSent {
		return nil, Invalid("status", "must be acknowledged, scheduled, done or declined")
	}
	if !r.Status.canMove(to) {
		return nil, Errorf(ECONFLICT, "a %s request cannot become %s", r.Status, to)
	}
	if to == RequestDeclined && strings.TrimSpace(message) == "" {
		return nil, Invalid("message", "is required to decline: say why")
	}
	if to == RequestScheduled {
		if err := scheduledFor.Validate("scheduled_for"); err != nil {
			return nil, err
		}
	} else if scheduledFor != "" {
		return nil, Invalid("scheduled_for", "only a scheduled answer takes a date")
	}
	now := s.nowStored()
	before := r.Version
	r = r.Clone()
	r.Status, r.UpdatedAt = to, now
	r.Responses = append(r.Responses, Response{Status: to, Message: message, ScheduledFor: scheduledFor, By: actorID(u), At: now})
	if r.AcknowledgedAt == nil {
		r.AcknowledgedAt = &now
	}
	if !to.Open() {
		r.FinishedAt = &now
	}
	note := fmt.Sprintf("request %s: %s", to, truncate(message, 200))
	cs, err := s.linked(ctx, r.Concerns)
	if err != nil {
		return nil, err
	}
	moves := s.follow(cs, concernFollows[to], actorRole(u), actorID(u), note, &r.ID, nil)
	moved, err := s.store.WriteWorkflow(ctx, &WorkflowWrite{Now: now, Moves: moves,
		Request: r, RequestVersion: before, RequestAction: "request.respond"})
	if err != nil {
		return nil, fmt.Errorf("respond to request %s: %w", id, err)
	}
	s.putAll(moved)
	return r, nil
}

// FindRequest returns one request the viewer may see.
func (s *Service) FindRequest(ctx context.Context, id uuid.UUID) (*Request, error) {
	v, _, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.store.FindRequest(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("find request %s: %w", id, err)
	}
	if v != nil && !maySeeRequest(v, r) {
		return nil, Errorf(ENOTFOUND, "no request %s", id)
	}
	return r, nil
}

// RequestQuery selects requests.
type RequestQuery struct {
	// Inbox keeps the open requests addressed to the viewer, ordered by due
	// date; otherwise requests come newest first.
	Inbox   bool
	Status  RequestStatus // "" for any
	Area    string        // "" for any; an area covers those below it
	Overdue bool
}

// RequestList is the requests a query found, with how many are overdue.
type RequestList struct {
	Requests []*Request
	Overdue  int
}

// FindRequests returns the requests the viewer may see that match q.
func (s *Service) FindRequests(ctx context.Context, q RequestQuery) (RequestList, error) {
	v, _, err := signedIn(ctx)
	if err != nil {
		return RequestList{}, err
	}
	within, err := s.within(q.Area)
	if err != nil {
		return RequestList{}, err
	}
	all, err := s.store.FindRequests(ctx)
	if err != nil {
		return RequestList{}, fmt.Errorf("find requests: %w", err)
	}
	today := s.Today()
	var out RequestList
	for _, r := range all {
		switch {
		case v != nil && !maySeeRequest(v, r),
			q.Inbox && (!r.Status.Open() || !mayAnswer(v, r)),
			q.Status != "" && r.Status != q.Status,
			within != nil && !within[r.Area],
			q.Overdue && !r.Overdue(today):
			continue
		}
		out.Requests = append(out.Requests, r)
		if r.Overdue(today) {
			out.Overdue++
		}
	}
	if q.Inbox {
		slices.SortStableFunc(out.Requests, func(a, b *Request) int {
			return cmp.Or(cmp.Compare(a.Due, b.Due), a.CreatedAt.Compare(b.CreatedAt))
		})
	} else {
		slices.Reverse(out.Requests)
	}
	return out, nil
}

// within returns the pcodes at and below area, nil for "", or EINVALID for
// an unknown area.
func (s *Service) within(area string) (map[string]bool, error) {
	if area == "" {
		return nil, nil
	}
	if _, ok := s.areas.Find(area); !ok {
		return nil, Invalid("area", "no area has pcode %q", area)
	}
	m := map[string]bool{}
	for _, p := range s.areas.Within(area) {
		m[p] = true
	}
	return m, nil
}
