package shapefile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// dbfField describes one column for dbfFile.
type dbfField struct {
	name  string
	typ   byte
	width int
}

// dbfFile builds a dBase III file. Values are raw bytes, padded with spaces
// to the field width; a row whose first value starts with "*" is written
// deleted, that value then taken from the rest.
func dbfFile(ldid byte, fields []dbfField, rows ...[]string) []byte {
	recLen := 1
	for _, f := range fields {
		recLen += f.width
	}
	headerLen := dbfHeader + dbfDescriptor*len(fields) + 1
	var b bytes.Buffer
	h := make([]byte, dbfHeader)
	h[0] = 3
	binary.LittleEndian.PutUint32(h[4:], uint32(len(rows)))
	binary.LittleEndian.PutUint16(h[8:], uint16(headerLen))
	binary.LittleEndian.PutUint16(h[10:], uint16(recLen))
	h[29] = ldid
	b.Write(h)
	for _, f := range fields {
		d := make([]byte, dbfDescriptor)
		copy(d, f.name)
		d[11] = f.typ
		d[16] = byte(f.width)
		d[17] = byte(f.width >> 8)
		b.Write(d)
	}
	b.WriteByte(dbfTerminator)
	for _, row := range rows {
		flag := byte(' ')
		if len(row) > 0 && strings.HasPrefix(row[0], "*") {
			flag = dbfDeleted
			row = append([]string{row[0][1:]}, row[1:]...)
		}
		b.WriteByte(flag)
		for i, f := range fields {
			v := []byte(row[i])
			b.Write(v)
			b.Write(bytes.Repeat([]byte(" "), f.width-len(v)))
		}
	}
	b.WriteByte(0x1A)
	return b.Bytes()
}

// nullShp is a .shp of n Null records, to pair with a .dbf under test.
func nullShp(n int) []byte {
	recs := make([][]byte, n)
	for i := range recs {
		recs[i] = nullContent()
	}
	return shpFile(typePolygon, recs...)
}

// readDBF reads a .dbf paired with Null records, with cpg as the .cpg
// content unless it is "-", meaning no .cpg.
func readDBF(dbf []byte, cpg string) (*File, error) {
	count := int(binary.LittleEndian.Uint32(dbf[4:]))
	var c io.Reader
	if cpg != "-" {
		c = strings.NewReader(cpg)
	}
	return Read(bytes.NewReader(nullShp(count)), bytes.NewReader(dbf), nil, c)
}

