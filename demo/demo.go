// Package demo makes deterministic, synthetic demo data: villages and
// concerns clustered around them in Kayin and Mon states. Nothing in it is
// a real report.
package demo

import (
	_ "embed"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"

	"github.com/concernmap/concernmap"
)

// statesGeoJSON holds the Kayin and Mon outlines from Natural Earth's
// public-domain 1:10m admin-1 layer.
//
//go:embed states.geojson
var statesGeoJSON []byte

// Village is a synthetic village: a centre and a name.
type Village struct {
	Name   string
	State  string
	Center orb.Point
	Weight float64 // relative number of concerns around it
}

// States returns the Kayin and Mon outlines.
func States() (*geojson.FeatureCollection, error) {
	fc, err := geojson.UnmarshalFeatureCollection(statesGeoJSON)
	if err != nil {
		return nil, fmt.Errorf("demo: parse state outlines: %w", err)
	}
	return fc, nil
}

// Villages places n synthetic villages inside Kayin and Mon, the same ones
// for the same seed.
func Villages(n int, seed uint64) ([]Village, error) {
	fc, err := States()
	if err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	out := make([]Village, 0, n)
	for i := 0; len(out) < n; i++ {
		f := fc.Features[i%len(fc.Features)]
		b := f.Geometry.Bound()
		p := orb.Point{b.Min[0] + r.Float64()*(b.Max[0]-b.Min[0]), b.Min[1] + r.Float64()*(b.Max[1]-b.Min[1])}
		if !contains(f.Geometry, p) {
			continue
		}
		state := f.Properties.MustString("name", "")
		out = append(out, Village{
			Name:   fmt.Sprintf("%s %s (synthetic)", syllables[r.IntN(len(syllables))], syllables[r.IntN(len(syllables))]),
			State:  state,
			Center: round(p),
			// A few large villages and many small ones, as in the field.
			Weight: math.Exp(r.NormFloat64()),
		})
	}
	return out, nil
}

func contains(g orb.Geometry, p orb.Point) bool {
	switch g := g.(type) {
	case orb.Polygon:
		return planar.PolygonContains(g, p)
	case orb.MultiPolygon:
		return planar.MultiPolygonContains(g, p)
	}
	return false
}

// syllables build synthetic village names; Karen and Mon place names use
// such parts, but no combination here names a real report.
var syllables = []string{"Htee", "Kaw", "Lay", "Mae", "Baw", "Ler", "Pa", "Tha", "Day", "Kyaik", "Mu", "Noh", "Paw", "Taw", "Wah", "Ywa", "Hpa", "Ka", "Per", "Thay"}

// kind describes how one category shows on the ground.
type kind struct {
	category string
	weight   float64
	shape    string // point, line or polygon
	when     []concernmap.When
	titles   []string
	details  []string
}

