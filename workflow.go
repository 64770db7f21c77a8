package concernmap

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
)

// Move is one allowed change of a concern's status and who may make it.
type Move struct {
	From, To Status
	Roles    []Role
	// NeedsNote says the move must give its reason, as closing does.
	NeedsNote bool
}

// Workflow is the one table of allowed status moves. The service checks
// every move against it, the API reports it, and the same table drives the
// test over every move × role. Authorities make their moves by answering
// the requests addressed to them.
var Workflow = func() []Move {
	coord := []Role{RoleCoordinator, RoleAdmin}
	acting := []Role{RoleCoordinator, RoleAuthority, RoleAdmin}
	moves := []Move{
		{From: StatusReported, To: StatusVerified, Roles: coord},
		{From: StatusVerified, To: StatusPrioritised, Roles: coord},
		{From: StatusPrioritised, To: StatusActionPlanned, Roles: coord},
		{From: StatusVerified, To: StatusRequested, Roles: coord},
		{From: StatusPrioritised, To: StatusRequested, Roles: coord},
		{From: StatusActionPlanned, To: StatusRequested, Roles: coord},
		// The community starts a quick fix itself, with no authority.
		{From: StatusActionPlanned, To: StatusInProgress, Roles: coord},
		{From: StatusRequested, To: StatusInProgress, Roles: acting},
		{From: StatusRequested, To: StatusResolved, Roles: acting},
		{From: StatusInProgress, To: StatusResolved, Roles: acting},
		// A declined request sends its concerns back to be prioritised anew.
		{From: StatusRequested, To: StatusPrioritised, Roles: acting, NeedsNote: true},
		{From: StatusResolved, To: StatusReported, Roles: coord, NeedsNote: true},
		{From: StatusClosed, To: StatusReported, Roles: coord, NeedsNote: true},
	}
	for _, s := range Statuses {
		if s != StatusClosed {
			moves = append(moves, Move{From: s, To: StatusClosed, Roles: coord, NeedsNote: true})
		}
	}
	return moves
}()

// FindMove returns the move from one status to another, if the table has it.
func FindMove(from, to Status) (Move, bool) {
	for _, m := range Workflow {
		if m.From == from && m.To == to {
			return m, true
		}
	}
	return Move{}, false
}

