package areaimport

import (
	"testing"

	"github.com/concernmap/concernmap"
)

func TestLink(t *testing.T) {
	const (
		st = concernmap.LevelState
		dt = concernmap.LevelDistrict
		ts = concernmap.LevelTownship
		vt = concernmap.LevelVillageTract
		vl = concernmap.LevelVillage
	)
	known := map[string]concernmap.AreaLevel{
		"MMR013":     st,
		"MMR013D001": dt,
		"MMR013001":  ts,
		"MMR014":     st,
		"MMR0":       "bogus", // an unknown level links nothing
	}
	tests := []struct {
		name   string
		batch  []*concernmap.Area
		parent []string // wanted, in batch order
	}{
		{"village tract to stored township",
			[]*concernmap.Area{{Level: vt, PCode: "MMR013001701"}}, []string{"MMR013001"}},
		{"township skips the district, whose D breaks the prefix",
			[]*concernmap.Area{{Level: ts, PCode: "MMR013002"}}, []string{"MMR013"}},
		{"district to state",
			[]*concernmap.Area{{Level: dt, PCode: "MMR013D002"}}, []string{"MMR013"}},
		{"within the batch, longest prefix",
			[]*concernmap.Area{{Level: vt, PCode: "MMR014003701"}, {Level: ts, PCode: "MMR014003"}},
			[]string{"MMR014003", "MMR014"}},
		{"village to its tract in the batch",
			[]*concernmap.Area{{Level: vl, PCode: "MMR013001701001"}, {Level: vt, PCode: "MMR013001701"}},
			[]string{"MMR013001701", "MMR013001"}},
		{"same level is no parent",
			[]*concernmap.Area{{Level: vt, PCode: "MMR013001701"}, {Level: vt, PCode: "MMR013001701A"}},
			[]string{"MMR013001", "MMR013001"}},
		{"the batch's level wins over the stored one",
			[]*concernmap.Area{{Level: vt, PCode: "MMR013001"}, {Level: vt, PCode: "MMR013001701"}},
			[]string{"MMR013", "MMR013"}},
		{"explicit parent kept",
			[]*concernmap.Area{{Level: vt, PCode: "MMR013001701", Parent: "MMR013009"}}, []string{"MMR013009"}},
		{"state has none",
			[]*concernmap.Area{{Level: st, PCode: "MMR015"}}, []string{""}},
		{"no prefix",
			[]*concernmap.Area{{Level: vt, PCode: "XYZ001"}}, []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			Link(tt.batch, known)
			for i, a := range tt.batch {
				if a.Parent != tt.parent[i] {
					t.Errorf("%s: got parent %q, want %q", a.PCode, a.Parent, tt.parent[i])
				}
			}
		})
	}
}

// TestLinkRead links areas read from a file once their parents are gone.
func TestLinkRead(t *testing.T) {
	areas, _, err := Read(readFixture(t, "mimu_vt.geojson"), FormatGeoJSON, Options{Level: concernmap.LevelVillageTract})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range areas {
		a.Parent = ""
	}
	Link(areas, map[string]concernmap.AreaLevel{"MMR013001": concernmap.LevelTownship})
	for _, a := range areas {
		if a.Parent != "MMR013001" {
			t.Errorf("%s: got parent %q, want MMR013001", a.PCode, a.Parent)
		}
	}
}
