package shapefile

import (
	"encoding/binary"
	"fmt"
	"strings"
	"unicode/utf8"
)

// The .dbf layout: a dBase III header of 32 bytes, field descriptors of 32
// bytes ended by 0x0D, then fixed-width records that each start with a
// deletion flag.
const (
	dbfHeader     = 32
	dbfDescriptor = 32
	dbfTerminator = 0x0D
	dbfDeleted    = '*'
	// ldidUTF8 is the language driver id that the Python dbf module, among
	// others, writes for UTF-8. dBase itself defines none.
	ldidUTF8 = 0xF0
	// propertyCost estimates the memory of one map entry beyond its text.
	propertyCost = 64
)

// table is a parsed .dbf whose records are decoded on demand.
type table struct {
	names  []string
	fields []field
	count  int
	recLen int
	recs   []byte
	// utf8 is whether text is UTF-8; otherwise it is Latin-1. declared is
	// whether the .cpg or the LDID says UTF-8, in which case invalid bytes
	// become U+FFFD rather than turning the file to Latin-1.
	utf8, declared bool
}

type field struct {
	typ      byte
	off, len int
}

// parseDBF checks the header, field descriptors and size of a .dbf, and
// chooses its text encoding: UTF-8 when the .cpg or the LDID byte says so or
// when every name and text value is valid UTF-8, else Latin-1.
func parseDBF(data []byte, cpg string) (*table, error) {
	if len(data) < dbfHeader {
		return nil, fmt.Errorf("%w: .dbf header is %d bytes, want %d", ErrCorrupt, len(data), dbfHeader)
	}
	t := &table{
		count:  int(binary.LittleEndian.Uint32(data[4:])),
		recLen: int(binary.LittleEndian.Uint16(data[10:])),
	}
	up := strings.ToUpper(cpg)
	t.declared = strings.HasPrefix(up, "UTF-8") || strings.HasPrefix(up, "UTF8") || data[29] == ldidUTF8
	headerLen := int(binary.LittleEndian.Uint16(data[8:]))
	if headerLen < dbfHeader+1 || headerLen > len(data) {
		return nil, fmt.Errorf("%w: .dbf header of %d bytes in a file of %d", ErrCorrupt, headerLen, len(data))
	}
	var rawNames [][]byte
	off := 1 // the deletion flag
	p := dbfHeader
	for ; p < headerLen && data[p] != dbfTerminator; p += dbfDescriptor {
		if p+dbfDescriptor > headerLen {
			return nil, fmt.Errorf("%w: .dbf field descriptor %d runs past the header", ErrCorrupt, len(t.fields)+1)
		}
		d := data[p : p+dbfDescriptor]
		name := d[:11]
		for i, c := range name {
			if c == 0 {
				name = name[:i]
				break
			}
		}
		f := field{typ: d[11], off: off, len: int(d[16])}
		switch f.typ {
		case 'N', 'F', 'L', 'D':
		case 'C':
			// Text fields longer than 255 bytes keep the high byte of their
			// width where numbers keep their decimals, as shapelib reads it.
			f.len += 256 * int(d[17])
		default:
			return nil, fmt.Errorf("%w %q in field %q", ErrFieldType, f.typ, latin1(name))
		}
		if f.len == 0 {
			return nil, fmt.Errorf("%w: .dbf field %q has width 0", ErrCorrupt, latin1(name))
		}
		off += f.len
		rawNames = append(rawNames, name)
		t.fields = append(t.fields, f)
	}
	if p >= headerLen {
		return nil, fmt.Errorf("%w: .dbf field descriptors not terminated", ErrCorrupt)
	}
	if t.recLen < off {
		return nil, fmt.Errorf("%w: .dbf records of %d bytes, fields need %d", ErrCorrupt, t.recLen, off)
	}
	t.recs = data[headerLen:]
	if int64(t.count)*int64(t.recLen) > int64(len(t.recs)) {
		return nil, fmt.Errorf("%w: .dbf claims %d records of %d bytes, has %d bytes", ErrCorrupt, t.count, t.recLen, len(t.recs))
	}
	t.utf8 = t.declared || t.validUTF8(rawNames)
	seen := make(map[string]bool, len(rawNames))
	for _, raw := range rawNames {
		name := t.text(trim(raw))
		if name == "" || seen[name] {
			return nil, fmt.Errorf("%w: .dbf field name %q empty or repeated", ErrCorrupt, name)
		}
		seen[name] = true
		t.names = append(t.names, name)
	}
	return t, nil
}

// validUTF8 reports whether the field names and every text value of the
// records not deleted are valid UTF-8. Latin-1 text with accents almost
// never is, so this tells the two apart when nothing declares the encoding.
func (t *table) validUTF8(names [][]byte) bool {
	for _, n := range names {
		if !utf8.Valid(n) {
			return false
		}
	}
	for i := range t.count {
		if t.deleted(i) {
			continue
		}
		r := t.recs[i*t.recLen:]
		for _, f := range t.fields {
			if f.typ == 'C' && !utf8.Valid(r[f.off:f.off+f.len]) {
				return false
			}
		}
	}
	return true
}

func (t *table) deleted(i int) bool {
	return t.recs[i*t.recLen] == dbfDeleted
}

// record decodes record i into a map of field name to text.
func (t *table) record(i int, b *budget) (map[string]string, error) {
	if err := b.take(int64(len(t.fields))*propertyCost + int64(t.recLen)); err != nil {
		return nil, err
	}
	r := t.recs[i*t.recLen:]
	props := make(map[string]string, len(t.fields))
	for j, f := range t.fields {
		props[t.names[j]] = t.value(f.typ, r[f.off:f.off+f.len])
	}
	return props, nil
}

// value is the text of one field. dBase pads values with spaces, and some
// writers with NULs. Numbers filled with '*', the date 00000000 and the
// logical '?' are how shapelib and dBase write null; they become "".
func (t *table) value(typ byte, raw []byte) string {
	raw = trim(raw)
	switch typ {
	case 'N', 'F':
		if strings.Trim(string(raw), "*") == "" {
			return ""
		}
	case 'L':
		if string(raw) == "?" {
			return ""
		}
	case 'D':
		if string(raw) == "00000000" {
			return ""
		}
	}
	return t.text(raw)
}

func (t *table) text(raw []byte) string {
	if !t.utf8 {
		return latin1(raw)
	}
	// A writer that cut a value at the field width may have split a
	// character.
	return strings.ToValidUTF8(string(raw), "\uFFFD")
}

// trim drops leading and trailing spaces and NULs.
func trim(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == 0) {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == 0) {
		b = b[:len(b)-1]
	}
	return b
}

// latin1 decodes ISO-8859-1, whose bytes are the first 256 code points.
func latin1(b []byte) string {
	var s strings.Builder
	s.Grow(len(b))
	for _, c := range b {
		s.WriteRune(rune(c))
	}
	return s.String()
}
