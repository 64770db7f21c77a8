package api_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/concernmap/concernmap"
)

// pathTo lists the moves an admin makes to bring a new concern to each
// status.
var pathTo = map[concernmap.Status][]concernmap.Status{
	concernmap.StatusReported:      nil,
	concernmap.StatusVerified:      {"verified"},
	concernmap.StatusPrioritised:   {"verified", "prioritised"},
	concernmap.StatusActionPlanned: {"verified", "prioritised", "action_planned"},
	concernmap.StatusRequested:     {"verified", "prioritised", "requested"},
	concernmap.StatusInProgress:    {"verified", "prioritised", "requested", "in_progress"},
	concernmap.StatusResolved:      {"verified", "prioritised", "requested", "resolved"},
	concernmap.StatusClosed:        {"closed"},
}

// wantMove is what the workflow table says of a move by role: 200 if the
// role may make it, 409 if no one can, 403 if others can; 401 for a
// visitor, and 403 for the roles that make no moves at all.
func wantMove(role concernmap.Role, from, to concernmap.Status) int {
	switch role {
	case anonymous:
		return http.StatusUnauthorized
	case concernmap.RoleMember, concernmap.RoleAdvocate:
		return http.StatusForbidden
	}
	m, ok := concernmap.FindMove(from, to)
	switch {
	case !ok:
		return http.StatusConflict
	case !m.Allows(role):
		return http.StatusForbidden
	}
	return http.StatusOK
}

// workflowClient starts a server with demo areas, in whose Kayin tracts
// every test user's scope lies, and returns a point in one of them.
func workflowClient(t *testing.T, c *client) (in [2]float64, tract string) {
	t.Helper()
	areas := demoAreas(t)
	importLevels(t, c, areas)
	in = tractIn(areas, "MMR003")
	r := c.do("GET", fmt.Sprintf("/api/v1/areas?level=village_tract&bbox=%f,%f,%f,%f", in[0]-1e-6, in[1]-1e-6, in[0]+1e-6, in[1]+1e-6), "")
	for _, f := range r.json(t)["features"].([]any) {
		p := f.(map[string]any)["properties"].(map[string]any)
		if strings.HasPrefix(p["pcode"].(string), "MMR003") {
			tract = p["pcode"].(string)
		}
	}
	if tract == "" {
		t.Fatalf("no tract found at %v: %s", in, r.body)
	}
	return in, tract
}

// newConcernAt creates a non-sensitive concern at p as the admin and moves
// it to status; it returns its ID.
func newConcernAt(t *testing.T, c *client, p [2]float64, status concernmap.Status, edit func(map[string]any)) string {
	t.Helper()
	id := uuid.NewString()
	r := c.do("POST", "/api/v1/concerns", feature(id, func(m map[string]any) {
		m["geometry"] = map[string]any{"type": "Point", "coordinates": p[:]}
		if edit != nil {
			edit(m)
		}
	}))
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	for _, to := range pathTo[status] {
		if r := c.move(id, to, "setting up"); r.status != 200 {
			t.Fatalf("move %s to %s: %d %s", id, to, r.status, r.body)
		}
	}
	return id
}

func (c *client) move(id string, to concernmap.Status, note string) response {
	c.t.Helper()
	b, _ := json.Marshal(map[string]any{"status": to, "note": note})
	return c.do("POST", "/api/v1/concerns/"+id+"/status", string(b))
}

func (c *client) status(id string) concernmap.Status {
	c.t.Helper()
	r := c.do("GET", "/api/v1/concerns/"+id, "")
	if r.status != 200 {
		c.t.Fatalf("get %s: %d %s", id, r.status, r.body)
	}
	return concernmap.Status(props(r.json(c.t))["status"].(string))
}

// TestWorkflowEveryMoveEveryRole tries every move between two statuses as
// every role, and checks each against the workflow table. A move that is
// refused must leave the concern where it was.
func TestWorkflowEveryMoveEveryRole(t *testing.T) {
	eachStore(t, func(t *testing.T, c *client) {
		at, _ := workflowClient(t, c)
		for _, from := range concernmap.Statuses {
			// One concern takes every refused move; each allowed one needs
			// a fresh concern, as it changes the status.
			shared := newConcernAt(t, c, at, from, nil)
			for _, role := range allRoles {
				for _, to := range concernmap.Statuses {
					want := wantMove(role, from, to)
					id := shared
					if want == http.StatusOK {
						id = newConcernAt(t, c, at, from, nil)
					}
					r := c.as(role).move(id, to, "a note for the record")
					if r.status != want {
						t.Errorf("%s → %s as %q: got %d, want %d: %s", from, to, role, r.status, want, r.body)
						continue
					}
					wantStatus := from
					if want == http.StatusOK {
						wantStatus = to
					}
					if got := c.status(id); got != wantStatus {
						t.Errorf("%s → %s as %q: concern is %s, want %s", from, to, role, got, wantStatus)
					}
				}
			}
		}
	})
}

