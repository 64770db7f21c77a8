package areaimport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/paulmach/orb"

	"github.com/concernmap/concernmap"
)

// readGeoJSON reads a FeatureCollection, or a single Feature. A feature
// that is not a Feature object, or whose geometry cannot be decoded, is
// kept with the reason, so that the report names it by its index.
func readGeoJSON(data []byte) (*layer, error) {
	var top struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
		CRS      json.RawMessage   `json:"crs"`
	}
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, jsonError(err)
	}
	raws := top.Features
	switch top.Type {
	case "FeatureCollection":
	case "Feature":
		raws = []json.RawMessage{data}
	case "Polygon", "MultiPolygon", "Point", "LineString", "MultiPoint", "MultiLineString", "GeometryCollection":
		return nil, concernmap.Errorf(concernmap.EINVALID, "geojson: a bare %s has no pcode or name: give a FeatureCollection", top.Type)
	default:
		return nil, concernmap.Errorf(concernmap.EINVALID, "geojson: type is %q, want FeatureCollection or Feature", top.Type)
	}
	if len(raws) > MaxFeatures {
		return nil, tooMany()
	}
	l := &layer{features: make([]feature, len(raws)), hint: reprojectHint("geojson", false)}
	if crs := crsName(top.CRS); crs != "" {
		if !isLonLatCRS(crs) {
			l.problems = append(l.problems, fmt.Sprintf("the file's crs is %s, not lon/lat: reproject to EPSG:4326, e.g. ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson", crs))
		}
	}
	for i, raw := range raws {
		f := &l.features[i]
		f.index = i
		var obj struct {
			Type       string          `json:"type"`
			Geometry   json.RawMessage `json:"geometry"`
			Properties json.RawMessage `json:"properties"`
		}
		if err := json.Unmarshal(raw, &obj); err != nil {
			f.unreadable = "not a GeoJSON Feature object"
			continue
		}
		if obj.Type != "Feature" {
			f.unreadable = fmt.Sprintf("type is %q, want Feature", obj.Type)
			continue
		}
		if err := readProperties(l, f, obj.Properties); err != nil {
			f.unreadable = "properties must be an object"
			continue
		}
		f.geom, f.bad = decodeGeometry(obj.Geometry)
	}
	return l, nil
}

// readProperties records the properties of f in their order in the file.
// Strings are taken as they are and other values, numbers above all, as
// their JSON text; null is an empty value.
func readProperties(l *layer, f *feature, raw json.RawMessage) error {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return errors.New("not an object")
	}
	for d.More() {
		t, err := d.Token()
		if err != nil {
			return err
		}
		key, _ := t.(string)
		var v json.RawMessage
		if err := d.Decode(&v); err != nil {
			return err
		}
		var s string
		switch {
		case v[0] == '"':
			if err := json.Unmarshal(v, &s); err != nil {
				return err
			}
		case !bytes.Equal(v, []byte("null")):
			s = string(v)
		}
		l.setProp(f, key, s)
	}
	return nil
}

// decodeGeometry decodes a GeoJSON geometry object, returning nil for a
// null geometry. Unlike geo.ParseGeometry it leaves rings as they are,
// open or not, for repair to mend; a position needs at least two numbers,
// and an altitude is dropped.
func decodeGeometry(raw json.RawMessage) (orb.Geometry, string) {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, ""
	}
	var obj struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, "geometry is not a GeoJSON geometry object"
	}
	const badCoords = "geometry coordinates must be nested arrays of numbers"
	switch obj.Type {
	case "Polygon":
		var c [][][]float64
		if err := unmarshalCoords(obj.Coordinates, &c); err != nil {
			return nil, badCoords
		}
		p, bad := polygon(c)
		if bad != "" {
			return nil, bad
		}
		return p, ""
	case "MultiPolygon":
		var c [][][][]float64
		if err := unmarshalCoords(obj.Coordinates, &c); err != nil {
			return nil, badCoords
		}
		mp := make(orb.MultiPolygon, len(c))
		for i := range c {
			p, bad := polygon(c[i])
			if bad != "" {
				return nil, bad
			}
			mp[i] = p
		}
		return mp, ""
	case "Point", "LineString", "MultiPoint", "MultiLineString", "GeometryCollection":
		return nil, fmt.Sprintf("unsupported geometry type %s: only Polygon and MultiPolygon are areas", obj.Type)
	}
	return nil, fmt.Sprintf("unknown geometry type %q", obj.Type)
}

func unmarshalCoords(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		return nil // missing: an empty geometry
	}
	return json.Unmarshal(raw, v)
}

func polygon(c [][][]float64) (orb.Polygon, string) {
	p := make(orb.Polygon, len(c))
	for i, r := range c {
		p[i] = make(orb.Ring, len(r))
		for j, pos := range r {
			if len(pos) < 2 {
				return nil, fmt.Sprintf("geometry position %v needs longitude and latitude", pos)
			}
			p[i][j] = orb.Point{pos[0], pos[1]}
		}
	}
	return p, ""
}

// crsName returns the name in a GeoJSON 2008 "crs" member, which GDAL
// still writes for anything but WGS 84; "" if none.
func crsName(raw json.RawMessage) string {
	var crs struct {
		Properties struct {
			Name string `json:"name"`
		} `json:"properties"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &crs) != nil {
		return ""
	}
	return crs.Properties.Name
}

// isLonLatCRS reports whether a crs name means WGS 84 longitude and
// latitude. EPSG:4326 strictly puts latitude first, but in GeoJSON it is
// always written in longitude order.
func isLonLatCRS(name string) bool {
	switch name {
	case "urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
		"EPSG:4326", "urn:ogc:def:crs:EPSG::4326", "urn:ogc:def:crs:EPSG:6.6:4326", "http://www.opengis.net/def/crs/EPSG/0/4326":
		return true
	}
	return false
}

// jsonError describes a file that is not JSON, without Go type names.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return concernmap.Errorf(concernmap.EINVALID, "geojson: %v at byte %d", syn, syn.Offset)
	case errors.As(err, &typ) && typ.Field == "":
		return concernmap.Errorf(concernmap.EINVALID, "geojson: the file must be a JSON object")
	case errors.As(err, &typ):
		return concernmap.Errorf(concernmap.EINVALID, "geojson: %s has the wrong type at byte %d", typ.Field, typ.Offset)
	}
	return concernmap.Errorf(concernmap.EINVALID, "geojson: the file is not valid JSON")
}
