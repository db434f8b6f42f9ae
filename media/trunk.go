package media

import (
	"context"
	"errors"
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

// registerRetryMax caps the wait between failed REGISTERs.
const registerRetryMax = 5 * time.Minute

// registration is one trunk's binding at its registrar. Its REGISTERs
// share a Call-ID and From tag and count their CSeq up (RFC 3261
// §10.2.4), so the registrar sees refreshes of one binding.
type registration struct {
	t       *trunk
	callID  sip.CallIDHeader
	tag     string
	cseq    uint32
	expires int // seconds asked for; raised by a 423's Min-Expires
}

// register keeps a register-mode trunk registered: REGISTER with digest
// auth, refreshed at 80 % of the granted expiry (not sooner than
// RegisterRetry), retried after RegisterRetry, 2×, 4×… up to 5 minutes
// while it fails (or after a 503's Retry-After when that is longer);
// un-REGISTER when ctx ends (reload, shutdown).
func (g *Gateway) register(ctx context.Context, t *trunk) {
	r := &registration{t: t, callID: sip.CallIDHeader(sip.GenerateTagN(24)), tag: sip.GenerateTagN(16), expires: t.cfg.RegisterExpires}
	if r.expires <= 0 {
		r.expires = 300
	}
	backoff := g.registerRetry()
	for {
		granted, err := g.registerOnce(ctx, r)
		wait := backoff
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			// A registrar that says when to come back (503 with
			// Retry-After, RFC 3261 §21.5.4) is not asked sooner.
			var ra *retryAfterError
			if errors.As(err, &ra) && ra.after > wait {
				wait = ra.after
			}
			g.log.Warn("trunk registration failed", "trunk", t.cfg.ID, "org", t.cfg.OrgID, "err", err, "retry_in", wait)
			backoff = min(backoff*2, registerRetryMax)
		} else {
			backoff = g.registerRetry()
			wait = max(time.Duration(granted)*time.Second*8/10, g.registerRetry())
		}
		select {
		case <-ctx.Done():
			g.unregister(r)
			return
		case <-time.After(wait):
		}
	}
}

func (g *Gateway) registerRequest(r *registration, expires int) *sip.Request {
	t := r.t
	aor := sip.Uri{User: t.cfg.Username, Host: t.cfg.Host}
	if t.cfg.Port != 0 && t.cfg.Port != 5060 {
		aor.Port = t.cfg.Port
	}
	req := sip.NewRequest(sip.REGISTER, sip.Uri{Host: aor.Host, Port: aor.Port})
	from := sip.FromHeader{Address: aor, Params: sip.NewParams()}
	from.Params.Add("tag", r.tag)
	req.AppendHeader(&from)
	req.AppendHeader(&sip.ToHeader{Address: aor})
	callID := r.callID
	req.AppendHeader(&callID)
	r.cseq++
	req.AppendHeader(&sip.CSeqHeader{SeqNo: r.cseq, MethodName: sip.REGISTER})
	ct := g.contact(t.cfg.Transport)
	ct.Address.User = t.cfg.Username
	req.AppendHeader(&ct)
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(expires)))
	req.SetTransport(strings.ToUpper(t.cfg.Transport))
	req.SetDestination(t.target)
	return req
}

// sendRegister sends a REGISTER, answering a 401/407 challenge with the trunk's
// credentials, and keeps the CSeq the retry used.
func (g *Gateway) sendRegister(ctx context.Context, r *registration, expires int) (*sip.Response, error) {
	req := g.registerRequest(r, expires)
	res, err := answered(g.cli.Do(ctx, req))
	if err == nil && (res.StatusCode == 401 || res.StatusCode == 407) {
		res, err = answered(g.cli.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: r.t.cfg.Username, Password: r.t.cfg.Password}))
		r.cseq = req.CSeq().SeqNo
	}
	return res, err
}

// registerOnce registers once and returns the expiry granted (seconds).
// A 423 (Interval Too Brief) is retried at once with its Min-Expires.
func (g *Gateway) registerOnce(ctx context.Context, r *registration) (int, error) {
	rctx, cancel := context.WithTimeout(ctx, 32*time.Second)
	defer cancel()
	res, err := g.sendRegister(rctx, r, r.expires)
	if err == nil && res.StatusCode == 423 {
		if h := res.GetHeader("Min-Expires"); h != nil {
			if n, perr := strconv.Atoi(strings.TrimSpace(h.Value())); perr == nil && n > r.expires {
				r.expires = n
				res, err = g.sendRegister(rctx, r, r.expires)
			}
		}
	}
	if err != nil {
		return 0, err
	}
	if res.StatusCode != 200 {
		err := fmt.Errorf("REGISTER answered %d %s", res.StatusCode, res.Reason)
		if after := retryAfter(res); after > 0 && res.StatusCode == 503 {
			return 0, &retryAfterError{err: err, after: after}
		}
		return 0, err
	}
	expires := r.expires
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

// retryAfterError is a failure whose response said when to try again.
type retryAfterError struct {
	err   error
	after time.Duration
}

func (e *retryAfterError) Error() string { return fmt.Sprintf("%v (retry after %s)", e.err, e.after) }
func (e *retryAfterError) Unwrap() error { return e.err }

// retryAfterMax bounds how long a Retry-After keeps a trunk unregistered.
const retryAfterMax = time.Hour

// retryAfter reads Retry-After: delta-seconds, then an optional comment
// and parameters (RFC 3261 §20.33); 0 when absent or unreadable.
func retryAfter(res *sip.Response) time.Duration {
	h := res.GetHeader("Retry-After")
	if h == nil {
		return 0
	}
	v := strings.TrimSpace(h.Value())
	end := strings.IndexFunc(v, func(r rune) bool { return r < '0' || r > '9' })
	if end < 0 {
		end = len(v)
	}
	n, err := strconv.Atoi(v[:end])
	if err != nil || n <= 0 {
		return 0
	}
	return min(time.Duration(n)*time.Second, retryAfterMax)
}

// unregister removes our binding when a trunk goes away (best effort).
func (g *Gateway) unregister(r *registration) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, _ = g.sendRegister(ctx, r, 0)
}
