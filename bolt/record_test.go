package bolt

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/concernmap/concernmap"
	"github.com/concernmap/concernmap/storetest"
)

var update = flag.Bool("update", false, "rewrite the fuzz seed corpus in testdata")

// fixtures returns stored concerns that between them set every field and
// flag of a record.
func fixtures() []*concernmap.Concern {
	var out []*concernmap.Concern
	for _, g := range storetest.Geometries() {
		c := storetest.NewConcern()
		c.Geometry = g.Geometry
		out = append(out, storetest.Stored(c))
	}
	bare := storetest.Stored(storetest.NewConcern())
	bare.Reporter, bare.Area, bare.Description, bare.Affected = nil, "", "", 0
	bare.WhenDangerous = concernmap.When{Kind: concernmap.WhenAlways}
	bare.UpdatedAt = time.Time{}
	deleted := storetest.Stored(storetest.NewConcern())
	deleted.DeletedAt = storetest.StoredTime(time.Now())
	deleted.Version = 7
	custom := storetest.Stored(storetest.NewConcern())
	custom.Category, custom.Status = "admin_added", "unheard_of"
	return append(out, bare, deleted, custom)
}

func TestRecordRoundTrip(t *testing.T) {
	for _, want := range fixtures() {
		t.Run(fmt.Sprintf("%s %s", want.Geometry.GeoJSONType(), want.ID), func(t *testing.T) {
			rec, err := appendConcern(nil, want)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			if got, want := recordDeleted(rec), want.Deleted(); got != want {
				t.Errorf("recordDeleted: got %v, want %v", got, want)
			}
			got, err := new(decoder).decode(want.ID[:], rec)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			storetest.CheckConcern(t, "decode", got, want)
		})
	}
}

func TestDecodeCorrupt(t *testing.T) {
	c := fixtures()[0]
	rec, err := appendConcern(nil, c)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		id   []byte
		rec  []byte
	}{
		{"empty", c.ID[:], nil},
		{"short key", c.ID[:8], rec},
		{"future format", c.ID[:], append([]byte{recordFormat + 1}, rec[1:]...)},
		{"unknown flag", c.ID[:], append([]byte{recordFormat, 0x80}, rec[2:]...)},
		{"trailing byte", c.ID[:], append(bytes.Clone(rec), 0)},
	}
	for i := 1; i < len(rec); i += 7 {
		tests = append(tests, struct {
			name string
			id   []byte
			rec  []byte
		}{fmt.Sprintf("cut at %d", i), c.ID[:], rec[:i]})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := new(decoder).decode(tt.id, tt.rec); err == nil {
				t.Errorf("got %+v, want an error", got)
			}
		})
	}
}

var fuzzID = uuid.MustParse("6f1f7a3e-2c4b-4f7e-9d1a-3b5c7e9f1a2b")

func FuzzDecodeConcern(f *testing.F) {
	for _, c := range fixtures() {
		rec, err := appendConcern(nil, c)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(rec)
	}
	f.Fuzz(func(t *testing.T, rec []byte) {
		c, err := new(decoder).decode(fuzzID[:], rec)
		if err != nil {
			return
		}
		again, err := appendConcern(nil, c)
		if err != nil {
			// The geometry WKB read but cannot be written: the record is
			// unreadable to us only if decode accepted what encode cannot make.
			t.Fatalf("encode(decode(x)): %v", err)
		}
		got, err := new(decoder).decode(fuzzID[:], again)
		if err != nil {
			t.Fatalf("decode(encode(x)): %v", err)
		}
		if d := diffRecord(got, c); d != "" {
			t.Fatalf("decode(encode(x)) != x:\n%s", d)
		}
	})
}

// diffRecord is storetest.DiffConcern with geometries compared bit for bit,
// since a fuzzed record may hold NaN, which is never equal to itself.
func diffRecord(got, want *concernmap.Concern) string {
	g, w := *got, *want
	g.Geometry, w.Geometry = nil, nil
	d := storetest.DiffConcern(&g, &w)
	if !bytes.Equal(mustWKB(got.Geometry), mustWKB(want.Geometry)) {
		d += fmt.Sprintf("\tGeometry: got %v, want %v\n", got.Geometry, want.Geometry)
	}
	return d
}

func mustWKB(g orb.Geometry) []byte {
	b, err := wkb.Marshal(g)
	if err != nil {
		panic(err)
	}
	return b
}