// TestWorkflowMoveRecord checks that a move is recorded with who, when and
// its note, that closing needs a reason, and that a stale If-Match fails.
func TestWorkflowMoveRecord(t *testing.T) {
	eachStore(t, func(t *testing.T, c *client) {
		at, _ := workflowClient(t, c)
		coord := c.as(concernmap.RoleCoordinator)
		id := newConcernAt(t, c, at, concernmap.StatusReported, nil)
		before := time.Now().Add(-time.Second)
		if r := coord.move(id, "verified", "Two members walked the path and saw it."); r.status != 200 {
			t.Fatalf("verify: %d %s", r.status, r.body)
		}
		if r := coord.move(id, "closed", "  "); r.status != 400 || !strings.Contains(string(r.body), `"note"`) {
			t.Errorf("close without a reason: got %d %s, want 400 naming note", r.status, r.body)
		}
		if r := coord.do("POST", "/api/v1/concerns/"+id+"/status", `{"status":"prioritised"}`, "If-Match", `"1"`); r.status != 412 {
			t.Errorf("stale If-Match: got %d, want 412: %s", r.status, r.body)
		}
		if r := coord.do("POST", "/api/v1/concerns/"+id+"/status", `{"status":"prioritised","extra":1}`); r.status != 400 || !strings.Contains(string(r.body), `"extra"`) {
			t.Errorf("unknown field: got %d %s, want 400 naming extra", r.status, r.body)
		}
		if r := coord.move(id, "nonsense", ""); r.status != 400 || !strings.Contains(string(r.body), `"status"`) {
			t.Errorf("unknown status: got %d %s, want 400 naming status", r.status, r.body)
		}
		r := coord.do("GET", "/api/v1/concerns/"+id+"/history", "")
		if r.status != 200 {
			t.Fatalf("history: %d %s", r.status, r.body)
		}
		var h struct {
			Moves []struct {
				From, To, Note string
				By             string
				At             time.Time
			}
		}
		json.Unmarshal(r.body, &h)
		if len(h.Moves) != 1 {
			t.Fatalf("history: got %d moves, want 1: %s", len(h.Moves), r.body)
		}
		m := h.Moves[0]
		if m.From != "reported" || m.To != "verified" || m.Note != "Two members walked the path and saw it." ||
			m.By != c.users[concernmap.RoleCoordinator].ID.String() || m.At.Before(before) {
			t.Errorf("history: got %+v", m)
		}
		if r := c.as(anonymous).do("GET", "/api/v1/concerns/"+id+"/history", ""); r.status != 401 {
			t.Errorf("history as a visitor: got %d, want 401", r.status)
		}
		// The workflow table is published for the web app.
		wf := c.as(concernmap.RoleMember).do("GET", "/api/v1/workflow", "").json(t)
		if got, want := len(wf["moves"].([]any)), len(concernmap.Workflow); got != want {
			t.Errorf("workflow: got %d moves, want %d", got, want)
		}
	})
}

