package api

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/concernmap/concernmap"
)

// bind reads a JSON body into v, strictly.
func bind(c echo.Context, v any) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	return decodeStrict(body, v)
}

// decodeStrict decodes a JSON body into v, refusing unknown fields and
// naming the field at fault.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &te):
		return concernmap.Invalid(pathOr(te.Field), "must be a %s", jsonKind(te.Type.String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return concernmap.Invalid(pathOr(name), "unknown field")
	}
	// A value's own parser refused it, as a UUID does; the syntax walk
	// cannot place it, so name the body.
	return concernmap.Invalid("body", "%s", strings.TrimPrefix(err.Error(), "json: "))
}

func jsonKind(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "list"
	case strings.HasPrefix(goType, "float"), strings.HasPrefix(goType, "int"):
		return "number"
	case goType == "bool":
		return "boolean"
	case strings.HasPrefix(goType, "struct"), strings.Contains(goType, "."):
		return "JSON object or string of the right form"
	}
	return goType
}

// writeDoc writes a request or plan with its version as the ETag.
func writeDoc(c echo.Context, status, version int, v any) error {
	c.Response().Header().Set("ETag", etag(version))
	c.Response().Header().Set("Cache-Control", "private, no-cache")
	return c.JSON(status, v)
}

// moveJSON is the workflow table as the API shows it.
type moveJSON struct {
	From      concernmap.Status `json:"from"`
	To        concernmap.Status `json:"to"`
	Roles     []concernmap.Role `json:"roles"`
	NeedsNote bool              `json:"needs_note"`
}

func (s *Server) getWorkflow(c echo.Context) error {
	out := make([]moveJSON, len(concernmap.Workflow))
	for i, m := range concernmap.Workflow {
		out[i] = moveJSON{m.From, m.To, m.Roles, m.NeedsNote}
	}
	return c.JSON(http.StatusOK, map[string]any{"statuses": concernmap.Statuses, "moves": out})
}

