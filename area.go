package concernmap

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/google/uuid"
	"github.com/paulmach/orb"

	"github.com/concernmap/concernmap/geo"
)

// AreaLevel is a level of Myanmar's administrative hierarchy.
type AreaLevel string

// The levels, from the largest down.
const (
	LevelState        AreaLevel = "state" // state or region
	LevelDistrict     AreaLevel = "district"
	LevelTownship     AreaLevel = "township"
	LevelVillageTract AreaLevel = "village_tract"
	LevelVillage      AreaLevel = "village"
)

// AreaLevels lists the levels from the largest down.
var AreaLevels = []AreaLevel{LevelState, LevelDistrict, LevelTownship, LevelVillageTract, LevelVillage}

// Depth returns the level's position in AreaLevels, or -1.
func (l AreaLevel) Depth() int {
	for i, v := range AreaLevels {
		if v == l {
			return i
		}
	}
	return -1
}

// MaxAreaVertices bounds one area's boundary; MIMU village tracts have a
// few hundred, states tens of thousands.
const MaxAreaVertices = 500_000

// Area is an administrative area: a state, district, township, village tract
// or village, with its boundary.
type Area struct {
	// ID stays the same when a re-import updates the area by pcode.
	ID     uuid.UUID
	Level  AreaLevel
	PCode  string // MIMU place code, e.g. MMR013001701
	NameEN string
	NameMY string
	// Parent is the pcode of the enclosing area, "" for a state.
	Parent   string
	Geometry orb.MultiPolygon // WGS84 lon/lat
	AreaKM2  float64
	// Neighbors are the pcodes of the areas of the same level that share a
	// boundary point (queen contiguity), computed at import for hotspots.
	Neighbors []string
	// Source says where the boundary came from; demo areas say "synthetic".
	Source    string
	UpdatedAt time.Time
	Version   int
}

var pcodeRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,40}$`)

// Validate checks an area; the import has already repaired what it could.
func (a *Area) Validate() error {
	var fe fieldErrors
	if a.Level.Depth() < 0 {
		fe.add("level", "must be one of state, district, township, village_tract, village")
	}
	if !pcodeRE.MatchString(a.PCode) {
		fe.add("pcode", "must be 1-40 letters, digits, dots, dashes or underscores")
	}
	if a.Parent != "" && !pcodeRE.MatchString(a.Parent) {
		fe.add("parent", "must be a pcode")
	}
	validateText(&fe, "name_en", a.NameEN, 1, 400)
	validateText(&fe, "name_my", a.NameMY, 0, 800)
	if len(a.Geometry) == 0 {
		fe.add("geometry", "is required")
	} else if err := geo.Validate(a.Geometry, MaxAreaVertices); err != nil {
		fe.add(geometryField(err), "%s", geoMessage(err))
	}
	return fe.err("area")
}

// ValidateAreas validates a batch of areas for one write and rejects a
// pcode given twice, naming each field as areas[i].field.
func ValidateAreas(areas []*Area) error {
	seen := make(map[string]int, len(areas))
	var fe fieldErrors
	for i, a := range areas {
		at := fmt.Sprintf("areas[%d]", i)
		if a == nil {
			fe.add(at, "is required")
			continue
		}
		for _, f := range ErrorFields(a.Validate()) {
			fe.add(at+"."+f.Field, "%s", f.Message)
		}
		if j, ok := seen[a.PCode]; ok {
			fe.add(at+".pcode", "repeats areas[%d]", j)
		} else {
			seen[a.PCode] = i
		}
	}
	return fe.err("areas")
}

// AreaStore holds the area hierarchy.
type AreaStore interface {
	// UpsertAreas writes areas in one transaction, matching existing ones
	// by pcode: a match keeps its ID and gets the new level, names, parent,
	// geometry, area and neighbours, with Version bumped; a new area gets an
	// ID the store makes. It runs ValidateAreas first, and on any error
	// nothing is written. After the commit it fills in ID, Version and
	// UpdatedAt on the caller's areas.
	UpsertAreas(ctx context.Context, areas []*Area, now time.Time) (created, updated int, err error)
	// ScanAreas calls fn for every area, in no particular order.
	ScanAreas(ctx context.Context, fn func(*Area) error) error
	// FindAreaByPCode returns one area; ENOTFOUND if none.
	FindAreaByPCode(ctx context.Context, pcode string) (*Area, error)
	// AssignConcernAreas sets the area of many concerns in one
	// transaction, bumping each changed concern's Version and UpdatedAt;
	// concerns whose area is already right, deleted ones and unknown IDs
	// are left alone, and "" clears an area. It returns how many changed.
	AssignConcernAreas(ctx context.Context, areas map[uuid.UUID]string, now time.Time) (int, error)
}

// AreaFilter selects areas for a list.
type AreaFilter struct {
	Level  AreaLevel // "" for all
	Parent string    // "" for any
	BBox   *orb.Bound
	Query  string // part of the English (any case) or Burmese name
}

// AreaIndex holds the areas in memory for lookups.
type AreaIndex interface {
	// Put adds or replaces areas by pcode.
	Put(areas ...*Area)
	// Locate returns the pcode of the area that holds g, or "".
	Locate(g orb.Geometry) string
	// Find returns one area.
	Find(pcode string) (*Area, bool)
	// Within returns pcode and the pcodes of every area below it.
	Within(pcode string) []string
	// Ancestor returns pcode or its ancestor at level, or "".
	Ancestor(pcode string, level AreaLevel) string
	// List returns the areas that match f, by pcode.
	List(f AreaFilter) []*Area
	Len() int
}
