package geo

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/paulmach/orb"
)

// maxDepth bounds JSON nesting; a MultiPolygon needs 5 levels.
const maxDepth = 32

// ParseGeometry strictly decodes one RFC 7946 GeoJSON geometry object of
// type Point, LineString, Polygon, MultiPoint, MultiLineString or
// MultiPolygon. Members other than "type", "coordinates" and "bbox" are
// errors, as are GeometryCollection and every other type. A position has 2
// or 3 numbers; the third, altitude, is dropped. Every failure, malformed
// JSON included, is an *Error whose Path points at the fault, such as
// "coordinates[1]". It does not check topology: call Validate for that.
func ParseGeometry(data []byte) (orb.Geometry, error) {
	d := decoder{data: data}
	d.space()
	if !d.consume('{') {
		if err := d.syntax(); err != nil {
			return nil, err
		}
		return nil, errorf("", "must be a JSON object")
	}
	var (
		typ              string
		coords           []byte
		hasType, hasBBox bool
		unknown          *Error
		first            = true
	)
	for {
		d.space()
		if first && d.consume('}') {
			break
		}
		first = false
		key, err := d.str()
		if err != nil {
			return nil, err
		}
		d.space()
		if !d.consume(':') {
			return nil, d.unexpected("':'")
		}
		d.space()
		switch key {
		case "type":
			if hasType {
				return nil, errorf("type", "is given twice")
			}
			hasType = true
			if d.peek() != '"' {
				if err := d.skip(0); err != nil {
					return nil, err
				}
				return nil, errorf("type", "must be a string")
			}
			if typ, err = d.str(); err != nil {
				return nil, err
			}
		case "coordinates":
			if coords != nil {
				return nil, errorf("coordinates", "is given twice")
			}
			// The type may come later, so keep the raw value and read it
			// once the type is known.
			start := d.pos
			if err := d.skip(0); err != nil {
				return nil, err
			}
			coords = d.data[start:d.pos]
		case "bbox":
			if hasBBox {
				return nil, errorf("bbox", "is given twice")
			}
			hasBBox = true
			start := d.pos
			if err := d.skip(0); err != nil {
				return nil, err
			}
			if err := checkBBoxMember(d.data[start:d.pos]); err != nil {
				return nil, err
			}
		default:
			if err := d.skip(0); err != nil {
				return nil, err
			}
			// Reported after the type is checked, so that a Feature or a
			// GeometryCollection is named as such, not by its members.
			if unknown == nil {
				unknown = errorf("", "unknown member %q; a geometry has only type, coordinates and bbox", key)
			}
		}
		d.space()
		if d.consume('}') {
			break
		}
		if !d.consume(',') {
			return nil, d.unexpected("',' or '}'")
		}
	}
	d.space()
	if d.pos < len(d.data) {
		return nil, errorf("", "invalid JSON: unexpected data after the geometry object at offset %d", d.pos)
	}
	if !hasType {
		return nil, errorf("type", "is required")
	}
	switch typ {
	case "Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon":
	default:
		return nil, errorf("type", "unsupported geometry type %q; use Point, LineString, Polygon, MultiPoint, MultiLineString or MultiPolygon", typ)
	}
	if unknown != nil {
		return nil, unknown
	}
	if coords == nil {
		return nil, errorf("coordinates", "is required")
	}
	c := decoder{data: coords}
	switch typ {
	case "Point":
		return c.position("coordinates")
	case "LineString":
		l, err := c.positions("coordinates")
		return orb.LineString(l), err
	case "MultiPoint":
		l, err := c.positions("coordinates")
		return orb.MultiPoint(l), err
	case "Polygon":
		return c.polygon("coordinates")
	case "MultiLineString":
		var ml orb.MultiLineString
		err := c.array("coordinates", func(i int) error {
			l, err := c.positions(path("coordinates", i))
			ml = append(ml, l)
			return err
		})
		if err != nil {
			return nil, err
		}
		if ml == nil {
			ml = orb.MultiLineString{}
		}
		return ml, nil
	}
	mp := orb.MultiPolygon{}
	err := c.array("coordinates", func(i int) error {
		pg, err := c.polygon(path("coordinates", i))
		mp = append(mp, pg)
		return err
	})
	if err != nil {
		return nil, err
	}
	return mp, nil
}

