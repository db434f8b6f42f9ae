package demo

import (
	"math/rand/v2"

	"github.com/warmline/warmline/backend/warmline"
)

// funnel is the funnel the demo's stage indexes refer to.
var funnel = warmline.DefaultFunnel("ru")

// Stage indexes into warmline.DefaultFunnel.
const (
	stageNew      = 0
	stageWon      = 4
	stageRejected = 5
)

// stageShares is the funnel's shape: many fresh leads and first contacts,
// fewer demos and warm clients, a few deals and a fair number of refusals.
var stageShares = []float64{0.22, 0.25, 0.15, 0.12, 0.06, 0.20}

// stageQuota returns the stage of each of n clients, in random order, with
// exactly the funnel's shape (up to rounding, which favours new clients).
func stageQuota(rng *rand.Rand, n int) []int {
	stages := make([]int, 0, n)
	for s, share := range stageShares {
		for range int(share * float64(n)) {
			stages = append(stages, s)
		}
	}
	for len(stages) < n {
		stages = append(stages, stageNew)
	}
	rng.Shuffle(len(stages), func(i, j int) { stages[i], stages[j] = stages[j], stages[i] })
	return stages
}

// path returns the stages a client went through to reach stage, starting
// at the first: straight along the funnel, sometimes skipping the demo;
// refusals come from any open stage, most often after the first contact.
func path(rng *rand.Rand, stage int) []int {
	along := func(to int) []int {
		p := []int{}
		for s := 0; s <= to; s++ {
			if s == 2 && to > 2 && rng.IntN(4) == 0 {
				continue // no demo needed
			}
			p = append(p, s)
		}
		return p
	}
	switch stage {
	case stageWon:
		return append(along(3), stageWon)
	case stageRejected:
		reached := pickWeighted(rng, []int{20, 45, 25, 10}) // refused in New, First contact, Demo, Warm
		return append(along(reached), stageRejected)
	}
	return along(stage)
}

// pickWeighted returns an index of weights with probability proportional
// to its weight.
func pickWeighted(rng *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	r := rng.IntN(total)
	for i, w := range weights {
		if r < w {
			return i
		}
		r -= w
	}
	return len(weights) - 1
}

// coolingTarget is where a demo client should stand against its stage's
// cooling period, so the desk shows all three.
type coolingTarget int

const (
	targetOK coolingTarget = iota
	targetSoon
	targetCooled
)

// idleDays returns how many working days ago an open-stage client was
// last touched to stand at target, with a margin from each boundary.
func idleDays(rng *rand.Rand, st warmline.Stage, target coolingTarget) float64 {
	p, soon := float64(st.CoolingPeriod), soonDays(st)
	m := min(0.2, soon/4) // margin from each boundary
	between := func(lo, hi float64) float64 { return lo + rng.Float64()*(hi-lo) }
	switch {
	case target == targetCooled:
		return between(p+0.2, p+6)
	case target == targetSoon && soon > 0:
		return between(p-soon+m, p-m)
	}
	return between(0.05, p-soon-m)
}

// soonDays is how long before cooling a client of st shows as cooling
// soon, in the period's unit: CoolingSoon when set, else what is left of
// the period after CoolingSoonPercent of it (80 % when unset).
func soonDays(st warmline.Stage) float64 {
	if st.CoolingSoon > 0 {
		return float64(st.CoolingSoon)
	}
	pct := st.CoolingSoonPercent
	if pct <= 0 || pct >= 100 {
		pct = 80
	}
	return float64(st.CoolingPeriod) * float64(100-pct) / 100
}
