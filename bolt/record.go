package bolt

import (
	"bytes"
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

// decodeArea parses the record b of the area with the given pcode. The
// result shares no memory with b.
func decodeArea(pcode []byte, b []byte) (*concernmap.Area, error) {
	a, geom, err := decodeAreaFields(pcode, b)
	if err != nil {
		return nil, err
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

// decodeAreaFields parses every field of an area record but the geometry,
// whose WKB it returns unparsed, for an audit snapshot that leaves the
// boundary out.
func decodeAreaFields(pcode []byte, b []byte) (*concernmap.Area, []byte, error) {
	if len(b) < 1 {
		return nil, nil, errCorrupt
	}
	if b[0] != areaRecordFormat {
		return nil, nil, fmt.Errorf("bolt: unknown area record format %d", b[0])
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
	if err := r.done(); err != nil {
		return nil, nil, err
	}
	return a, geom, nil
}

// done reports the first error, or trailing bytes, once a record is read.
func (r *reader) done() error {
	if r.err != nil {
		return r.err
	}
	if len(r.b) != 0 {
		return fmt.Errorf("%w: %d bytes after the end", errCorrupt, len(r.b))
	}
	return nil
}

// appendTexts appends the lengths of texts, then their bytes side by side,
// so that decoding makes one string for all of them.
func appendTexts(dst []byte, texts ...string) []byte {
	for _, s := range texts {
		dst = binary.AppendUvarint(dst, uint64(len(s)))
	}
	for _, s := range texts {
		dst = append(dst, s...)
	}
	return dst
}

// appendList appends a count, then texts as appendTexts does.
func appendList(dst []byte, list []string) []byte {
	return appendTexts(binary.AppendUvarint(dst, uint64(len(list))), list...)
}

// texts reads n texts written by appendTexts. After an error it returns n
// empty strings.
func (r *reader) texts(n int) []string {
	out := make([]string, n)
	lens := make([]int, n)
	total := 0
	for i := range lens {
		lens[i] = r.length()
		total += lens[i]
	}
	all := r.bytes(total)
	if all == nil {
		return out
	}
	s := string(all)
	for i, l := range lens {
		out[i], s = s[:l], s[l:]
	}
	return out
}

// list reads texts written by appendList; none is nil. Each text takes at
// least its length's byte, so the count is bounded by the record and a
// corrupt one cannot ask for a huge slice.
func (r *reader) list() []string {
	n := r.length()
	if n == 0 {
		return nil
	}
	return r.texts(n)
}

// uuid reads 16 bytes as a UUID.
func (r *reader) uuid() uuid.UUID {
	var id uuid.UUID
	if p := r.bytes(len(id)); p != nil {
		id = uuid.UUID(p)
	}
	return id
}

// A user record is the value under the user's 16-byte ID in the users
// bucket. Layout of format 1:
//
//	format    byte (1)
//	flags     byte (userDisabled)
//	version, created, updated                        varint each; times in µs since 1970
//	len(username), len(name), len(role),
//	len(organisation), len(language), len(password)  uvarint each
//	username | name | role | organisation | language | password   bytes
//	len(scope) uvarint, len of each uvarint, then their bytes
const userRecordFormat = 1

const userDisabled = 1

// appendUser appends the record of u to dst; u's ID is the key.
func appendUser(dst []byte, u *concernmap.User) []byte {
	var flags byte
	if u.Disabled {
		flags |= userDisabled
	}
	dst = append(dst, userRecordFormat, flags)
	dst = binary.AppendVarint(dst, int64(u.Version))
	dst = binary.AppendVarint(dst, u.CreatedAt.UnixMicro())
	dst = binary.AppendVarint(dst, u.UpdatedAt.UnixMicro())
	dst = appendTexts(dst, u.Username, u.Name, string(u.Role), u.Organisation, u.Language, u.PasswordHash)
	return appendList(dst, u.Scope)
}

// decodeUser parses the record b of the user id. The result shares no
// memory with b.
func decodeUser(id, b []byte) (*concernmap.User, error) {
	if len(id) != len(uuid.UUID{}) {
		return nil, fmt.Errorf("%w: key of %d bytes", errCorrupt, len(id))
	}
	if len(b) < 2 {
		return nil, errCorrupt
	}
	if b[0] != userRecordFormat {
		return nil, fmt.Errorf("bolt: unknown user record format %d", b[0])
	}
	if b[1]&^userDisabled != 0 {
		return nil, fmt.Errorf("%w: unknown flags %#x", errCorrupt, b[1])
	}
	r := reader{b: b[2:]}
	u := &concernmap.User{ID: uuid.UUID(id), Disabled: b[1]&userDisabled != 0}
	u.Version = r.int()
	u.CreatedAt, u.UpdatedAt = r.time(), r.time()
	t := r.texts(6)
	u.Username, u.Name, u.Role, u.Organisation, u.Language, u.PasswordHash =
		t[0], t[1], concernmap.Role(t[2]), t[3], t[4], t[5]
	u.Scope = r.list()
	if err := r.done(); err != nil {
		return nil, err
	}
	return u, nil
}

// A session record is the value under the hash of its token in the
// sessions bucket. Layout of format 1:
//
//	format    byte (1)
//	user      16 bytes
//	created, expires                                 varint each, µs since 1970
//	len(csrf) uvarint, csrf
const sessionRecordFormat = 1

// appendSession appends the record of s to dst; s's token hash is the key.
func appendSession(dst []byte, s *concernmap.Session) []byte {
	dst = append(dst, sessionRecordFormat)
	dst = append(dst, s.UserID[:]...)
	dst = binary.AppendVarint(dst, s.CreatedAt.UnixMicro())
	dst = binary.AppendVarint(dst, s.ExpiresAt.UnixMicro())
	return appendTexts(dst, s.CSRFToken)
}

// decodeSession parses the record b of the session whose token hashes to
// hash. The result shares no memory with either.
func decodeSession(hash, b []byte) (*concernmap.Session, error) {
	if len(b) < 1 {
		return nil, errCorrupt
	}
	if b[0] != sessionRecordFormat {
		return nil, fmt.Errorf("bolt: unknown session record format %d", b[0])
	}
	r := reader{b: b[1:]}
	s := &concernmap.Session{TokenHash: bytes.Clone(hash)}
	s.UserID = r.uuid()
	s.CreatedAt, s.ExpiresAt = r.time(), r.time()
	s.CSRFToken = r.texts(1)[0]
	if err := r.done(); err != nil {
		return nil, err
	}
	return s, nil
}

// An API token record is the value under the token's 16-byte ID in the
// api_tokens bucket. Layout of format 1:
//
//	format    byte (1)
//	flags     byte (tokenUsed | tokenRevoked)
//	user      16 bytes
//	created [, last used, if tokenUsed] [, revoked, if tokenRevoked]   varint each, µs since 1970
//	len(name), len(hash)                             uvarint each
//	name | hash                                      bytes
const tokenRecordFormat = 1

const (
	tokenUsed = 1 << iota
	tokenRevoked
	knownTokenFlags = tokenUsed | tokenRevoked
)

// appendToken appends the record of t to dst; t's ID is the key.
func appendToken(dst []byte, t *concernmap.APIToken) []byte {
	var flags byte
	if !t.LastUsedAt.IsZero() {
		flags |= tokenUsed
	}
	if !t.RevokedAt.IsZero() {
		flags |= tokenRevoked
	}
	dst = append(dst, tokenRecordFormat, flags)
	dst = append(dst, t.UserID[:]...)
	dst = binary.AppendVarint(dst, t.CreatedAt.UnixMicro())
	if flags&tokenUsed != 0 {
		dst = binary.AppendVarint(dst, t.LastUsedAt.UnixMicro())
	}
	if flags&tokenRevoked != 0 {
		dst = binary.AppendVarint(dst, t.RevokedAt.UnixMicro())
	}
	return appendTexts(dst, t.Name, string(t.Hash))
}

// decodeToken parses the record b of the token id. The result shares no
// memory with b.
func decodeToken(id, b []byte) (*concernmap.APIToken, error) {
	if len(id) != len(uuid.UUID{}) {
		return nil, fmt.Errorf("%w: key of %d bytes", errCorrupt, len(id))
	}
	if len(b) < 2 {
		return nil, errCorrupt
	}
	if b[0] != tokenRecordFormat {
		return nil, fmt.Errorf("bolt: unknown token record format %d", b[0])
	}
	flags := b[1]
	if flags&^knownTokenFlags != 0 {
		return nil, fmt.Errorf("%w: unknown flags %#x", errCorrupt, flags)
	}
	r := reader{b: b[2:]}
	t := &concernmap.APIToken{ID: uuid.UUID(id)}
	t.UserID = r.uuid()
	t.CreatedAt = r.time()
	if flags&tokenUsed != 0 {
		t.LastUsedAt = r.time()
	}
	if flags&tokenRevoked != 0 {
		t.RevokedAt = r.time()
	}
	texts := r.texts(2)
	t.Name, t.Hash = texts[0], []byte(texts[1])
	if err := r.done(); err != nil {
		return nil, err
	}
	return t, nil
}

// An audit record is the value under the event's 16-byte UUIDv7 in the
// audit bucket, so that keys sort by time. Layout of format 1:
//
//	format    byte (1)
//	flags     byte (eventUser | eventBefore | eventAfter)
//	at                                               varint µs since 1970
//	user      16 bytes, if eventUser
//	len(action), len(entity), len(entity_id), len(request_id)   uvarint each
//	action | entity | entity_id | request_id         bytes
//	len(before) uvarint, before                      JSON, if eventBefore
//	len(after) uvarint, after                        JSON, if eventAfter
const auditRecordFormat = 1

const (
	eventUser = 1 << iota
	eventBefore
	eventAfter
	knownEventFlags = eventUser | eventBefore | eventAfter
)

// appendAuditRecord appends the record of e to dst; e's ID is the key.
func appendAuditRecord(dst []byte, e *concernmap.AuditEvent) []byte {
	var flags byte
	if e.UserID != nil {
		flags |= eventUser
	}
	if e.Before != nil {
		flags |= eventBefore
	}
	if e.After != nil {
		flags |= eventAfter
	}
	dst = append(dst, auditRecordFormat, flags)
	dst = binary.AppendVarint(dst, e.At.UnixMicro())
	if e.UserID != nil {
		dst = append(dst, e.UserID[:]...)
	}
	dst = appendTexts(dst, e.Action, e.Entity, e.EntityID, e.RequestID)
	if e.Before != nil {
		dst = binary.AppendUvarint(dst, uint64(len(e.Before)))
		dst = append(dst, e.Before...)
	}
	if e.After != nil {
		dst = binary.AppendUvarint(dst, uint64(len(e.After)))
		dst = append(dst, e.After...)
	}
	return dst
}

// auditView is an audit record parsed in place: its slices point into the
// record, which bbolt reuses once the transaction ends.
type auditView struct {
	at                                  time.Time
	user                                []byte // 16 bytes, or nil for none
	action, entity, entityID, requestID []byte
	before, after                       []byte // nil for none
}

// parseAudit parses an audit record without copying it, so that a search
// copies only the events it returns.
func parseAudit(b []byte) (auditView, error) {
	var v auditView
	if len(b) < 2 {
		return v, errCorrupt
	}
	if b[0] != auditRecordFormat {
		return v, fmt.Errorf("bolt: unknown audit record format %d", b[0])
	}
	flags := b[1]
	if flags&^knownEventFlags != 0 {
		return v, fmt.Errorf("%w: unknown flags %#x", errCorrupt, flags)
	}
	r := reader{b: b[2:]}
	v.at = r.time()
	if flags&eventUser != 0 {
		v.user = r.bytes(16)
	}
	var lens [4]int
	for i := range lens {
		lens[i] = r.length()
	}
	v.action, v.entity, v.entityID, v.requestID = r.bytes(lens[0]), r.bytes(lens[1]), r.bytes(lens[2]), r.bytes(lens[3])
	if flags&eventBefore != 0 {
		v.before = r.bytes(r.length())
	}
	if flags&eventAfter != 0 {
		v.after = r.bytes(r.length())
	}
	return v, r.done()
}

// event returns the event with ID id that v holds, sharing no memory with
// the record.
func (v *auditView) event(id []byte) *concernmap.AuditEvent {
	e := &concernmap.AuditEvent{
		ID:        uuid.UUID(id),
		At:        v.at,
		Action:    string(v.action),
		Entity:    string(v.entity),
		EntityID:  string(v.entityID),
		Before:    bytes.Clone(v.before),
		After:     bytes.Clone(v.after),
		RequestID: string(v.requestID),
	}
	if v.user != nil {
		u := uuid.UUID(v.user)
		e.UserID = &u
	}
	return e
}