// TestFuzzCorpus checks that every committed seed still decodes, so the
// fuzzer starts from real records; -update rewrites the corpus after a
// format change.
func TestFuzzCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzDecodeConcern")
	if !*update {
		files, err := filepath.Glob(filepath.Join(dir, "seed-*"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no seed corpus in %s: %v", dir, err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, quoted, _ := strings.Cut(strings.TrimSpace(string(b)), "[]byte(")
			rec, err := strconv.Unquote(strings.TrimSuffix(quoted, ")"))
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			var d decoder
			if _, err := d.decode(make([]byte, 16), []byte(rec)); err != nil {
				t.Errorf("%s no longer decodes: %v; run go test ./bolt -run TestFuzzCorpus -update", f, err)
			}
		}
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, c := range fixtures() {
		rec, err := appendConcern(nil, c)
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("seed-%02d-%s", i, c.Geometry.GeoJSONType())
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", rec)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func BenchmarkDecodeConcern(b *testing.B) {
	for _, c := range fixtures()[:3] {
		rec, err := appendConcern(nil, c)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.Geometry.GeoJSONType(), func(b *testing.B) {
			var d decoder
			b.ReportAllocs()
			b.SetBytes(int64(len(rec)))
			for b.Loop() {
				if _, err := d.decode(c.ID[:], rec); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncodeConcern(b *testing.B) {
	c := fixtures()[0]
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		var err error
		if buf, err = appendConcern(buf[:0], c); err != nil {
			b.Fatal(err)
		}
	}
}

// areaFixtures returns stored areas that between them set every field of
// an area record, and leave each optional one empty.
func areaFixtures() []*concernmap.Area {
	full := storetest.NewArea()
	full.ID, full.Version, full.UpdatedAt = uuid.New(), 3, storetest.StoredTime(time.Now())
	bare := storetest.NewArea()
	bare.ID, bare.Version, bare.UpdatedAt = uuid.New(), 1, storetest.StoredTime(time.Now())
	bare.Level, bare.Parent, bare.NameMY, bare.Source, bare.Neighbors, bare.AreaKM2 = concernmap.LevelState, "", "", "", nil, 0
	many := storetest.NewAreas(1, 500)[0]
	many.ID, many.Version, many.UpdatedAt = uuid.New(), 1<<30, time.UnixMicro(0).UTC()
	return []*concernmap.Area{full, bare, many}
}

func TestAreaRecordRoundTrip(t *testing.T) {
	for _, want := range areaFixtures() {
		t.Run(want.PCode, func(t *testing.T) {
			rec, err := appendArea(nil, want)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			got, err := decodeArea([]byte(want.PCode), rec)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			storetest.CheckArea(t, "decode", got, want)
		})
	}
}

func TestDecodeAreaCorrupt(t *testing.T) {
	a := areaFixtures()[0]
	rec, err := appendArea(nil, a)
	if err != nil {
		t.Fatal(err)
	}
	// The same record with other geometries where the MultiPolygon belongs.
	mp := mustWKB(a.Geometry)
	head := rec[:len(rec)-len(mp)-len(binary.AppendUvarint(nil, uint64(len(mp))))]
	withGeometry := func(g orb.Geometry) []byte {
		w := mustWKB(g)
		b := binary.AppendUvarint(bytes.Clone(head), uint64(len(w)))
		return append(b, w...)
	}
	tests := []struct {
		name string
		rec  []byte
	}{
		{"empty", nil},
		{"future format", append([]byte{areaRecordFormat + 1}, rec[1:]...)},
		{"trailing byte", append(bytes.Clone(rec), 0)},
		{"point", withGeometry(orb.Point{96, 16})},
		{"empty geometry", withGeometry(orb.MultiPolygon{})},
	}
	for i := 1; i < len(rec); i += 5 {
		tests = append(tests, struct {
			name string
			rec  []byte
		}{fmt.Sprintf("cut at %d", i), rec[:i]})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := decodeArea([]byte(a.PCode), tt.rec); err == nil {
				t.Errorf("got %+v, want an error", got)
			}
		})
	}
	if _, err := decodeArea([]byte(a.PCode), head[:len(head):len(head)]); err == nil {
		t.Errorf("no geometry: got nil error")
	}
}

func FuzzDecodeArea(f *testing.F) {
	for _, a := range areaFixtures()[:2] {
		rec, err := appendArea(nil, a)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(rec)
	}
	f.Fuzz(func(t *testing.T, rec []byte) {
		a, err := decodeArea([]byte("MMR013001701"), rec)
		if err != nil {
			return
		}
		again, err := appendArea(nil, a)
		if err != nil {
			t.Fatalf("encode(decode(x)): %v", err)
		}
		got, err := decodeArea([]byte("MMR013001701"), again)
		if err != nil {
			t.Fatalf("decode(encode(x)): %v", err)
		}
		// Compared as records, since a fuzzed one may hold NaN.
		if !bytes.Equal(mustRecord(t, got), again) {
			t.Fatalf("decode(encode(x)) != x")
		}
	})
}

func mustRecord(t *testing.T, a *concernmap.Area) []byte {
	t.Helper()
	rec, err := appendArea(nil, a)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestUserRecordRoundTrip(t *testing.T) {
	full := storetest.NewUser()
	full.CreatedAt, full.UpdatedAt, full.Version = storetest.StoredTime(full.CreatedAt), storetest.StoredTime(time.Now()), 4
	bare := storetest.NewUser()
	bare.CreatedAt, bare.UpdatedAt, bare.Version = time.UnixMicro(0).UTC(), time.UnixMicro(0).UTC(), 1
	bare.Scope, bare.Organisation, bare.Disabled = nil, "", true
	for _, want := range []*concernmap.User{full, bare} {
		got, err := decodeUser(want.ID[:], appendUser(nil, want))
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		storetest.CheckUser(t, "decode", got, want)
	}
}

func TestSessionAndTokenRecordRoundTrip(t *testing.T) {
	at := storetest.StoredTime(time.Now())
	s := &concernmap.Session{TokenHash: []byte("0123456789abcdef0123456789abcdef"), UserID: uuid.New(),
		CSRFToken: "csrf", CreatedAt: at, ExpiresAt: at.Add(12 * time.Hour)}
	got, err := decodeSession(s.TokenHash, appendSession(nil, s))
	if err != nil {
		t.Fatalf("decode session: %v", err)
	}
	storetest.CheckSession(t, "decode session", got, s)

	unused := &concernmap.APIToken{ID: uuid.New(), UserID: uuid.New(), Name: "QGIS", Hash: []byte("hash"), CreatedAt: at}
	revoked := *unused
	revoked.LastUsedAt, revoked.RevokedAt = at.Add(time.Minute), at.Add(time.Hour)
	for _, want := range []*concernmap.APIToken{unused, &revoked} {
		got, err := decodeToken(want.ID[:], appendToken(nil, want))
		if err != nil {
			t.Fatalf("decode token: %v", err)
		}
		storetest.CheckToken(t, "decode token", got, want)
	}
}

// TestDecodeUserRecordsCorrupt cuts each new kind of record at every byte
// and flips its format and flags: each must fail to decode, not panic.
func TestDecodeUserRecordsCorrupt(t *testing.T) {
	u := storetest.NewUser()
	id := u.ID[:]
	at := storetest.StoredTime(time.Now())
	tok := &concernmap.APIToken{ID: uuid.New(), UserID: uuid.New(), Name: "QGIS", Hash: []byte("hash"), CreatedAt: at, RevokedAt: at}
	s := &concernmap.Session{TokenHash: []byte("h"), UserID: uuid.New(), CSRFToken: "csrf", CreatedAt: at, ExpiresAt: at}
	kinds := []struct {
		name   string
		rec    []byte
		flags  bool
		decode func(rec []byte) error
	}{
		{"user", appendUser(nil, u), true, func(rec []byte) error { _, err := decodeUser(id, rec); return err }},
		{"session", appendSession(nil, s), false, func(rec []byte) error { _, err := decodeSession(s.TokenHash, rec); return err }},
		{"token", appendToken(nil, tok), true, func(rec []byte) error { _, err := decodeToken(tok.ID[:], rec); return err }},
		{"audit", appendAuditRecord(nil, auditFixtures()[0]), true, func(rec []byte) error { _, err := parseAudit(rec); return err }},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			if err := k.decode(k.rec); err != nil {
				t.Fatalf("whole record: %v", err)
			}
			bad := [][]byte{append(bytes.Clone(k.rec), 0), append([]byte{k.rec[0] + 1}, k.rec[1:]...)}
			if k.flags {
				bad = append(bad, append([]byte{k.rec[0], 0x80}, k.rec[2:]...))
			}
			for i := range k.rec {
				bad = append(bad, k.rec[:i])
			}
			for _, rec := range bad {
				if err := k.decode(rec); err == nil {
					t.Errorf("%q: got nil error", rec)
				}
			}
		})
	}
	if _, err := decodeUser(id[:8], appendUser(nil, u)); err == nil {
		t.Errorf("user with a short key: got nil error")
	}
}