// TestRequestsToAuthorities follows requests from filing through the
// authority's inbox and answers, with the linked concerns' status
// following, to the accountability report.
func TestRequestsToAuthorities(t *testing.T) {
	eachStore(t, func(t *testing.T, c *client) {
		at, tract := workflowClient(t, c)
		coord, authority := c.as(concernmap.RoleCoordinator), c.as(concernmap.RoleAuthority)
		mine := newConcernAt(t, c, at, concernmap.StatusPrioritised, nil)
		road := newConcernAt(t, c, at, concernmap.StatusVerified, func(m map[string]any) { props(m)["category"] = "unlit_road" })
		bridge := newConcernAt(t, c, at, concernmap.StatusPrioritised, func(m map[string]any) { props(m)["category"] = "damaged_bridge" })

		today := c.svc.Today()
		due := func(days int) string {
			d, _ := time.Parse("2006-01-02", string(today))
			return d.AddDate(0, 0, days).Format("2006-01-02")
		}
		file := func(cl *client, area string, concerns []string, ask, dueDate string) response {
			t.Helper()
			b, _ := json.Marshal(map[string]any{"area": area, "concerns": concerns, "ask": ask, "due": dueDate})
			return cl.do("POST", "/api/v1/requests", string(b))
		}
		bad := []struct {
			name, area string
			concerns   []string
			due, field string
			want       int
		}{
			{"due in the past", tract, []string{mine}, "2020-01-01", "due", 400},
			{"not a date", tract, []string{mine}, "next week", "due", 400},
			{"no concerns", tract, nil, due(7), "concerns", 400},
			{"unknown concern", tract, []string{uuid.NewString()}, due(7), "concerns[0]", 400},
			{"unknown area", "MMR999999", []string{mine}, due(7), "area", 400},
			{"outside the coordinator's scope", "MMR011", []string{mine}, due(7), "", 403},
		}
		for _, tt := range bad {
			r := file(coord, tt.area, tt.concerns, "Remove the mines", tt.due)
			if r.status != tt.want || tt.field != "" && !strings.Contains(string(r.body), `"field":"`+tt.field+`"`) {
				t.Errorf("%s: got %d %s, want %d naming %q", tt.name, r.status, r.body, tt.want, tt.field)
			}
		}
		if r := file(c, "MMR011", []string{mine}, "x", due(7)); r.status != 400 || !strings.Contains(string(r.body), "jurisdiction") {
			t.Errorf("no authority for the area: got %d %s, want 400", r.status, r.body)
		}
		for _, id := range []string{mine, road, bridge} {
			if got := c.status(id); got == concernmap.StatusRequested {
				t.Fatalf("a refused request moved %s", id)
			}
		}

		r := file(coord, tract, []string{mine, road}, "ကျောင်းသွားလမ်းပေါ်က မိုင်းများကို ဖယ်ရှားပေးပါ — remove the landmines on the path to the school", due(14))
		if r.status != 201 {
			t.Fatalf("file: %d %s", r.status, r.body)
		}
		req := r.json(t)
		first := req["id"].(string)
		if got := req["routed_to"].([]any); len(got) != 1 || got[0] != c.users[concernmap.RoleAuthority].ID.String() {
			t.Errorf("routed to %v, want the authority", got)
		}
		for _, id := range []string{mine, road} {
			if got := c.status(id); got != concernmap.StatusRequested {
				t.Errorf("after filing, %s is %s, want requested", id, got)
			}
		}
		r = file(coord, tract, []string{bridge}, "Repair the bridge before the rains", due(3))
		if r.status != 201 {
			t.Fatalf("file: %d %s", r.status, r.body)
		}
		second := r.json(t)["id"].(string)

		// Ten days on, the bridge request is overdue.
		c.svc.SetClock(func() time.Time { return time.Now().AddDate(0, 0, 10) })
		defer c.svc.SetClock(time.Now)
		inbox := authority.do("GET", "/api/v1/requests?inbox=1", "")
		if inbox.status != 200 {
			t.Fatalf("inbox: %d %s", inbox.status, inbox.body)
		}
		var box struct {
			Requests []struct{ ID string }
			Overdue  int
		}
		json.Unmarshal(inbox.body, &box)
		if len(box.Requests) != 2 || box.Requests[0].ID != second || box.Requests[1].ID != first || box.Overdue != 1 {
			t.Errorf("inbox: got %+v, want the bridge (due first) then the mines, 1 overdue", box)
		}
		for _, tt := range []struct {
			role concernmap.Role
			want int
		}{{concernmap.RoleAdvocate, 403}, {anonymous, 401}, {concernmap.RoleMember, 200}} {
			if r := c.as(tt.role).do("GET", "/api/v1/requests", ""); r.status != tt.want {
				t.Errorf("list as %q: got %d, want %d", tt.role, r.status, tt.want)
			}
		}
		if r := coord.do("POST", "/api/v1/requests/"+first+"/responses", `{"status":"acknowledged","message":"x"}`); r.status != 403 {
			t.Errorf("coordinator answers: got %d, want 403", r.status)
		}

		answer := func(id, body string, want int) map[string]any {
			t.Helper()
			r := authority.do("POST", "/api/v1/requests/"+id+"/responses", body)
			if r.status != want {
				t.Fatalf("answer %s: got %d, want %d: %s", body, r.status, want, r.body)
			}
			return r.json(t)
		}
		answer(first, `{"status":"acknowledged","message":"Received; the township team will survey."}`, 200)
		answer(first, `{"status":"scheduled","message":"Clearance team booked."}`, 400)
		answer(first, `{"status":"scheduled","message":"Clearance team booked.","scheduled_for":"`+due(20)+`"}`, 200)
		for _, id := range []string{mine, road} {
			if got := c.status(id); got != concernmap.StatusInProgress {
				t.Errorf("after scheduling, %s is %s, want in_progress", id, got)
			}
		}
		answer(first, `{"status":"acknowledged","message":"again"}`, 409)
		done := answer(first, `{"status":"done","message":"Three mines removed; path marked safe."}`, 200)
		if len(done["responses"].([]any)) != 3 || done["finished_at"] == nil || done["acknowledged_at"] == nil {
			t.Errorf("done request: %v", done)
		}
		for _, id := range []string{mine, road} {
			if got := c.status(id); got != concernmap.StatusResolved {
				t.Errorf("after done, %s is %s, want resolved", id, got)
			}
		}
		answer(second, `{"status":"declined"}`, 400)
		answer(second, `{"status":"declined","message":"No budget this year."}`, 200)
		if got := c.status(bridge); got != concernmap.StatusPrioritised {
			t.Errorf("after declined, the bridge is %s, want prioritised", got)
		}
		var h struct {
			Moves []struct{ To, Request string }
		}
		json.Unmarshal(c.do("GET", "/api/v1/concerns/"+mine+"/history", "").body, &h)
		if n := len(h.Moves); n < 3 || h.Moves[n-1].To != "resolved" || h.Moves[n-1].Request != first {
			t.Errorf("mine's history does not end with the request's resolution: %+v", h.Moves)
		}

		// The inbox is empty now; the report holds the authority to it.
		json.Unmarshal(authority.do("GET", "/api/v1/requests?inbox=1", "").body, &box)
		if len(box.Requests) != 0 {
			t.Errorf("inbox after answering: %+v", box)
		}
		rep := c.as(concernmap.RoleAdvocate).do("GET", "/api/v1/accountability", "")
		if rep.status != 200 {
			t.Fatalf("accountability: %d %s", rep.status, rep.body)
		}
		var report struct {
			Rows []concernmap.AccountabilityRow
		}
		json.Unmarshal(rep.body, &report)
		if len(report.Rows) != 1 {
			t.Fatalf("accountability rows: got %d, want 1: %s", len(report.Rows), rep.body)
		}
		row := report.Rows[0]
		if row.Received != 2 || row.Acknowledged != 2 || row.Done != 1 || row.Declined != 1 || row.Open != 0 ||
			row.Overdue != 0 || row.Area != tract || row.MedianHoursToAcknowledge == nil || row.MedianHoursToDone == nil {
			t.Errorf("accountability: got %+v", row)
		}
		if *row.MedianHoursToAcknowledge < 239 || *row.MedianHoursToAcknowledge > 241 {
			t.Errorf("median hours to acknowledge: got %v, want about 240 (ten days)", *row.MedianHoursToAcknowledge)
		}
		csvr := c.as(concernmap.RoleAdvocate).do("GET", "/api/v1/accountability?format=csv", "")
		recs, err := csv.NewReader(strings.NewReader(string(csvr.body))).ReadAll()
		if err != nil || len(recs) != 2 || recs[0][0] != "authority" || recs[1][5] != "2" || !strings.HasPrefix(csvr.header.Get("Content-Type"), "text/csv") {
			t.Errorf("accountability CSV: %v %q", err, csvr.body)
		}
		if r := c.as(anonymous).do("GET", "/api/v1/accountability", ""); r.status != 401 {
			t.Errorf("accountability as a visitor: got %d, want 401", r.status)
		}
	})
}

