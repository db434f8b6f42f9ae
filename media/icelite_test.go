package media

import (
	"net"
	"strings"
	"testing"

	"github.com/pion/ice/v4"
	"github.com/pion/webrtc/v4"
)

// The gateway answers as an ICE-lite agent where its candidates are what
// browsers reach (a configured public address, or one machine), and as a
// full agent otherwise, so that behind an unconfigured NAT its own checks
// still open the way (iceLite).
func TestICELite_OnlyWhereTheGatewaysAddressIsKnown(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		lite bool
	}{
		{"public address", Config{PublicIPs: []string{"203.0.113.7"}}, true},
		{"one machine", Config{ICEIncludeLoopback: true}, true},
		{"behind an unknown NAT", Config{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			answer := answerOf(t, tc.cfg)
			if got := strings.Contains(answer, "a=ice-lite"); got != tc.lite {
				t.Fatalf("a=ice-lite in the answer: %v, want %v\n%s", got, tc.lite, answer)
			}
		})
	}
}

// answerOf is the SDP answer a browser leg's API with cfg gives to a
// pion browser's offer.
func answerOf(t *testing.T, cfg Config) string {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	mux := ice.NewUDPMuxDefault(ice.UDPMuxParams{UDPConn: conn})
	t.Cleanup(func() { _ = mux.Close() })
	api, err := newWebRTCAPI(cfg, mux, nil)
	if err != nil {
		t.Fatal(err)
	}
	gw, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = gw.Close() })
	browser, err := webrtc.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = browser.Close() })
	if _, err := browser.AddTransceiverFromKind(webrtc.RTPCodecTypeAudio); err != nil {
		t.Fatal(err)
	}
	offer, err := browser.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := gw.SetRemoteDescription(offer); err != nil {
		t.Fatal(err)
	}
	answer, err := gw.CreateAnswer(nil)
	if err != nil {
		t.Fatal(err)
	}
	return answer.SDP
}
