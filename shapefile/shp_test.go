package shapefile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

// shpFile builds a .shp of the given shape type around record contents,
// numbering the records from 1.
func shpFile(shapeType int32, contents ...[]byte) []byte {
	var b bytes.Buffer
	h := make([]byte, headerSize)
	binary.BigEndian.PutUint32(h, fileCode)
	binary.LittleEndian.PutUint32(h[28:], 1000)
	binary.LittleEndian.PutUint32(h[32:], uint32(shapeType))
	b.Write(h)
	for i, c := range contents {
		var rh [8]byte
		binary.BigEndian.PutUint32(rh[:], uint32(i+1))
		binary.BigEndian.PutUint32(rh[4:], uint32(len(c)/2))
		b.Write(rh[:])
		b.Write(c)
	}
	out := b.Bytes()
	binary.BigEndian.PutUint32(out[24:], uint32(len(out)/2))
	return out
}

// polygonContent is the content of a Polygon record with the given rings,
// written as they are: the caller picks their orientation.
func polygonContent(rings ...orb.Ring) []byte {
	n := 0
	for _, r := range rings {
		n += len(r)
	}
	c := make([]byte, polygonHead+4*len(rings)+16*n)
	binary.LittleEndian.PutUint32(c, typePolygon)
	binary.LittleEndian.PutUint32(c[36:], uint32(len(rings)))
	binary.LittleEndian.PutUint32(c[40:], uint32(n))
	p, at := polygonHead+4*len(rings), 0
	for i, r := range rings {
		binary.LittleEndian.PutUint32(c[polygonHead+4*i:], uint32(at))
		for _, pt := range r {
			binary.LittleEndian.PutUint64(c[p:], math.Float64bits(pt[0]))
			binary.LittleEndian.PutUint64(c[p+8:], math.Float64bits(pt[1]))
			p += 16
		}
		at += len(r)
	}
	return c
}

func nullContent() []byte { return make([]byte, 4) }

// box is a closed square ring, counter-clockwise, or clockwise if cw.
func box(x0, y0, x1, y1 float64, cw bool) orb.Ring {
	r := orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
	if cw {
		r.Reverse()
	}
	return r
}