var kinds = []kind{
	{"landmine_uxo", 18, "point", whens(concernmap.WhenAlways, concernmap.WhenRainySeason),
		[]string{"Landmine seen beside the path to the school", "Unexploded mortar shell in the paddy field", "Suspected mine near the stream crossing", "ဘုန်းကြီးကျောင်းလမ်းဘေးတွင် မိုင်းတွေ့"},
		[]string{"Villagers saw a mine beside the footpath. Children walk here every morning.", "An old shell lies half-buried at the field edge after the rains.", "Cattle were injured near this spot; people avoid it."}},
	{"unlit_road", 16, "line", whens(concernmap.WhenNight, concernmap.WhenWindow),
		[]string{"Unlit road between the village and the market", "Dark stretch past the monastery", "No street lights on the main road", "ညအချိန် မီးမရှိသော လမ်း"},
		[]string{"Women returning from the market after dark feel unsafe here.", "Motorbikes crash on this stretch at night; there are no lights.", "Students walk home from evening classes along this road."}},
	{"damaged_bridge", 8, "point", whens(concernmap.WhenRainySeason, concernmap.WhenAlways),
		[]string{"Bamboo bridge broken", "Bridge planks missing", "Bridge washed out by the stream"},
		[]string{"The bridge to the school is broken; children wade across in the rainy season.", "Planks are rotten and a motorbike fell through last month."}},
	{"night_route", 14, "line", []concernmap.When{{Kind: concernmap.WhenWindow, From: 2 * 60, To: 6 * 60}, {Kind: concernmap.WhenNight}},
		[]string{"Route to the rubber plantation before dawn", "Night path to tap rubber", "ရော်ဘာခြံသွားသော ညလမ်း"},
		[]string{"Tappers leave at 2 a.m. to collect sap and pass armed checkpoints.", "Women tapping rubber alone at night on this path have been harassed."}},
	{"armed_actor", 10, "polygon", whens(concernmap.WhenAlways, concernmap.WhenNight),
		[]string{"Armed group camp near the farms", "Checkpoint where fees are demanded", "Soldiers patrol this area"},
		[]string{"Farmers are stopped and asked for money on their way to the fields.", "Young men avoid this area for fear of forced recruitment."}},
	{"flooding", 8, "polygon", whens(concernmap.WhenRainySeason),
		[]string{"Low-lying houses flood every year", "Flooded road cuts off the village", "ရေကြီးသော နေရာ"},
		[]string{"In the rainy season the road is under water for weeks.", "Houses near the river are flooded and families move to the monastery."}},
	{"other", 6, "point", whens(concernmap.WhenAlways, concernmap.WhenDrySeason),
		[]string{"Stray dogs attack children", "Land dispute at the field boundary", "Forest fire risk in the dry season"},
		[]string{"Several children were bitten near the well.", "Two families dispute this land and tempers are high."}},
	{"domestic_violence", 12, "point", whens(concernmap.WhenNight, concernmap.WhenAlways),
		[]string{"Domestic violence reported", "Woman afraid to go home", "အိမ်တွင်း အကြမ်းဖက်မှု"},
		[]string{"A woman reported violence at home; she asks that her name is not shared.", "Neighbours hear shouting and beatings at night."}},
	{"alcohol_harm", 8, "point", whens(concernmap.WhenNight, concernmap.WhenWindow),
		[]string{"Drinking shop causes fights at night", "Drunk drivers on the village road", "အရက်သောက်ပြီး ရန်ဖြစ်ခြင်း"},
		[]string{"Fights start outside the shop most evenings.", "Young men drink and drive motorbikes fast past the school."}},
}

func whens(kinds ...concernmap.WhenKind) []concernmap.When {
	out := make([]concernmap.When, len(kinds))
	for i, k := range kinds {
		out[i] = concernmap.When{Kind: k}
		if k == concernmap.WhenWindow {
			out[i].From, out[i].To = 18*60, 6*60
		}
	}
	return out
}

// Epoch is the demo data's "now": reports fall in the two years before it,
// so the data is the same whenever it is generated.
var Epoch = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)

// Generator makes concerns one at a time, deterministically.
type Generator struct {
	r        *rand.Rand
	villages []Village
	cum      []float64 // cumulative village weights
	kindCum  []float64
	reporter []uuid.UUID
}

// NewGenerator returns a generator over villages.
func NewGenerator(villages []Village, seed uint64) *Generator {
	g := &Generator{r: rand.New(rand.NewPCG(seed, 0xc0ffee)), villages: villages}
	total := 0.0
	for _, v := range villages {
		total += v.Weight
		g.cum = append(g.cum, total)
	}
	total = 0
	for _, k := range kinds {
		total += k.weight
		g.kindCum = append(g.kindCum, total)
	}
	for range 40 {
		g.reporter = append(g.reporter, g.uuid())
	}
	return g
}

func (g *Generator) uuid() uuid.UUID {
	var id uuid.UUID
	for i := 0; i < 16; i += 8 {
		v := g.r.Uint64()
		for j := range 8 {
			id[i+j] = byte(v >> (8 * j))
		}
	}
	id[6] = id[6]&0x0f | 0x40 // version 4
	id[8] = id[8]&0x3f | 0x80 // RFC 4122 variant
	return id
}

