// Package areaimport turns a boundary file, GeoJSON, a zipped shapefile or
// KML, into validated areas with a report on every feature. It repairs what
// has one obvious repair and says so: an open ring is closed, repeated
// positions are dropped and rings are oriented as RFC 7946 asks. It rejects
// the rest, and a file with any rejected feature imports nothing, so that a
// half-imported hierarchy never reaches the store.
//
// Most problems belong to one feature. A few belong to the whole file and
// are reported once, as feature -1: a .prj or GeoJSON crs that is not WGS
// 84 lon/lat, a missing code field, an explicit field the file lacks, and
// a file with no features.
//
// Attributes follow the conventions of MIMU, the Myanmar Information
// Management Unit, unless Options name the fields: a village tract file has
// VT_PCODE, VT and VT_MMR for its code and names, and TS_PCODE for the code
// of its township. Place codes nest by prefix, which Link relies on.
package areaimport

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/geo"
)

// Format is the encoding of a boundary file.
type Format string

// The formats Read understands.
const (
	FormatGeoJSON   Format = "geojson"
	FormatShapefile Format = "shapefile" // a .zip holding .shp, .dbf and .prj
	FormatKML       Format = "kml"
)

// MaxFeatures bounds the features of one file; all of Myanmar has about
// 14,000 village tracts.
const MaxFeatures = 100_000

// Options say how to read attributes. Zero values mean: detect MIMU
// conventions.
type Options struct {
	Level concernmap.AreaLevel // required: the level of every feature in the file
	// Explicit attribute names, matched without regard to case; each
	// overrides detection.
	CodeField, NameField, NameMYField, ParentCodeField string

	Source string // stored on each area, e.g. the file name
	// Progress, if set, hears how many features have been checked, for a
	// progress bar.
	Progress func(done, total int)
}

// Problem is what was wrong with one feature: Feature is its 0-based index
// in the file, or -1 for the whole file; PCode is set if known; Fixed is
// true when the feature was repaired and imported.
type Problem struct {
	Feature int    `json:"feature"`
	PCode   string `json:"pcode,omitempty"`
	Fixed   bool   `json:"fixed"`
	Reason  string `json:"reason"`
}

// Report lists every problem, in file order with file-level ones first. A
// rejected feature has exactly one unfixed problem, and its repairs are not
// listed, since nothing of it was imported.
type Report struct {
	Format   Format    `json:"format"`
	Features int       `json:"features"`
	Problems []Problem `json:"problems"`
}

// Rejected counts the unfixed problems: the rejected features, plus one for
// each file-level problem.
func (r *Report) Rejected() int {
	n := 0
	for _, p := range r.Problems {
		if !p.Fixed {
			n++
		}
	}
	return n
}

// DetectFormat guesses a file's format from its first bytes, or failing
// that from its name: a zip is a shapefile, XML is KML and a JSON object is
// GeoJSON.
func DetectFormat(name string, head []byte) (Format, error) {
	ext := strings.ToLower(path.Ext(name))
	switch ext {
	case ".kmz":
		// A KMZ is a zip too; catch it before it passes for a shapefile.
		return "", concernmap.Errorf(concernmap.EINVALID, "kmz is not supported: unzip it and upload its doc.kml")
	case ".shp", ".dbf", ".shx", ".prj":
		return "", concernmap.Errorf(concernmap.EINVALID, "upload the whole shapefile as one .zip: its .shp, .dbf, .shx and .prj")
	}
	h := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), " \t\r\n")
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return FormatShapefile, nil
	case bytes.HasPrefix(h, []byte("<?xml")), bytes.HasPrefix(h, []byte("<kml")):
		return FormatKML, nil
	case bytes.HasPrefix(h, []byte("{")):
		return FormatGeoJSON, nil
	}
	if len(h) == 0 {
		switch ext {
		case ".geojson", ".json":
			return FormatGeoJSON, nil
		case ".zip":
			return FormatShapefile, nil
		case ".kml":
			return FormatKML, nil
		}
	}
	return "", concernmap.Errorf(concernmap.EINVALID, "unknown file format: want GeoJSON, KML or a zipped shapefile")
}

