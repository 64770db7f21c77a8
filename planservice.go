package concernmap

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"
)

// planFollows moves a plan's prioritised concerns to action_planned.
var planFollows = []struct{ From, To Status }{{StatusPrioritised, StatusActionPlanned}}

// maySeePlan reports whether the viewer may read a plan: the CSWG whose
// area it covers, and admins. A plan is the community's own; authorities
// and advocates see its results through requests and statistics.
func maySeePlan(v *Viewer, p *ActionPlan) bool {
	if v == nil || v.User.Role == RoleAdmin {
		return true
	}
	switch v.User.Role {
	case RoleCoordinator, RoleMember:
		return v.InScope(p.Area)
	}
	return false
}

// mayPlan checks that the viewer may write plans for area.
func mayPlan(v *Viewer, u *User, area string) error {
	if role := actorRole(u); role != RoleCoordinator && role != RoleAdmin {
		return Errorf(EFORBIDDEN, "a %s may not write action plans", role)
	}
	if !coversArea(v, area) {
		return Errorf(EFORBIDDEN, "area %s lies outside your scope", area)
	}
	return nil
}

// checkPlan checks what Validate cannot: the area, the assignees and the
// concerns linked since linked. It returns those newly linked concerns.
func (s *Service) checkPlan(ctx context.Context, v *Viewer, p *ActionPlan, linked []uuid.UUID) ([]*Concern, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if _, ok := s.areas.Find(p.Area); !ok {
		return nil, Invalid("area", "no area has pcode %q", p.Area)
	}
	var fe fieldErrors
	for i, t := range p.Tasks {
		u, err := s.store.FindUserByID(ctx, t.Assignee)
		switch {
		case ErrorCode(err) == ENOTFOUND || err == nil && u.Disabled:
			fe.add(fieldIndex("tasks", i)+".assignee", "no user %s", t.Assignee)
		case err != nil:
			return nil, fmt.Errorf("task assignee %s: %w", t.Assignee, err)
		}
	}
	if err := fe.err("action plan"); err != nil {
		return nil, err
	}
	// Only newly linked concerns must be open: a plan may keep a concern
	// it has since resolved.
	return s.checkLinked(ctx, v, "concerns", p.Area, p.Concerns, linked)
}

// CreatePlan records a CSWG's action plan. Its prioritised concerns move to
// action_planned.
func (s *Service) CreatePlan(ctx context.Context, p *ActionPlan) (*ActionPlan, error) {
	v, u, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	now := s.nowStored()
	if p.ID == uuid.Nil {
		p.ID = uuid.Must(uuid.NewV7())
	}
	p.Reviews, p.CreatedBy, p.CreatedAt, p.UpdatedAt, p.Version = []Review{}, actorID(u), now, now, 0
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := mayPlan(v, u, p.Area); err != nil {
		return nil, err
	}
	cs, err := s.checkPlan(ctx, v, p, nil)
	if err != nil {
		return nil, err
	}
	moves := s.follow(cs, planFollows, actorRole(u), actorID(u), "action plan: "+truncate(p.Title, 200), nil, &p.ID)
	moved, err := s.store.WriteWorkflow(ctx, &WorkflowWrite{Now: now, Moves: moves, Plan: p, PlanAction: "plan.create"})
	if err != nil {
		return nil, fmt.Errorf("create action plan: %w", err)
	}
	s.putAll(moved)
	return p, nil
}

// PlanUpdate holds the parts of a plan a PATCH may change; nil means
// unchanged.
type PlanUpdate struct {
	Title       *string
	Problem     *string
	Steps       *[]string
	Tasks       *[]Task
	Objectives  *[]Objective
	ReviewDates *[]Date
	Concerns    *[]uuid.UUID
}

// UpdatePlan changes a plan. Newly linked prioritised concerns move to
// action_planned.
func (s *Service) UpdatePlan(ctx context.Context, id uuid.UUID, upd PlanUpdate, ifVersion int) (*ActionPlan, error) {
	return s.changePlan(ctx, id, ifVersion, "plan.update", upd.Apply)
}

