package concernmap

import (
	"fmt"
	"math/bits"
	"strings"
)

// Affected is the set of groups a concern affects, held as a bit set so the
// index can filter on it without allocating.
type Affected uint16

// The affected groups named by the community security handbook.
const (
	AffectedWomen Affected = 1 << iota
	AffectedMen
	AffectedGirls
	AffectedBoys
	AffectedOlderPeople
	AffectedPeopleWithDisabilities
	AffectedLGBTI
	AffectedMinorities
)

// AffectedGroups lists the group names in bit order.
var AffectedGroups = []string{
	"women", "men", "girls", "boys", "older_people",
	"people_with_disabilities", "lgbti", "minorities",
}

// ParseAffected turns group names into a set.
func ParseAffected(names []string) (Affected, error) {
	var a Affected
	for _, n := range names {
		i := indexOf(AffectedGroups, n)
		if i < 0 {
			return 0, fmt.Errorf("unknown group %q (want one of %s)", n, strings.Join(AffectedGroups, ", "))
		}
		a |= 1 << i
	}
	return a, nil
}

// Names returns the group names in the set, in bit order.
func (a Affected) Names() []string {
	names := make([]string, 0, bits.OnesCount16(uint16(a)))
	for i, n := range AffectedGroups {
		if a&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	return names
}

// Valid reports whether a holds only known groups.
func (a Affected) Valid() bool { return a>>len(AffectedGroups) == 0 }

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}
