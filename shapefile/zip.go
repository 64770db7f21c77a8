package shapefile

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// ReadZip reads a zip holding one .shp with its .dbf and, if present, its
// .prj and .cpg, in any folder of the zip; a .shx is not needed. Names
// match without regard to case. The resource forks that macOS adds under
// __MACOSX/ are ignored.
func ReadZip(r io.ReaderAt, size int64) (*File, error) {
	zr, err := zip.NewReader(r, size)
	// An insecure name matters only to code that extracts to disk.
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("shapefile: read zip: %w", err)
	}
	files := make(map[string]*zip.File)
	var shps []string
	for _, f := range zr.File {
		name := strings.ToLower(strings.ReplaceAll(f.Name, `\`, "/"))
		if f.FileInfo().IsDir() || macJunk(name) {
			continue
		}
		files[name] = f
		if path.Ext(name) == ".shp" {
			shps = append(shps, f.Name)
		}
	}
	switch len(shps) {
	case 0:
		return nil, ErrNoShp
	case 1:
	default:
		return nil, fmt.Errorf("%w: %s", ErrSeveralShp, strings.Join(shps, ", "))
	}
	stem := strings.TrimSuffix(strings.ToLower(strings.ReplaceAll(shps[0], `\`, "/")), ".shp")
	if files[stem+".dbf"] == nil {
		return nil, fmt.Errorf("%w: %s", ErrNoDBF, shps[0])
	}
	left := int64(MaxSize)
	var parts [4][]byte
	for i, ext := range []string{".shp", ".dbf", ".prj", ".cpg"} {
		f := files[stem+ext]
		if f == nil {
			continue
		}
		b, err := readZipped(f, left)
		if err != nil {
			return nil, err
		}
		left -= int64(len(b))
		parts[i] = b
	}
	return decode(parts[0], parts[1], parts[2], parts[3], true)
}

// readZipped reads one zip entry, trusting the bytes inflated rather than
// the size its header claims.
func readZipped(f *zip.File, limit int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("shapefile: open %s in zip: %w", f.Name, err)
	}
	defer rc.Close()
	return readAll(rc, limit)
}

// macJunk reports whether a lower-case zip name is macOS metadata.
func macJunk(name string) bool {
	return strings.HasPrefix(name, "__macosx/") || strings.Contains(name, "/__macosx/") ||
		strings.HasPrefix(path.Base(name), "._")
}
