package concernmap

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"math"
	"slices"

	"github.com/google/uuid"
	"github.com/paulmach/orb/encoding/wkb"
)

// A cursor is version | last id | filter fingerprint | MAC. The MAC, keyed
// by the store's secret, makes a forged or edited cursor fail, and the
// fingerprint stops a cursor from one query being used for another.
const (
	cursorVersion = 1
	cursorMACLen  = 16
	cursorLen     = 1 + 16 + 8 + cursorMACLen
)

func (s *Service) encodeCursor(last uuid.UUID, f *ConcernFilter) string {
	b := make([]byte, 0, cursorLen)
	b = append(b, cursorVersion)
	b = append(b, last[:]...)
	b = append(b, f.fingerprint()...)
	b = append(b, s.cursorMAC(b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Service) decodeCursor(cursor string, f *ConcernFilter) (uuid.UUID, error) {
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(b) != cursorLen || b[0] != cursorVersion {
		return uuid.Nil, Invalid("cursor", "is not a cursor this server issued")
	}
	payload, mac := b[:cursorLen-cursorMACLen], b[cursorLen-cursorMACLen:]
	if !hmac.Equal(mac, s.cursorMAC(payload)) {
		return uuid.Nil, Invalid("cursor", "is not a cursor this server issued")
	}
	if !bytes.Equal(payload[17:25], f.fingerprint()) {
		return uuid.Nil, Invalid("cursor", "belongs to a different query; repeat the query's parameters")
	}
	return uuid.UUID(payload[1:17]), nil
}

func (s *Service) cursorMAC(payload []byte) []byte {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("concernmap cursor"))
	m.Write(payload)
	return m.Sum(nil)[:cursorMACLen]
}

// fingerprint hashes every field of the filter except Limit and After, so a
// client may change the page size between pages.
func (f *ConcernFilter) fingerprint() []byte {
	h := sha256.New()
	num := func(x float64) { h.Write(binary.LittleEndian.AppendUint64(nil, math.Float64bits(x))) }
	str := func(s string) { h.Write([]byte(s)); h.Write([]byte{0}) }
	if f.BBox != nil {
		str("bbox")
		num(f.BBox.Min[0])
		num(f.BBox.Min[1])
		num(f.BBox.Max[0])
		num(f.BBox.Max[1])
	}
	if f.Near != nil {
		str("near")
		num(f.Near[0])
		num(f.Near[1])
		num(f.Radius)
	}
	if f.Intersects != nil {
		str("intersects")
		b, _ := wkb.Marshal(f.Intersects)
		h.Write(b)
	}
	cats := slices.Clone(f.Categories)
	slices.Sort(cats)
	for _, c := range cats {
		str("c:" + c)
	}
	sts := slices.Clone(f.Statuses)
	slices.Sort(sts)
	for _, st := range sts {
		str("s:" + string(st))
	}
	num(float64(f.MinSeverity))
	num(float64(f.MaxSeverity))
	num(float64(f.From.UnixMicro()))
	num(float64(f.To.UnixMicro()))
	num(float64(f.Affected))
	str("area:" + f.Area)
	return h.Sum(nil)[:8]
}