func pick(r *rand.Rand, cum []float64) int {
	x := r.Float64() * cum[len(cum)-1]
	lo, hi := 0, len(cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if cum[mid] < x {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// Next returns the next concern.
func (g *Generator) Next() *concernmap.Concern {
	r := g.r
	v := g.villages[pick(r, g.cum)]
	k := kinds[pick(r, g.kindCum)]
	// Most concerns lie within a couple of km of the village, some on the
	// roads and fields further out.
	spread := 0.012
	if r.IntN(4) == 0 {
		spread = 0.04
	}
	at := orb.Point{v.Center[0] + r.NormFloat64()*spread, v.Center[1] + r.NormFloat64()*spread}
	if k.category == "domestic_violence" || k.category == "alcohol_harm" {
		at = orb.Point{v.Center[0] + r.NormFloat64()*0.003, v.Center[1] + r.NormFloat64()*0.003}
	}
	observed := Epoch.Add(-time.Duration(r.Int64N(int64(730 * 24 * time.Hour)))).Truncate(time.Second)
	c := &concernmap.Concern{
		ID:            g.uuid(),
		Category:      k.category,
		Geometry:      g.shape(k.shape, at),
		Title:         k.titles[r.IntN(len(k.titles))],
		Description:   k.details[r.IntN(len(k.details))] + " Near " + v.Name + ".",
		Severity:      1 + r.IntN(5),
		Status:        g.status(),
		WhenDangerous: k.when[r.IntN(len(k.when))],
		ObservedAt:    observed,
		ReportedAt:    observed.Add(time.Duration(r.IntN(72)) * time.Hour),
		Version:       1,
	}
	if k.category == "landmine_uxo" || k.category == "armed_actor" {
		c.Severity = 3 + r.IntN(3)
	}
	c.UpdatedAt = c.ReportedAt
	for range 1 + r.IntN(3) {
		c.Affected |= 1 << r.IntN(len(concernmap.AffectedGroups))
	}
	if k.category == "domestic_violence" {
		c.Affected |= concernmap.AffectedWomen
	}
	// A third of reports are anonymous, as people fear being identified.
	if r.IntN(3) > 0 {
		id := g.reporter[r.IntN(len(g.reporter))]
		c.Reporter = &id
	}
	return c
}

func (g *Generator) status() concernmap.Status {
	x := g.r.IntN(100)
	switch {
	case x < 35:
		return concernmap.StatusReported
	case x < 50:
		return concernmap.StatusVerified
	case x < 60:
		return concernmap.StatusPrioritised
	case x < 67:
		return concernmap.StatusActionPlanned
	case x < 75:
		return concernmap.StatusRequested
	case x < 82:
		return concernmap.StatusInProgress
	case x < 95:
		return concernmap.StatusResolved
	}
	return concernmap.StatusClosed
}

// shape makes a point, a road-like line or a small area around at.
func (g *Generator) shape(shape string, at orb.Point) orb.Geometry {
	r := g.r
	switch shape {
	case "line":
		n := 3 + r.IntN(6)
		ls := make(orb.LineString, 0, n)
		p, heading := at, r.Float64()*2*math.Pi
		for range n {
			ls = append(ls, round(p))
			heading += r.NormFloat64() * 0.4
			step := 0.001 + r.Float64()*0.002
			p = orb.Point{p[0] + math.Cos(heading)*step, p[1] + math.Sin(heading)*step}
		}
		return ls
	case "polygon":
		n := 5 + r.IntN(5)
		radius := 0.002 + r.Float64()*0.004
		ring := make(orb.Ring, 0, n+1)
		for i := range n {
			a := 2 * math.Pi * float64(i) / float64(n)
			rr := radius * (0.7 + 0.3*r.Float64())
			ring = append(ring, round(orb.Point{at[0] + math.Cos(a)*rr, at[1] + math.Sin(a)*rr}))
		}
		ring = append(ring, ring[0])
		return orb.Polygon{ring}
	}
	return round(at)
}

// round keeps 7 decimals, about 1 cm: more than a phone's GPS knows.
func round(p orb.Point) orb.Point {
	return orb.Point{math.Round(p[0]*1e7) / 1e7, math.Round(p[1]*1e7) / 1e7}
}
