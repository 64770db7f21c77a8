package api

import (
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/concernmap/concernmap"
)

func (s *Server) listCategories(c echo.Context) error {
	cats, err := s.svc.FindCategories(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"categories": cats})
}

func (s *Server) createConcern(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	in, err := decodeFeature(body)
	if err != nil {
		return err
	}
	got, created, err := s.svc.CreateConcern(c.Request().Context(), in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/concerns/"+got.ID.String())
	return writeConcern(c, status, got)
}

func (s *Server) getConcern(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	got, err := s.svc.FindConcernByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	if match := c.Request().Header.Get("If-None-Match"); match != "" && etagMatches(match, got.Version) {
		c.Response().Header().Set("ETag", etag(got.Version))
		return c.NoContent(http.StatusNotModified)
	}
	return writeConcern(c, http.StatusOK, got)
}

func (s *Server) updateConcern(c echo.Context) error {
	id, err := pathID(c)
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
	upd, err := decodePatch(body, id)
	if err != nil {
		return err
	}
	got, err := s.svc.UpdateConcern(c.Request().Context(), id, upd, ifVersion)
	if err != nil {
		return err
	}
	return writeConcern(c, http.StatusOK, got)
}

func (s *Server) deleteConcern(c echo.Context) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	ifVersion, err := ifMatch(c, false)
	if err != nil {
		return err
	}
	if _, err := s.svc.DeleteConcern(c.Request().Context(), id, ifVersion); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) listConcerns(c echo.Context) error {
	f, cursor, err := parseFilter(c.Request().URL.RawQuery, listParams)
	if err != nil {
		return err
	}
	page, err := s.svc.FindConcerns(c.Request().Context(), f, cursor)
	if err != nil {
		return err
	}
	return writeCollection(c, page)
}

// searchConcerns finds concerns that intersect a posted geometry; a polygon
// drawn around a village, say.
func (s *Server) searchConcerns(c echo.Context) error {
	f, cursor, err := parseFilter(c.Request().URL.RawQuery, searchParams)
	if err != nil {
		return err
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	if f.Intersects, err = decodeSearchGeometry(body); err != nil {
		return err
	}
	page, err := s.svc.FindConcerns(c.Request().Context(), f, cursor)
	if err != nil {
		return err
	}
	return writeCollection(c, page)
}

// searchParams are listParams less the spatial ones, which the body gives.
var searchParams = []string{"area", "category", "status", "min_severity", "max_severity", "from", "to",
	"affected", "limit", "cursor"}

func pathID(c echo.Context) (uuid.UUID, error) {
	return decodeUUID(c.Param("id"), "id")
}

func etag(version int) string { return `"` + strconv.Itoa(version) + `"` }

// ifMatch reads the version the client last saw. PATCH requires it, so that
// two coordinators editing at once cannot silently overwrite each other.
func ifMatch(c echo.Context, required bool) (int, error) {
	h := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	switch {
	case h == "" && required:
		return 0, concernmap.Errorf(concernmap.EPRECONDREQ, "send If-Match with the ETag of the version you edited")
	case h == "" || h == "*":
		return 0, nil
	}
	v, err := strconv.Atoi(strings.Trim(h, `"`))
	if err != nil || v < 1 || !strings.HasPrefix(h, `"`) || !strings.HasSuffix(h, `"`) {
		return 0, concernmap.Invalid("If-Match", "must be an ETag this server sent, such as \"3\"")
	}
	return v, nil
}

func etagMatches(header string, version int) bool {
	want := etag(version)
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == want || t == "*" {
			return true
		}
	}
	return false
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

func writeConcern(c echo.Context, status int, got *concernmap.Concern) error {
	h := c.Response().Header()
	h.Set("ETag", etag(got.Version))
	h.Set(echo.HeaderContentType, "application/geo+json")
	h.Set("Cache-Control", "private, no-cache")
	return c.Blob(status, "application/geo+json", got.AppendFeature(nil, !got.ReporterHidden))
}

// writeCollection writes a page as a FeatureCollection, copying the
// features the index encoded once.
func writeCollection(c echo.Context, page concernmap.ConcernPage) error {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	b := append((*bp)[:0], `{"type":"FeatureCollection","features":[`...)
	for i, f := range page.Features {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, f...)
	}
	b = append(b, `],"numberReturned":`...)
	b = strconv.AppendInt(b, int64(len(page.Features)), 10)
	b = append(b, `,"links":[`...)
	if page.Next != "" {
		q := c.QueryParams()
		q.Set("cursor", page.Next)
		b = append(b, `{"rel":"next","type":"application/geo+json","href":`...)
		b = concernmap.AppendJSONString(b, c.Request().URL.Path+"?"+q.Encode())
		b = append(b, `}`...)
	}
	b = append(b, `],"next_cursor":`...)
	if page.Next == "" {
		b = append(b, "null"...)
	} else {
		b = concernmap.AppendJSONString(b, page.Next)
	}
	b = append(b, "}\n"...)
	*bp = b
	c.Response().Header().Set("Cache-Control", "private, no-cache")
	return c.Blob(http.StatusOK, "application/geo+json", b)
}