func TestReadDBFEncoding(t *testing.T) {
	name := []dbfField{{"VT_MMR", 'C', 40}}
	tests := []struct {
		name string
		cpg  string
		ldid byte
		rows [][]string
		want []string
	}{
		{"UTF-8 without .cpg", "-", 0, [][]string{{"ကော့ကရိတ်"}}, []string{"ကော့ကရိတ်"}},
		{"UTF-8 with .cpg", "UTF-8\r\n", 0x57, [][]string{{"ကော့ကရိတ်"}}, []string{"ကော့ကရိတ်"}},
		{"Latin-1 without .cpg", "-", 0, [][]string{{"Caf\xe9"}}, []string{"Café"}},
		{"Latin-1 under a code page .cpg", "1252", 0x57, [][]string{{"Caf\xe9"}}, []string{"Café"}},
		{"valid UTF-8 under a code page .cpg", "ISO-8859-1", 0x57, [][]string{{"Café"}}, []string{"Café"}},
		{"one Latin-1 value makes the file Latin-1", "-", 0, [][]string{{"Café"}, {"Caf\xe9"}}, []string{"CafÃ©", "Café"}},
		{"a deleted record does not count", "-", 0, [][]string{{"Café"}, {"*Caf\xe9"}}, []string{"Café"}},
		{"UTF-8 .cpg keeps a cut character", "utf8", 0, [][]string{{"ကော့\xe1\x80"}}, []string{"ကော့\uFFFD"}},
		{"UTF-8 LDID keeps a cut character", "-", ldidUTF8, [][]string{{"ကော့\xe1\x80"}}, []string{"ကော့\uFFFD"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := readDBF(dbfFile(tt.ldid, name, tt.rows...), tt.cpg)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, ft := range f.Features {
				got = append(got, ft.Properties["VT_MMR"])
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReadDBFValues(t *testing.T) {
	fields := []dbfField{
		{"VT_PCODE", 'C', 12}, {"POP", 'N', 9}, {"AREA", 'F', 12}, {"URBAN", 'L', 1},
		{"SURVEYED", 'D', 8}, {"NOTE", 'C', 300},
	}
	long := strings.Repeat("ဂ", 100)
	dbf := dbfFile(0, fields,
		[]string{"MMR013001701", "     3415", "  12.5000000", "T", "20190630", "  padded both sides  "},
		[]string{"*MMR013001702", "1", "1", "F", "20200101", "deleted"},
		[]string{"", "*********", "************", "?", "00000000", long},
		[]string{"\x00\x00", "      -12", "-1.5e+02", "n", "        ", ""},
	)
	f, err := readDBF(dbf, "UTF-8")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"VT_PCODE", "POP", "AREA", "URBAN", "SURVEYED", "NOTE"}; !reflect.DeepEqual(f.Fields, want) {
		t.Errorf("got fields %v, want %v", f.Fields, want)
	}
	want := []Feature{
		{Index: 0, Properties: map[string]string{"VT_PCODE": "MMR013001701", "POP": "3415", "AREA": "12.5000000", "URBAN": "T", "SURVEYED": "20190630", "NOTE": "padded both sides"}},
		{Index: 2, Properties: map[string]string{"VT_PCODE": "", "POP": "", "AREA": "", "URBAN": "", "SURVEYED": "", "NOTE": long}},
		{Index: 3, Properties: map[string]string{"VT_PCODE": "", "POP": "-12", "AREA": "-1.5e+02", "URBAN": "n", "SURVEYED": "", "NOTE": ""}},
	}
	if !reflect.DeepEqual(f.Features, want) {
		t.Errorf("got %v, want %v", f.Features, want)
	}
}

func TestReadDBFCorrupt(t *testing.T) {
	fields := []dbfField{{"VT", 'C', 10}, {"POP", 'N', 5}}
	good := dbfFile(0, fields, []string{"Thone Gwa", "1"}, []string{"Kyaik Lat", "2"})
	u16 := func(off int, v uint16) func([]byte) []byte {
		return func(b []byte) []byte { binary.LittleEndian.PutUint16(b[off:], v); return b }
	}
	tests := []struct {
		name   string
		mutate func([]byte) []byte
		want   error
	}{
		{"short header", func(b []byte) []byte { return b[:20] }, ErrCorrupt},
		{"header length past the end", u16(8, 60000), ErrCorrupt},
		{"header length too small", u16(8, 10), ErrCorrupt},
		{"no terminator", func(b []byte) []byte { b[dbfHeader+2*dbfDescriptor] = 'X'; return b }, ErrCorrupt},
		{"records shorter than fields", u16(10, 5), ErrCorrupt},
		{"records cut short", func(b []byte) []byte { return b[:len(b)-10] }, ErrCorrupt},
		{"more records than bytes", func(b []byte) []byte { binary.LittleEndian.PutUint32(b[4:], 1<<31); return b }, ErrCorrupt},
		{"memo field", func(b []byte) []byte { b[dbfHeader+11] = 'M'; return b }, ErrFieldType},
		{"field of width 0", func(b []byte) []byte { b[dbfHeader+dbfDescriptor+16] = 0; return b }, ErrCorrupt},
		{"repeated field name", func(b []byte) []byte { copy(b[dbfHeader+dbfDescriptor:], "VT\x00\x00"); return b }, ErrCorrupt},
		{"empty field name", func(b []byte) []byte { b[dbfHeader] = 0; return b }, ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbf := tt.mutate(bytes.Clone(good))
			_, err := Read(bytes.NewReader(nullShp(2)), bytes.NewReader(dbf), nil, nil)
			if !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := Read(bytes.NewReader(nullShp(2)), bytes.NewReader(good), nil, nil); err != nil {
		t.Errorf("got %v for the unchanged file, want nil", err)
	}
}
