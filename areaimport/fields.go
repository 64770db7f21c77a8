package areaimport

import (
	"fmt"
	"strings"

	"github.com/concernmap/concernmap"
)

// mimuPrefix is the prefix of MIMU's attribute names at each level: its
// village tract layer has VT_PCODE, VT (the English name) and VT_MMR (the
// Burmese name), with the same triple for every level above, ST_PCODE, ST
// and ST_MMR for the state or region.
var mimuPrefix = map[concernmap.AreaLevel]string{
	concernmap.LevelState:        "ST",
	concernmap.LevelDistrict:     "DT",
	concernmap.LevelTownship:     "TS",
	concernmap.LevelVillageTract: "VT",
	concernmap.LevelVillage:      "VILL",
}

// candidates lists, best first, the attribute names that may hold the code,
// English name and Burmese name of an area of level l, and the code of its
// parent: the code field of the level above.
func candidates(l concernmap.AreaLevel) (code, nameEN, nameMY, parent []string) {
	p := mimuPrefix[l]
	name := p
	if l == concernmap.LevelVillage {
		name = "VILLAGE"
	}
	code = []string{p + "_PCODE", "PCODE"}
	nameEN = []string{name, p + "_NAME_EN", p + "_NAME", "NAME_EN", "NAME"}
	nameMY = []string{p + "_MMR", p + "_NAME_MY", p + "_NAME_MM", "NAME_MY", "NAME_MM", "NAME_MMR"}
	if d := l.Depth(); d > 0 {
		parent = []string{mimuPrefix[concernmap.AreaLevels[d-1]] + "_PCODE"}
	}
	return code, nameEN, nameMY, parent
}

// fieldMap holds the upper-case attribute names to read, "" for none, and
// for messages the names as the file spells them.
type fieldMap struct {
	code, nameEN, nameMY, parent     string
	codeName, nameENName, parentName string
}

// resolveFields picks the attributes to read: each explicit option, which
// must name a field of the file, or else the first MIMU candidate that the
// file has. A file without a code field is rejected as a whole, since every
// feature would be.
func resolveFields(l *layer, opt Options) (fieldMap, []string) {
	spelled := make(map[string]string, len(l.fields))
	for _, f := range l.fields {
		spelled[strings.ToUpper(f)] = f
	}
	var problems []string
	pick := func(explicit, flag string, cands []string) (key, name string) {
		if explicit != "" {
			key = strings.ToUpper(explicit)
			if _, ok := spelled[key]; !ok && len(l.features) > 0 {
				problems = append(problems, fmt.Sprintf("%s %q is not a field of the file; its fields are %s", flag, explicit, listFields(l.fields)))
			}
			return key, explicit
		}
		for _, c := range cands {
			if s, ok := spelled[c]; ok {
				return c, s
			}
		}
		if len(cands) > 0 {
			return "", cands[0]
		}
		return "", ""
	}
	code, nameEN, nameMY, parent := candidates(opt.Level)
	var m fieldMap
	m.code, m.codeName = pick(opt.CodeField, "--code-field", code)
	m.nameEN, m.nameENName = pick(opt.NameField, "--name-field", nameEN)
	m.nameMY, _ = pick(opt.NameMYField, "--name-my-field", nameMY)
	m.parent, m.parentName = pick(opt.ParentCodeField, "--parent-code-field", parent)
	switch {
	case m.code != "" || len(l.features) == 0:
	case len(l.fields) == 0:
		problems = append(problems, "no pcode: the features have no attributes")
	default:
		problems = append(problems, fmt.Sprintf("no pcode: the file has no %s field; set --code-field to one of %s",
			strings.Join(code, " or "), listFields(l.fields)))
	}
	return m, append(l.problems, problems...)
}

// listFields lists field names for a message, bounded so that a file with
// thousands of fields gives a readable one.
func listFields(fields []string) string {
	const max = 30
	if len(fields) == 0 {
		return "none"
	}
	if len(fields) > max {
		return strings.Join(fields[:max], ", ") + fmt.Sprintf(" and %d more", len(fields)-max)
	}
	return strings.Join(fields, ", ")
}