// Read parses data, the whole file, into areas of opt.Level. If any feature
// is rejected it returns no areas, the full report and an EINVALID error
// saying how many were. A file that cannot be read at all gives a nil
// report and an EINVALID error, or ETOOLARGE past MaxFeatures.
//
// Every area has a MultiPolygon geometry and its area on the WGS84
// ellipsoid; Parent is set from the file's parent code field when there is
// one, and Link can fill in the rest. Neighbours are left to the caller.
func Read(data []byte, format Format, opt Options) ([]*concernmap.Area, *Report, error) {
	if opt.Level.Depth() < 0 {
		return nil, nil, concernmap.Invalid("level", "must be one of state, district, township, village_tract, village")
	}
	var (
		l   *layer
		err error
	)
	switch format {
	case FormatGeoJSON:
		l, err = readGeoJSON(data)
	case FormatShapefile:
		l, err = readShapefile(data)
	case FormatKML:
		l, err = readKML(data)
	default:
		return nil, nil, concernmap.Invalid("format", "must be geojson, shapefile or kml")
	}
	if err != nil {
		return nil, nil, err
	}
	rep := &Report{Format: format, Features: len(l.features), Problems: []Problem{}}
	fields, fileProblems := resolveFields(l, opt)
	if len(l.features) == 0 {
		fileProblems = append(fileProblems, "the file has no features")
	}
	if len(fileProblems) > 0 {
		for _, reason := range fileProblems {
			rep.Problems = append(rep.Problems, Problem{Feature: -1, Reason: reason})
		}
		if len(l.features) == 0 {
			return nil, rep, concernmap.Errorf(concernmap.EINVALID, "%s", fileProblems[0])
		}
		return nil, rep, concernmap.Errorf(concernmap.EINVALID, "all %d features were rejected: %s", len(l.features), fileProblems[0])
	}
	c := converter{opt: opt, fields: fields, hint: l.hint, seen: make(map[string]int)}
	areas := make([]*concernmap.Area, 0, len(l.features))
	for i := range l.features {
		if opt.Progress != nil {
			opt.Progress(i, len(l.features))
		}
		a, problems := c.convert(&l.features[i])
		rep.Problems = append(rep.Problems, problems...)
		if a != nil {
			areas = append(areas, a)
		}
	}
	if opt.Progress != nil {
		opt.Progress(len(l.features), len(l.features))
	}
	if n := rep.Rejected(); n > 0 {
		return nil, rep, concernmap.Errorf(concernmap.EINVALID, "%d of %d features were rejected; nothing was imported", n, len(l.features))
	}
	return areas, rep, nil
}

// layer is a file as read, before any checks.
type layer struct {
	features []feature
	fields   []string        // attribute names in file order
	seen     map[string]bool // upper-case names of fields
	problems []string        // file-level problems; any one rejects the file
	// hint is how to reproject this file, for coordinates out of range.
	hint string
}

// feature is one feature as read.
type feature struct {
	index int
	// unreadable says why the feature could not be read at all, and bad
	// why its geometry could not be; "" if it could.
	unreadable, bad string
	geom            orb.Geometry // nil if the feature has none
	props           map[string]string
	name            string // the KML <name>, a fallback for the English name
}

// addField notes an attribute name, once whatever its case.
func (l *layer) addField(name string) {
	key := strings.ToUpper(name)
	if l.seen == nil {
		l.seen = make(map[string]bool)
	}
	if !l.seen[key] {
		l.seen[key] = true
		l.fields = append(l.fields, name)
	}
}

// setProp records an attribute under its upper-case name, so that
// lookups ignore case; of names differing only in case the first wins.
func (l *layer) setProp(f *feature, name, value string) {
	l.addField(name)
	if f.props == nil {
		f.props = make(map[string]string)
	}
	key := strings.ToUpper(name)
	if _, ok := f.props[key]; !ok {
		f.props[key] = strings.TrimSpace(value)
	}
}

// reprojectHint returns the advice for coordinates that are not lon/lat.
// Without a .prj or crs, ogr2ogr must be told the source projection.
func reprojectHint(ext string, knowsSource bool) string {
	src := "-s_srs EPSG:<its code> "
	if knowsSource {
		src = ""
	}
	return fmt.Sprintf("reproject to EPSG:4326, e.g. ogr2ogr %s-t_srs EPSG:4326 out.%s in.%s", src, ext, ext)
}

// converter turns features into areas, one at a time and in file order,
// since a duplicate pcode is reported on the later feature.
type converter struct {
	opt    Options
	fields fieldMap
	hint   string
	seen   map[string]int // pcode to the first feature that had it
}

