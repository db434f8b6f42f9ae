package media

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/warmline/warmline/backend/phone"
	"github.com/warmline/warmline/backend/warmline"
)

// trunk is a TrunkConfig made ready for use: its addresses resolved.
type trunk struct {
	cfg     TrunkConfig
	sources []netip.Prefix // where its INVITEs may come from
	target  string         // host:port requests go to (the outbound proxy when set)
	country string
	codecs  []uint8
	demo    bool // the built-in demo network, not a real trunk
}

func newTrunk(ctx context.Context, tc TrunkConfig) (*trunk, error) {
	port := tc.Port
	if port == 0 {
		port = 5060
	}
	t := &trunk{cfg: tc, target: net.JoinHostPort(tc.Host, strconv.Itoa(port)), country: tc.DefaultCountry, codecs: codecPrefs(tc.Codecs)}
	if t.country == "" {
		t.country = "RU"
	}
	if tc.Transport == "" {
		t.cfg.Transport = "udp"
	}
	hosts := []string{tc.Host}
	if tc.OutboundProxy != "" {
		h, p, err := net.SplitHostPort(tc.OutboundProxy)
		if err != nil {
			h, p = tc.OutboundProxy, "5060"
		}
		t.target = net.JoinHostPort(h, p)
		hosts = append(hosts, h)
	}
	for _, h := range hosts {
		ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", h)
		if err != nil {
			return nil, fmt.Errorf("resolve %q: %w", h, err)
		}
		for _, ip := range ips {
			ip = ip.Unmap()
			t.sources = append(t.sources, netip.PrefixFrom(ip, ip.BitLen()))
		}
	}
	for _, s := range tc.AllowedSources {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			t.sources = append(t.sources, p.Masked())
		} else if a, err := netip.ParseAddr(s); err == nil {
			a = a.Unmap()
			t.sources = append(t.sources, netip.PrefixFrom(a, a.BitLen()))
		} else {
			return nil, fmt.Errorf("allowed source %q is neither an IP address nor a CIDR", s)
		}
	}
	return t, nil
}

func (t *trunk) allows(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range t.sources {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// line finds the line a dialled number belongs to.
func (t *trunk) line(dialled string) (*warmline.Line, bool) {
	n, ok := phone.Normalize(dialled, t.country)
	for i := range t.cfg.Lines {
		l := &t.cfg.Lines[i]
		if (ok && l.Number == n) || l.Number == dialled || strings.TrimPrefix(l.Number, "+") == dialled {
			return l, true
		}
	}
	return nil, false
}

// trunksFrom lists the trunks an address may send INVITEs from.
func (g *Gateway) trunksFrom(src netip.AddrPort) []*trunk {
	ip := src.Addr().Unmap()
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []*trunk
	for _, t := range g.trunks {
		if t.allows(ip) {
			out = append(out, t)
		}
	}
	if g.demo != nil && g.demo.allows(src) {
		out = append(out, g.demo.trunk)
	}
	return out
}

// orgTrunk is the trunk an organisation's outbound calls take.
func (g *Gateway) orgTrunk(org warmline.OrgID) *trunk {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, t := range g.trunks {
		if t.cfg.OrgID == org {
			return t
		}
	}
	return nil
}

// register keeps a register-mode trunk registered: REGISTER with digest
// auth, refreshed before expiry, retried with capped backoff on failure.
func (g *Gateway) register(ctx context.Context, t *trunk) {
	backoff := 5 * time.Second
	for {
		expires, err := g.registerOnce(ctx, t)
		wait := backoff
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			g.log.Warn("trunk registration failed", "trunk", t.cfg.ID, "org", t.cfg.OrgID, "err", err, "retry_in", backoff)
			backoff = min(backoff*2, 5*time.Minute)
		} else {
			backoff = 5 * time.Second
			wait = time.Duration(expires) * time.Second * 8 / 10 // refresh at 80 %
			if wait < 10*time.Second {
				wait = 10 * time.Second
			}
		}
		select {
		case <-ctx.Done():
			g.unregister(t)
			return
		case <-time.After(wait):
		}
	}
}

func (g *Gateway) registerRequest(t *trunk, expires int) *sip.Request {
	aor := sip.Uri{User: t.cfg.Username, Host: t.cfg.Host}
	if t.cfg.Port != 0 && t.cfg.Port != 5060 {
		aor.Port = t.cfg.Port
	}
	req := sip.NewRequest(sip.REGISTER, sip.Uri{Host: aor.Host, Port: aor.Port})
	req.AppendHeader(&sip.FromHeader{Address: aor, Params: tagParams()})
	req.AppendHeader(&sip.ToHeader{Address: aor})
	ct := g.contact(t.cfg.Transport)
	ct.Address.User = t.cfg.Username
	req.AppendHeader(&ct)
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(expires)))
	req.SetTransport(strings.ToUpper(t.cfg.Transport))
	req.SetDestination(t.target)
	return req
}

func (g *Gateway) registerOnce(ctx context.Context, t *trunk) (int, error) {
	expires := t.cfg.RegisterExpires
	if expires <= 0 {
		expires = 300
	}
	rctx, cancel := context.WithTimeout(ctx, 32*time.Second)
	defer cancel()
	req := g.registerRequest(t, expires)
	res, err := g.cli.Do(rctx, req)
	if err != nil {
		return 0, err
	}
	if res.StatusCode == 401 || res.StatusCode == 407 {
		res, err = g.cli.DoDigestAuth(rctx, req, res, sipgo.DigestAuth{Username: t.cfg.Username, Password: t.cfg.Password})
		if err != nil {
			return 0, err
		}
	}
	if res.StatusCode != 200 {
		return 0, fmt.Errorf("REGISTER answered %d %s", res.StatusCode, res.Reason)
	}
	if h := res.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n > 0 {
			expires = n
		}
	}
	if c := res.Contact(); c != nil {
		if v, ok := c.Params.Get("expires"); ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				expires = n
			}
		}
	}
	return expires, nil
}

// unregister removes our binding when a trunk goes away (best effort).
func (g *Gateway) unregister(t *trunk) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	req := g.registerRequest(t, 0)
	res, err := g.cli.Do(ctx, req)
	if err == nil && (res.StatusCode == 401 || res.StatusCode == 407) {
		_, _ = g.cli.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: t.cfg.Username, Password: t.cfg.Password})
	}
}
