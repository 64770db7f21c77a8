package api

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/areaimport"
	"github.com/concernmap/concernmap/geo"
)

// MaxImportBytes bounds an uploaded boundary file; a national MIMU village
// tract shapefile, zipped, is well under it.
const MaxImportBytes = 256 << 20

var areaListParams = []string{"level", "parent", "bbox", "q", "geometry", "simplify"}

func (s *Server) listAreas(c echo.Context) error {
	q, err := strictQuery(c, areaListParams)
	if err != nil {
		return err
	}
	f := concernmap.AreaFilter{Level: concernmap.AreaLevel(q.Get("level")), Parent: q.Get("parent"), Query: q.Get("q")}
	if v := q.Get("bbox"); v != "" {
		b, err := geo.ParseBBox(v)
		if err != nil {
			return concernmap.Invalid("bbox", "%s", geoMessage(err))
		}
		f.BBox = &b
	}
	withGeom, tol, err := geometryParams(q.Get("geometry"), q.Get("simplify"))
	if err != nil {
		return err
	}
	areas, err := s.svc.FindAreas(c.Request().Context(), f)
	if err != nil {
		return err
	}
	b := []byte(`{"type":"FeatureCollection","features":[`)
	for i, a := range areas {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendArea(b, a, withGeom, tol)
	}
	b = append(b, `],"numberReturned":`...)
	b = strconv.AppendInt(b, int64(len(areas)), 10)
	b = append(b, "}\n"...)
	return c.Blob(http.StatusOK, "application/geo+json", b)
}