func TestReadSHP(t *testing.T) {
	tests := []struct {
		name    string
		records [][]byte
		want    []orb.Geometry
	}{
		{"clockwise outer ring", [][]byte{polygonContent(box(0, 0, 1, 1, true))},
			[]orb.Geometry{orb.Polygon{box(0, 0, 1, 1, false)}}},
		{"null and empty records", [][]byte{nullContent(), polygonContent()},
			[]orb.Geometry{nil, nil}},
		{"unclosed ring is closed", [][]byte{polygonContent(orb.Ring{{0, 0}, {0, 1}, {1, 1}, {1, 0}})},
			[]orb.Geometry{orb.Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}}}},
		{"record numbering", [][]byte{nullContent(), polygonContent(box(0, 0, 1, 1, true)), nullContent()},
			[]orb.Geometry{nil, orb.Polygon{box(0, 0, 1, 1, false)}, nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Read(bytes.NewReader(shpFile(typePolygon, tt.records...)), nil, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			var got []orb.Geometry
			for i, ft := range f.Features {
				if ft.Index != i || len(ft.Properties) != 0 || ft.Properties == nil {
					t.Errorf("feature %d: got index %d, properties %v, want %d and an empty map", i, ft.Index, ft.Properties, i)
				}
				got = append(got, ft.Geometry)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAssemble(t *testing.T) {
	// Rings as a shapefile draws them: outer clockwise, holes not.
	outer := box(0, 0, 10, 10, true)
	hole := box(2, 2, 4, 4, false)
	lake := box(1, 1, 9, 9, false)
	island := box(3, 3, 7, 7, true)
	pond := box(4, 4, 5, 5, false)
	far := box(20, 0, 30, 10, true)
	farHole := box(22, 2, 24, 4, false)
	ccw := func(r orb.Ring) orb.Ring { return box(r[0][0], r[0][1], r[2][0], r[2][1], false) }
	cw := func(r orb.Ring) orb.Ring { return box(r[0][0], r[0][1], r[2][0], r[2][1], true) }
	tests := []struct {
		name  string
		rings []orb.Ring
		want  orb.Geometry
	}{
		{"one outer", []orb.Ring{outer}, orb.Polygon{ccw(outer)}},
		{"outer and hole", []orb.Ring{outer, hole}, orb.Polygon{ccw(outer), cw(hole)}},
		{"hole first", []orb.Ring{hole, outer}, orb.Polygon{ccw(outer), cw(hole)}},
		{"hole goes to the outer that holds it", []orb.Ring{outer, far, farHole, hole},
			orb.MultiPolygon{{ccw(outer), cw(hole)}, {ccw(far), cw(farHole)}}},
		{"island in a lake, pond on the island", []orb.Ring{outer, lake, island, pond},
			orb.MultiPolygon{{ccw(outer), cw(lake)}, {ccw(island), cw(pond)}}},
		{"hole outside every outer becomes a polygon", []orb.Ring{outer, far, box(40, 0, 41, 1, false)},
			orb.MultiPolygon{{ccw(outer)}, {ccw(far)}, {box(40, 0, 41, 1, false)}}},
		{"only counter-clockwise rings", []orb.Ring{hole, box(40, 0, 41, 1, false)},
			orb.MultiPolygon{{hole}, {box(40, 0, 41, 1, false)}}},
		{"hole on its outer's boundary", []orb.Ring{outer, far, box(0, 0, 5, 5, false)},
			orb.MultiPolygon{{ccw(outer), box(0, 0, 5, 5, true)}, {ccw(far)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rings := make([]orb.Ring, len(tt.rings))
			for i, r := range tt.rings {
				rings[i] = append(orb.Ring(nil), r...)
			}
			got, err := assemble(rings, 1)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAssembleWorkLimit(t *testing.T) {
	// Two big outers whose boxes hold many holes make every hole test
	// both; past maxWork the record is refused rather than ground through.
	big := make(orb.Ring, 0, 200_001)
	for i := range 200_000 {
		a := -2 * math.Pi * float64(i) / 200_000
		big = append(big, orb.Point{math.Cos(a), math.Sin(a)})
	}
	big = append(big, big[0])
	rings := []orb.Ring{big, append(orb.Ring(nil), big...)}
	for i := range 1000 {
		x := float64(i%30)/50 - 0.3
		y := float64(i/30)/50 - 0.3
		rings = append(rings, box(x, y, x+0.01, y+0.01, false))
	}
	_, err := assemble(rings, 7)
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("got %v, want %v", err, ErrTooLarge)
	}
}

// gdalVillages returns the .shp and .dbf that ogr2ogr writes for the
// villages fixture, whose first record is a polygon with one hole.
func gdalVillages(tb testing.TB) (shp, dbf []byte) {
	tb.Helper()
	set := ogr2ogr(tb, filepath.Join("testdata", "villages.geojson"), "villages")
	return mustReadFile(tb, set.shp), mustReadFile(tb, set.dbf)
}

// Offsets into the first record of gdalVillages.
const (
	rec1       = headerSize
	rec1Parts  = rec1 + 8 + 36
	rec1Points = rec1 + 8 + 40
	rec1Part1  = rec1 + 8 + polygonHead + 4
)

func TestReadCorrupt(t *testing.T) {
	shp, dbf := gdalVillages(t)
	otherSet := ogr2ogr(t, filepath.Join("testdata", "villages_z.geojson"), "other")
	le := func(off int, v uint32) func([]byte) []byte {
		return func(b []byte) []byte { binary.LittleEndian.PutUint32(b[off:], v); return b }
	}
	be := func(off int, v uint32) func([]byte) []byte {
		return func(b []byte) []byte { binary.BigEndian.PutUint32(b[off:], v); return b }
	}
	tests := []struct {
		name string
		shp  func([]byte) []byte
		dbf  []byte
		want error
	}{
		{"empty", func([]byte) []byte { return nil }, dbf, ErrCorrupt},
		{"truncated header", func(b []byte) []byte { return b[:60] }, dbf, ErrCorrupt},
		{"truncated in a record", func(b []byte) []byte { return b[:len(b)/2] }, dbf, ErrCorrupt},
		{"truncated by one byte", func(b []byte) []byte { return b[:len(b)-1] }, dbf, ErrCorrupt},
		{"bad magic", be(0, 9995), dbf, ErrCorrupt},
		{"file length past the end", be(24, 1<<30), dbf, ErrCorrupt},
		{"file length inside the header", be(24, 10), dbf, ErrCorrupt},
		{"header shape type Point", le(32, 1), dbf, ErrShapeType},
		{"record shape type MultiPatch", le(rec1+8, 31), dbf, ErrShapeType},
		{"record numbered 0", be(rec1, 0), dbf, ErrCorrupt},
		{"record length past the end", be(rec1+4, 1<<30), dbf, ErrCorrupt},
		{"record too short for a polygon", be(rec1+4, 10), dbf, ErrCorrupt},
		{"part index out of range", le(rec1Part1, 1000), dbf, ErrCorrupt},
		{"part index not increasing", le(rec1Part1, 0), dbf, ErrCorrupt},
		{"first part not at point 0", le(rec1Part1-4, 1), dbf, ErrCorrupt},
		{"more parts than the record holds", le(rec1Parts, 1<<30), dbf, ErrCorrupt},
		{"more points than the record holds", le(rec1Points, 1000), dbf, ErrCorrupt},
		{"points over MaxPoints", le(rec1Points, MaxPoints+1), dbf, ErrTooLarge},
		{"parts but no points", le(rec1Points, 0), dbf, ErrCorrupt},
		{"record count differs from the .dbf", func(b []byte) []byte { return b }, mustReadFile(t, otherSet.dbf), ErrCount},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.shp(bytes.Clone(shp))
			_, err := Read(bytes.NewReader(b), bytes.NewReader(tt.dbf), nil, nil)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "shapefile: ") {
				t.Errorf("got message %q, want the shapefile: prefix", msg)
			}
		})
	}
}

func TestReadTooLarge(t *testing.T) {
	if _, err := readAll(strings.NewReader("0123456789"), 9); !errors.Is(err, ErrTooLarge) {
		t.Errorf("got %v, want %v", err, ErrTooLarge)
	}
	if b, err := readAll(strings.NewReader("0123456789"), 10); err != nil || len(b) != 10 {
		t.Errorf("got %d bytes, %v, want 10, nil", len(b), err)
	}
	b := &budget{left: 100}
	if err := b.take(100); err != nil {
		t.Errorf("got %v taking all of the budget, want nil", err)
	}
	if err := b.take(1); !errors.Is(err, ErrTooLarge) {
		t.Errorf("got %v over the budget, want %v", err, ErrTooLarge)
	}
}
