package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/media"
)

func TestPhoneConfig(t *testing.T) {
	for _, k := range []string{"WARMLINE_SIP_LISTEN", "WARMLINE_SIP_PUBLIC_ADDR", "WARMLINE_RTP_PORTS", "WARMLINE_PUBLIC_IPS",
		"WARMLINE_ICE_LOOPBACK", "WARMLINE_ICE_SERVERS", "WARMLINE_TURN_USERNAME", "WARMLINE_TURN_PASSWORD", "WARMLINE_NODE", "WARMLINE_DEMO_LINE", "WARMLINE_PION_SRTP", "WARMLINE_MEDIA_PRIORITY", "WARMLINE_MEDIA_COALESCE"} {
		t.Setenv(k, "")
	}
	cfg, off, err := phoneConfig("127.0.0.1:8080")
	if err != nil || off {
		t.Fatal(off, err)
	}
	if !slices.Equal(cfg.SIPListen, []string{"udp:127.0.0.1:5080", "tcp:127.0.0.1:5080"}) || cfg.RTPPortMin != 20000 || cfg.RTPPortMax != 20999 ||
		!cfg.ICEIncludeLoopback || !cfg.Demo || cfg.Node == "" || len(cfg.ICEServers) != 0 || cfg.PionSRTP || cfg.MediaPriority != 10 || cfg.MediaCoalesce != 200*time.Microsecond {
		t.Fatalf("defaults: %+v", cfg)
	}
	if cfg, _, _ := phoneConfig("0.0.0.0:8080"); cfg.ICEIncludeLoopback {
		t.Fatal("loopback candidates offered by a server on every interface")
	}

	t.Setenv("WARMLINE_ICE_SERVERS", "stun:stun.example.com:3478, turn:turn.example.com:3478?transport=udp")
	if _, _, err := phoneConfig("127.0.0.1:8080"); err == nil || !strings.Contains(err.Error(), "WARMLINE_TURN_USERNAME") {
		t.Fatalf("TURN without credentials: %v", err)
	}
	t.Setenv("WARMLINE_TURN_USERNAME", "u")
	t.Setenv("WARMLINE_TURN_PASSWORD", "p")
	t.Setenv("WARMLINE_PUBLIC_IPS", "203.0.113.5")
	t.Setenv("WARMLINE_RTP_PORTS", "30000-30099")
	t.Setenv("WARMLINE_ICE_LOOPBACK", "false")
	t.Setenv("WARMLINE_NODE", "media-1")
	t.Setenv("WARMLINE_DEMO_LINE", "0")
	t.Setenv("WARMLINE_PION_SRTP", "true")
	t.Setenv("WARMLINE_MEDIA_PRIORITY", "0")
	t.Setenv("WARMLINE_MEDIA_COALESCE", "0")
	cfg, _, err = phoneConfig("127.0.0.1:8080")
	want := []media.ICEServer{{URLs: []string{"stun:stun.example.com:3478"}},
		{URLs: []string{"turn:turn.example.com:3478?transport=udp"}, Username: "u", Credential: "p"}}
	if err != nil || !slices.EqualFunc(cfg.ICEServers, want, func(a, b media.ICEServer) bool {
		return slices.Equal(a.URLs, b.URLs) && a.Username == b.Username && a.Credential == b.Credential
	}) || cfg.PublicIPs[0] != "203.0.113.5" || cfg.RTPPortMin != 30000 || cfg.ICEIncludeLoopback || cfg.Node != "media-1" || cfg.Demo || !cfg.PionSRTP || cfg.MediaPriority != 0 || cfg.MediaCoalesce != 0 {
		t.Fatalf("configured: %+v %v", cfg, err)
	}

	for k, v := range map[string]string{"WARMLINE_RTP_PORTS": "30099-30000", "WARMLINE_PUBLIC_IPS": "example.com",
		"WARMLINE_ICE_SERVERS": "http://stun.example.com", "WARMLINE_DEMO_LINE": "maybe", "WARMLINE_PION_SRTP": "maybe",
		"WARMLINE_MEDIA_PRIORITY": "100", "WARMLINE_MEDIA_COALESCE": "2ms"} {
		t.Run(k, func(t *testing.T) {
			t.Setenv(k, v)
			if _, _, err := phoneConfig("127.0.0.1:8080"); err == nil || !strings.Contains(err.Error(), k) {
				t.Fatalf("%s=%s: %v", k, v, err)
			}
		})
	}
	t.Setenv("WARMLINE_SIP_LISTEN", "off")
	if _, off, err := phoneConfig("127.0.0.1:8080"); !off || err != nil {
		t.Fatalf("off: %v %v", off, err)
	}
}