func (s *Server) getArea(c echo.Context) error {
	q, err := strictQuery(c, []string{"simplify"})
	if err != nil {
		return err
	}
	_, tol, err := geometryParams("1", q.Get("simplify"))
	if err != nil {
		return err
	}
	a, err := s.svc.FindArea(c.Request().Context(), c.Param("pcode"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", etag(a.Version))
	return c.Blob(http.StatusOK, "application/geo+json", appendArea(nil, a, true, tol))
}

func geometryParams(geometry, simp string) (bool, float64, error) {
	with := false
	switch geometry {
	case "", "0", "false":
	case "1", "true":
		with = true
	default:
		return false, 0, concernmap.Invalid("geometry", "must be 1 or 0")
	}
	var tol float64
	if simp != "" {
		var err error
		if tol, err = strconv.ParseFloat(simp, 64); err != nil || tol < 0 || tol > 1 {
			return false, 0, concernmap.Invalid("simplify", "must be a tolerance in degrees from 0 to 1, e.g. 0.001")
		}
	}
	return with, tol, nil
}

// appendArea writes an area as a GeoJSON Feature whose id is its pcode.
func appendArea(b []byte, a *concernmap.Area, withGeom bool, tol float64) []byte {
	b = append(b, `{"type":"Feature","id":`...)
	b = concernmap.AppendJSONString(b, a.PCode)
	b = append(b, `,"geometry":`...)
	if withGeom {
		var g orb.Geometry = a.Geometry
		if tol > 0 {
			g = simplify.DouglasPeucker(tol).Simplify(a.Geometry.Clone())
		}
		b = geo.AppendGeoJSON(b, g)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"properties":{"pcode":`...)
	b = concernmap.AppendJSONString(b, a.PCode)
	b = append(b, `,"level":"`...)
	b = append(b, a.Level...)
	b = append(b, `","name_en":`...)
	b = concernmap.AppendJSONString(b, a.NameEN)
	b = append(b, `,"name_my":`...)
	b = concernmap.AppendJSONString(b, a.NameMY)
	b = append(b, `,"parent":`...)
	if a.Parent == "" {
		b = append(b, "null"...)
	} else {
		b = concernmap.AppendJSONString(b, a.Parent)
	}
	b = append(b, `,"area_km2":`...)
	b = strconv.AppendFloat(b, a.AreaKM2, 'f', 3, 64)
	b = append(b, `,"neighbors":[`...)
	for i, n := range a.Neighbors {
		if i > 0 {
			b = append(b, ',')
		}
		b = concernmap.AppendJSONString(b, n)
	}
	b = append(b, `],"source":`...)
	b = concernmap.AppendJSONString(b, a.Source)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, int64(a.Version), 10)
	return append(b, "}}"...)
}

var statsParams = []string{"category", "status", "from", "to", "affected", "format", "level"}

// parseStatsFilter reads the filters statistics take.
func parseStatsFilter(c echo.Context, allowed []string) (concernmap.StatsFilter, string, error) {
	q, err := strictQuery(c, allowed)
	if err != nil {
		return concernmap.StatsFilter{}, "", err
	}
	format := q.Get("format")
	sub := url.Values{}
	for k, v := range q {
		if !contains([]string{"format", "level", "cell", "bbox", "geometry"}, k) {
			sub[k] = v
		}
	}
	f, _, err := parseFilter(sub.Encode(), listParams)
	if err != nil {
		return concernmap.StatsFilter{}, "", err
	}
	return concernmap.StatsFilter{Categories: f.Categories, Statuses: f.Statuses, From: f.From, To: f.To, Affected: f.Affected}, format, nil
}

func (s *Server) areaStats(c echo.Context) error {
	f, format, err := parseStatsFilter(c, statsParams[:6])
	if err != nil {
		return err
	}
	st, err := s.svc.AreaStats(c.Request().Context(), c.Param("pcode"), f)
	if err != nil {
		return err
	}
	if format == "csv" {
		return writeStatsCSV(c, []concernmap.AreaStats{st})
	}
	return c.JSON(http.StatusOK, st)
}

func (s *Server) levelStats(c echo.Context) error {
	f, format, err := parseStatsFilter(c, statsParams)
	if err != nil {
		return err
	}
	level := concernmap.AreaLevel(c.QueryParam("level"))
	if level == "" {
		return concernmap.Invalid("level", "is required, e.g. level=village_tract")
	}
	stats, err := s.svc.LevelStats(c.Request().Context(), level, f)
	if err != nil {
		return err
	}
	switch format {
	case "csv":
		return writeStatsCSV(c, stats)
	case "", "json":
		return c.JSON(http.StatusOK, map[string]any{"level": level, "areas": stats})
	}
	return concernmap.Invalid("format", "must be json or csv")
}

// writeStatsCSV writes one row per area, a spreadsheet an advocate can open.
func writeStatsCSV(c echo.Context, stats []concernmap.AreaStats) error {
	cats := map[string]bool{}
	for _, st := range stats {
		for k := range st.ByCategory {
			cats[k] = true
		}
	}
	catCols := make([]string, 0, len(cats))
	for k := range cats {
		catCols = append(catCols, k)
	}
	slices.Sort(catCols)
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	head := []string{"pcode", "level", "name_en", "name_my", "area_km2", "total", "density_per_km2", "share_resolved"}
	for _, k := range catCols {
		head = append(head, "category_"+k)
	}
	for _, st := range concernmap.Statuses {
		head = append(head, "status_"+string(st))
	}
	w.Write(head)
	csvCount := func(n concernmap.Count) string { return strings.Trim(n.String(), `"`) }
	for _, st := range stats {
		row := []string{st.PCode, string(st.Level), csvSafe(st.NameEN), csvSafe(st.NameMY),
			strconv.FormatFloat(st.AreaKM2, 'f', 3, 64), csvCount(st.Total), optional(st.DensityPerKM2), optional(st.ShareResolved)}
		for _, k := range catCols {
			row = append(row, csvCount(st.ByCategory[k]))
		}
		for _, s := range concernmap.Statuses {
			row = append(row, csvCount(st.ByStatus[s]))
		}
		w.Write(row)
	}
	w.Flush()
	c.Response().Header().Set("Content-Disposition", `attachment; filename="concernmap-stats.csv"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// optional writes a number that may be missing as CSV.
func optional(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', 4, 64)
}

// csvSafe stops a spreadsheet from running a name as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

var hotspotParams = []string{"level", "cell", "bbox", "category", "status", "from", "to", "affected", "geometry"}

// hotspots answers Gi* over areas (level=) or a grid (cell= degrees).
func (s *Server) hotspots(c echo.Context) error {
	f, _, err := parseStatsFilter(c, hotspotParams)
	if err != nil {
		return err
	}
	q := c.QueryParams()
	withGeom, _, err := geometryParams(q.Get("geometry"), "")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	var units []concernmap.Hotspot
	switch level, cell := q.Get("level"), q.Get("cell"); {
	case level != "" && cell != "":
		return concernmap.Invalid("cell", "use level or cell, not both")
	case level != "":
		if units, err = s.svc.AreaHotspots(ctx, concernmap.AreaLevel(level), f); err != nil {
			return err
		}
	case cell != "":
		size, err := strconv.ParseFloat(cell, 64)
		if err != nil {
			return concernmap.Invalid("cell", "must be a cell size in degrees, e.g. 0.05")
		}
		bound, ok := s.svc.AreasBound()
		if v := q.Get("bbox"); v != "" {
			if bound, err = geo.ParseBBox(v); err != nil {
				return concernmap.Invalid("bbox", "%s", geoMessage(err))
			}
		} else if !ok {
			return concernmap.Invalid("bbox", "is required while no areas are imported")
		}
		if units, err = s.svc.GridHotspots(ctx, bound, size, f); err != nil {
			return err
		}
	default:
		return concernmap.Invalid("level", "give level (e.g. village_tract) or cell (degrees)")
	}
	b := []byte(`{"type":"FeatureCollection","method":"getis_ord_gi_star","features":[`)
	first := true
	for _, u := range units {
		if u.Cell != nil && u.Count.N == 0 && u.Class == "not_significant" {
			continue // most of a grid is empty; leave out what says nothing
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, `{"type":"Feature","geometry":`...)
		switch {
		case u.Bound != nil:
			b = geo.AppendGeoJSON(b, u.Bound.ToPolygon())
		case withGeom:
			a, err := s.svc.FindArea(ctx, u.PCode)
			if err != nil {
				return err
			}
			b = geo.AppendGeoJSON(b, a.Geometry)
		default:
			b = append(b, "null"...)
		}
		b = append(b, `,"properties":`...)
		props, err := jsonMarshal(u)
		if err != nil {
			return err
		}
		b = append(b, props...)
		b = append(b, '}')
	}
	b = append(b, "]}\n"...)
	return c.Blob(http.StatusOK, "application/geo+json", b)
}

// importAreas takes a multipart upload: file, level and optional field
// names.
func (s *Server) importAreas(c echo.Context) error {
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, MaxImportBytes)
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		if strings.Contains(err.Error(), "too large") {
			return concernmap.Errorf(concernmap.ETOOLARGE, "the file must be at most %d MiB", MaxImportBytes>>20)
		}
		return concernmap.Invalid("file", "send a multipart/form-data body with the boundary file in the field file")
	}
	file, header, err := r.FormFile("file")
	if err != nil {
		return concernmap.Invalid("file", "is required")
	}
	defer file.Close()
	data, err := io.ReadAll(file)
	if err != nil {
		return concernmap.Invalid("file", "could not be read")
	}
	opt := areaimport.Options{
		Level:           concernmap.AreaLevel(r.FormValue("level")),
		CodeField:       r.FormValue("code_field"),
		NameField:       r.FormValue("name_field"),
		NameMYField:     r.FormValue("name_my_field"),
		ParentCodeField: r.FormValue("parent_code_field"),
		Source:          header.Filename,
	}
	if opt.Level.Depth() < 0 {
		return concernmap.Invalid("level", "must be one of state, district, township, village_tract, village")
	}
	format, err := areaimport.DetectFormat(header.Filename, data)
	if err != nil {
		return concernmap.Invalid("file", "%v", err)
	}
	areas, report, err := areaimport.Read(data, format, opt)
	if err != nil {
		if report != nil && report.Rejected() > 0 {
			return c.JSON(http.StatusUnprocessableEntity, map[string]any{
				"type": "urn:concernmap:problem:import_rejected", "title": "Unprocessable Entity", "status": http.StatusUnprocessableEntity,
				"detail": fmt.Sprintf("%d of %d features rejected; nothing was imported", report.Rejected(), report.Features),
				"report": report})
		}
		return err
	}
	known := map[string]concernmap.AreaLevel{}
	all, _ := s.svc.FindAreas(r.Context(), concernmap.AreaFilter{})
	for _, a := range all {
		known[a.PCode] = a.Level
	}
	areaimport.Link(areas, known)
	res, err := s.svc.ImportAreas(r.Context(), areas)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"result": res, "report": report})
}
