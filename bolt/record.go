package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/concernmap/concernmap"
)

// A concern record is the value under its 16-byte ID. Layout of format 1:
//
//	format    byte (1)
//	flags     byte (flagReporter | flagDeleted)
//	version, severity, when.from, when.to            varint each
//	affected                                         uvarint
//	observed, reported, updated [, deleted]          varint µs since 1970
//	reporter                                         16 bytes, if flagReporter
//	status, when.kind, category                      uvarint length + bytes each
//	len(title), len(description), len(area)          uvarint each
//	title | description | area                       bytes
//	len(geometry) uvarint, geometry                  WKB
//
// The three free texts lie side by side so that decoding makes one string
// for all of them.
const recordFormat = 1

const (
	flagReporter = 1 << iota
	flagDeleted
	knownFlags = flagReporter | flagDeleted
)

// errCorrupt reports a record that does not parse.
var errCorrupt = errors.New("bolt: corrupt record")

// appendConcern appends the record of c to dst.
func appendConcern(dst []byte, c *concernmap.Concern) ([]byte, error) {
	geom, err := wkb.Marshal(c.Geometry)
	if err != nil {
		return nil, fmt.Errorf("encode geometry: %w", err)
	}
	if len(geom) == 0 {
		return nil, errors.New("bolt: no geometry to encode")
	}
	var flags byte
	if c.Reporter != nil {
		flags |= flagReporter
	}
	if c.Deleted() {
		flags |= flagDeleted
	}
	dst = append(dst, recordFormat, flags)
	dst = binary.AppendVarint(dst, int64(c.Version))
	dst = binary.AppendVarint(dst, int64(c.Severity))
	dst = binary.AppendVarint(dst, int64(c.WhenDangerous.From))
	dst = binary.AppendVarint(dst, int64(c.WhenDangerous.To))
	dst = binary.AppendUvarint(dst, uint64(c.Affected))
	dst = binary.AppendVarint(dst, c.ObservedAt.UnixMicro())
	dst = binary.AppendVarint(dst, c.ReportedAt.UnixMicro())
	dst = binary.AppendVarint(dst, c.UpdatedAt.UnixMicro())
	if c.Deleted() {
		dst = binary.AppendVarint(dst, c.DeletedAt.UnixMicro())
	}
	if c.Reporter != nil {
		dst = append(dst, c.Reporter[:]...)
	}
	for _, s := range []string{string(c.Status), string(c.WhenDangerous.Kind), c.Category} {
		dst = binary.AppendUvarint(dst, uint64(len(s)))
		dst = append(dst, s...)
	}
	dst = binary.AppendUvarint(dst, uint64(len(c.Title)))
	dst = binary.AppendUvarint(dst, uint64(len(c.Description)))
	dst = binary.AppendUvarint(dst, uint64(len(c.Area)))
	dst = append(dst, c.Title...)
	dst = append(dst, c.Description...)
	dst = append(dst, c.Area...)
	dst = binary.AppendUvarint(dst, uint64(len(geom)))
	return append(dst, geom...), nil
}

// recordDeleted reports whether a record is of a deleted concern, without
// decoding it, so that a scan skips deleted concerns cheaply.
func recordDeleted(b []byte) bool {
	return len(b) >= 2 && b[0] == recordFormat && b[1]&flagDeleted != 0
}

// decoder decodes records. It keeps one copy of each category key it has
// seen, so that a scan of a million concerns makes no string per category.
// The zero decoder is ready to use.
type decoder struct {
	categories map[string]string
}

