package tiles

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/project"
)

// GDAL's MVT driver is the independent reader: it must open the golden
// tiles, and the test never skips without it.
const missingGDAL = "ogrinfo is missing: run: sudo apt-get install -y gdal-bin"

// ogrinfo runs ogrinfo -ro with args and returns its output.
func ogrinfo(t *testing.T, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("ogrinfo")
	if err != nil {
		t.Fatal(missingGDAL)
	}
	out, err := exec.Command(bin, append([]string{"-ro"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// writeGolden copies the golden tile of tile to a temporary directory as
// {z}/{x}/{y}.pbf, the layout from which the driver takes z, x and y to
// georeference it, and returns its path.
func writeGolden(t *testing.T, tile maptile.Tile) string {
	t.Helper()
	b, err := os.ReadFile(goldenPath(tile))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), fmt.Sprint(tile.Z), fmt.Sprint(tile.X), fmt.Sprint(tile.Y)+".pbf")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

var (
	layerLine  = regexp.MustCompile(`(?m)^Layer name: (\S+)$`)
	countLine  = regexp.MustCompile(`(?m)^Feature Count: (\d+)$`)
	extentLine = regexp.MustCompile(`(?m)^Extent: \(([-\d.]+), ([-\d.]+)\) - \(([-\d.]+), ([-\d.]+)\)$`)
)

func TestGoldenReadByGDAL(t *testing.T) {
	for _, g := range goldens {
		t.Run(g.name, func(t *testing.T) {
			out := ogrinfo(t, "-al", "-so", writeGolden(t, g.tile))

			got := make(map[string]int)
			extents := make(map[string]orb.Bound)
			for _, sec := range strings.Split(out, "Layer name: ")[1:] {
				sec = "Layer name: " + sec
				name := layerLine.FindStringSubmatch(sec)[1]
				m := countLine.FindStringSubmatch(sec)
				if m == nil {
					t.Fatalf("layer %s: got no feature count in\n%s", name, sec)
				}
				got[name], _ = strconv.Atoi(m[1])
				if e := extentLine.FindStringSubmatch(sec); e != nil {
					var f [4]float64
					for i := range f {
						f[i], _ = strconv.ParseFloat(e[i+1], 64)
					}
					extents[name] = orb.Bound{Min: orb.Point{f[0], f[1]}, Max: orb.Point{f[2], f[3]}}
				}
			}
			want := make(map[string]int)
			for layer, fs := range g.want {
				want[layer] = len(fs)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("got feature counts %v, want %v\n%s", got, want, out)
			}

			// GDAL placed the tile where it belongs: its layers lie in
			// the tile's bound, in web mercator.
			tb := project.Bound(BufferedBound(g.tile, Buffer), project.WGS84.ToMercator)
			for name, e := range extents {
				if !tb.Contains(e.Min) || !tb.Contains(e.Max) {
					t.Errorf("layer %s: got extent %v, want within the tile %v", name, e, tb)
				}
			}
		})
	}

	// A hole wound as MVT requires reads as a hole, not as a second polygon.
	out := ogrinfo(t, "-q", writeGolden(t, base), "concerns", "-where", "id = 'p'")
	if !regexp.MustCompile(`POLYGON \(\([^()]+\),\([^()]+\)\)`).MatchString(out) {
		t.Errorf("got feature p as\n%s\nwant a POLYGON with one hole", out)
	}
}
