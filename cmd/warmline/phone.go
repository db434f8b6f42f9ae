package main

// The phone (issue 3): the media gateway's configuration from the
// environment, its start inside `warmline serve`, and `warmline demo
// call-in`.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/warmline/warmline/backend/httpapi"
	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/warmline"
	"github.com/warmline/warmline/media"
)

// phoneConfig reads the gateway's settings from WARMLINE_* variables
// (README, "Configuration"). httpAddr decides the loopback default of
// WARMLINE_ICE_LOOPBACK. off is true when WARMLINE_SIP_LISTEN is "off":
// this process serves the API without a gateway.
func phoneConfig(httpAddr string) (cfg media.Config, off bool, err error) {
	listen := env("WARMLINE_SIP_LISTEN", "udp:127.0.0.1:5080,tcp:127.0.0.1:5080")
	if listen == "off" {
		return cfg, true, nil
	}
	cfg.SIPListen = splitList(listen)
	cfg.SIPPublicAddr = os.Getenv("WARMLINE_SIP_PUBLIC_ADDR")
	ports := env("WARMLINE_RTP_PORTS", "20000-20999")
	lo, hi, ok := strings.Cut(ports, "-")
	if cfg.RTPPortMin, err = strconv.Atoi(lo); err == nil && ok {
		cfg.RTPPortMax, err = strconv.Atoi(hi)
	}
	if err != nil || !ok || cfg.RTPPortMin < 1 || cfg.RTPPortMax > 65535 || cfg.RTPPortMin > cfg.RTPPortMax {
		return cfg, false, fmt.Errorf("WARMLINE_RTP_PORTS %q: want a range such as 20000-20999", ports)
	}
	for _, ip := range splitList(os.Getenv("WARMLINE_PUBLIC_IPS")) {
		if net.ParseIP(ip) == nil {
			return cfg, false, fmt.Errorf("WARMLINE_PUBLIC_IPS: %q is not an IP address", ip)
		}
		cfg.PublicIPs = append(cfg.PublicIPs, ip)
	}
	host, _, _ := net.SplitHostPort(httpAddr)
	loopback := host == "localhost" || (net.ParseIP(host) != nil && net.ParseIP(host).IsLoopback())
	if cfg.ICEIncludeLoopback, err = boolEnv("WARMLINE_ICE_LOOPBACK", loopback); err != nil {
		return cfg, false, err
	}
	user, pass := os.Getenv("WARMLINE_TURN_USERNAME"), os.Getenv("WARMLINE_TURN_PASSWORD")
	for _, u := range splitList(os.Getenv("WARMLINE_ICE_SERVERS")) {
		s := media.ICEServer{URLs: []string{u}}
		switch {
		case strings.HasPrefix(u, "stun:") || strings.HasPrefix(u, "stuns:"):
		case strings.HasPrefix(u, "turn:") || strings.HasPrefix(u, "turns:"):
			if user == "" || pass == "" {
				return cfg, false, fmt.Errorf("WARMLINE_ICE_SERVERS has the TURN server %s: set WARMLINE_TURN_USERNAME and WARMLINE_TURN_PASSWORD", u)
			}
			s.Username, s.Credential = user, pass
		default:
			return cfg, false, fmt.Errorf("WARMLINE_ICE_SERVERS: %q is not a stun: or turn: URL", u)
		}
		cfg.ICEServers = append(cfg.ICEServers, s)
	}
	if cfg.Node = os.Getenv("WARMLINE_NODE"); cfg.Node == "" {
		if cfg.Node, err = os.Hostname(); err != nil || cfg.Node == "" {
			cfg.Node = "warmline"
		}
	}
	if cfg.Demo, err = boolEnv("WARMLINE_DEMO_LINE", true); err != nil {
		return cfg, false, err
	}
	if cfg.PionSRTP, err = boolEnv("WARMLINE_PION_SRTP", false); err != nil {
		return cfg, false, err
	}
	prio := env("WARMLINE_MEDIA_PRIORITY", "10")
	if cfg.MediaPriority, err = strconv.Atoi(prio); err != nil || cfg.MediaPriority < 0 || cfg.MediaPriority > 99 {
		return cfg, false, fmt.Errorf("WARMLINE_MEDIA_PRIORITY %q: want 0 (normal) or a real-time priority 1-99", prio)
	}
	pause := env("WARMLINE_MEDIA_COALESCE", "200us")
	if cfg.MediaCoalesce, err = time.ParseDuration(pause); err != nil || cfg.MediaCoalesce < 0 || cfg.MediaCoalesce > media.MaxCoalesce {
		return cfg, false, fmt.Errorf("WARMLINE_MEDIA_COALESCE %q: want a pause from 0 (none) to %s, such as 200us", pause, media.MaxCoalesce)
	}
	return cfg, false, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func boolEnv(key string, def bool) (bool, error) {
	v := os.Getenv(key)
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s %q: want true or false", key, v)
	}
	return b, nil
}

