package media

import (
	"encoding/binary"
	"math/rand/v2"
)

// The bridge is G.711 pass-through: a packet read from one leg has its
// RTP header rewritten into the other leg's outgoing stream and is sent,
// in the reading goroutine, from a buffer that goroutine owns. Nothing is
// decoded, buffered or allocated per packet.
//
// Payload types are canonical between legs: 0 PCMU, 8 PCMA, 101
// telephone-event. A leg that negotiated other numbers (a trunk's
// telephone-event at 96, say) maps them when reading and writing.

// endpoint is one side of a bridge: forward puts a packet that arrived
// on the other side (canonical payload type, at most 1500 bytes) into
// this endpoint's outgoing stream. It may modify pkt in place.
type endpoint interface {
	forward(pkt []byte, now int64)
}

// rewriter turns packets from whichever source is bridged into one
// outgoing RTP stream: our own SSRC, and a sequence number and timestamp
// that continue across a change of source (a new bridge, a transfer, the
// far end's re-INVITE restarting its stream).
type rewriter struct {
	ssrc    uint32
	started bool
	rebase  bool // the next packet starts a new source even with the same SSRC
	srcSSRC uint32
	seqOff  uint16
	tsOff   uint32
	lastSeq uint16
	lastTS  uint32
	lastAt  int64 // nanoseconds of the last packet sent
}

func newRewriter(now int64) rewriter {
	return rewriter{ssrc: rand.Uint32(), lastSeq: uint16(rand.Uint32()), lastTS: rand.Uint32(), lastAt: now}
}

// ticksPerNano converts wall time to 8 kHz timestamp units.
const nanosPerTick = 125000

// rewrite rewrites pkt's header in place (SSRC, sequence, timestamp; the
// marker is set on a new source's first packet) and reports whether pkt
// is an RTP packet at all.
func (r *rewriter) rewrite(pkt []byte, now int64) bool {
	if len(pkt) < 12 || pkt[0]>>6 != 2 {
		return false
	}
	seq := binary.BigEndian.Uint16(pkt[2:])
	ts := binary.BigEndian.Uint32(pkt[4:])
	ssrc := binary.BigEndian.Uint32(pkt[8:])
	if !r.started || r.rebase || ssrc != r.srcSSRC {
		// Continue our stream: next sequence number, and the timestamp
		// advanced by the wall time since our last packet (at least one
		// 20 ms frame), so the receiver's jitter buffer sees a pause, not a jump.
		gap := (now - r.lastAt) / nanosPerTick
		if gap < 160 {
			gap = 160
		} else if gap > 8000*60 {
			gap = 8000 * 60
		}
		r.seqOff = r.lastSeq + 1 - seq
		r.tsOff = r.lastTS + uint32(gap) - ts
		r.srcSSRC = ssrc
		r.started, r.rebase = true, false
		pkt[1] |= 0x80 // marker: a talkspurt begins
	}
	outSeq := seq + r.seqOff
	outTS := ts + r.tsOff
	binary.BigEndian.PutUint16(pkt[2:], outSeq)
	binary.BigEndian.PutUint32(pkt[4:], outTS)
	binary.BigEndian.PutUint32(pkt[8:], r.ssrc)
	if int16(outSeq-r.lastSeq) > 0 { // a reordered old packet does not move us back
		r.lastSeq, r.lastTS, r.lastAt = outSeq, outTS, now
	}
	return true
}

// next returns the sequence number and timestamp for a packet we make
// ourselves (RFC 4733 events) continuing the stream, and records it.
func (r *rewriter) next(now int64, newTimestamp bool) (uint16, uint32) {
	r.lastSeq++
	if newTimestamp {
		gap := (now - r.lastAt) / nanosPerTick
		if gap < 160 {
			gap = 160
		}
		r.lastTS += uint32(gap)
	}
	r.lastAt = now
	r.rebase = true // audio after our own packets continues from here
	return r.lastSeq, r.lastTS
}

// stripHeader drops CSRCs and a header extension (browsers may send
// extensions the far end never negotiated) and padding, moving the
// payload down in place; it returns the new length, or 0 for a packet
// too short for what its header claims.
func stripHeader(pkt []byte) int {
	n := len(pkt)
	if n < 12 {
		return 0
	}
	hl := 12 + 4*int(pkt[0]&0x0f)
	if pkt[0]&0x10 != 0 {
		if n < hl+4 {
			return 0
		}
		hl += 4 + 4*int(binary.BigEndian.Uint16(pkt[hl+2:]))
	}
	if pkt[0]&0x20 != 0 {
		if n <= hl || int(pkt[n-1]) > n-hl {
			return 0
		}
		n -= int(pkt[n-1])
	}
	if n < hl {
		return 0
	}
	if hl == 12 && pkt[0]&0x3f == 0 {
		return n
	}
	copy(pkt[12:], pkt[hl:n])
	pkt[0] &^= 0x3f // no padding, no extension, no CSRC
	return 12 + n - hl
}

// lawMap converts a G.711 payload in place when the source's law is not
// the one this leg negotiated; it returns the payload type to send.
func lawMap(payload []byte, from, to uint8) uint8 {
	if from == to {
		return to
	}
	table := &uToA
	if from == ptPCMA {
		table = &aToU
	}
	for i, b := range payload {
		payload[i] = table[b]
	}
	return to
}
