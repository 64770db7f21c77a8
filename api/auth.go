package api

import (
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/concernmap/concernmap"
)

// sessionCookie holds the session token; HttpOnly, so scripts never see it.
const sessionCookie = "concernmap_session"

// role sets for the access table.
var (
	anyone      = roles("anonymous", concernmap.RoleMember, concernmap.RoleCoordinator, concernmap.RoleAuthority, concernmap.RoleAdvocate, concernmap.RoleAdmin)
	signedIn    = roles(concernmap.RoleMember, concernmap.RoleCoordinator, concernmap.RoleAuthority, concernmap.RoleAdvocate, concernmap.RoleAdmin)
	reporters   = roles(concernmap.RoleMember, concernmap.RoleCoordinator, concernmap.RoleAdmin)
	editors     = roles(concernmap.RoleMember, concernmap.RoleCoordinator, concernmap.RoleAdmin)
	coordinator = roles(concernmap.RoleCoordinator, concernmap.RoleAdmin)
	movers      = roles(concernmap.RoleCoordinator, concernmap.RoleAuthority, concernmap.RoleAdmin)
	answerers   = roles(concernmap.RoleAuthority, concernmap.RoleAdmin)
	community   = roles(concernmap.RoleMember, concernmap.RoleCoordinator, concernmap.RoleAdmin)
	requesters  = roles(concernmap.RoleMember, concernmap.RoleCoordinator, concernmap.RoleAuthority, concernmap.RoleAdmin)
	adminOnly   = roles(concernmap.RoleAdmin)
)

func roles(rs ...concernmap.Role) map[concernmap.Role]bool {
	m := map[concernmap.Role]bool{}
	for _, r := range rs {
		m[r] = true
	}
	return m
}

// access says which roles may call each route; "anonymous" is a visitor
// who has not signed in. A route missing here is refused to everyone, and
// a test fails until it is added. What a caller then sees is the
// visibility rule's business, not this table's.
var access = map[string]map[concernmap.Role]bool{
	"GET /healthz": anyone, "GET /readyz": anyone, "GET /metrics": anyone, "GET /*": anyone, "HEAD /*": anyone,

	"POST /api/v1/session":      anyone,
	"GET /api/v1/session":       signedIn,
	"DELETE /api/v1/session":    signedIn,
	"GET /api/v1/tokens":        signedIn,
	"POST /api/v1/tokens":       signedIn,
	"DELETE /api/v1/tokens/:id": signedIn,
	"GET /api/v1/users":         adminOnly,
	"POST /api/v1/users":        adminOnly,
	"PATCH /api/v1/users/:id":   adminOnly,
	"GET /api/v1/audit":         adminOnly,

	"GET /api/v1/categories":         anyone,
	"GET /api/v1/concerns":           signedIn,
	"POST /api/v1/concerns":          reporters,
	"POST /api/v1/concerns/search":   signedIn,
	"GET /api/v1/concerns/:id":       signedIn,
	"PATCH /api/v1/concerns/:id":     editors,
	"DELETE /api/v1/concerns/:id":    coordinator,
	"GET /api/v1/areas":              anyone,
	"POST /api/v1/areas/import":      adminOnly,
	"GET /api/v1/areas/:pcode":       anyone,
	"GET /api/v1/areas/:pcode/stats": anyone,
	"GET /api/v1/stats":              anyone,
	"GET /api/v1/hotspots":           anyone,

	// Which moves a role may make is the workflow table's business; these
	// are the roles that have any. Advocates see requests only as the
	// accountability report, and action plans stay with the community.
	"GET /api/v1/workflow":                  signedIn,
	"POST /api/v1/concerns/:id/status":      movers,
	"GET /api/v1/concerns/:id/history":      signedIn,
	"GET /api/v1/requests":                  requesters,
	"POST /api/v1/requests":                 coordinator,
	"GET /api/v1/requests/:id":              requesters,
	"POST /api/v1/requests/:id/responses":   answerers,
	"GET /api/v1/action-plans":              community,
	"POST /api/v1/action-plans":             coordinator,
	"GET /api/v1/action-plans/:id":          community,
	"PATCH /api/v1/action-plans/:id":        coordinator,
	"POST /api/v1/action-plans/:id/reviews": coordinator,
	"GET /api/v1/accountability":            signedIn,

	// Tiles answer visitors only where the deployment has a public map,
	// and then only the area layers' aggregates; the service decides.
	"GET /api/v1/config":         anyone,
	"GET /tiles/:file":           anyone,
	"GET /tiles/:layer/:z/:x/:y": anyone,
}

