package demo

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/geo"
)

// SyntheticSource marks every demo area: none of these boundaries is real
// except the two state outlines.
const SyntheticSource = "synthetic demo data (not real boundaries)"

// states are the demo states with their MIMU pcodes and Burmese names.
var states = map[string]struct{ pcode, nameMY string }{
	"Kayin": {"MMR003", "ကရင်ပြည်နယ်"},
	"Mon":   {"MMR011", "မွန်ပြည်နယ်"},
}

// villagesPerTownship sets how many villages a synthetic township holds.
const villagesPerTownship = 6

// Areas returns the two states (real Natural Earth outlines), and synthetic
// townships and village tracts inside them: every sixth village is a
// township seat; a township is the part of the state nearer its seat than
// any other (a Voronoi cell clipped to the state), and each village's tract
// is its Voronoi cell among the villages of its township, clipped to the
// township. Tracts thus tile their township, as real ones do. Pcodes nest
// like MIMU's: MMR003 › MMR003S01 › MMR003S01V01.
func Areas(villages []Village) ([]*concernmap.Area, error) {
	fc, err := States()
	if err != nil {
		return nil, err
	}
	var out []*concernmap.Area
	for _, f := range fc.Features {
		name := f.Properties.MustString("name", "")
		st, ok := states[name]
		if !ok {
			continue
		}
		shape := multi(f.Geometry)
		out = append(out, &concernmap.Area{Level: concernmap.LevelState, PCode: st.pcode, NameEN: name,
			NameMY: st.nameMY, Geometry: shape, AreaKM2: geo.AreaKM2(shape), Source: "Natural Earth 1:10m admin-1 (public domain)"})

		var mine []Village
		for _, v := range villages {
			if v.State == name {
				mine = append(mine, v)
			}
		}
		var seats []orb.Point
		for i := 0; i < len(mine); i += villagesPerTownship {
			seats = append(seats, mine[i].Center)
		}
		members := make([][]Village, len(seats))
		for _, v := range mine {
			k := nearest(seats, v.Center)
			members[k] = append(members[k], v)
		}
		frame := shape.Bound().Pad(0.5)
		for t, seat := range seats {
			tpcode := fmt.Sprintf("%sS%02d", st.pcode, t+1)
			township := clipMulti(shape, voronoiCell(seats, t, frame))
			if len(township) == 0 {
				continue
			}
			out = append(out, &concernmap.Area{Level: concernmap.LevelTownship, PCode: tpcode, Parent: st.pcode,
				NameEN: fmt.Sprintf("%s township %d (synthetic)", name, t+1), NameMY: "",
				Geometry: township, AreaKM2: geo.AreaKM2(township), Source: SyntheticSource})
			_ = seat
			centres := make([]orb.Point, len(members[t]))
			for i, v := range members[t] {
				centres[i] = v.Center
			}
			for i, v := range members[t] {
				tract := clipMulti(township, voronoiCell(centres, i, frame))
				if len(tract) == 0 {
					continue
				}
				out = append(out, &concernmap.Area{Level: concernmap.LevelVillageTract,
					PCode: fmt.Sprintf("%sV%02d", tpcode, i+1), Parent: tpcode,
					NameEN: v.Name + " village tract", Geometry: tract, AreaKM2: geo.AreaKM2(tract), Source: SyntheticSource})
			}
		}
	}
	return out, nil
}

func multi(g orb.Geometry) orb.MultiPolygon {
	switch g := g.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{g}
	case orb.MultiPolygon:
		return g
	}
	return nil
}

func nearest(pts []orb.Point, p orb.Point) int {
	best, bd := 0, math.Inf(1)
	for i, q := range pts {
		if d := (q[0]-p[0])*(q[0]-p[0]) + (q[1]-p[1])*(q[1]-p[1]); d < bd {
			best, bd = i, d
		}
	}
	return best
}

// halfPlane is a·x + b·y <= c.
type halfPlane struct{ a, b, c float64 }

func (h halfPlane) inside(p orb.Point) bool { return h.a*p[0]+h.b*p[1] <= h.c }

func (h halfPlane) cross(p, q orb.Point) orb.Point {
	dp, dq := h.a*p[0]+h.b*p[1]-h.c, h.a*q[0]+h.b*q[1]-h.c
	t := dp / (dp - dq)
	return orb.Point{p[0] + t*(q[0]-p[0]), p[1] + t*(q[1]-p[1])}
}

// voronoiCell returns the half-planes bounding the points nearer pts[i]
// than any other, within frame.
func voronoiCell(pts []orb.Point, i int, frame orb.Bound) []halfPlane {
	hs := []halfPlane{
		{-1, 0, -frame.Min[0]}, {1, 0, frame.Max[0]}, {0, -1, -frame.Min[1]}, {0, 1, frame.Max[1]},
	}
	s := pts[i]
	for j, o := range pts {
		if j == i || o == s {
			continue
		}
		// |x-s|² <= |x-o|²  ⇔  2(o-s)·x <= |o|² - |s|²
		hs = append(hs, halfPlane{2 * (o[0] - s[0]), 2 * (o[1] - s[1]), o[0]*o[0] + o[1]*o[1] - s[0]*s[0] - s[1]*s[1]})
	}
	return hs
}

// clipMulti clips every ring of mp to the convex region hs (Sutherland–
// Hodgman), dropping what vanishes or comes out invalid.
func clipMulti(mp orb.MultiPolygon, hs []halfPlane) orb.MultiPolygon {
	var out orb.MultiPolygon
	for _, poly := range mp {
		var clipped orb.Polygon
		for k, ring := range poly {
			r := ring
			for _, h := range hs {
				r = clipRing(r, h)
				if len(r) == 0 {
					break
				}
			}
			if len(r) < 4 {
				if k == 0 {
					break // the shell vanished, so does the polygon
				}
				continue
			}
			clipped = append(clipped, r)
		}
		if len(clipped) > 0 && geo.Validate(clipped, concernmap.MaxAreaVertices) == nil {
			out = append(out, clipped)
		}
	}
	return out
}

func clipRing(r orb.Ring, h halfPlane) orb.Ring {
	if len(r) < 2 {
		return nil
	}
	var out orb.Ring
	for i := 0; i+1 < len(r); i++ {
		p, q := r[i], r[i+1]
		pin, qin := h.inside(p), h.inside(q)
		switch {
		case pin && qin:
			out = append(out, q)
		case pin && !qin:
			out = append(out, h.cross(p, q))
		case !pin && qin:
			out = append(out, h.cross(p, q), q)
		}
	}
	if len(out) == 0 {
		return nil
	}
	out = dedupe(out)
	if len(out) < 3 {
		return nil
	}
	return append(out, out[0])
}

// dedupe drops repeated consecutive points, which clipping makes where a
// vertex lies on the clip line.
func dedupe(r orb.Ring) orb.Ring {
	out := r[:0:0]
	for _, p := range r {
		if len(out) == 0 || out[len(out)-1] != p {
			out = append(out, p)
		}
	}
	for len(out) > 1 && out[0] == out[len(out)-1] {
		out = out[:len(out)-1]
	}
	return out
}
