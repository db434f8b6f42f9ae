package media

import (
	"net/netip"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// The gateway's own parsing of what strangers send: SIP SDP, RTP
// headers and the softphone's messages must never panic.

func FuzzParseSDP(f *testing.F) {
	f.Add([]byte("v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8 0 96\r\na=rtpmap:96 telephone-event/8000\r\na=sendonly\r\n"))
	f.Add([]byte("v=0\nc=IN IP6 ::1\nm=audio 0 RTP/AVP 18\n"))
	f.Add([]byte("v=0\r\nm=video 5 RTP/AVP 96\r\nm=audio 70000 RTP/AVP x\r\n"))
	f.Add([]byte("v=0\r\nc=IN IP4 0.0.0.0\r\nm=audio 4000/2 RTP/AVP 0\r\na=rtpmap:0\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseSDP(b)
		if err == nil {
			if len(m.Codecs) == 0 || (m.Codec != ptPCMU && m.Codec != ptPCMA) {
				t.Fatalf("accepted SDP without G.711: %+v", m)
			}
			_ = answerDir(m.Dir, false)
		}
	})
}

func FuzzPhoneMessage(f *testing.F) {
	for _, s := range []string{`{"type":"dial","to":"+79161234567","client_id":7,"ref":"a"}`, `{"type":"dtmf","call_id":1,"digits":"12#*"}`,
		`{"type":"transfer","call_id":3,"agent_id":4}`, `{"type":"offer","sdp":"v=0"}`, `{"type":"x"}`, `[]`, `{"type":"ping"}{}`, `{"type":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodePhoneMsg(b)
		if err == nil && m == nil {
			t.Fatal("no message and no error")
		}
		if err == nil && m.Type == "dtmf" {
			for _, d := range m.Digits {
				if _, ok := dtmfEvent(d); !ok {
					t.Fatalf("accepted digit %q", d)
				}
			}
		}
	})
}

func FuzzRTPForward(f *testing.F) {
	f.Add([]byte{0x80, 0x00, 0, 1, 0, 0, 0, 160, 1, 2, 3, 4, 0xff, 0xff})
	f.Add([]byte{0x9f, 0x65, 0, 1, 0, 0, 0, 160, 1, 2, 3, 4})
	f.Add([]byte{0xb0, 0x08, 0, 1, 0, 0, 0, 160, 1, 2, 3, 4, 0xbe, 0xde, 0, 1, 1, 2, 3, 4, 9, 9, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1500 {
			return
		}
		pkt := append([]byte(nil), b...)
		n := stripHeader(pkt)
		if n > len(b) {
			t.Fatalf("stripped to %d of %d", n, len(b))
		}
		r := newRewriter(time.Now().UnixNano())
		r.rewrite(pkt[:n], time.Now().UnixNano())
		l := &rtpLeg{out: newRewriter(0), audioPT: ptPCMA, tePT: 96, sendOK: true}
		peer, _ := newSockAddr(netip.MustParseAddrPort("127.0.0.1:9"))
		l.peer.Store(peer)
		l.receive(append([]byte(nil), b...), peer.ap, 1)
	})
}

// FuzzSIPInvite runs the gateway's INVITE checks on parsed messages.
func FuzzSIPInvite(f *testing.F) {
	f.Add("INVITE sip:+74950000000@gw SIP/2.0\r\nVia: SIP/2.0/UDP 1.2.3.4;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nSession-Expires: 30;refresher=uas\r\nContent-Length: 0\r\n\r\n")
	f.Add("INVITE sip:x SIP/2.0\r\nx: 1800;refresher\r\n\r\n")
	f.Fuzz(func(t *testing.T, s string) {
		msg, err := sip.ParseMessage([]byte(s))
		if err != nil {
			return
		}
		req, ok := msg.(*sip.Request)
		if !ok {
			return
		}
		_, _ = sessionExpires(req)
		_, _ = parseSDP(req.Body())
	})
}
