package hotspot

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

const eps = 1e-9

// line returns the weights of n units on a line, each adjacent to the next.
func line(n int) Weights {
	nb := make([][]int, n)
	for i := range n - 1 {
		nb[i] = append(nb[i], i+1)
		nb[i+1] = append(nb[i+1], i)
	}
	return Weights{Neighbors: nb}
}

// checkResults compares results to want: Z and P within eps, Class exactly.
func checkResults(t *testing.T, got, want []Result) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d results, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if math.Abs(g.Z-w.Z) > eps || math.Abs(g.P-w.P) > eps || g.Class != w.Class {
			t.Errorf("unit %d: got %+v, want %+v", i, g, w)
		}
	}
}

// TestGiStarByHand checks five units on a line, 0–1–2–3–4, with counts
// [10, 8, 1, 0, 1], worked by hand:
//
//	n = 5, Σx = 20, X̄ = 4, Σx² = 100 + 64 + 1 + 0 + 1 = 166
//	S² = Σx²/n − X̄² = 33.2 − 16 = 17.2, S = 4.1472882706655441
//
// With the star, W_i = Σ_j w_ij is 2 at the ends and 3 inside, and binary
// weights make Σ_j w_ij² = W_i:
//
//	unit  Σ_j w_ij x_j   numerator Σwx − X̄·W   (n·W − W²)/(n−1)
//	0     10+8   = 18    18 − 4·2 = 10          (10 − 4)/4 = 1.5
//	1     10+8+1 = 19    19 − 4·3 =  7          (15 − 9)/4 = 1.5
//	2     8+1+0  =  9     9 − 4·3 = −3          1.5
//	3     1+0+1  =  2     2 − 4·3 = −10         1.5
//	4     0+1    =  1     1 − 4·2 = −7          1.5
//
// Every denominator is S·√1.5 = √(17.2·1.5) = √25.8, so
//
//	z0 =  10/√25.8 =  1.9687480773953944  ≥ 1.960: hot_95
//	z1 =   7/√25.8 =  1.3781236541767761  not significant
//	z2 =  −3/√25.8 = −0.5906244232186183  not significant
//	z3 = −10/√25.8 = −1.9687480773953944  cold_95
//	z4 =  −7/√25.8 = −1.3781236541767761  not significant
//
// and p = erfc(|z|/√2): 0.048982027417037339 for |z| = 10/√25.8,
// 0.16816511354840670 for 7/√25.8, 0.55477209682840456 for 3/√25.8.
func TestGiStarByHand(t *testing.T) {
	got, err := GiStar([]float64{10, 8, 1, 0, 1}, line(5))
	if err != nil {
		t.Fatal(err)
	}
	checkResults(t, got, []Result{
		{1.9687480773953944, 0.048982027417037339, Hot95},
		{1.3781236541767761, 0.16816511354840670, NotSignificant},
		{-0.5906244232186183, 0.55477209682840456, NotSignificant},
		{-1.9687480773953944, 0.048982027417037339, Cold95},
		{-1.3781236541767761, 0.16816511354840670, NotSignificant},
	})
}

// TestGiStarStar checks a hub, unit 0, adjacent to units 1–5, among 24
// isolated units. The hub and its neighbours hold 10 each, the rest 0:
//
//	n = 30, Σx = 60, X̄ = 2, Σx² = 600, S² = 20 − 4 = 16, S = 4
//	hub:      W = 6, Σwx = 60, numerator 60 − 12 = 48,
//	          (30·6 − 36)/29 = 144/29, denominator 4·12/√29, z = √29 = 5.385…
//	neighbour: W = 2, Σwx = 20, numerator 20 − 4 = 16,
//	          (60 − 4)/29 = 56/29, z = 4/√(56/29) = 2.878…
//	isolated: W = 1, numerator 0 − 2 = −2, (30 − 1)/29 = 1, z = −2/4 = −0.5
//
// so the hub and its neighbours are hot at 99%.
func TestGiStarStar(t *testing.T) {
	const n = 30
	x := make([]float64, n)
	nb := make([][]int, n)
	for i := 1; i <= 5; i++ {
		nb[0] = append(nb[0], i)
		nb[i] = []int{0}
	}
	for i := 0; i <= 5; i++ {
		x[i] = 10
	}
	got, err := GiStar(x, Weights{Neighbors: nb})
	if err != nil {
		t.Fatal(err)
	}
	hub := math.Sqrt(29)
	leaf := 4 * math.Sqrt(29.0/56)
	want := make([]Result, n)
	want[0] = Result{hub, math.Erfc(hub / math.Sqrt2), Hot99}
	for i := 1; i <= 5; i++ {
		want[i] = Result{leaf, math.Erfc(leaf / math.Sqrt2), Hot99}
	}
	for i := 6; i < n; i++ {
		want[i] = Result{-0.5, 0.61707507745197379, NotSignificant}
	}
	checkResults(t, got, want)
	if got[0].Z < Z99 {
		t.Errorf("hub: got z %v, want ≥ %v", got[0].Z, Z99)
	}
}

