package media

import (
	"errors"
	"fmt"
	"github.com/emiago/sipgo/sip"
	"net/netip"
	"strconv"
	"strings"
)

// The SIP legs' SDP (RFC 4566, offer/answer per RFC 3264): one audio
// stream, G.711 and telephone-event. The browser leg's SDP is pion's.

// Directions (RFC 3264 §5.1, §6.1).
const (
	dirSendRecv = "sendrecv"
	dirSendOnly = "sendonly"
	dirRecvOnly = "recvonly"
	dirInactive = "inactive"
)

// errNoCodec means the offer has audio but no PCMU or PCMA: 488.
var errNoCodec = errors.New("no PCMU or PCMA in the audio stream")

// sdpError is SDP that cannot be read at all: 400 with its reason.
type sdpError struct{ reason string }

func (e *sdpError) Error() string { return "malformed SDP: " + e.reason }

func sdpErrorf(format string, args ...any) error {
	return &sdpError{fmt.Sprintf(format, args...)}
}

// mediaDesc is what we take from the far end's SDP.
type mediaDesc struct {
	Addr   netip.AddrPort // where to send RTP (port 0: stream rejected)
	Codecs []uint8        // PCMU/PCMA in the order offered
	Codec  uint8          // the first of them
	TE     uint8          // telephone-event payload type, 0 when none
	Dir    string         // the far end's direction
	Ptime  int
}

// parseSDP reads an SDP body's first audio stream.
func parseSDP(body []byte) (*mediaDesc, error) {
	if len(body) == 0 {
		return nil, sdpErrorf("empty body")
	}
	if len(body) > 16<<10 {
		return nil, sdpErrorf("body over 16 KiB")
	}
	var (
		sessionAddr, mediaAddr netip.Addr
		sessionDir             = dirSendRecv
		m                      *mediaDesc
		inAudio, seenAudio     bool
		rtpmap                 = map[uint8]string{}
		payloads               []uint8
		port                   int
		sawVersion             bool
	)
	for i, line := range strings.Split(strings.ReplaceAll(string(body), "\r\n", "\n"), "\n") {
		line = strings.TrimRight(line, " \r")
		if line == "" {
			continue
		}
		if len(line) < 2 || line[1] != '=' {
			return nil, sdpErrorf("line %d is not type=value", i+1)
		}
		val := line[2:]
		switch line[0] {
		case 'v':
			if val != "0" {
				return nil, sdpErrorf("version %q is not 0", val)
			}
			sawVersion = true
		case 'c':
			f := strings.Fields(val)
			if len(f) != 3 || f[0] != "IN" || (f[1] != "IP4" && f[1] != "IP6") {
				return nil, sdpErrorf("bad connection line %q", val)
			}
			a, err := netip.ParseAddr(strings.SplitN(f[2], "/", 2)[0])
			if err != nil {
				return nil, sdpErrorf("connection address %q is not an IP address", f[2])
			}
			if m == nil && !seenAudio {
				sessionAddr = a
			} else if inAudio {
				mediaAddr = a
			}
		case 'm':
			f := strings.Fields(val)
			if len(f) < 4 {
				return nil, sdpErrorf("bad media line %q", val)
			}
			if inAudio {
				inAudio = false // only the first audio stream is ours
				continue
			}
			if f[0] != "audio" || seenAudio {
				continue
			}
			p, err := strconv.Atoi(strings.SplitN(f[1], "/", 2)[0])
			if err != nil || p < 0 || p > 65535 {
				return nil, sdpErrorf("bad media port %q", f[1])
			}
			if f[2] != "RTP/AVP" && f[2] != "RTP/AVPF" {
				return nil, sdpErrorf("audio transport %q is not RTP/AVP", f[2])
			}
			for _, s := range f[3:] {
				n, err := strconv.Atoi(s)
				if err != nil || n < 0 || n > 127 {
					return nil, sdpErrorf("bad payload type %q", s)
				}
				payloads = append(payloads, uint8(n))
			}
			port, inAudio, seenAudio = p, true, true
			m = &mediaDesc{Dir: ""}
		case 'a':
			k, v, _ := strings.Cut(val, ":")
			switch k {
			case dirSendRecv, dirSendOnly, dirRecvOnly, dirInactive:
				if inAudio {
					m.Dir = k
				} else if !seenAudio {
					sessionDir = k
				}
			case "rtpmap":
				if !inAudio {
					continue
				}
				pt, enc, ok := strings.Cut(v, " ")
				n, err := strconv.Atoi(pt)
				if !ok || err != nil || n < 0 || n > 127 {
					return nil, sdpErrorf("bad rtpmap %q", v)
				}
				rtpmap[uint8(n)] = strings.ToLower(enc)
			case "ptime":
				if inAudio {
					m.Ptime, _ = strconv.Atoi(v)
				}
			}
		}
	}
	if !sawVersion {
		return nil, sdpErrorf("no v= line")
	}
	if m == nil {
		return nil, fmt.Errorf("%w (no audio stream)", errNoCodec)
	}
	if m.Dir == "" {
		m.Dir = sessionDir
	}
	addr := mediaAddr
	if !addr.IsValid() {
		addr = sessionAddr
	}
	if !addr.IsValid() {
		return nil, sdpErrorf("no connection address for the audio stream")
	}
	m.Addr = netip.AddrPortFrom(addr.Unmap(), uint16(port))
	if addr.IsUnspecified() { // c=0.0.0.0: RFC 2543 hold
		m.Dir = dirInactive
	}
	for _, pt := range payloads {
		enc := rtpmap[pt]
		switch {
		case pt == ptPCMU && (enc == "" || strings.HasPrefix(enc, "pcmu/8000")),
			pt == ptPCMA && (enc == "" || strings.HasPrefix(enc, "pcma/8000")):
			m.Codecs = append(m.Codecs, pt)
		case strings.HasPrefix(enc, "telephone-event/8000") && m.TE == 0 && pt != 0:
			m.TE = pt
		}
	}
	if len(m.Codecs) == 0 {
		return nil, errNoCodec
	}
	m.Codec = m.Codecs[0]
	return m, nil
}

