package media

// G.711 μ-law (PCMU) and A-law (PCMA), ITU-T G.711. The bridge never
// transcodes audio; it only needs these for the demo line's tones and
// echo, and for the one-byte law mapping when the browser sends PCMU and
// the far end chose PCMA (or the other way round), which is a table
// lookup per byte, not a decode.

const (
	ptPCMU = 0
	ptPCMA = 8
	ptTE   = 101 // telephone-event on the browser leg, and our offers
)

// ULawDecode returns the linear sample of a μ-law byte.
func ULawDecode(u byte) int16 {
	u = ^u
	t := (int32(u&0x0f) << 3) + 0x84
	t <<= (u & 0x70) >> 4
	if u&0x80 != 0 {
		return int16(0x84 - t)
	}
	return int16(t - 0x84)
}

// ULawEncode returns the μ-law byte of a linear sample.
func ULawEncode(s int16) byte {
	const bias, clip = 0x84, 32635
	x := int32(s)
	sign := byte(0)
	if x < 0 {
		x = -x
		sign = 0x80
	}
	if x > clip {
		x = clip
	}
	x += bias
	exp := byte(7)
	for mask := int32(0x4000); x&mask == 0 && exp > 0; mask >>= 1 {
		exp--
	}
	mant := byte(x>>(exp+3)) & 0x0f
	return ^(sign | exp<<4 | mant)
}

// ALawDecode returns the linear sample of an A-law byte.
func ALawDecode(a byte) int16 {
	a ^= 0x55
	t := int32(a&0x0f) << 4
	seg := (a & 0x70) >> 4
	switch seg {
	case 0:
		t += 8
	case 1:
		t += 0x108
	default:
		t += 0x108
		t <<= seg - 1
	}
	if a&0x80 != 0 {
		return int16(t)
	}
	return int16(-t)
}

// ALawEncode returns the A-law byte of a linear sample.
func ALawEncode(s int16) byte {
	x := int32(s) >> 3 // A-law works on 13 bits
	mask := byte(0xd5)
	if x < 0 {
		mask = 0x55
		x = -x - 1
	}
	seg := byte(0)
	for end := int32(0x1f); seg < 8 && x > end; end = end<<1 | 1 {
		seg++
	}
	if seg >= 8 {
		return 0x7f ^ mask
	}
	a := seg << 4
	if seg < 2 {
		a |= byte(x>>1) & 0x0f
	} else {
		a |= byte(x>>seg) & 0x0f
	}
	return a ^ mask
}

// uToA and aToU map one law's byte to the other's (built once).
var uToA, aToU [256]byte

func init() {
	for i := 0; i < 256; i++ {
		uToA[i] = ALawEncode(ULawDecode(byte(i)))
		aToU[i] = ULawEncode(ALawDecode(byte(i)))
	}
}