// decode parses the record b of the concern id. The result shares no memory
// with b, which bbolt reuses once the transaction ends.
func (d *decoder) decode(id []byte, b []byte) (*concernmap.Concern, error) {
	if len(id) != len(uuid.UUID{}) {
		return nil, fmt.Errorf("%w: key of %d bytes", errCorrupt, len(id))
	}
	if len(b) < 2 {
		return nil, errCorrupt
	}
	if b[0] != recordFormat {
		return nil, fmt.Errorf("bolt: unknown record format %d", b[0])
	}
	flags := b[1]
	if flags&^knownFlags != 0 {
		return nil, fmt.Errorf("%w: unknown flags %#x", errCorrupt, flags)
	}
	r := reader{b: b[2:]}
	c := &concernmap.Concern{ID: uuid.UUID(id)}
	c.Version = r.int()
	c.Severity = r.int()
	c.WhenDangerous.From = r.int()
	c.WhenDangerous.To = r.int()
	if a := r.uvarint(); a <= math.MaxUint16 {
		c.Affected = concernmap.Affected(a)
	} else {
		r.fail()
	}
	c.ObservedAt = r.time()
	c.ReportedAt = r.time()
	c.UpdatedAt = r.time()
	if flags&flagDeleted != 0 {
		c.DeletedAt = r.time()
	}
	if flags&flagReporter != 0 {
		if p := r.bytes(16); p != nil {
			reporter := uuid.UUID(p)
			c.Reporter = &reporter
		}
	}
	c.Status = concernmap.Status(intern(r.bytes(r.length()), statusNames))
	c.WhenDangerous.Kind = concernmap.WhenKind(intern(r.bytes(r.length()), whenKindNames))
	c.Category = d.category(r.bytes(r.length()))
	nTitle, nDesc, nArea := r.length(), r.length(), r.length()
	if texts := r.bytes(nTitle + nDesc + nArea); texts != nil {
		s := string(texts)
		c.Title, c.Description, c.Area = s[:nTitle], s[nTitle:nTitle+nDesc], s[nTitle+nDesc:]
	}
	geom := r.bytes(r.length())
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the end", errCorrupt, len(r.b))
	}
	g, err := wkb.Unmarshal(geom)
	if err != nil {
		return nil, fmt.Errorf("%w: geometry: %w", errCorrupt, err)
	}
	c.Geometry = g
	return c, nil
}

func (d *decoder) category(b []byte) string {
	if s, ok := d.categories[string(b)]; ok {
		return s
	}
	s := string(b)
	if d.categories == nil {
		d.categories = make(map[string]string)
	}
	// Bound the cache: a corrupt or hostile file must not grow it forever.
	if len(d.categories) < 1000 {
		d.categories[s] = s
	}
	return s
}

var (
	statusNames   = stringsOf(concernmap.Statuses)
	whenKindNames = stringsOf(concernmap.WhenKinds)
)

func stringsOf[S ~string](list []S) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = string(s)
	}
	return out
}

// intern returns the string in known equal to b, or a new one; the
// comparison allocates nothing.
func intern(b []byte, known []string) string {
	for _, s := range known {
		if s == string(b) {
			return s
		}
	}
	return string(b)
}

// reader reads a record's fields; after the first error every read returns
// a zero value and err stays set.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = errCorrupt
	}
	r.b = nil
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

// int reads a varint that must fit in an int32, the range of every int in a
// concern, so that a record means the same on any platform.
func (r *reader) int() int {
	v := r.varint()
	if v < math.MinInt32 || v > math.MaxInt32 {
		r.fail()
		return 0
	}
	return int(v)
}

// length reads a byte count, which may not pass the end of the record.
func (r *reader) length() int {
	v := r.uvarint()
	if v > uint64(len(r.b)) {
		r.fail()
		return 0
	}
	return int(v)
}

func (r *reader) time() time.Time {
	return time.UnixMicro(r.varint()).UTC()
}

// bytes returns the next n bytes, or nil if there are fewer.
func (r *reader) bytes(n int) []byte {
	if n < 0 || n > len(r.b) {
		r.fail()
		return nil
	}
	p := r.b[:n:n]
	r.b = r.b[n:]
	return p
}

// An area record is the value under its pcode in the areas bucket. Layout
// of format 1:
//
//	format    byte (1)
//	id        16 bytes
//	version, updated                                 varint each; updated in µs since 1970
//	area_km2                                         8 bytes, IEEE 754 little-endian
//	len(level), len(parent), len(source),
//	len(name_en), len(name_my)                       uvarint each
//	level | parent | source | name_en | name_my      bytes
//	len(neighbors) uvarint, len of each uvarint, then their bytes
//	len(geometry) uvarint, geometry                  WKB MultiPolygon
//
// As in a concern record, texts lie side by side, so that decoding makes one
// string for all of them and one for all the neighbours.
const areaRecordFormat = 1

