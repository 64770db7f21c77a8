package concernmap

// Status is where a concern stands in the community security process.
type Status string

// The statuses, in process order; closed can be reached from any of them.
const (
	StatusReported      Status = "reported"
	StatusVerified      Status = "verified"
	StatusPrioritised   Status = "prioritised"
	StatusActionPlanned Status = "action_planned"
	StatusRequested     Status = "requested"
	StatusInProgress    Status = "in_progress"
	StatusResolved      Status = "resolved"
	StatusClosed        Status = "closed"
)

// Statuses lists every status in process order. The index stores a status as
// its position here.
var Statuses = []Status{
	StatusReported, StatusVerified, StatusPrioritised, StatusActionPlanned,
	StatusRequested, StatusInProgress, StatusResolved, StatusClosed,
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s.Ordinal() >= 0 }

// Ordinal returns the position of s in Statuses, or -1.
func (s Status) Ordinal() int {
	for i, v := range Statuses {
		if v == s {
			return i
		}
	}
	return -1
}
