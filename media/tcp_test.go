package media_test

import (
	"testing"
	"time"

	"github.com/warmline/warmline/backend/warmline"
)

// A provider on TCP calls in: its INVITE arrives over TCP and rings the
// agent; our 200 names a TCP Contact; audio flows; our in-dialog requests
// (the hold re-INVITE, BYE) reach it over TCP — it has no UDP socket.
func TestTCPTrunk_InboundCall(t *testing.T) {
	f := newFixture(t, 0)
	f.peer = newSIPPeerOn(t, "127.0.0.1", "tcp")
	b := f.connectBrowser()
	id, pc := f.answeredInbound(b)
	res := pc.uac.InviteResponse
	if tr, _ := res.Contact().Address.UriParams.Get("transport"); tr != "tcp" || res.Transport() != "TCP" {
		t.Fatalf("200 OK over %s with Contact %s", res.Transport(), res.Contact().Value())
	}
	waitTone(t, b.rec, 600, "the agent hears the caller")
	waitTone(t, pc.rec, 1000, "the caller hears the agent")

	b.send(map[string]any{"type": "hold", "call_id": id, "ref": "h"})
	select {
	case offer := <-f.peer.reinvites:
		if sdpDir(offer) != "sendonly" {
			t.Fatalf("hold re-INVITE direction %q", sdpDir(offer))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the hold re-INVITE did not reach the TCP peer")
	}
	b.expect("ack", func(m map[string]any) bool { return m["ref"] == "h" })

	b.send(map[string]any{"type": "hangup", "call_id": id})
	pc.waitBye(t, 5*time.Second)
	if r := f.waitEnded(id); deref(r.HangupSide) != "agent" || deref(r.Outcome) != "answered" {
		t.Fatalf("record = %+v", r)
	}
}

// A trunk configured for TCP: click-to-call's INVITE goes over TCP and the
// call connects with audio; the far end's BYE arrives over TCP too.
func TestTCPTrunk_OutboundCall(t *testing.T) {
	f := newFixture(t, 0)
	f.peer = newSIPPeerOn(t, "127.0.0.1", "tcp")
	f.setTrunk(func(tr *warmline.Trunk) { tr.Transport, tr.Port = "tcp", f.peer.port })
	b := f.connectBrowser()
	id, pc := f.outboundCall(b)
	if pc.invite.Transport() != "TCP" {
		t.Fatalf("INVITE over %s", pc.invite.Transport())
	}
	waitTone(t, b.rec, 600, "the agent hears the client")
	waitTone(t, pc.rec, 1000, "the client hears the agent")
	pc.bye()
	if e := b.expectCall("ended"); e["hangup_side"] != "client" {
		t.Fatalf("ended = %v", e)
	}
	if r := f.waitEnded(id); deref(r.HangupSide) != "client" {
		t.Fatalf("record = %+v", r)
	}
}
