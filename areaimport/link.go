package areaimport

import "github.com/concernmap/concernmap"

// Link sets Parent for the areas that lack it by pcode prefix: to the
// longest pcode, from known (areas already stored) or the batch itself,
// that is a proper prefix of the area's pcode and belongs to a shallower
// level. Where a pcode is in both, the batch's level wins, since it is
// about to replace the stored one.
//
// MIMU pcodes nest by prefix from the state to the village tract: state
// MMR013, township MMR013001, village tract MMR013001701. District codes
// insert a D, as in MMR013D001, so they prefix no township: a township
// links to its state, and its district comes only from a DT_PCODE field.
func Link(areas []*concernmap.Area, known map[string]concernmap.AreaLevel) {
	depth := make(map[string]int, len(known)+len(areas))
	for pcode, l := range known {
		depth[pcode] = l.Depth()
	}
	for _, a := range areas {
		depth[a.PCode] = a.Level.Depth()
	}
	for _, a := range areas {
		if a.Parent != "" {
			continue
		}
		own := a.Level.Depth()
		for n := len(a.PCode) - 1; n > 0; n-- {
			if d, ok := depth[a.PCode[:n]]; ok && d >= 0 && d < own {
				a.Parent = a.PCode[:n]
				break
			}
		}
	}
}