// TestActionPlans writes a plan with every part the handbook names, lists
// it when a review falls due, records the review and edits under If-Match.
func TestActionPlans(t *testing.T) {
	eachStore(t, func(t *testing.T, c *client) {
		at, tract := workflowClient(t, c)
		coord := c.as(concernmap.RoleCoordinator)
		id := newConcernAt(t, c, at, concernmap.StatusPrioritised, func(m map[string]any) { props(m)["category"] = "unlit_road" })
		member := c.users[concernmap.RoleMember].ID.String()
		today := string(c.svc.Today())
		plan := map[string]any{
			"area":    tract,
			"title":   "Light the road to the rubber plantation",
			"problem": "Tappers walk the unlit road at 3 a.m.; two were robbed this season.",
			"steps":   []string{"Ask the village tract administrator for solar lamps", "Walk in groups until the lamps are up"},
			"tasks": []map[string]any{
				{"title": "Write the request letter", "assignee": member, "due": today},
			},
			"objectives": []map[string]any{{"text": "Tappers walk in light", "indicators": []map[string]any{
				{"name": "lamps working", "unit": "lamps", "baseline": 0, "target": 6, "current": 0},
			}}},
			"review_dates": []string{today, "2199-01-01"},
			"concerns":     []string{id},
		}
		b, _ := json.Marshal(plan)
		r := coord.do("POST", "/api/v1/action-plans", string(b))
		if r.status != 201 {
			t.Fatalf("create plan: %d %s", r.status, r.body)
		}
		pid := r.json(t)["id"].(string)
		if got := c.status(id); got != concernmap.StatusActionPlanned {
			t.Errorf("linked concern is %s, want action_planned", got)
		}

		bad := []struct {
			name  string
			edit  func(m map[string]any)
			field string
		}{
			{"unknown assignee", func(m map[string]any) {
				m["tasks"] = []map[string]any{{"title": "x", "assignee": uuid.NewString(), "due": today}}
			}, "tasks[0].assignee"},
			{"bad review date", func(m map[string]any) { m["review_dates"] = []string{"2026-02-30"} }, "review_dates[0]"},
			{"no problem statement", func(m map[string]any) { delete(m, "problem") }, "problem"},
			{"indicator as text", func(m map[string]any) {
				m["objectives"] = []map[string]any{{"text": "x", "indicators": []map[string]any{{"name": "n", "target": "six"}}}}
			}, "objectives.indicators.target"},
			{"unknown field", func(m map[string]any) { m["budget"] = 100 }, "budget"},
		}
		for _, tt := range bad {
			m := map[string]any{}
			for k, v := range plan {
				m[k] = v
			}
			m["concerns"] = []string{}
			tt.edit(m)
			b, _ := json.Marshal(m)
			if r := coord.do("POST", "/api/v1/action-plans", string(b)); r.status != 400 || !strings.Contains(string(r.body), `"field":"`+tt.field+`"`) {
				t.Errorf("%s: got %d %s, want 400 naming %s", tt.name, r.status, r.body, tt.field)
			}
		}

		due := func(cl *client) []string {
			t.Helper()
			r := cl.do("GET", "/api/v1/action-plans?review_due=1", "")
			if r.status != 200 {
				t.Fatalf("review_due: %d %s", r.status, r.body)
			}
			var out []string
			for _, p := range r.json(t)["action_plans"].([]any) {
				out = append(out, p.(map[string]any)["id"].(string))
			}
			return out
		}
		if got := due(coord); !slices.Equal(got, []string{pid}) {
			t.Errorf("due for review: got %v, want [%s]", got, pid)
		}
		if got := due(c.as(concernmap.RoleMember)); !slices.Equal(got, []string{pid}) {
			t.Errorf("member's due for review: got %v, want [%s]", got, pid)
		}
		if r := c.as(concernmap.RoleAuthority).do("GET", "/api/v1/action-plans", ""); r.status != 403 {
			t.Errorf("authority lists plans: got %d, want 403", r.status)
		}
		if r := coord.do("POST", "/api/v1/action-plans/"+pid+"/reviews", `{"note":"Letter sent; lamps promised for next month."}`); r.status != 200 {
			t.Fatalf("review: %d %s", r.status, r.body)
		}
		if got := due(coord); len(got) != 0 {
			t.Errorf("due for review after the review: %v", got)
		}

		patch := `{"objectives":[{"text":"Tappers walk in light","indicators":[{"name":"lamps working","unit":"lamps","baseline":0,"target":6,"current":4}]}]}`
		if r := coord.do("PATCH", "/api/v1/action-plans/"+pid, patch, "If-Match", `"1"`); r.status != 412 {
			t.Errorf("stale If-Match: got %d, want 412: %s", r.status, r.body)
		}
		if r := coord.do("PATCH", "/api/v1/action-plans/"+pid, patch); r.status != 428 {
			t.Errorf("no If-Match: got %d, want 428: %s", r.status, r.body)
		}
		r = coord.do("PATCH", "/api/v1/action-plans/"+pid, patch, "If-Match", `"2"`)
		if r.status != 200 {
			t.Fatalf("patch: %d %s", r.status, r.body)
		}
		var got concernmap.ActionPlan
		json.Unmarshal(r.body, &got)
		if got.Version != 3 || got.Objectives[0].Indicators[0].Current != 4 || len(got.Reviews) != 1 || got.Problem != plan["problem"] {
			t.Errorf("patched plan: %+v", got)
		}
		if r := c.as(concernmap.RoleMember).do("PATCH", "/api/v1/action-plans/"+pid, patch, "If-Match", `"3"`); r.status != 403 {
			t.Errorf("member edits the plan: got %d, want 403", r.status)
		}
	})
}

