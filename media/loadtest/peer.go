package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
)

// peer is one pion PeerConnection of this process (a softphone, or one
// end of a direct pair) with an audio track to send on and its own ICE
// socket, which notes each SRTP packet's kernel arrival time. What it
// receives is recorded in its direction.
type peer struct {
	pc    *webrtc.PeerConnection
	track *webrtc.TrackLocalStaticRTP
	mux   *ice.UDPMuxDefault
	arr   arrivals
}

var pcmu = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000, Channels: 1}

func newPeer(w *window, d *direction) (*peer, error) {
	p := &peer{}
	conn, err := listenStamped(&p.arr)
	if err != nil {
		return nil, fmt.Errorf("softphone socket: %w", err)
	}
	p.mux = ice.NewUDPMuxDefault(ice.UDPMuxParams{UDPConn: conn})
	me := &webrtc.MediaEngine{}
	if err := me.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: pcmu, PayloadType: 0}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	se := webrtc.SettingEngine{}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIncludeLoopbackCandidate(true)
	se.SetICEUDPMux(p.mux)
	api := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithSettingEngine(se), webrtc.WithInterceptorRegistry(&interceptor.Registry{}))
	if p.pc, err = api.NewPeerConnection(webrtc.Configuration{}); err != nil {
		p.close()
		return nil, err
	}
	if p.track, err = webrtc.NewTrackLocalStaticRTP(pcmu, "mic", "loadtest"); err != nil {
		p.close()
		return nil, err
	}
	if _, err := p.pc.AddTrack(p.track); err != nil {
		p.close()
		return nil, err
	}
	p.pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		buf := make([]byte, 1500)
		for {
			n, _, err := tr.Read(buf)
			if err != nil {
				return
			}
			now := time.Now().UnixNano()
			if n >= 12 {
				w.got(d, buf[:n], now, p.arr.lookup(binary.BigEndian.Uint16(buf[2:])))
			}
		}
	})
	return p, nil
}

// offer creates the peer's offer with every candidate in it (no trickle).
func (p *peer) offer() (string, error) {
	offer, err := p.pc.CreateOffer(nil)
	if err != nil {
		return "", err
	}
	gathered := webrtc.GatheringCompletePromise(p.pc)
	if err := p.pc.SetLocalDescription(offer); err != nil {
		return "", err
	}
	<-gathered
	return p.pc.LocalDescription().SDP, nil
}

func (p *peer) close() {
	if p.pc != nil {
		_ = p.pc.Close()
	}
	_ = p.mux.Close()
}

// dialDirect connects two peers of this process to each other, no
// gateway between them: the baseline of the same stacks and loopback.
func dialDirect(w *window) (a, b *peer, err error) {
	if a, err = newPeer(w, &w.direct); err != nil {
		return nil, nil, err
	}
	if b, err = newPeer(w, &w.direct); err != nil {
		a.close()
		return nil, nil, err
	}
	fail := func(err error) (*peer, *peer, error) {
		a.close()
		b.close()
		return nil, nil, fmt.Errorf("direct pair: %w", err)
	}
	up := make(chan struct{})
	b.pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateConnected {
			close(up)
		}
	})
	offer, err := a.offer()
	if err != nil {
		return fail(err)
	}
	if err := b.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return fail(err)
	}
	answer, err := b.pc.CreateAnswer(nil)
	if err != nil {
		return fail(err)
	}
	gathered := webrtc.GatheringCompletePromise(b.pc)
	if err := b.pc.SetLocalDescription(answer); err != nil {
		return fail(err)
	}
	<-gathered
	if err := a.pc.SetRemoteDescription(*b.pc.LocalDescription()); err != nil {
		return fail(err)
	}
	select {
	case <-up:
	case <-time.After(30 * time.Second):
		return fail(errors.New("not connected in 30 s"))
	}
	return a, b, nil
}
