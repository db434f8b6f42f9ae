package media

import "testing"

func TestG711RoundTrip(t *testing.T) {
	for _, s := range []int16{0, 100, -100, 1000, -1000, 8000, -8000, 32000, -32000} {
		u := ULawDecode(ULawEncode(s))
		a := ALawDecode(ALawEncode(s))
		tol := int32(s)/16 + 16
		if tol < 0 {
			tol = -tol
		}
		if d := int32(u) - int32(s); d > tol || d < -tol {
			t.Errorf("μ-law %d -> %d", s, u)
		}
		if d := int32(a) - int32(s); d > tol || d < -tol {
			t.Errorf("A-law %d -> %d", s, a)
		}
	}
}
