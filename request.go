package concernmap

import (
	"time"

	"github.com/google/uuid"
)

// RequestStatus is where a request to an authority stands.
type RequestStatus string

// The request statuses: sent → acknowledged → scheduled → done | declined.
const (
	RequestSent         RequestStatus = "sent"
	RequestAcknowledged RequestStatus = "acknowledged"
	RequestScheduled    RequestStatus = "scheduled"
	RequestDone         RequestStatus = "done"
	RequestDeclined     RequestStatus = "declined"
)

// requestMoves lists, for each open status, where an authority may take a
// request next. An authority may skip ahead: a quick fix is done at once.
var requestMoves = map[RequestStatus][]RequestStatus{
	RequestSent:         {RequestAcknowledged, RequestScheduled, RequestDone, RequestDeclined},
	RequestAcknowledged: {RequestScheduled, RequestDone, RequestDeclined},
	RequestScheduled:    {RequestDone, RequestDeclined},
}

// Valid reports whether s is a known request status.
func (s RequestStatus) Valid() bool {
	switch s {
	case RequestSent, RequestAcknowledged, RequestScheduled, RequestDone, RequestDeclined:
		return true
	}
	return false
}

// Open reports whether the authority has still to finish the request.
func (s RequestStatus) Open() bool { return s != RequestDone && s != RequestDeclined }

// canMove reports whether a request at s may move to to.
func (s RequestStatus) canMove(to RequestStatus) bool {
	for _, t := range requestMoves[s] {
		if t == to {
			return true
		}
	}
	return false
}

// concernFollows says what a request's answer does to its linked concerns:
// each linked concern at a From status moves to To. Filing a request is the
// answer "sent".
var concernFollows = map[RequestStatus][]struct{ From, To Status }{
	RequestSent: {
		{StatusVerified, StatusRequested}, {StatusPrioritised, StatusRequested}, {StatusActionPlanned, StatusRequested},
	},
	RequestScheduled: {{StatusRequested, StatusInProgress}},
	RequestDone:      {{StatusRequested, StatusResolved}, {StatusInProgress, StatusResolved}},
	RequestDeclined:  {{StatusRequested, StatusPrioritised}},
}

// Bounds on a request.
const (
	MaxAskLen         = 4000 // bytes
	MaxLinkedConcerns = 500
	MaxRequestAnswers = 200
)

// Request asks an authority to act on an area's concerns: clear the mines
// on the path to the school, light the road, repair the bridge.
type Request struct {
	ID       uuid.UUID     `json:"id"`
	Area     string        `json:"area"`
	Concerns []uuid.UUID   `json:"concerns"`
	Ask      string        `json:"ask"`
	Due      Date          `json:"due"`
	Status   RequestStatus `json:"status"`
	// RoutedTo lists the authority users whose jurisdiction held the area
	// when the request was filed.
	RoutedTo  []uuid.UUID `json:"routed_to"`
	Responses []Response  `json:"responses"`
	CreatedBy *uuid.UUID  `json:"created_by"`
	CreatedAt time.Time   `json:"created_at"`
	UpdatedAt time.Time   `json:"updated_at"`
	// AcknowledgedAt is the first answer of any kind; FinishedAt the done
	// or declined one.
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
	FinishedAt     *time.Time `json:"finished_at"`
	Version        int        `json:"version"`
}

// Response is an authority's answer to a request.
type Response struct {
	Status       RequestStatus `json:"status"`
	Message      string        `json:"message"`
	ScheduledFor Date          `json:"scheduled_for,omitempty"`
	By           *uuid.UUID    `json:"by"`
	At           time.Time     `json:"at"`
}

// Validate checks a request's own fields; the service checks the area, the
// concerns and the routing against the stores.
func (r *Request) Validate() error {
	var fe fieldErrors
	if r.ID == uuid.Nil {
		fe.add("id", "must be a non-nil UUID")
	}
	if !pcodeRE.MatchString(r.Area) {
		fe.add("area", "must be an area pcode")
	}
	validateText(&fe, "ask", r.Ask, 1, MaxAskLen)
	if err := r.Due.Validate("due"); err != nil {
		fe = append(fe, ErrorFields(err)...)
	}
	switch {
	case len(r.Concerns) == 0:
		fe.add("concerns", "must link at least one concern")
	case len(r.Concerns) > MaxLinkedConcerns:
		fe.add("concerns", "must link at most %d concerns", MaxLinkedConcerns)
	}
	if dup := firstDuplicate(r.Concerns); dup >= 0 {
		fe.add(fieldIndex("concerns", dup), "repeats a concern")
	}
	if !r.Status.Valid() {
		fe.add("status", "unknown status %q", r.Status)
	}
	if len(r.Responses) > MaxRequestAnswers {
		fe.add("responses", "at most %d", MaxRequestAnswers)
	}
	return fe.err("request")
}

// Overdue reports whether the request is open past its due date, on today's
// date in the deployment's zone.
func (r *Request) Overdue(today Date) bool {
	return r.Status.Open() && r.Due < today
}

// Clone returns a deep copy of r, so an edit leaves the original as read.
func (r *Request) Clone() *Request {
	c := *r
	c.Concerns = append([]uuid.UUID(nil), r.Concerns...)
	c.RoutedTo = append([]uuid.UUID(nil), r.RoutedTo...)
	c.Responses = append([]Response(nil), r.Responses...)
	return &c
}

func firstDuplicate(ids []uuid.UUID) int {
	seen := make(map[uuid.UUID]bool, len(ids))
	for i, id := range ids {
		if seen[id] {
			return i
		}
		seen[id] = true
	}
	return -1
}