// TestXSSWorkflow stores script and HTML in every free-text field of the
// workflow and checks that each comes back as data, escaped in JSON.
func TestXSSWorkflow(t *testing.T) {
	eachStore(t, func(t *testing.T, c *client) {
		at, tract := workflowClient(t, c)
		coord, authority := c.as(concernmap.RoleCoordinator), c.as(concernmap.RoleAuthority)
		for i, p := range []string{`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, "\u2028<svg/onload=alert(1)>"} {
			id := newConcernAt(t, c, at, concernmap.StatusReported, nil)
			js, _ := json.Marshal(p)
			if r := coord.move(id, "verified", p); r.status != 200 {
				t.Fatalf("move: %d %s", r.status, r.body)
			}
			r := coord.do("POST", "/api/v1/requests", fmt.Sprintf(`{"area":%q,"concerns":[%q],"ask":%s,"due":"2199-01-01"}`, tract, id, js))
			if r.status != 201 {
				t.Fatalf("request: %d %s", r.status, r.body)
			}
			req := r.json(t)["id"].(string)
			if r := authority.do("POST", "/api/v1/requests/"+req+"/responses", fmt.Sprintf(`{"status":"declined","message":%s}`, js)); r.status != 200 {
				t.Fatalf("respond: %d %s", r.status, r.body)
			}
			member := c.users[concernmap.RoleMember].ID
			r = coord.do("POST", "/api/v1/action-plans", fmt.Sprintf(`{"area":%q,"title":%[2]s,"problem":%[2]s,"steps":[%[2]s],
				"tasks":[{"title":%[2]s,"assignee":%[3]q,"due":"2199-01-01"}],
				"objectives":[{"text":%[2]s,"indicators":[{"name":%[2]s,"unit":%[2]s,"baseline":0,"target":1,"current":0}]}],
				"review_dates":["2000-01-01"]}`, tract, js, member))
			if r.status != 201 {
				t.Fatalf("plan: %d %s", r.status, r.body)
			}
			plan := r.json(t)["id"].(string)
			if r := coord.do("POST", "/api/v1/action-plans/"+plan+"/reviews", fmt.Sprintf(`{"note":%s}`, js)); r.status != 200 {
				t.Fatalf("review: %d %s", r.status, r.body)
			}
			var all []byte
			for _, path := range []string{"/api/v1/concerns/" + id + "/history", "/api/v1/requests", "/api/v1/requests/" + req,
				"/api/v1/action-plans", "/api/v1/action-plans/" + plan} {
				r := coord.do("GET", path, "")
				if r.status != 200 {
					t.Fatalf("GET %s: %d", path, r.status)
				}
				all = append(all, r.body...)
			}
			for _, raw := range []string{"<script", "<img", "<svg"} {
				if strings.Contains(string(all), raw) {
					t.Errorf("payload %d: raw %s in a response", i, raw)
				}
			}
			var got concernmap.ActionPlan
			json.Unmarshal(coord.do("GET", "/api/v1/action-plans/"+plan, "").body, &got)
			if got.Title != p || got.Problem != p || got.Steps[0] != p || got.Tasks[0].Title != p || got.Objectives[0].Text != p ||
				got.Objectives[0].Indicators[0].Name != p || got.Objectives[0].Indicators[0].Unit != p || got.Reviews[0].Note != p {
				t.Errorf("payload %d not stored as data in the plan: %+v", i, got)
			}
			var gotReq concernmap.Request
			json.Unmarshal(coord.do("GET", "/api/v1/requests/"+req, "").body, &gotReq)
			if gotReq.Ask != p || gotReq.Responses[0].Message != p {
				t.Errorf("payload %d not stored as data in the request: %+v", i, gotReq)
			}
		}
	})
}