// Allows reports whether role may make m.
func (m Move) Allows(role Role) bool {
	for _, r := range m.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// MaxNoteLen bounds a move's note and a request's response, in bytes.
const MaxNoteLen = 2000

// ConcernMove is a status change as a store applies and records it.
type ConcernMove struct {
	ConcernID uuid.UUID  `json:"concern"`
	From      Status     `json:"from"`
	To        Status     `json:"to"`
	Note      string     `json:"note"`
	By        *uuid.UUID `json:"by"` // nil for the system
	At        time.Time  `json:"at"`
	// Request or Plan names what caused the move, if anything did.
	Request *uuid.UUID `json:"request,omitempty"`
	Plan    *uuid.UUID `json:"plan,omitempty"`
	// IfVersion is the concern's version the move was checked against; the
	// store refuses the move with EPRECONDITION if it has changed since.
	IfVersion int `json:"-"`
}

// WorkflowWrite is what one workflow step writes, in one transaction: status
// moves and at most one request or action plan. A version of 0 creates the
// document, and the store refuses with ECONFLICT one whose ID is taken.
type WorkflowWrite struct {
	Moves          []*ConcernMove
	Request        *Request
	RequestVersion int // the version the request was read at; 0 to create
	Plan           *ActionPlan
	PlanVersion    int
	RequestAction  string // the audit action: request.create, request.respond
	PlanAction     string // plan.create, plan.update, plan.review
	Now            time.Time
}

// WorkflowStore holds the workflow: status moves, requests to authorities
// and action plans. Requests and plans number in the thousands, not
// millions, so the find methods return all of them.
type WorkflowStore interface {
	// WriteWorkflow applies w in one transaction. Each move checks, in
	// order: the concern exists (ENOTFOUND), is live (EGONE), is at
	// IfVersion (EPRECONDITION) and at From (ECONFLICT); it then sets the
	// status, bumps the version, sets UpdatedAt to the move's At, records the
	// move and logs concern.move. The request and plan are created or
	// replaced under their version (ENOTFOUND, EPRECONDITION), stored with
	// Version+1, and logged with their action, before and after. It returns
	// the moved concerns. On any error it writes nothing.
	WriteWorkflow(ctx context.Context, w *WorkflowWrite) ([]*Concern, error)
	// FindConcernMoves returns a concern's moves, oldest first.
	FindConcernMoves(ctx context.Context, id uuid.UUID) ([]*ConcernMove, error)
	FindRequest(ctx context.Context, id uuid.UUID) (*Request, error)
	// FindRequests returns every request, oldest first.
	FindRequests(ctx context.Context) ([]*Request, error)
	FindActionPlan(ctx context.Context, id uuid.UUID) (*ActionPlan, error)
	// FindActionPlans returns every action plan, oldest first.
	FindActionPlans(ctx context.Context) ([]*ActionPlan, error)
}

// AuditJSON returns r as the audit log and the stores keep it.
func (r *Request) AuditJSON() []byte { return mustJSON(r) }

// AuditJSON returns p as the audit log and the stores keep it.
func (p *ActionPlan) AuditJSON() []byte { return mustJSON(p) }

// WorkflowDoc is a request or an action plan as a store writes it.
type WorkflowDoc struct {
	Entity  string // in the audit log: request or action_plan
	Name    string // in errors: request or action plan
	ID      uuid.UUID
	Area    string
	Created time.Time
	Version int    // the version it was read at; 0 to create
	JSON    []byte // the document at Version+1
	Action  string
}

// Docs returns the documents w writes, the request first, each with its
// JSON as it will be stored.
func (w *WorkflowWrite) Docs() []WorkflowDoc {
	var docs []WorkflowDoc
	if r := w.Request; r != nil {
		stored := *r
		stored.Version = w.RequestVersion + 1
		docs = append(docs, WorkflowDoc{Entity: "request", Name: "request", ID: r.ID, Area: r.Area, Created: r.CreatedAt,
			Version: w.RequestVersion, JSON: stored.AuditJSON(), Action: w.RequestAction})
	}
	if p := w.Plan; p != nil {
		stored := *p
		stored.Version = w.PlanVersion + 1
		docs = append(docs, WorkflowDoc{Entity: "action_plan", Name: "action plan", ID: p.ID, Area: p.Area, Created: p.CreatedAt,
			Version: w.PlanVersion, JSON: stored.AuditJSON(), Action: w.PlanAction})
	}
	return docs
}

// Validate checks w's own fields before a store reads anything: each move's
// status, note and time, and the request and plan.
func (w *WorkflowWrite) Validate() error {
	for i, m := range w.Moves {
		at := fieldIndex("moves", i)
		switch {
		case m == nil:
			return Invalid(at, "holds nil")
		case !m.To.Valid():
			return Invalid(at+".to", "unknown status %q", m.To)
		case m.At.IsZero():
			return Invalid(at+".at", "is required")
		}
		if err := validateNote(at+".note", m.Note); err != nil {
			return err
		}
	}
	if w.Request != nil {
		if err := w.Request.Validate(); err != nil {
			return err
		}
		// An action is the caller's to give, not the client's: a bug.
		if w.RequestAction == "" {
			return errors.New("request without an audit action")
		}
	}
	if w.Plan != nil {
		if err := w.Plan.Validate(); err != nil {
			return err
		}
		if w.PlanAction == "" {
			return errors.New("action plan without an audit action")
		}
	}
	return nil
}

// Check checks, in order, that c is live, at m's version and at m's
// starting status; a store calls it with the concern locked.
func (m *ConcernMove) Check(c *Concern) error {
	switch {
	case c.Deleted():
		return Errorf(EGONE, "concern %s was deleted", c.ID)
	case m.IfVersion != 0 && m.IfVersion != c.Version:
		return Errorf(EPRECONDITION, "concern %s is at version %d, not %d", c.ID, c.Version, m.IfVersion)
	case c.Status != m.From:
		return Errorf(ECONFLICT, "concern %s is %s, not %s", c.ID, c.Status, m.From)
	}
	return nil
}