// answerDir is our direction in an answer to an offer with dir (RFC 3264
// §6.1), given whether we ourselves hold the call.
func answerDir(offer string, weHold bool) string {
	switch offer {
	case dirSendOnly:
		if weHold {
			return dirInactive
		}
		return dirRecvOnly
	case dirRecvOnly:
		if weHold {
			return dirSendOnly
		}
		return dirSendRecv
	case dirInactive:
		return dirInactive
	}
	if weHold {
		return dirSendOnly
	}
	return dirSendRecv
}

// sdpBody is one SDP we write.
type sdpBody struct {
	IP      netip.Addr
	Port    int
	SessID  uint64
	Version uint64
	Codecs  []uint8 // in preference order
	TE      uint8   // 0: none
	Dir     string
}

func (s sdpBody) bytes() []byte {
	ipv := "IP4"
	if s.IP.Is6() && !s.IP.Is4In6() {
		ipv = "IP6"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "v=0\r\no=warmline %d %d IN %s %s\r\ns=warmline\r\nc=IN %s %s\r\nt=0 0\r\n",
		s.SessID, s.Version, ipv, s.IP.Unmap(), ipv, s.IP.Unmap())
	fmt.Fprintf(&b, "m=audio %d RTP/AVP", s.Port)
	for _, c := range s.Codecs {
		fmt.Fprintf(&b, " %d", c)
	}
	if s.TE != 0 {
		fmt.Fprintf(&b, " %d", s.TE)
	}
	b.WriteString("\r\n")
	for _, c := range s.Codecs {
		name := "PCMU"
		if c == ptPCMA {
			name = "PCMA"
		}
		fmt.Fprintf(&b, "a=rtpmap:%d %s/8000\r\n", c, name)
	}
	if s.TE != 0 {
		fmt.Fprintf(&b, "a=rtpmap:%d telephone-event/8000\r\na=fmtp:%d 0-16\r\n", s.TE, s.TE)
	}
	dir := s.Dir
	if dir == "" {
		dir = dirSendRecv
	}
	b.WriteString("a=ptime:20\r\na=" + dir + "\r\n")
	return []byte(b.String())
}

// codecPrefs turns a trunk's codec names into payload types (PCMU, PCMA
// when it names none).
func codecPrefs(names []string) []uint8 {
	var out []uint8
	for _, n := range names {
		switch strings.ToUpper(strings.TrimSpace(n)) {
		case "PCMU":
			out = append(out, ptPCMU)
		case "PCMA":
			out = append(out, ptPCMA)
		}
	}
	if len(out) == 0 {
		out = []uint8{ptPCMU, ptPCMA}
	}
	return out
}

// pickCodec is the first offered codec we allow.
func pickCodec(offered, allowed []uint8) (uint8, bool) {
	for _, o := range offered {
		for _, a := range allowed {
			if o == a {
				return o, true
			}
		}
	}
	return 0, false
}

// tagParams are header parameters with a fresh tag.
func tagParams() sip.HeaderParams {
	p := sip.NewParams()
	p.Add("tag", sip.GenerateTagN(16))
	return p
}
