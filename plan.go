package concernmap

import (
	"math"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Bounds on an action plan.
const (
	MaxPlanTitleLen   = 200
	MaxProblemLen     = 8000
	MaxPlanSteps      = 50
	MaxPlanTasks      = 100
	MaxPlanObjectives = 20
	MaxPlanIndicators = 20 // per objective
	MaxReviewDates    = 50
	MaxPlanReviews    = 500
	maxPlanText       = 2000 // a step, a task, an objective, an indicator
)

// ActionPlan is what a CSWG agrees to do about a priority, in the parts the
// community security handbook names.
type ActionPlan struct {
	ID          uuid.UUID   `json:"id"`
	Area        string      `json:"area"`
	Title       string      `json:"title"`
	Problem     string      `json:"problem"`
	Steps       []string    `json:"steps"`
	Tasks       []Task      `json:"tasks"`
	Objectives  []Objective `json:"objectives"`
	ReviewDates []Date      `json:"review_dates"`
	Reviews     []Review    `json:"reviews"`
	Concerns    []uuid.UUID `json:"concerns"`
	CreatedBy   *uuid.UUID  `json:"created_by"`
	CreatedAt   time.Time   `json:"created_at"`
	UpdatedAt   time.Time   `json:"updated_at"`
	Version     int         `json:"version"`
}

// Task is one member's part of a plan.
type Task struct {
	Title    string    `json:"title"`
	Assignee uuid.UUID `json:"assignee"`
	Due      Date      `json:"due"`
	Done     bool      `json:"done"`
}

// Objective is what a plan aims at, measured by its indicators.
type Objective struct {
	Text       string      `json:"text"`
	Indicators []Indicator `json:"indicators"`
}

// Indicator measures an objective: where it started, where the plan aims
// and where it stands now.
type Indicator struct {
	Name     string  `json:"name"`
	Unit     string  `json:"unit"`
	Baseline float64 `json:"baseline"`
	Target   float64 `json:"target"`
	Current  float64 `json:"current"`
}

// Review records that the group met and went over the plan.
type Review struct {
	At   time.Time  `json:"at"`
	Date Date       `json:"date"`
	By   *uuid.UUID `json:"by"`
	Note string     `json:"note"`
}

// Validate checks the plan's own fields; the service checks the area, the
// assignees and the concerns against the stores.
func (p *ActionPlan) Validate() error {
	var fe fieldErrors
	if p.ID == uuid.Nil {
		fe.add("id", "must be a non-nil UUID")
	}
	if !pcodeRE.MatchString(p.Area) {
		fe.add("area", "must be an area pcode")
	}
	validateText(&fe, "title", p.Title, 1, MaxPlanTitleLen)
	validateText(&fe, "problem", p.Problem, 1, MaxProblemLen)
	if len(p.Steps) > MaxPlanSteps {
		fe.add("steps", "at most %d", MaxPlanSteps)
	}
	for i, s := range p.Steps {
		validateText(&fe, fieldIndex("steps", i), s, 1, maxPlanText)
	}
	if len(p.Tasks) > MaxPlanTasks {
		fe.add("tasks", "at most %d", MaxPlanTasks)
	}
	for i, t := range p.Tasks {
		at := fieldIndex("tasks", i)
		validateText(&fe, at+".title", t.Title, 1, maxPlanText)
		if t.Assignee == uuid.Nil {
			fe.add(at+".assignee", "is required")
		}
		if err := t.Due.Validate(at + ".due"); err != nil {
			fe = append(fe, ErrorFields(err)...)
		}
	}
	if len(p.Objectives) > MaxPlanObjectives {
		fe.add("objectives", "at most %d", MaxPlanObjectives)
	}
	for i, o := range p.Objectives {
		at := fieldIndex("objectives", i)
		validateText(&fe, at+".text", o.Text, 1, maxPlanText)
		if len(o.Indicators) > MaxPlanIndicators {
			fe.add(at+".indicators", "at most %d", MaxPlanIndicators)
		}
		for j, in := range o.Indicators {
			ia := fieldIndex(at+".indicators", j)
			validateText(&fe, ia+".name", in.Name, 1, maxPlanText)
			validateText(&fe, ia+".unit", in.Unit, 0, 50)
			for _, v := range []struct {
				f string
				x float64
			}{{".baseline", in.Baseline}, {".target", in.Target}, {".current", in.Current}} {
				if math.IsNaN(v.x) || math.IsInf(v.x, 0) {
					fe.add(ia+v.f, "must be a finite number")
				}
			}
		}
	}
	if len(p.ReviewDates) > MaxReviewDates {
		fe.add("review_dates", "at most %d", MaxReviewDates)
	}
	for i, d := range p.ReviewDates {
		if err := d.Validate(fieldIndex("review_dates", i)); err != nil {
			fe = append(fe, ErrorFields(err)...)
		}
	}
	if len(p.Reviews) > MaxPlanReviews {
		fe.add("reviews", "at most %d", MaxPlanReviews)
	}
	if len(p.Concerns) > MaxLinkedConcerns {
		fe.add("concerns", "must link at most %d concerns", MaxLinkedConcerns)
	}
	if dup := firstDuplicate(p.Concerns); dup >= 0 {
		fe.add(fieldIndex("concerns", dup), "repeats a concern")
	}
	return fe.err("action plan")
}

// NextReview returns the first review date after the last review, or ""
// when every date has been reviewed. A review covers every date up to its
// own day.
func (p *ActionPlan) NextReview() Date {
	var last Date
	for _, r := range p.Reviews {
		last = max(last, r.Date)
	}
	dates := slices.Clone(p.ReviewDates)
	slices.Sort(dates)
	for _, d := range dates {
		if d > last {
			return d
		}
	}
	return ""
}

// ReviewDue reports whether the plan has a review date today or before that
// no review has covered yet.
func (p *ActionPlan) ReviewDue(today Date) bool {
	next := p.NextReview()
	return next != "" && next <= today
}

// Clone returns a deep copy of p.
func (p *ActionPlan) Clone() *ActionPlan {
	c := *p
	c.Steps = slices.Clone(p.Steps)
	c.Tasks = slices.Clone(p.Tasks)
	c.Objectives = make([]Objective, len(p.Objectives))
	for i, o := range p.Objectives {
		c.Objectives[i] = Objective{Text: o.Text, Indicators: slices.Clone(o.Indicators)}
	}
	c.ReviewDates = slices.Clone(p.ReviewDates)
	c.Reviews = slices.Clone(p.Reviews)
	c.Concerns = slices.Clone(p.Concerns)
	return &c
}
