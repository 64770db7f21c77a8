package tiles

import (
	"errors"
	"math"
	"strconv"
	"testing"

	"github.com/paulmach/orb/maptile"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		z, x, y string
		want    maptile.Tile
		field   string // "" when Parse must succeed
	}{
		{"world", "0", "0", "0", maptile.New(0, 0, 0), ""},
		{"yangon z12", "12", "3142", "1854", maptile.New(3142, 1854, 12), ""},
		{"last tile of max zoom", "20", "1048575", "1048575", maptile.New(1048575, 1048575, 20), ""},
		{"leading zero", "012", "0", "0", maptile.New(0, 0, 12), ""},
		{"zoom too deep", "21", "0", "0", maptile.Tile{}, "z"},
		{"zoom far too deep", "300", "0", "0", maptile.Tile{}, "z"},
		{"zoom overflows", "99999999999999999999", "0", "0", maptile.Tile{}, "z"},
		{"negative zoom", "-1", "0", "0", maptile.Tile{}, "z"},
		{"signed zoom", "+1", "0", "0", maptile.Tile{}, "z"},
		{"fractional zoom", "1.5", "0", "0", maptile.Tile{}, "z"},
		{"empty zoom", "", "0", "0", maptile.Tile{}, "z"},
		{"hex zoom", "0x1", "0", "0", maptile.Tile{}, "z"},
		{"spaced zoom", " 1", "0", "0", maptile.Tile{}, "z"},
		{"extension left on", "1", "0", "0.mvt", maptile.Tile{}, "y"},
		{"x past the edge", "12", "4096", "0", maptile.Tile{}, "x"},
		{"x at zoom 0", "0", "1", "0", maptile.Tile{}, "x"},
		{"negative x", "12", "-1", "0", maptile.Tile{}, "x"},
		{"x not a number", "12", "abc", "0", maptile.Tile{}, "x"},
		{"x overflows uint32", "20", "4294967296", "0", maptile.Tile{}, "x"},
		{"y past the edge", "3", "7", "8", maptile.Tile{}, "y"},
		{"y empty", "3", "7", "", maptile.Tile{}, "y"},
		{"z checked first", "x", "y", "z", maptile.Tile{}, "z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.z, tt.x, tt.y)
			if tt.field == "" {
				if err != nil || got != tt.want {
					t.Fatalf("got %v, %v, want %v", got, err, tt.want)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, %v, want an *Error for %s", got, err, tt.field)
			}
			if e.Field != tt.field {
				t.Errorf("got field %q (%v), want %q", e.Field, err, tt.field)
			}
		})
	}
}

func TestParseErrorMessage(t *testing.T) {
	_, err := Parse("12", "4096", "0")
	if got, want := err.Error(), "tiles: x: must be an integer from 0 to 4095 at zoom 12"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// FuzzParse checks that Parse never panics, fails only with an *Error
// naming a field, returns only valid tiles, and reads back what it returns.
func FuzzParse(f *testing.F) {
	f.Add("12", "3142", "1854")
	f.Add("20", "1048575", "1048575")
	f.Fuzz(func(t *testing.T, z, x, y string) {
		got, err := Parse(z, x, y)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got error %T %v, want *Error", err, err)
			}
			if e.Field != "z" && e.Field != "x" && e.Field != "y" {
				t.Fatalf("got field %q, want z, x or y", e.Field)
			}
			return
		}
		if got.Z > MaxZoom || !got.Valid() {
			t.Fatalf("got invalid tile %v from %q, %q, %q", got, z, x, y)
		}
		for _, s := range [...]string{z, x, y} {
			for _, r := range s {
				if r < '0' || r > '9' {
					t.Fatalf("got %v from %q, %q, %q, want an error for the non-digit %q", got, z, x, y, r)
				}
			}
		}
		u := func(v uint32) string { return strconv.FormatUint(uint64(v), 10) }
		again, err := Parse(u(uint32(got.Z)), u(got.X), u(got.Y))
		if err != nil || again != got {
			t.Fatalf("got %v, %v on reparsing, want %v", again, err, got)
		}
	})
}

func TestBufferedBound(t *testing.T) {
	tile := maptile.New(3142, 1854, 12)
	b := Bound(tile)
	bb := BufferedBound(tile, Buffer)
	if !bb.Contains(b.Min) || !bb.Contains(b.Max) {
		t.Fatalf("got buffered %v, want it to contain %v", bb, b)
	}
	// Buffer units are Buffer/Extent of the tile's width on each side.
	gotGrow := (bb.Max[0] - b.Max[0]) / (b.Max[0] - b.Min[0])
	if want := float64(Buffer) / Extent; math.Abs(gotGrow-want) > 1e-9 {
		t.Errorf("got growth %v of the width, want %v", gotGrow, want)
	}
	if got := BufferedBound(tile, 0); got != b {
		t.Errorf("got %v with no buffer, want %v", got, b)
	}
	// At the top of the world the buffer stops at the edge of mercator.
	top := BufferedBound(maptile.New(0, 0, 1), Buffer)
	if want := Bound(maptile.New(0, 0, 1)).Max[1]; top.Max[1] != want {
		t.Errorf("got north edge %v, want %v", top.Max[1], want)
	}
}
