package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/concernmap/concernmap"
)

func (s *Server) listTokens(c echo.Context) error {
	ts, err := s.users.FindAPITokens(c.Request().Context(), currentUser(c).ID)
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(ts))
	for i, t := range ts {
		out[i] = tokenJSON(t)
	}
	return c.JSON(http.StatusOK, map[string]any{"tokens": out})
}

func tokenJSON(t *concernmap.APIToken) map[string]any {
	m := map[string]any{"id": t.ID, "name": t.Name, "created_at": t.CreatedAt}
	if !t.LastUsedAt.IsZero() {
		m["last_used_at"] = t.LastUsedAt
	}
	if !t.RevokedAt.IsZero() {
		m["revoked_at"] = t.RevokedAt
	}
	return m
}

func (s *Server) createToken(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	m, err := members(body, "", "name")
	if err != nil {
		return err
	}
	name, err := decodeString(m["name"], "name")
	if err != nil {
		return err
	}
	t, secret, err := s.auth.CreateToken(c.Request().Context(), currentUser(c), name)
	if err != nil {
		return err
	}
	out := tokenJSON(t)
	out["token"] = secret // shown this once
	return c.JSON(http.StatusCreated, out)
}

func (s *Server) revokeToken(c echo.Context) error {
	id, err := decodeUUID(c.Param("id"), "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ts, err := s.users.FindAPITokens(ctx, currentUser(c).ID)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t.ID == id {
			if err := s.users.RevokeAPIToken(ctx, id, time.Now().UTC()); err != nil {
				return err
			}
			return c.NoContent(http.StatusNoContent)
		}
	}
	// Another user's token is as good as none.
	return concernmap.Errorf(concernmap.ENOTFOUND, "no token %s", id)
}

func (s *Server) listUsers(c echo.Context) error {
	us, err := s.users.FindUsers(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]userJSON, len(us))
	for i, u := range us {
		out[i] = showUser(u)
	}
	return c.JSON(http.StatusOK, map[string]any{"users": out})
}

// userFields decodes the writable user fields into u.
func userFields(m map[string]json.RawMessage, u *concernmap.User) error {
	for k, raw := range m {
		var err error
		switch k {
		case "username":
			u.Username, err = decodeString(raw, k)
		case "name":
			u.Name, err = decodeString(raw, k)
		case "organisation":
			u.Organisation, err = decodeString(raw, k)
		case "language":
			u.Language, err = decodeString(raw, k)
		case "role":
			var r string
			r, err = decodeString(raw, k)
			u.Role = concernmap.Role(r)
		case "scope":
			if err = json.Unmarshal(raw, &u.Scope); err != nil {
				err = concernmap.Invalid(k, "must be a list of area pcodes")
			}
		case "disabled":
			if err = json.Unmarshal(raw, &u.Disabled); err != nil {
				err = concernmap.Invalid(k, "must be true or false")
			}
		case "password":
			var pw string
			if pw, err = decodeString(raw, k); err == nil {
				u.PasswordHash, err = concernmap.HashPassword(pw)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

var userWritable = []string{"username", "name", "organisation", "language", "role", "scope", "disabled", "password"}

func (s *Server) createUser(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	m, err := members(body, "", userWritable...)
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	u := &concernmap.User{ID: uuid.New(), Language: "en", CreatedAt: now, UpdatedAt: now, Version: 1}
	if err := userFields(m, u); err != nil {
		return err
	}
	if err := u.Validate(); err != nil {
		return err
	}
	if err := s.users.CreateUser(c.Request().Context(), u); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/users/"+u.ID.String())
	return c.JSON(http.StatusCreated, showUser(u))
}

func (s *Server) updateUser(c echo.Context) error {
	id, err := decodeUUID(c.Param("id"), "id")
	if err != nil {
		return err
	}
	ifVersion, err := ifMatch(c, true)
	if err != nil {
		return err
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	m, err := members(body, "", userWritable[1:]...)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	u, err := s.users.FindUserByID(ctx, id)
	if err != nil {
		return err
	}
	if err := userFields(m, u); err != nil {
		return err
	}
	u.UpdatedAt = time.Now().UTC().Truncate(time.Microsecond)
	if err := u.Validate(); err != nil {
		return err
	}
	if err := s.users.UpdateUser(ctx, u, ifVersion); err != nil {
		return err
	}
	c.Response().Header().Set("ETag", etag(u.Version))
	return c.JSON(http.StatusOK, showUser(u))
}

var auditParams = []string{"user", "entity", "entity_id", "from", "to", "limit", "before"}

func (s *Server) listAudit(c echo.Context) error {
	q, err := strictQuery(c, auditParams)
	if err != nil {
		return err
	}
	f := concernmap.AuditFilter{Entity: q.Get("entity"), EntityID: q.Get("entity_id"), Limit: 100}
	if v := q.Get("user"); v != "" {
		id, err := decodeUUID(v, "user")
		if err != nil {
			return err
		}
		f.UserID = &id
	}
	if v := q.Get("before"); v != "" {
		if f.Before, err = decodeUUID(v, "before"); err != nil {
			return err
		}
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(p.name); v != "" {
			if *p.dst, err = parseTimeParam(v, p.name == "to"); err != nil {
				return concernmap.Invalid(p.name, "must be a date or an RFC 3339 time")
			}
		}
	}
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 1 || f.Limit > 1000 {
			return concernmap.Invalid("limit", "must be between 1 and 1000")
		}
	}
	events, err := s.users.FindAudit(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(events))
	for i, e := range events {
		out[i] = map[string]any{"id": e.ID, "at": e.At, "user": e.UserID, "action": e.Action, "entity": e.Entity,
			"entity_id": e.EntityID, "before": json.RawMessage(orNull(e.Before)), "after": json.RawMessage(orNull(e.After)),
			"request_id": e.RequestID}
	}
	return c.JSON(http.StatusOK, map[string]any{"events": out})
}

func orNull(b []byte) []byte {
	if len(b) == 0 {
		return []byte("null")
	}
	return b
}
