// Package shapefile reads ESRI polygon shapefiles: the .shp geometry, the
// .dbf attributes and the .prj and .cpg side files, loose or in a .zip. It
// exists to import administrative boundaries such as MIMU's village tracts,
// and reads only what they use: Polygon, PolygonZ and PolygonM records.
//
// The reader trusts nothing in the files. Every length, count and index is
// checked against the bytes actually present, so corrupt input gives an
// error wrapping one of the Err values below, never a panic, and memory use
// is bounded by MaxSize and MaxPoints rather than by what a header claims.
//
// The .shp records are read in order; the .shx index is not needed and is
// ignored. A record deleted in the .dbf (flag '*') is left out together with
// the .shp record at the same position, since the two files pair their
// records by position; Feature.Index still counts it.
//
// Shapefiles draw outer rings clockwise and holes counter-clockwise; each
// hole goes to the smallest outer ring that contains it. Text in the .dbf
// is UTF-8 when the .cpg says UTF-8 or UTF8 (any case), when the LDID byte
// is 0xF0, or when every field name and text value is valid UTF-8, and
// Latin-1 otherwise.
package shapefile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/paulmach/orb"
)

// Limits on what one file set may hold.
const (
	// MaxPoints is the most points one record may have.
	MaxPoints = 1_000_000
	// MaxSize bounds the bytes read from all parts together, and so the
	// uncompressed size taken from a zip.
	MaxSize = 200 << 20
	// maxDecoded bounds the estimated memory of the decoded features. Small
	// dBase fields turn into map entries many times their size, so this
	// guards against a file that is small but decodes into gigabytes.
	maxDecoded = 5 * MaxSize
)

// Errors that Read and ReadZip wrap with details.
var (
	ErrCorrupt    = errors.New("shapefile: corrupt or truncated file")
	ErrShapeType  = errors.New("shapefile: unsupported shape type")
	ErrFieldType  = errors.New("shapefile: unsupported dBase field type")
	ErrCount      = errors.New("shapefile: .shp and .dbf record counts differ")
	ErrTooLarge   = errors.New("shapefile: file too large")
	ErrNoShp      = errors.New("shapefile: no .shp file in zip")
	ErrSeveralShp = errors.New("shapefile: several .shp files in zip")
	ErrNoDBF      = errors.New("shapefile: no .dbf file beside the .shp")
)

// Feature is one record: its geometry and its attributes.
//
// Geometry is an orb.Polygon, or an orb.MultiPolygon when the record has
// several outer rings, in the file's coordinates with Z and M dropped. It
// is nil for a Null record or an empty polygon, which the caller reports.
// Rings follow RFC 7946: outer rings counter-clockwise, holes clockwise.
//
// Properties maps every .dbf field name to its value as text: strings
// decoded to UTF-8 and numbers, dates and logicals as their dBase text,
// trimmed. An empty or null value is "".
type Feature struct {
	Geometry   orb.Geometry
	Properties map[string]string
	Index      int // 0-based record number in the .shp and .dbf
}

// File is a parsed shapefile set.
type File struct {
	Features []Feature
	Fields   []string // .dbf field names in order
	PRJ      string   // the .prj WKT as written, trimmed; "" if none
	Encoding string   // the .cpg content, trimmed; "" if none
}

// Read reads a shapefile from its parts, each to its end; dbf, prj and cpg
// may be nil. Without a .dbf every feature has empty Properties.
func Read(shp, dbf, prj, cpg io.Reader) (*File, error) {
	if shp == nil {
		return nil, fmt.Errorf("%w: no .shp", ErrCorrupt)
	}
	left := int64(MaxSize)
	var parts [4][]byte
	for i, r := range []io.Reader{shp, dbf, prj, cpg} {
		if r == nil {
			continue
		}
		b, err := readAll(r, left)
		if err != nil {
			return nil, err
		}
		left -= int64(len(b))
		parts[i] = b
	}
	return decode(parts[0], parts[1], parts[2], parts[3], dbf != nil)
}

// readAll reads r to its end, failing with ErrTooLarge past limit bytes.
func readAll(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("shapefile: read: %w", err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: over %d MiB", ErrTooLarge, MaxSize>>20)
	}
	return b, nil
}

func decode(shp, dbf, prj, cpg []byte, haveDBF bool) (*File, error) {
	f := &File{PRJ: sideText(prj), Encoding: sideText(cpg)}
	b := &budget{left: maxDecoded}
	var t *table
	if haveDBF {
		var err error
		if t, err = parseDBF(dbf, f.Encoding); err != nil {
			return nil, err
		}
		f.Fields = t.names
	}
	geoms, err := parseSHP(shp, b)
	if err != nil {
		return nil, err
	}
	if t != nil && t.count != len(geoms) {
		return nil, fmt.Errorf("%w: %d in .shp, %d in .dbf", ErrCount, len(geoms), t.count)
	}
	f.Features = make([]Feature, 0, len(geoms))
	for i, g := range geoms {
		props := map[string]string{}
		if t != nil {
			if t.deleted(i) {
				continue
			}
			if props, err = t.record(i, b); err != nil {
				return nil, err
			}
		}
		f.Features = append(f.Features, Feature{Geometry: g, Properties: props, Index: i})
	}
	return f, nil
}

// sideText is the text of a .prj or .cpg file, without a byte order mark
// or surrounding white space.
func sideText(b []byte) string {
	b = bytes.TrimPrefix(b, []byte("\uFEFF"))
	return strings.TrimSpace(string(b))
}

// budget counts down the estimated memory of decoded features.
type budget struct{ left int64 }

func (b *budget) take(n int64) error {
	b.left -= n
	if b.left < 0 {
		return fmt.Errorf("%w: decodes to over %d MiB", ErrTooLarge, maxDecoded>>20)
	}
	return nil
}