// convert returns the area of f with a fixed problem for each repair, or
// nil and the one problem that rejects it.
func (c *converter) convert(f *feature) (*concernmap.Area, []Problem) {
	pcode := f.props[c.fields.code]
	reject := func(format string, args ...any) (*concernmap.Area, []Problem) {
		return nil, []Problem{{Feature: f.index, PCode: pcode, Reason: fmt.Sprintf(format, args...)}}
	}
	if f.unreadable != "" {
		return reject("%s", f.unreadable)
	}
	if pcode == "" {
		return reject("no pcode: %s is empty; set --code-field", c.fields.codeName)
	}
	if first, ok := c.seen[pcode]; ok {
		return reject("duplicate pcode %s: feature %d has it too", pcode, first)
	}
	c.seen[pcode] = f.index
	if f.bad != "" {
		return reject("%s", f.bad)
	}
	mp, notes, bad := repair(f.geom, c.hint)
	if bad != "" {
		return reject("%s", bad)
	}
	var fixes []Problem
	fixed := func(format string, args ...any) {
		fixes = append(fixes, Problem{Feature: f.index, PCode: pcode, Fixed: true, Reason: fmt.Sprintf(format, args...)})
	}
	for _, n := range notes {
		fixed("%s", n)
	}
	a := &concernmap.Area{
		Level:    c.opt.Level,
		PCode:    pcode,
		NameEN:   f.props[c.fields.nameEN],
		NameMY:   f.props[c.fields.nameMY],
		Parent:   f.props[c.fields.parent],
		Geometry: mp,
		Source:   c.opt.Source,
	}
	if a.NameEN == "" {
		a.NameEN = strings.TrimSpace(f.name)
	}
	if a.NameEN == "" {
		a.NameEN = pcode
		if c.fields.nameEN == "" {
			fixed("no English name: the file has no %s field; used the pcode", c.fields.nameENName)
		} else {
			fixed("no English name in %s; used the pcode", c.fields.nameENName)
		}
	}
	if a.Parent == pcode {
		return reject("the parent pcode in %s is the area's own", c.fields.parentName)
	}
	if err := a.Validate(); err != nil {
		return reject("%s", validationReason(err, isMulti(f.geom)))
	}
	a.AreaKM2 = geo.AreaKM2(mp)
	return a, fixes
}

func isMulti(g orb.Geometry) bool {
	_, ok := g.(orb.MultiPolygon)
	return ok
}

// validationReason turns the field errors of Area.Validate into one
// sentence, naming geometry faults by polygon and ring as repairs do.
func validationReason(err error, multi bool) string {
	fields := concernmap.ErrorFields(err)
	if len(fields) == 0 {
		return concernmap.ErrorMessage(err)
	}
	parts := make([]string, len(fields))
	for i, fe := range fields {
		if at, ok := strings.CutPrefix(fe.Field, "geometry"); ok {
			parts[i] = geometryReason(strings.TrimPrefix(at, "."), fe.Message, multi)
			continue
		}
		parts[i] = fe.Field + ": " + fe.Message
	}
	return strings.Join(parts, "; ")
}

// geometryReason says where a geo.Validate message applies: its path such
// as "coordinates[1][0][7]" becomes "polygon 1 ring 0", and "ring
// self-intersects" after "ring 0" reads "ring 0 self-intersects".
func geometryReason(at, msg string, multi bool) string {
	var idx []int
	for rest := at; ; {
		i := strings.IndexByte(rest, '[')
		if i < 0 {
			break
		}
		var n int
		if _, err := fmt.Sscanf(rest[i:], "[%d]", &n); err != nil {
			break
		}
		idx = append(idx, n)
		rest = rest[i+1:]
	}
	msg = roundPoints(msg)
	var loc string
	switch {
	case len(idx) == 0:
	case !multi && len(idx) == 1:
		// The only polygon of what was a Polygon in the file.
	case !multi:
		loc = ringName(0, idx[1], false)
	case len(idx) == 1:
		loc = fmt.Sprintf("polygon %d", idx[0])
	default:
		loc = ringName(idx[0], idx[1], true)
	}
	if loc == "" {
		return msg
	}
	words := strings.Fields(loc)
	if rest, ok := strings.CutPrefix(msg, words[len(words)-2]+" "); ok {
		return loc + " " + rest
	}
	return loc + ": " + msg
}

// pointRE matches a position in a geo message, such as "(96.1, 16.2)".
var pointRE = regexp.MustCompile(`\((-?[0-9.]+(?:e[-+]?[0-9]+)?), (-?[0-9.]+(?:e[-+]?[0-9]+)?)\)`)

// roundPoints rounds the positions in a message to 7 decimals, about a
// centimetre, so that an intersection computed in floating point reads
// (96.065, 16.005), not (96.065, 16.005000000000003).
func roundPoints(msg string) string {
	return pointRE.ReplaceAllStringFunc(msg, func(m string) string {
		sub := pointRE.FindStringSubmatch(m)
		x, errX := strconv.ParseFloat(sub[1], 64)
		y, errY := strconv.ParseFloat(sub[2], 64)
		if errX != nil || errY != nil {
			return m
		}
		return "(" + round7(x) + ", " + round7(y) + ")"
	})
}

func round7(v float64) string {
	s := strconv.FormatFloat(v, 'f', 7, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// ringName names a ring for a report: "ring 1", or "polygon 2 ring 1" in a
// MultiPolygon.
func ringName(poly, ring int, multi bool) string {
	if multi {
		return fmt.Sprintf("polygon %d ring %d", poly, ring)
	}
	return fmt.Sprintf("ring %d", ring)
}

// tooMany returns the error for a file over MaxFeatures.
func tooMany() error {
	return concernmap.Errorf(concernmap.ETOOLARGE, "the file has more than %d features", MaxFeatures)
}
