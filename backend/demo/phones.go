package demo

import (
	"fmt"
	"math/rand/v2"

	"github.com/nyaruka/phonenumbers"
)

// Where ranges reserved for fiction exist and libphonenumber accepts them
// as valid, the demo uses them, so that a demo organisation wired to a
// real trunk does not ring strangers: Ofcom's London drama range 020 7946
// 0xxx and the North American 555-01xx. Russia has no such range and UK
// drama mobiles (07700 900xxx) do not validate, so those numbers are
// random within real operator ranges.
var (
	ruMobileCodes = []string{"901", "903", "905", "906", "909", "910", "912", "915", "916", "917",
		"919", "920", "925", "926", "929", "950", "951", "960", "961", "963", "965", "977", "985", "999"}
	ruCityCodes = []string{"495", "495", "495", "499", "812"} // Moscow, Moscow, Moscow, Moscow, St Petersburg
	ukMobile    = []string{"74", "75", "77", "78", "79"}
	usAreaCodes = []string{"212", "646", "415", "312", "617", "206", "512", "303", "213", "305", "404", "702"}
)

// phoneKind is what sort of line a number is.
type phoneKind int

const (
	mobile phoneKind = iota
	office
)

// fictionTries is how many draws stay in a fiction range before a large
// demo, having used it up, falls back to real ranges.
const fictionTries = 50

// newPhone returns a number in E.164, valid for country (RU, GB or US) per
// libphonenumber and not in seen, and adds it to seen.
func newPhone(rng *rand.Rand, country string, kind phoneKind, seen map[string]bool) string {
	for try := 0; try < 100_000; try++ {
		fiction := try < fictionTries
		var n string
		switch {
		case country == "RU" && kind == mobile:
			n = fmt.Sprintf("+7%s%07d", pick(rng, ruMobileCodes), rng.IntN(10_000_000))
		case country == "RU":
			n = fmt.Sprintf("+7%s%d%06d", pick(rng, ruCityCodes), 2+rng.IntN(8), rng.IntN(1_000_000))
		case country == "GB" && kind == mobile:
			n = fmt.Sprintf("+44%s%08d", pick(rng, ukMobile), rng.IntN(100_000_000))
		case country == "GB" && fiction:
			n = fmt.Sprintf("+442079460%03d", rng.IntN(1000))
		case country == "GB":
			n = fmt.Sprintf("+4420%d%07d", pick(rng, []int{3, 7, 8}), rng.IntN(10_000_000))
		case fiction:
			n = fmt.Sprintf("+1%s55501%02d", pick(rng, usAreaCodes), rng.IntN(100))
		default:
			n = fmt.Sprintf("+1%s%d%02d%04d", pick(rng, usAreaCodes), 2+rng.IntN(8), rng.IntN(100), rng.IntN(10_000))
		}
		if !seen[n] && validFor(n, country) {
			seen[n] = true
			return n
		}
	}
	// The ranges above hold millions of valid numbers; only a broken
	// table gets here, and the tests would have caught it.
	panic(fmt.Sprintf("demo: no valid %s phone number found", country))
}

// validFor reports whether e164 is a valid number of region country (a
// +44 7 number may belong to Guernsey or Jersey, a +1 to Canada).
func validFor(e164, country string) bool {
	num, err := phonenumbers.Parse(e164, "")
	return err == nil && phonenumbers.IsValidNumber(num) && phonenumbers.GetRegionCodeForNumber(num) == country
}