// checkBBoxMember checks that a "bbox" member is 4 or 6 finite numbers;
// its value is otherwise ignored, since bounds are computed when needed.
func checkBBoxMember(raw []byte) error {
	d := decoder{data: raw}
	n := 0
	err := d.array("bbox", func(i int) error {
		n++
		_, err := d.number(path("bbox", i))
		return err
	})
	if err != nil {
		return err
	}
	if n != 4 && n != 6 {
		return errorf("bbox", "must have 4 or 6 numbers, not %d", n)
	}
	return nil
}

// decoder reads JSON from data. The first pass (skip, str) checks syntax;
// the typed readers run over a value already known to be well formed and
// report type errors with their paths.
type decoder struct {
	data []byte
	pos  int
}

func (d *decoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *decoder) peek() byte {
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

func (d *decoder) consume(c byte) bool {
	if d.pos < len(d.data) && d.data[d.pos] == c {
		d.pos++
		return true
	}
	return false
}

func (d *decoder) unexpected(want string) *Error {
	if d.pos >= len(d.data) {
		return errorf("", "invalid JSON: unexpected end of input; want %s", want)
	}
	c := d.data[d.pos]
	if c >= 0x20 && c < 0x7f {
		return errorf("", "invalid JSON: unexpected %q at offset %d; want %s", c, d.pos, want)
	}
	return errorf("", "invalid JSON: unexpected byte 0x%02x at offset %d; want %s", c, d.pos, want)
}

// syntax returns a syntax error for the value at pos, if it has one.
func (d *decoder) syntax() error {
	save := d.pos
	err := d.skip(0)
	d.pos = save
	if err != nil {
		return err
	}
	if d.pos >= len(d.data) {
		return d.unexpected("a JSON object")
	}
	return nil
}

// skip checks the syntax of one JSON value and moves past it.
func (d *decoder) skip(depth int) error {
	if depth > maxDepth {
		return errorf("", "invalid JSON: nested more than %d deep at offset %d", maxDepth, d.pos)
	}
	switch c := d.peek(); {
	case c == '{':
		d.pos++
		d.space()
		if d.consume('}') {
			return nil
		}
		for {
			d.space()
			if _, err := d.str(); err != nil {
				return err
			}
			d.space()
			if !d.consume(':') {
				return d.unexpected("':'")
			}
			d.space()
			if err := d.skip(depth + 1); err != nil {
				return err
			}
			d.space()
			if d.consume('}') {
				return nil
			}
			if !d.consume(',') {
				return d.unexpected("',' or '}'")
			}
		}
	case c == '[':
		d.pos++
		d.space()
		if d.consume(']') {
			return nil
		}
		for {
			d.space()
			if err := d.skip(depth + 1); err != nil {
				return err
			}
			d.space()
			if d.consume(']') {
				return nil
			}
			if !d.consume(',') {
				return d.unexpected("',' or ']'")
			}
		}
	case c == '"':
		_, err := d.str()
		return err
	case c == '-' || c >= '0' && c <= '9':
		if _, ok := d.numberToken(); !ok {
			return d.unexpected("a digit")
		}
		return nil
	}
	for _, lit := range [...]string{"true", "false", "null"} {
		if len(d.data)-d.pos >= len(lit) && string(d.data[d.pos:d.pos+len(lit)]) == lit {
			d.pos += len(lit)
			return nil
		}
	}
	return d.unexpected("a JSON value")
}

// numberToken moves past a number in strict JSON syntax and returns it.
func (d *decoder) numberToken() ([]byte, bool) {
	start := d.pos
	digits := func() bool {
		n := 0
		for d.pos < len(d.data) && d.data[d.pos] >= '0' && d.data[d.pos] <= '9' {
			d.pos++
			n++
		}
		return n > 0
	}
	d.consume('-')
	if d.consume('0') {
		// No leading zeros: "01" is not JSON.
	} else if !digits() {
		return nil, false
	}
	if d.consume('.') && !digits() {
		return nil, false
	}
	if d.consume('e') || d.consume('E') {
		if !d.consume('+') {
			d.consume('-')
		}
		if !digits() {
			return nil, false
		}
	}
	return d.data[start:d.pos], true
}

// str reads a JSON string, decoding escapes; invalid UTF-8 is an error.
func (d *decoder) str() (string, error) {
	if !d.consume('"') {
		return "", d.unexpected("a string")
	}
	start := d.pos
	// Fast path: no escapes.
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		if c == '"' {
			s := d.data[start:d.pos]
			d.pos++
			if !utf8.Valid(s) {
				return "", errorf("", "invalid JSON: string at offset %d is not valid UTF-8", start)
			}
			return string(s), nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		d.pos++
	}
	buf := append([]byte(nil), d.data[start:d.pos]...)
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			if !utf8.Valid(buf) {
				return "", errorf("", "invalid JSON: string at offset %d is not valid UTF-8", start)
			}
			return string(buf), nil
		case c < 0x20:
			return "", d.unexpected("no control characters in a string")
		case c != '\\':
			buf = append(buf, c)
			d.pos++
			continue
		}
		d.pos++
		if d.pos >= len(d.data) {
			break
		}
		e := d.data[d.pos]
		d.pos++
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := d.hex4()
			if !ok {
				return "", d.unexpected("4 hex digits after \\u")
			}
			if utf16.IsSurrogate(r) {
				// A high surrogate must pair with a low one.
				save := d.pos
				if d.consume('\\') && d.consume('u') {
					if r2, ok := d.hex4(); ok {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							buf = utf8.AppendRune(buf, dec)
							continue
						}
					}
				}
				d.pos = save
				r = utf8.RuneError
			}
			buf = utf8.AppendRune(buf, r)
		default:
			d.pos--
			return "", d.unexpected("a valid escape")
		}
	}
	return "", d.unexpected("'\"'")
}