func (s *Server) moveConcern(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ifVersion, err := ifMatch(c, false)
	if err != nil {
		return err
	}
	var in struct {
		Status concernmap.Status `json:"status"`
		Note   string            `json:"note"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	got, err := s.svc.MoveConcern(c.Request().Context(), id, in.Status, in.Note, ifVersion)
	if err != nil {
		return err
	}
	return writeConcern(c, http.StatusOK, got)
}

func (s *Server) concernHistory(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	moves, err := s.svc.ConcernHistory(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if moves == nil {
		moves = []*concernmap.ConcernMove{}
	}
	return c.JSON(http.StatusOK, map[string]any{"moves": moves})
}

func (s *Server) fileRequest(c echo.Context) error {
	var in struct {
		ID       uuid.UUID       `json:"id"`
		Area     string          `json:"area"`
		Concerns []uuid.UUID     `json:"concerns"`
		Ask      string          `json:"ask"`
		Due      concernmap.Date `json:"due"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	r, err := s.svc.FileRequest(c.Request().Context(), &concernmap.Request{ID: in.ID, Area: in.Area,
		Concerns: in.Concerns, Ask: in.Ask, Due: in.Due})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/requests/"+r.ID.String())
	return writeDoc(c, http.StatusCreated, r.Version, r)
}

func (s *Server) getRequest(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	r, err := s.svc.FindRequest(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return writeDoc(c, http.StatusOK, r.Version, r)
}

func (s *Server) respondToRequest(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ifVersion, err := ifMatch(c, false)
	if err != nil {
		return err
	}
	var in struct {
		Status       concernmap.RequestStatus `json:"status"`
		Message      string                   `json:"message"`
		ScheduledFor concernmap.Date          `json:"scheduled_for"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	r, err := s.svc.RespondToRequest(c.Request().Context(), id, in.Status, in.Message, in.ScheduledFor, ifVersion)
	if err != nil {
		return err
	}
	return writeDoc(c, http.StatusOK, r.Version, r)
}

// Bounds on a page of requests or plans.
const (
	defaultDocLimit = 100
	maxDocLimit     = 500
)

var requestParams = []string{"inbox", "status", "area", "overdue", "limit", "cursor"}

func (s *Server) listRequests(c echo.Context) error {
	q, err := strictQuery(c, requestParams)
	if err != nil {
		return err
	}
	var rq concernmap.RequestQuery
	if rq.Inbox, err = flag(q.Get("inbox"), "inbox"); err != nil {
		return err
	}
	if rq.Overdue, err = flag(q.Get("overdue"), "overdue"); err != nil {
		return err
	}
	rq.Area = q.Get("area")
	if v := q.Get("status"); v != "" {
		if rq.Status = concernmap.RequestStatus(v); !rq.Status.Valid() {
			return concernmap.Invalid("status", "must be sent, acknowledged, scheduled, done or declined")
		}
	}
	limit, err := docLimit(q.Get("limit"))
	if err != nil {
		return err
	}
	list, err := s.svc.FindRequests(c.Request().Context(), rq)
	if err != nil {
		return err
	}
	ids := make([]uuid.UUID, len(list.Requests))
	for i, r := range list.Requests {
		ids[i] = r.ID
	}
	from, to, next, err := page(ids, q.Get("cursor"), limit)
	if err != nil {
		return err
	}
	requests := list.Requests[from:to]
	if requests == nil {
		requests = []*concernmap.Request{}
	}
	c.Response().Header().Set("Cache-Control", "private, no-cache")
	return c.JSON(http.StatusOK, map[string]any{"requests": requests, "total": len(list.Requests),
		"overdue": list.Overdue, "today": s.svc.Today(), "next_cursor": next})
}

// flag reads a 0/1 query parameter.
func flag(v, field string) (bool, error) {
	switch v {
	case "", "0", "false":
		return false, nil
	case "1", "true":
		return true, nil
	}
	return false, concernmap.Invalid(field, "must be 1 or 0")
}

func docLimit(v string) (int, error) {
	if v == "" {
		return defaultDocLimit, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxDocLimit {
		return 0, concernmap.Invalid("limit", "must be between 1 and %d", maxDocLimit)
	}
	return n, nil
}

// page returns the slice of ids after the cursor, which names the last
// item of the previous page, and the cursor of the next page or nil. The
// lists are short and held whole, so the item itself is the bookmark.
func page(ids []uuid.UUID, cursor string, limit int) (from, to int, next *string, err error) {
	if cursor != "" {
		raw, derr := base64.RawURLEncoding.DecodeString(cursor)
		id, uerr := uuid.FromBytes(raw)
		if derr != nil || uerr != nil {
			return 0, 0, nil, concernmap.Invalid("cursor", "is not a cursor this server made")
		}
		from = -1
		for i, x := range ids {
			if x == id {
				from = i + 1
				break
			}
		}
		if from < 0 {
			return 0, 0, nil, concernmap.Invalid("cursor", "names an item no longer in the list; start again")
		}
	}
	to = min(from+limit, len(ids))
	if to < len(ids) {
		s := base64.RawURLEncoding.EncodeToString(ids[to-1][:])
		next = &s
	}
	return from, to, next, nil
}

// planIn is what a client writes of a plan.
type planIn struct {
	ID          uuid.UUID               `json:"id"`
	Area        string                  `json:"area"`
	Title       *string                 `json:"title"`
	Problem     *string                 `json:"problem"`
	Steps       *[]string               `json:"steps"`
	Tasks       *[]concernmap.Task      `json:"tasks"`
	Objectives  *[]concernmap.Objective `json:"objectives"`
	ReviewDates *[]concernmap.Date      `json:"review_dates"`
	Concerns    *[]uuid.UUID            `json:"concerns"`
}

func (p *planIn) update() concernmap.PlanUpdate {
	return concernmap.PlanUpdate{Title: p.Title, Problem: p.Problem, Steps: p.Steps, Tasks: p.Tasks,
		Objectives: p.Objectives, ReviewDates: p.ReviewDates, Concerns: p.Concerns}
}

func (s *Server) createPlan(c echo.Context) error {
	var in planIn
	if err := bind(c, &in); err != nil {
		return err
	}
	p := &concernmap.ActionPlan{ID: in.ID, Area: in.Area, Steps: []string{}, Tasks: []concernmap.Task{},
		Objectives: []concernmap.Objective{}, ReviewDates: []concernmap.Date{}, Concerns: []uuid.UUID{}}
	in.update().Apply(p)
	got, err := s.svc.CreatePlan(c.Request().Context(), p)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/action-plans/"+got.ID.String())
	return writeDoc(c, http.StatusCreated, got.Version, got)
}

func (s *Server) getPlan(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	p, err := s.svc.FindPlan(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return writeDoc(c, http.StatusOK, p.Version, p)
}

func (s *Server) updatePlan(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ifVersion, err := ifMatch(c, true)
	if err != nil {
		return err
	}
	var in planIn
	if err := bind(c, &in); err != nil {
		return err
	}
	switch {
	case in.ID != uuid.Nil:
		return concernmap.Invalid("id", "cannot be changed")
	case in.Area != "":
		return concernmap.Invalid("area", "cannot be changed; make a new plan")
	}
	upd := in.update()
	if upd == (concernmap.PlanUpdate{}) {
		return concernmap.Invalid("body", "nothing to change")
	}
	p, err := s.svc.UpdatePlan(c.Request().Context(), id, upd, ifVersion)
	if err != nil {
		return err
	}
	return writeDoc(c, http.StatusOK, p.Version, p)
}

func (s *Server) reviewPlan(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ifVersion, err := ifMatch(c, false)
	if err != nil {
		return err
	}
	var in struct {
		Note string `json:"note"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	p, err := s.svc.ReviewPlan(c.Request().Context(), id, in.Note, ifVersion)
	if err != nil {
		return err
	}
	return writeDoc(c, http.StatusOK, p.Version, p)
}

var planParams = []string{"review_due", "area", "limit", "cursor"}

func (s *Server) listPlans(c echo.Context) error {
	q, err := strictQuery(c, planParams)
	if err != nil {
		return err
	}
	var pq concernmap.PlanQuery
	if pq.ReviewDue, err = flag(q.Get("review_due"), "review_due"); err != nil {
		return err
	}
	pq.Area = q.Get("area")
	limit, err := docLimit(q.Get("limit"))
	if err != nil {
		return err
	}
	plans, err := s.svc.FindPlans(c.Request().Context(), pq)
	if err != nil {
		return err
	}
	ids := make([]uuid.UUID, len(plans))
	for i, p := range plans {
		ids[i] = p.ID
	}
	from, to, next, err := page(ids, q.Get("cursor"), limit)
	if err != nil {
		return err
	}
	// The next review date rides along, so a list shows what is due.
	type listedPlan struct {
		*concernmap.ActionPlan
		NextReview concernmap.Date `json:"next_review"`
	}
	out := make([]listedPlan, 0, to-from)
	for _, p := range plans[from:to] {
		out = append(out, listedPlan{p, p.NextReview()})
	}
	c.Response().Header().Set("Cache-Control", "private, no-cache")
	return c.JSON(http.StatusOK, map[string]any{"action_plans": out, "total": len(plans), "today": s.svc.Today(), "next_cursor": next})
}

var accountabilityParams = []string{"area", "authority", "format"}

func (s *Server) accountability(c echo.Context) error {
	q, err := strictQuery(c, accountabilityParams)
	if err != nil {
		return err
	}
	aq := concernmap.AccountabilityQuery{Area: q.Get("area")}
	if v := q.Get("authority"); v != "" {
		if aq.Authority, err = decodeUUID(v, "authority"); err != nil {
			return err
		}
	}
	format := q.Get("format")
	if format != "" && format != "json" && format != "csv" {
		return concernmap.Invalid("format", "must be json or csv")
	}
	rows, err := s.svc.Accountability(c.Request().Context(), aq)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, no-cache")
	if format != "csv" {
		return c.JSON(http.StatusOK, map[string]any{"rows": rows, "today": s.svc.Today()})
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"authority", "authority_name", "organisation", "area", "area_name", "received", "acknowledged",
		"scheduled", "done", "declined", "open", "overdue", "median_hours_to_acknowledge", "median_hours_to_done"})
	for _, r := range rows {
		w.Write([]string{r.Authority.String(), csvSafe(r.AuthorityName), csvSafe(r.Organisation), r.Area, csvSafe(r.AreaName),
			strconv.Itoa(r.Received), strconv.Itoa(r.Acknowledged), strconv.Itoa(r.Scheduled), strconv.Itoa(r.Done),
			strconv.Itoa(r.Declined), strconv.Itoa(r.Open), strconv.Itoa(r.Overdue),
			optional(r.MedianHoursToAcknowledge), optional(r.MedianHoursToDone)})
	}
	w.Flush()
	c.Response().Header().Set("Content-Disposition", `attachment; filename="accountability.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}
