package areaimport

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/paulmach/orb"

	"github.com/concernmap/concernmap"
)

// KML elements, matched by local name so that any namespace, or none, will
// do. Only what an area needs is decoded; kmlOther catches the rest, so
// that a Point or LineString can be named in the report.
type (
	kmlPlacemark struct {
		Name     string       `xml:"name"`
		Extended kmlExtended  `xml:"ExtendedData"`
		Polygons []kmlPolygon `xml:"Polygon"`
		Multi    []kmlMulti   `xml:"MultiGeometry"`
		Other    []kmlOther   `xml:",any"`
	}
	kmlMulti struct {
		Polygons []kmlPolygon `xml:"Polygon"`
		Multi    []kmlMulti   `xml:"MultiGeometry"`
		Other    []kmlOther   `xml:",any"`
	}
	kmlPolygon struct {
		Outer []kmlBoundary `xml:"outerBoundaryIs"`
		Inner []kmlBoundary `xml:"innerBoundaryIs"`
	}
	kmlBoundary struct {
		Rings []struct {
			Coordinates string `xml:"coordinates"`
		} `xml:"LinearRing"`
	}
	kmlExtended struct {
		Data []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value"`
		} `xml:"Data"`
		SchemaData []struct {
			SimpleData []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:",chardata"`
			} `xml:"SimpleData"`
		} `xml:"SchemaData"`
	}
	kmlOther struct {
		XMLName xml.Name
	}
)

// kmlGeometries are the KML geometry elements other than Polygon and
// MultiGeometry.
var kmlGeometries = map[string]bool{"Point": true, "LineString": true, "LinearRing": true, "Model": true, "Track": true, "MultiTrack": true}

// readKML reads every Placemark, wherever it lies in Documents and
// Folders. Attributes come from ExtendedData, both typed SimpleData and
// untyped Data, and <name> is a fallback for the English name.
func readKML(data []byte) (*layer, error) {
	l := &layer{hint: reprojectHint("kml", false)}
	d := xml.NewDecoder(bytes.NewReader(data))
	// UTF-8 needs no reader; KML is UTF-8 by its specification.
	d.CharsetReader = func(label string, _ io.Reader) (io.Reader, error) {
		return nil, fmt.Errorf("encoding %q is not supported: save the file as UTF-8", clip(label))
	}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, concernmap.Errorf(concernmap.EINVALID, "kml: %v", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Placemark" {
			continue
		}
		if len(l.features) == MaxFeatures {
			return nil, tooMany()
		}
		var pm kmlPlacemark
		if err := d.DecodeElement(&pm, &se); err != nil {
			return nil, concernmap.Errorf(concernmap.EINVALID, "kml: placemark %d: %v", len(l.features), err)
		}
		l.features = append(l.features, feature{index: len(l.features)})
		f := &l.features[len(l.features)-1]
		f.name = pm.Name
		for _, data := range pm.Extended.Data {
			l.setProp(f, data.Name, data.Value)
		}
		for _, sd := range pm.Extended.SchemaData {
			for _, data := range sd.SimpleData {
				l.setProp(f, data.Name, data.Value)
			}
		}
		// Also as an attribute, so that --name-field name can pick it
		// and a file with no other name field finds it as NAME.
		if pm.Name != "" {
			l.setProp(f, "name", pm.Name)
		}
		f.geom, f.bad = kmlGeometry(&pm)
	}
	return l, nil
}

// kmlGeometry returns the polygons of a placemark: a Polygon, or a
// MultiPolygon if there are several or they come in a MultiGeometry.
func kmlGeometry(pm *kmlPlacemark) (orb.Geometry, string) {
	var mp orb.MultiPolygon
	if bad := kmlCollect(&mp, pm.Polygons, pm.Multi, pm.Other); bad != "" {
		return nil, bad
	}
	switch {
	case len(mp) == 0:
		return nil, ""
	case len(mp) == 1 && len(pm.Multi) == 0:
		return mp[0], ""
	}
	return mp, ""
}

func kmlCollect(mp *orb.MultiPolygon, polys []kmlPolygon, multi []kmlMulti, other []kmlOther) string {
	for _, o := range other {
		if kmlGeometries[o.XMLName.Local] {
			return fmt.Sprintf("unsupported geometry type %s: only Polygon and MultiGeometry of Polygons are areas", o.XMLName.Local)
		}
	}
	for _, p := range polys {
		if len(p.Outer) != 1 || len(p.Outer[0].Rings) != 1 {
			return "a Polygon needs exactly one outerBoundaryIs with one LinearRing"
		}
		shell, bad := kmlCoordinates(p.Outer[0].Rings[0].Coordinates)
		if bad != "" {
			return bad
		}
		pg := orb.Polygon{shell}
		// KML 2.2 puts each hole in its own innerBoundaryIs, but some
		// writers put several LinearRings in one.
		for _, in := range p.Inner {
			for _, r := range in.Rings {
				hole, bad := kmlCoordinates(r.Coordinates)
				if bad != "" {
					return bad
				}
				pg = append(pg, hole)
			}
		}
		*mp = append(*mp, pg)
	}
	for _, m := range multi {
		if bad := kmlCollect(mp, m.Polygons, m.Multi, m.Other); bad != "" {
			return bad
		}
	}
	return ""
}

// kmlCoordinates parses "lon,lat[,alt]" tuples separated by white space,
// dropping the altitude.
func kmlCoordinates(s string) (orb.Ring, string) {
	tuples := strings.Fields(s)
	r := make(orb.Ring, 0, len(tuples))
	for _, t := range tuples {
		parts := strings.Split(t, ",")
		if len(parts) != 2 && len(parts) != 3 {
			return nil, fmt.Sprintf("coordinates %q are not lon,lat[,alt]", clip(t))
		}
		var q orb.Point
		for i := range 2 {
			v, err := strconv.ParseFloat(parts[i], 64)
			if err != nil {
				return nil, fmt.Sprintf("coordinates %q are not lon,lat[,alt]", clip(t))
			}
			q[i] = v
		}
		r = append(r, q)
	}
	return r, ""
}

// clip shortens text quoted in a message.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "") + "…"
}
