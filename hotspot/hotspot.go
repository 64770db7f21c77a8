// Package hotspot finds statistically significant clusters of high and low
// values with the Getis-Ord Gi* statistic, over areas (queen contiguity) or
// a regular lon/lat grid (distance band). It is pure computation: it knows
// nothing of HTTP, SQL or concerns. docs/hotspots.md explains how to read it.
package hotspot

import (
	"errors"
	"fmt"
	"math"
)

// Class is a hotspot class.
type Class string

// The classes, from most significantly high to most significantly low.
const (
	Hot99          Class = "hot_99"
	Hot95          Class = "hot_95"
	Hot90          Class = "hot_90"
	NotSignificant Class = "not_significant"
	Cold90         Class = "cold_90"
	Cold95         Class = "cold_95"
	Cold99         Class = "cold_99"
)

// Critical values of |z| for two-sided tests at 90, 95 and 99% confidence.
const (
	Z90 = 1.645
	Z95 = 1.960
	Z99 = 2.576
)

// ErrInvalidWeights is returned (wrapped) by GiStar when the weights do not
// fit the values.
var ErrInvalidWeights = errors.New("hotspot: invalid weights")

// Result is one unit's Gi* statistic.
type Result struct {
	Z, P  float64
	Class Class
}

// Weights is a sparse binary spatial-weights matrix: Neighbors[i] lists the
// units adjacent to i. A unit must not list itself; GiStar adds the self
// weight w_ii = 1.
type Weights struct {
	Neighbors [][]int
}

// GiStar computes Getis-Ord Gi* for values x under binary weights with the
// unit itself included: z-scores, two-sided p-values from the standard
// normal and classes at 90/95/99% confidence. Units whose variance term is
// 0, and all units when x is constant or has fewer than 3 values, are
// NotSignificant with Z=0, P=1. It returns an error wrapping
// ErrInvalidWeights when len(x) != len(w.Neighbors) or a neighbour is out of
// range, the unit itself or listed twice, and an error when a value is not
// finite.
func GiStar(x []float64, w Weights) ([]Result, error) {
	n := len(x)
	if len(w.Neighbors) != n {
		return nil, fmt.Errorf("%w: %d neighbour lists for %d values", ErrInvalidWeights, len(w.Neighbors), n)
	}
	// seen[j] == i+1 marks j as already listed for unit i, so one slice
	// checks every list without clearing.
	seen := make([]int, n)
	for i, nb := range w.Neighbors {
		for _, j := range nb {
			switch {
			case j < 0 || j >= n:
				return nil, fmt.Errorf("%w: unit %d: neighbour %d out of range [0, %d)", ErrInvalidWeights, i, j, n)
			case j == i:
				return nil, fmt.Errorf("%w: unit %d lists itself", ErrInvalidWeights, i)
			case seen[j] == i+1:
				return nil, fmt.Errorf("%w: unit %d lists %d twice", ErrInvalidWeights, i, j)
			}
			seen[j] = i + 1
		}
	}
	constant := true
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("hotspot: value %d is %v", i, v)
		}
		constant = constant && v == x[0]
	}

	res := make([]Result, n)
	for i := range res {
		res[i] = Result{Z: 0, P: 1, Class: NotSignificant}
	}
	// Test equality rather than S == 0: the rounded mean of equal values
	// need not equal them, which would leave S a tiny nonzero number.
	if n < 3 || constant {
		return res, nil
	}

	var sum float64
	for _, v := range x {
		sum += v
	}
	mean := sum / float64(n)
	// Centre the values first: Σ(x−X̄)² and Σ_j w_ij (x_j−X̄) do not lose
	// digits to cancellation the way Σx²/n − X̄² does for large counts.
	dev := make([]float64, n)
	var ss float64
	for i, v := range x {
		dev[i] = v - mean
		ss += dev[i] * dev[i]
	}
	s := math.Sqrt(ss / float64(n))
	if s == 0 {
		return res, nil
	}

	nf := float64(n)
	for i, nb := range w.Neighbors {
		num := dev[i] // the star: w_ii = 1
		for _, j := range nb {
			num += dev[j]
		}
		// Binary weights make Σw² equal Σw, so the variance term
		// (nΣw² − (Σw)²)/(n−1) is W(n−W)/(n−1).
		wi := float64(len(nb) + 1)
		v := wi * (nf - wi) / (nf - 1)
		if v <= 0 {
			continue
		}
		z := num / (s * math.Sqrt(v))
		res[i] = Result{Z: z, P: 2 * NormalCDF(-math.Abs(z)), Class: classify(z)}
	}
	return res, nil
}

// classify maps a z-score to its class.
func classify(z float64) Class {
	switch {
	case z >= Z99:
		return Hot99
	case z >= Z95:
		return Hot95
	case z >= Z90:
		return Hot90
	case z <= -Z99:
		return Cold99
	case z <= -Z95:
		return Cold95
	case z <= -Z90:
		return Cold90
	}
	return NotSignificant
}

// NormalCDF is Φ, the cumulative distribution function of the standard
// normal distribution.
func NormalCDF(z float64) float64 {
	// Erfc keeps full relative precision in the lower tail, where
	// 1 − Φ(|z|) would round to 0 beyond |z| ≈ 8.
	return 0.5 * math.Erfc(-z/math.Sqrt2)
}