func (d *decoder) hex4() (rune, bool) {
	if len(d.data)-d.pos < 4 {
		return 0, false
	}
	var r rune
	for _, c := range d.data[d.pos : d.pos+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	d.pos += 4
	return r, true
}

// kind names the JSON type of the value at pos, for error messages.
func (d *decoder) kind() string {
	switch c := d.peek(); {
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	}
	return "a number"
}

// array calls elem for each element of the array at pos, which elem must
// consume. The value is known to be well formed.
func (d *decoder) array(at string, elem func(i int) error) error {
	d.space()
	if d.peek() != '[' {
		return errorf(at, "must be an array, not %s", d.kind())
	}
	d.pos++
	d.space()
	if d.consume(']') {
		return nil
	}
	for i := 0; ; i++ {
		d.space()
		if err := elem(i); err != nil {
			return err
		}
		d.space()
		if d.consume(']') {
			return nil
		}
		d.consume(',')
	}
}

func (d *decoder) number(at string) (float64, error) {
	d.space()
	if c := d.peek(); c != '-' && (c < '0' || c > '9') {
		return 0, errorf(at, "must be a number, not %s", d.kind())
	}
	tok, _ := d.numberToken()
	f, err := strconv.ParseFloat(string(tok), 64)
	if err != nil {
		// Syntax is already checked, so this is overflow to ±Inf.
		return 0, errorf(at, "must be a finite number; %s is too large", tok)
	}
	return f, nil
}

func (d *decoder) position(at string) (orb.Point, error) {
	var p orb.Point
	n := 0
	err := d.array(at, func(i int) error {
		f, err := d.number(path(at, i))
		if err != nil {
			return err
		}
		if i < 2 {
			p[i] = f
		}
		n++
		return nil
	})
	if err != nil {
		return p, err
	}
	if n < 2 || n > 3 {
		return p, errorf(at, "must be a position of 2 or 3 numbers, not %d", n)
	}
	return p, nil
}

func (d *decoder) positions(at string) ([]orb.Point, error) {
	ps := []orb.Point{}
	err := d.array(at, func(i int) error {
		p, err := d.position(path(at, i))
		ps = append(ps, p)
		return err
	})
	return ps, err
}

func (d *decoder) polygon(at string) (orb.Polygon, error) {
	pg := orb.Polygon{}
	err := d.array(at, func(i int) error {
		r, err := d.positions(path(at, i))
		pg = append(pg, r)
		return err
	})
	return pg, err
}