// startPhone starts the media gateway for serve: it runs until ctx ends
// (its error, if any, arrives on the returned channel), answers /ws/phone
// and the phone routes through api.Phone, and places the demo calls that
// `warmline demo call-in` asks for. With WARMLINE_SIP_LISTEN=off it starts
// nothing and the phone routes answer 503.
func startPhone(ctx context.Context, db *postgres.DB, c *config, api *httpapi.Server, listener *postgres.Listener, log *slog.Logger) (<-chan error, error) {
	errc := make(chan error, 1)
	cfg, off, err := phoneConfig(c.Addr)
	if err != nil {
		return nil, err
	}
	if off {
		log.Info("phone gateway off (WARMLINE_SIP_LISTEN=off)")
		return errc, nil
	}
	g, err := media.New(cfg, postgres.NewCallStore(db), log.With("part", "media"))
	if err != nil {
		return nil, fmt.Errorf("phone gateway: %w", err)
	}
	urls := []string{}
	for _, s := range cfg.ICEServers {
		urls = append(urls, s.URLs...) // TURN credentials are never logged
	}
	log.Info("phone gateway", "node", cfg.Node, "sip", cfg.SIPListen, "sip_public", cfg.SIPPublicAddr,
		"rtp", fmt.Sprintf("%d-%d", cfg.RTPPortMin, cfg.RTPPortMax), "public_ips", cfg.PublicIPs,
		"ice_servers", urls, "ice_loopback", cfg.ICEIncludeLoopback, "demo_line", cfg.Demo, "media_priority", cfg.MediaPriority, "media_coalesce", cfg.MediaCoalesce)
	go func() { errc <- g.Run(ctx) }()
	api.Phone = g
	postgres.ListenDemoCallIns(ctx, listener, log, func(ctx context.Context, r postgres.DemoCallIn) {
		if err := g.DemoCallIn(ctx, r.OrgID, r.From); err != nil {
			log.Warn("demo call-in refused", "org", r.OrgID, "err", err)
		}
	})
	return errc, nil
}

// demoCmd runs `warmline demo call-in`: the running server's demo phone
// network calls an organisation (the demo organisation by default). It
// is another process than the server, so it asks through Postgres
// (NOTIFY) and then watches for the call's record.
func demoCmd(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "call-in" {
		return errors.New("usage: warmline demo call-in [--org N] [--from +7...]")
	}
	fs := flag.NewFlagSet("demo call-in", flag.ContinueOnError)
	org := fs.Int64("org", 0, "the organisation to call (default: the demo organisation made by seed-demo)")
	from := fs.String("from", "", "the caller's number (default: the demo line picks one)")
	dsn := fs.String("database-url", os.Getenv("DATABASE_URL"), "Postgres URL (env DATABASE_URL)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *dsn == "" {
		return errors.New("DATABASE_URL is not set: point it at the database warmline serve uses")
	}
	db, err := postgres.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	r := postgres.DemoCallIn{OrgID: warmline.OrgID(*org), From: *from}
	if r.OrgID == 0 {
		if r.OrgID, err = postgres.DemoOrgID(ctx, db); err != nil {
			return errors.New(warmline.ErrorMessage(err))
		}
	}
	last, err := postgres.LastCallID(ctx, db, r.OrgID)
	if err != nil {
		return err
	}
	if r, err = postgres.RequestDemoCallIn(ctx, db, r); err != nil {
		return errors.New(warmline.ErrorMessage(err))
	}
	id, err := postgres.WaitForInboundCall(ctx, db, r.OrgID, last, 5*time.Second)
	if err != nil {
		return err
	}
	if id == 0 {
		return fmt.Errorf("no call appeared in organisation %d within 5 s: is `warmline serve` running with the demo line on, and has the organisation no trunk?", r.OrgID)
	}
	fmt.Printf("Demo call %d is ringing in organisation %d.\n", id, r.OrgID)
	return nil
}
