package areaimport

import (
	"math"
	"testing"

	"github.com/concernmap/concernmap"
)

// The seed corpora are in testdata/fuzz: the fixtures, and small files
// with each kind of fault.
func FuzzReadGeoJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRead(t, data, FormatGeoJSON)
	})
}

func FuzzReadKML(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRead(t, data, FormatKML)
	})
}

// checkRead reads data and checks the promises of Read: all or nothing,
// and every area it returns fit to store.
func checkRead(t *testing.T, data []byte, format Format) {
	areas, rep, err := Read(data, format, Options{Level: concernmap.LevelVillageTract, Source: "fuzz"})
	if err != nil {
		if areas != nil {
			t.Fatalf("got %d areas with error %v", len(areas), err)
		}
		if code := concernmap.ErrorCode(err); code != concernmap.EINVALID && code != concernmap.ETOOLARGE {
			t.Fatalf("got code %s: %v", code, err)
		}
		if rep != nil && rep.Rejected() == 0 {
			t.Fatalf("got error %v with a report of no rejections", err)
		}
		return
	}
	if rep == nil || rep.Rejected() != 0 || len(areas) != rep.Features {
		t.Fatalf("got %d areas and report %+v", len(areas), rep)
	}
	for _, p := range rep.Problems {
		if p.Feature < 0 || p.Feature >= rep.Features || p.Reason == "" {
			t.Errorf("bad problem %+v", p)
		}
	}
	for _, a := range areas {
		if err := a.Validate(); err != nil {
			t.Fatalf("area %s: %v", a.PCode, err)
		}
		if a.Level != concernmap.LevelVillageTract || a.Source != "fuzz" {
			t.Fatalf("area %s: got level %q, source %q", a.PCode, a.Level, a.Source)
		}
		if math.IsNaN(a.AreaKM2) || a.AreaKM2 < 0 || a.AreaKM2 > 5.2e8 {
			t.Fatalf("area %s: got %v km²", a.PCode, a.AreaKM2)
		}
	}
}
