package concernmap

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"
)

// AccountabilityRow is how one authority answered the requests for one
// area: what the community holds it to.
type AccountabilityRow struct {
	Authority     uuid.UUID `json:"authority"`
	AuthorityName string    `json:"authority_name"`
	Organisation  string    `json:"organisation"`
	Area          string    `json:"area"`
	AreaName      string    `json:"area_name"`
	Received      int       `json:"received"`
	Acknowledged  int       `json:"acknowledged"`
	Scheduled     int       `json:"scheduled"`
	Done          int       `json:"done"`
	Declined      int       `json:"declined"`
	Open          int       `json:"open"`
	Overdue       int       `json:"overdue"`
	// The medians, in hours from filing; nil when no request got there.
	MedianHoursToAcknowledge *float64 `json:"median_hours_to_acknowledge"`
	MedianHoursToDone        *float64 `json:"median_hours_to_done"`
}

// AccountabilityQuery selects the requests a report counts.
type AccountabilityQuery struct {
	Area      string    // "" for all; an area covers those below it
	Authority uuid.UUID // uuid.Nil for all
}

// Accountability reports, for each authority and area, the requests
// received, acknowledged, scheduled, done, declined and overdue, and the
// median times to acknowledge and to finish. A request counts for every
// authority it was routed to. The report holds counts and durations only,
// no concern and no reporter, so every signed-in role may read it.
func (s *Service) Accountability(ctx context.Context, q AccountabilityQuery) ([]AccountabilityRow, error) {
	if _, _, err := signedIn(ctx); err != nil {
		return nil, err
	}
	within, err := s.within(q.Area)
	if err != nil {
		return nil, err
	}
	requests, err := s.store.FindRequests(ctx)
	if err != nil {
		return nil, fmt.Errorf("accountability: %w", err)
	}
	users, err := s.store.FindUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("accountability: %w", err)
	}
	byID := make(map[uuid.UUID]*User, len(users))
	for _, u := range users {
		byID[u.ID] = u
	}
	type key struct {
		authority uuid.UUID
		area      string
	}
	type acc struct {
		row       AccountabilityRow
		ack, done []float64
	}
	rows := map[key]*acc{}
	today := s.Today()
	for _, r := range requests {
		if within != nil && !within[r.Area] {
			continue
		}
		for _, a := range r.RoutedTo {
			if q.Authority != uuid.Nil && a != q.Authority {
				continue
			}
			k := key{a, r.Area}
			x := rows[k]
			if x == nil {
				x = &acc{row: AccountabilityRow{Authority: a, Area: r.Area}}
				if u := byID[a]; u != nil {
					x.row.AuthorityName, x.row.Organisation = u.Name, u.Organisation
				}
				if ar, ok := s.areas.Find(r.Area); ok {
					x.row.AreaName = ar.NameEN
				}
				rows[k] = x
			}
			x.row.Received++
			if r.AcknowledgedAt != nil {
				x.row.Acknowledged++
				x.ack = append(x.ack, r.AcknowledgedAt.Sub(r.CreatedAt).Hours())
			}
			switch r.Status {
			case RequestScheduled:
				x.row.Scheduled++
			case RequestDone:
				x.row.Done++
				if r.FinishedAt != nil {
					x.done = append(x.done, r.FinishedAt.Sub(r.CreatedAt).Hours())
				}
			case RequestDeclined:
				x.row.Declined++
			}
			if r.Status.Open() {
				x.row.Open++
			}
			if r.Overdue(today) {
				x.row.Overdue++
			}
		}
	}
	out := make([]AccountabilityRow, 0, len(rows))
	for _, x := range rows {
		x.row.MedianHoursToAcknowledge = median(x.ack)
		x.row.MedianHoursToDone = median(x.done)
		out = append(out, x.row)
	}
	slices.SortFunc(out, func(a, b AccountabilityRow) int {
		return cmp.Or(cmp.Compare(a.AuthorityName, b.AuthorityName), cmp.Compare(a.Authority.String(), b.Authority.String()),
			cmp.Compare(a.Area, b.Area))
	})
	return out, nil
}

// median returns the median of xs, or nil for none.
func median(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	slices.Sort(xs)
	m := xs[len(xs)/2]
	if len(xs)%2 == 0 {
		m = (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
	}
	return &m
}