func TestGiStarNotSignificant(t *testing.T) {
	ns := Result{0, 1, NotSignificant}
	tests := []struct {
		name string
		x    []float64
		w    Weights
		want map[int]Result // only these units are checked
	}{
		{"fewer than 3 units", []float64{1, 9}, line(2), map[int]Result{0: ns, 1: ns}},
		{"constant values", []float64{0.1, 0.1, 0.1, 0.1}, line(4), map[int]Result{0: ns, 1: ns, 2: ns, 3: ns}},
		{"all zero", []float64{0, 0, 0}, line(3), map[int]Result{0: ns, 1: ns, 2: ns}},
		{"unit adjacent to every other", []float64{1, 2, 6}, Weights{Neighbors: [][]int{{1, 2}, {0}, {0}}}, map[int]Result{0: ns}},
		{"empty", nil, Weights{}, map[int]Result{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := GiStar(tt.x, tt.w)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.x) {
				t.Fatalf("got %d results, want %d", len(got), len(tt.x))
			}
			for i, w := range tt.want {
				if got[i] != w {
					t.Errorf("unit %d: got %+v, want %+v", i, got[i], w)
				}
			}
		})
	}
}

func TestGiStarErrors(t *testing.T) {
	tests := []struct {
		name    string
		x       []float64
		w       Weights
		weights bool // whether the error wraps ErrInvalidWeights
	}{
		{"too few neighbour lists", []float64{1, 2, 3}, line(2), true},
		{"too many neighbour lists", []float64{1, 2, 3}, line(4), true},
		{"negative neighbour", []float64{1, 2, 3}, Weights{Neighbors: [][]int{{-1}, nil, nil}}, true},
		{"neighbour past the end", []float64{1, 2, 3}, Weights{Neighbors: [][]int{{3}, nil, nil}}, true},
		{"unit lists itself", []float64{1, 2, 3}, Weights{Neighbors: [][]int{{1}, {0, 1}, nil}}, true},
		{"neighbour listed twice", []float64{1, 2, 3}, Weights{Neighbors: [][]int{{1, 2, 1}, {0}, {0}}}, true},
		{"NaN value", []float64{1, math.NaN(), 3}, line(3), false},
		{"infinite value", []float64{1, math.Inf(1), 3}, line(3), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := GiStar(tt.x, tt.w)
			if err == nil {
				t.Fatalf("got %v, want an error", got)
			}
			if !strings.HasPrefix(err.Error(), "hotspot: ") {
				t.Errorf("got error %q, want prefix %q", err, "hotspot: ")
			}
			if is := errors.Is(err, ErrInvalidWeights); is != tt.weights {
				t.Errorf("errors.Is(%q, ErrInvalidWeights): got %v, want %v", err, is, tt.weights)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		z    float64
		want Class
	}{
		{"at 99%", 2.576, Hot99},
		{"far above", 40, Hot99},
		{"just below 99%", 2.5759, Hot95},
		{"at 95%", 1.96, Hot95},
		{"just below 95%", 1.9599, Hot90},
		{"at 90%", 1.645, Hot90},
		{"just below 90%", 1.6449, NotSignificant},
		{"zero", 0, NotSignificant},
		{"just above -90%", -1.6449, NotSignificant},
		{"at -90%", -1.645, Cold90},
		{"at -95%", -1.96, Cold95},
		{"at -99%", -2.576, Cold99},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := classify(tt.z); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestNormalCDF checks Φ against values computed to 40 digits with mpmath.
func TestNormalCDF(t *testing.T) {
	tests := []struct {
		name string
		z    float64
		want float64
	}{
		{"centre", 0, 0.5},
		{"one sd", 1, 0.84134474606854294859},
		{"90% two-sided", 1.645, 0.95001509446087863655},
		{"95% two-sided", 1.96, 0.97500210485177956379},
		{"95% lower", -1.96, 0.024997895148220436213},
		{"99% two-sided", 2.576, 0.99500246768426498261},
		{"three sd lower", -3, 0.0013498980316300945267},
		{"far tail", -8, 6.2209605742717841235e-16},
		{"very far tail", -20, 2.7536241186062336951e-89},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Relative error, so the tails are checked as strictly as the
			// centre; rounding z/√2 alone costs about z²·1e-16 out there.
			if got := NormalCDF(tt.z); math.Abs(got-tt.want) > 1e-13*tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// referenceGiStar is Gi* written straight from Ord & Getis (1995) with a
// dense weights matrix that has w_ii = 1, to check GiStar against.
func referenceGiStar(x []float64, w [][]float64) []Result {
	n := len(x)
	res := make([]Result, n)
	var sum, sum2 float64
	for _, v := range x {
		sum += v
		sum2 += v * v
	}
	nf := float64(n)
	mean := sum / nf
	s := math.Sqrt(sum2/nf - mean*mean)
	for i := range n {
		var wx, sw, sw2 float64
		for j := range n {
			wx += w[i][j] * x[j]
			sw += w[i][j]
			sw2 += w[i][j] * w[i][j]
		}
		den := s * math.Sqrt((nf*sw2-sw*sw)/(nf-1))
		if n < 3 || s == 0 || den == 0 {
			res[i] = Result{0, 1, NotSignificant}
			continue
		}
		z := (wx - mean*sw) / den
		p := 2 * (1 - 0.5*(1+math.Erf(math.Abs(z)/math.Sqrt2)))
		res[i] = Result{z, p, classify(z)}
	}
	return res
}

// TestGiStarReference compares GiStar with referenceGiStar on random points
// joined within a random distance band and random counts, some of them
// clustered.
func TestGiStarReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(testSeed(t), 1))
	for trial := range 300 {
		n := 3 + rng.IntN(150)
		pts := make([][2]float64, n)
		for i := range pts {
			pts[i] = [2]float64{rng.Float64(), rng.Float64()}
		}
		// Bands up to 1.5 span the whole square, so some units border all.
		band := rng.Float64() * rng.Float64() * 1.5
		dense := make([][]float64, n)
		nb := make([][]int, n)
		for i := range n {
			dense[i] = make([]float64, n)
			dense[i][i] = 1
			for j := range n {
				if j != i && math.Hypot(pts[i][0]-pts[j][0], pts[i][1]-pts[j][1]) <= band {
					dense[i][j] = 1
					nb[i] = append(nb[i], j)
				}
			}
		}
		x := make([]float64, n)
		centre, spread := [2]float64{rng.Float64(), rng.Float64()}, 0.05+0.3*rng.Float64()
		for i := range x {
			x[i] = float64(rng.IntN(4))
			if math.Hypot(pts[i][0]-centre[0], pts[i][1]-centre[1]) < spread {
				x[i] += float64(rng.IntN(20))
			}
		}
		got, err := GiStar(x, Weights{Neighbors: nb})
		if err != nil {
			t.Fatal(err)
		}
		want := referenceGiStar(x, dense)
		for i := range want {
			g, w := got[i], want[i]
			if math.Abs(g.Z-w.Z) > eps || math.Abs(g.P-w.P) > eps || g.Class != w.Class {
				t.Fatalf("trial %d, n %d, band %v, unit %d: got %+v, want %+v", trial, n, band, i, g, w)
			}
		}
		// z is unchanged by a change of unit and offset, as for counts per
		// 1000 people instead of counts.
		y := make([]float64, n)
		for i, v := range x {
			y[i] = 2.5*v + 7
		}
		scaled, err := GiStar(y, Weights{Neighbors: nb})
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if math.Abs(scaled[i].Z-got[i].Z) > eps {
				t.Fatalf("trial %d, unit %d, 2.5x+7: got z %v, want %v", trial, i, scaled[i].Z, got[i].Z)
			}
		}
	}
}