// appendArea appends the record of a to dst; a's pcode is the key.
func appendArea(dst []byte, a *concernmap.Area) ([]byte, error) {
	if len(a.Geometry) == 0 {
		return nil, errors.New("bolt: no geometry to encode")
	}
	geom, err := wkb.Marshal(a.Geometry)
	if err != nil {
		return nil, fmt.Errorf("encode geometry: %w", err)
	}
	dst = append(dst, areaRecordFormat)
	dst = append(dst, a.ID[:]...)
	dst = binary.AppendVarint(dst, int64(a.Version))
	dst = binary.AppendVarint(dst, a.UpdatedAt.UnixMicro())
	dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(a.AreaKM2))
	texts := [...]string{string(a.Level), a.Parent, a.Source, a.NameEN, a.NameMY}
	for _, s := range texts {
		dst = binary.AppendUvarint(dst, uint64(len(s)))
	}
	for _, s := range texts {
		dst = append(dst, s...)
	}
	dst = binary.AppendUvarint(dst, uint64(len(a.Neighbors)))
	for _, s := range a.Neighbors {
		dst = binary.AppendUvarint(dst, uint64(len(s)))
	}
	for _, s := range a.Neighbors {
		dst = append(dst, s...)
	}
	dst = binary.AppendUvarint(dst, uint64(len(geom)))
	return append(dst, geom...), nil
}

// areaHeader reads the ID and version of an area record, without decoding
// the rest, for an upsert that keeps the one and bumps the other.
func areaHeader(b []byte) (id uuid.UUID, version int, err error) {
	if len(b) < 1+len(id) {
		return id, 0, errCorrupt
	}
	if b[0] != areaRecordFormat {
		return id, 0, fmt.Errorf("bolt: unknown area record format %d", b[0])
	}
	r := reader{b: b[1:]}
	id = uuid.UUID(r.bytes(len(id)))
	version = r.int()
	return id, version, r.err
}

// decodeArea parses the record b of the area with the given pcode. The
// result shares no memory with b.
func decodeArea(pcode []byte, b []byte) (*concernmap.Area, error) {
	if len(b) < 1 {
		return nil, errCorrupt
	}
	if b[0] != areaRecordFormat {
		return nil, fmt.Errorf("bolt: unknown area record format %d", b[0])
	}
	r := reader{b: b[1:]}
	a := &concernmap.Area{PCode: string(pcode)}
	if p := r.bytes(len(a.ID)); p != nil {
		a.ID = uuid.UUID(p)
	}
	a.Version = r.int()
	a.UpdatedAt = r.time()
	if p := r.bytes(8); p != nil {
		a.AreaKM2 = math.Float64frombits(binary.LittleEndian.Uint64(p))
	}
	var lens [5]int
	total := 0
	for i := range lens {
		lens[i] = r.length()
		total += lens[i]
	}
	if texts := r.bytes(total); texts != nil {
		s := string(texts)
		var level string
		level, s = s[:lens[0]], s[lens[0]:]
		a.Parent, s = s[:lens[1]], s[lens[1]:]
		a.Source, s = s[:lens[2]], s[lens[2]:]
		a.NameEN, a.NameMY = s[:lens[3]], s[lens[3]:]
		a.Level = concernmap.AreaLevel(level)
	}
	if n := r.length(); n > 0 {
		// Each neighbour takes at least its length's byte, so n is bounded
		// by the record and a corrupt count cannot ask for a huge slice.
		nlens := make([]int, n)
		total := 0
		for i := range nlens {
			nlens[i] = r.length()
			total += nlens[i]
		}
		if all := r.bytes(total); all != nil {
			s := string(all)
			a.Neighbors = make([]string, n)
			for i, l := range nlens {
				a.Neighbors[i], s = s[:l], s[l:]
			}
		}
	}
	geom := r.bytes(r.length())
	if r.err != nil {
		return nil, r.err
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the end", errCorrupt, len(r.b))
	}
	g, err := wkb.Unmarshal(geom)
	if err != nil {
		return nil, fmt.Errorf("%w: geometry: %w", errCorrupt, err)
	}
	mp, ok := g.(orb.MultiPolygon)
	if !ok {
		return nil, fmt.Errorf("%w: geometry is a %s, want a MultiPolygon", errCorrupt, g.GeoJSONType())
	}
	if len(mp) == 0 {
		return nil, fmt.Errorf("%w: empty geometry", errCorrupt)
	}
	a.Geometry = mp
	return a, nil
}