// Apply copies the set fields of u onto p. The caller validates after.
func (u PlanUpdate) Apply(p *ActionPlan) {
	set(&p.Title, u.Title)
	set(&p.Problem, u.Problem)
	set(&p.Steps, u.Steps)
	set(&p.Tasks, u.Tasks)
	set(&p.Objectives, u.Objectives)
	set(&p.ReviewDates, u.ReviewDates)
	set(&p.Concerns, u.Concerns)
}

func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// ReviewPlan records that the group went over the plan today; the plan is
// no longer due for review until its next review date.
func (s *Service) ReviewPlan(ctx context.Context, id uuid.UUID, note string, ifVersion int) (*ActionPlan, error) {
	if err := validateNote("note", note); err != nil {
		return nil, err
	}
	_, u, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	return s.changePlan(ctx, id, ifVersion, "plan.review", func(p *ActionPlan) {
		p.Reviews = append(p.Reviews, Review{At: s.nowStored(), Date: s.Today(), By: actorID(u), Note: note})
	})
}

func (s *Service) changePlan(ctx context.Context, id uuid.UUID, ifVersion int, action string, edit func(*ActionPlan)) (*ActionPlan, error) {
	v, u, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	old, err := s.store.FindActionPlan(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("change action plan %s: %w", id, err)
	}
	if v != nil && !maySeePlan(v, old) {
		return nil, Errorf(ENOTFOUND, "no action plan %s", id)
	}
	if err := mayPlan(v, u, old.Area); err != nil {
		return nil, err
	}
	if ifVersion != 0 && ifVersion != old.Version {
		return nil, Errorf(EPRECONDITION, "action plan %s is at version %d, not %d", id, old.Version, ifVersion)
	}
	p := old.Clone()
	edit(p)
	p.UpdatedAt = s.nowStored()
	added, err := s.checkPlan(ctx, v, p, old.Concerns)
	if err != nil {
		return nil, err
	}
	moves := s.follow(added, planFollows, actorRole(u), actorID(u), "action plan: "+truncate(p.Title, 200), nil, &p.ID)
	moved, err := s.store.WriteWorkflow(ctx, &WorkflowWrite{Now: p.UpdatedAt, Moves: moves, Plan: p,
		PlanVersion: old.Version, PlanAction: action})
	if err != nil {
		return nil, fmt.Errorf("change action plan %s: %w", id, err)
	}
	s.putAll(moved)
	return p, nil
}

// FindPlan returns one plan the viewer may see.
func (s *Service) FindPlan(ctx context.Context, id uuid.UUID) (*ActionPlan, error) {
	v, _, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	p, err := s.store.FindActionPlan(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("find action plan %s: %w", id, err)
	}
	if v != nil && !maySeePlan(v, p) {
		return nil, Errorf(ENOTFOUND, "no action plan %s", id)
	}
	return p, nil
}

// PlanQuery selects action plans.
type PlanQuery struct {
	// ReviewDue keeps the plans due for review, soonest first; otherwise
	// plans come newest first.
	ReviewDue bool
	Area      string
}

// FindPlans returns the plans the viewer may see that match q.
func (s *Service) FindPlans(ctx context.Context, q PlanQuery) ([]*ActionPlan, error) {
	v, _, err := signedIn(ctx)
	if err != nil {
		return nil, err
	}
	within, err := s.within(q.Area)
	if err != nil {
		return nil, err
	}
	all, err := s.store.FindActionPlans(ctx)
	if err != nil {
		return nil, fmt.Errorf("find action plans: %w", err)
	}
	today := s.Today()
	var out []*ActionPlan
	for _, p := range all {
		if v != nil && !maySeePlan(v, p) || within != nil && !within[p.Area] || q.ReviewDue && !p.ReviewDue(today) {
			continue
		}
		out = append(out, p)
	}
	if q.ReviewDue {
		slices.SortStableFunc(out, func(a, b *ActionPlan) int { return cmp.Compare(a.NextReview(), b.NextReview()) })
	} else {
		slices.Reverse(out)
	}
	return out, nil
}