// authenticate finds who is calling: a bearer API token, or a session
// cookie, or no one. Cookie-authenticated writes must carry the session's
// CSRF token in X-CSRF-Token; bearer tokens are not sent by browsers on
// their own, so they need none.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		ctx := r.Context()
		var u *concernmap.User
		if h := r.Header.Get("Authorization"); h != "" {
			secret, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				return concernmap.Errorf(concernmap.EUNAUTHORIZED, "send Authorization: Bearer <API token>")
			}
			var err error
			if u, err = s.auth.Token(ctx, secret); err != nil {
				return err
			}
		} else if ck, err := r.Cookie(sessionCookie); err == nil && ck.Value != "" {
			user, sess, err := s.auth.Session(ctx, ck.Value)
			switch {
			case err == nil:
				if unsafe(r.Method) && !concernmap.CheckCSRF(sess, r.Header.Get("X-CSRF-Token")) {
					return concernmap.Errorf(concernmap.EFORBIDDEN, "missing or wrong X-CSRF-Token header; get it from GET /api/v1/session")
				}
				u = user
				c.Set("session", sess)
			case concernmap.ErrorCode(err) == concernmap.ENOTFOUND:
				// An expired session is an anonymous visitor.
			default:
				return err
			}
		}
		var uid *uuid.UUID
		if u != nil {
			uid = &u.ID
		}
		ctx = concernmap.WithActor(ctx, concernmap.Actor{UserID: uid, RequestID: c.Response().Header().Get(echo.HeaderXRequestID)})
		ctx = concernmap.WithViewer(ctx, s.svc.NewViewer(u, s.cfg.PublicMap, s.cfg.K))
		c.SetRequest(r.WithContext(ctx))
		c.Set("user", u)
		return next(c)
	}
}

func unsafe(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// authorize applies the access table to the matched route.
func (s *Server) authorize(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		route := c.Request().Method + " " + c.Path()
		allowed, known := access[route]
		if !known {
			if !s.registered[route] {
				return next(c) // no such route or method: Echo answers 404 or 405
			}
			return concernmap.Errorf(concernmap.EFORBIDDEN, "this route has no access rule")
		}
		role := concernmap.Role("anonymous")
		if u := currentUser(c); u != nil {
			role = u.Role
		}
		if !allowed[role] {
			if role == "anonymous" {
				return concernmap.Errorf(concernmap.EUNAUTHORIZED, "sign in first")
			}
			return concernmap.Errorf(concernmap.EFORBIDDEN, "a %s may not do this", role)
		}
		return next(c)
	}
}

func currentUser(c echo.Context) *concernmap.User {
	u, _ := c.Get("user").(*concernmap.User)
	return u
}

// userJSON is a user as the API shows it: never the password hash.
type userJSON struct {
	ID           uuid.UUID       `json:"id"`
	Username     string          `json:"username"`
	Name         string          `json:"name"`
	Role         concernmap.Role `json:"role"`
	Organisation string          `json:"organisation"`
	Language     string          `json:"language"`
	Scope        []string        `json:"scope"`
	Disabled     bool            `json:"disabled"`
	Version      int             `json:"version"`
}

func showUser(u *concernmap.User) userJSON {
	scope := u.Scope
	if scope == nil {
		scope = []string{}
	}
	return userJSON{u.ID, u.Username, u.Name, u.Role, u.Organisation, u.Language, scope, u.Disabled, u.Version}
}

func (s *Server) signIn(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	m, err := members(body, "", "username", "password")
	if err != nil {
		return err
	}
	username, _ := decodeString(m["username"], "username")
	password, _ := decodeString(m["password"], "password")
	ip, _, _ := net.SplitHostPort(c.Request().RemoteAddr)
	u, sess, token, err := s.auth.SignIn(c.Request().Context(), username, password, ip)
	if err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: s.cfg.SecureCookies,
		SameSite: http.SameSiteStrictMode, Expires: sess.ExpiresAt, MaxAge: int(time.Until(sess.ExpiresAt).Seconds())})
	return c.JSON(http.StatusOK, map[string]any{"user": showUser(u), "csrf_token": sess.CSRFToken})
}

func (s *Server) getSession(c echo.Context) error {
	sess, _ := c.Get("session").(*concernmap.Session)
	out := map[string]any{"user": showUser(currentUser(c))}
	if sess != nil {
		out["csrf_token"] = sess.CSRFToken
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) signOut(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil {
		if err := s.auth.SignOut(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	c.SetCookie(&http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: s.cfg.SecureCookies,
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
	return c.NoContent(http.StatusNoContent)
}
