package media

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/dtls/v3"
	"github.com/pion/dtls/v3/pkg/crypto/prf"
	"github.com/pion/dtls/v3/pkg/protocol/extension"
	"github.com/pion/dtls/v3/pkg/protocol/handshake"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
	"github.com/pion/webrtc/v4"
)

// The browser leg's SRTP after DTLS, owned by the gateway.
//
// pion reads a browser's packet through four goroutine hand-offs (ICE
// socket reader → candidate conn → DTLS/SRTP demux → SRTP session →
// track read) and writes through a chain of locks (track → SRTP session
// → demux → ICE conn → candidate pair → socket). At hundreds of calls
// the Go scheduler's share of that was larger than the gateway's own
// work (BENCHMARKS.md). So once a leg's DTLS handshake is done the
// gateway runs the leg's SRTP itself (RFC 3711, keys from RFC 5764 §4.2):
// the ICE socket's reader decrypts a browser's RTP and forwards it in the
// same goroutine, and the SIP leg's reader encrypts and sends to the
// browser's address with one sendto. STUN, DTLS and RTCP still go to pion,
// which keeps ICE consent (RFC 7675) and the connection state.
//
// pion/webrtc does not expose the DTLS connection or its keying-material
// exporter, so each leg's API records what RFC 5705's exporter needs
// through two public hooks of its SettingEngine: the key log (client
// random and master secret) and the ServerHello (server random, cipher
// suite, SRTP profile). The gateway is always the DTLS server for that
// (SetAnsweringDTLSRole). The master secret never leaves the process: it
// is what pion holds anyway. Anything unexpected (an MKI, cryptex, a
// cipher suite we do not know, keys that do not decrypt the browser's
// first packet) leaves the leg on pion's path, which works, only slower.

// dtlsKeys collects one DTLS handshake's exporter inputs.
type dtlsKeys struct {
	mu           sync.Mutex
	haveHello    bool
	serverRandom [handshake.RandomLength]byte
	suite        dtls.CipherSuiteID
	profile      dtls.SRTPProtectionProfile
	mki          bool
	clientRandom []byte
	master       []byte
}

// serverHello is the SettingEngine's ServerHello hook: it notes the
// message and sends it unchanged.
func (k *dtlsKeys) serverHello(m handshake.MessageServerHello) handshake.Message {
	k.mu.Lock()
	k.haveHello = true
	k.serverRandom = m.Random.MarshalFixed()
	if m.CipherSuiteID != nil {
		k.suite = dtls.CipherSuiteID(*m.CipherSuiteID)
	}
	for _, e := range m.Extensions {
		if u, ok := e.(*extension.UseSRTP); ok && len(u.ProtectionProfiles) > 0 {
			k.profile = dtls.SRTPProtectionProfile(u.ProtectionProfiles[0])
			k.mki = len(u.MasterKeyIdentifier) > 0
		}
	}
	k.mu.Unlock()
	return &m
}

// Write is the key log: "CLIENT_RANDOM <client random> <master secret>\n"
// (NSS key log format, TLS 1.2).
func (k *dtlsKeys) Write(p []byte) (int, error) {
	f := bytes.Fields(p)
	if len(f) != 3 || string(f[0]) != "CLIENT_RANDOM" {
		return len(p), nil
	}
	cr, err1 := hex.DecodeString(string(f[1]))
	ms, err2 := hex.DecodeString(string(f[2]))
	if err1 != nil || err2 != nil {
		return len(p), nil
	}
	k.mu.Lock()
	k.clientRandom, k.master = cr, ms
	k.mu.Unlock()
	return len(p), nil
}

var errNoDTLSKeys = errors.New("the DTLS handshake's keys were not seen")

// ExportKeyingMaterial is RFC 5705 §4 for TLS 1.2 (no context): the PRF
// of the master secret over label + client random + server random, with
// the cipher suite's hash (SHA-384 for the *_SHA384 suites, else SHA-256).
func (k *dtlsKeys) ExportKeyingMaterial(label string, context []byte, length int) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.haveHello || len(k.master) == 0 || len(k.clientRandom) != handshake.RandomLength || len(context) != 0 {
		return nil, errNoDTLSKeys
	}
	var h func() hash.Hash
	switch k.suite {
	case dtls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, dtls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:
		h = sha512.New384
	case dtls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, dtls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		dtls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, dtls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
		dtls.TLS_ECDHE_ECDSA_WITH_AES_128_CCM, dtls.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8:
		h = sha256.New
	default:
		return nil, fmt.Errorf("cipher suite %#04x: %w", uint16(k.suite), errNoDTLSKeys)
	}
	seed := make([]byte, 0, len(label)+2*handshake.RandomLength)
	seed = append(append(append(seed, label...), k.clientRandom...), k.serverRandom[:]...)
	return prf.PHash(k.master, seed, length, h)
}

// srtpContexts builds the leg's two SRTP contexts from the handshake: the
// browser's (remote) keys to decrypt, ours (local, the DTLS server's) to
// encrypt. Replay protection as pion's session has it (64 packets).
func (k *dtlsKeys) srtpContexts() (in, out *srtp.Context, err error) {
	k.mu.Lock()
	profile, mki := k.profile, k.mki
	k.mu.Unlock()
	if mki {
		return nil, nil, errors.New("the SRTP profile has an MKI")
	}
	var p srtp.ProtectionProfile
	switch profile {
	case dtls.SRTP_AEAD_AES_128_GCM:
		p = srtp.ProtectionProfileAeadAes128Gcm
	case dtls.SRTP_AEAD_AES_256_GCM:
		p = srtp.ProtectionProfileAeadAes256Gcm
	case dtls.SRTP_AES128_CM_HMAC_SHA1_80:
		p = srtp.ProtectionProfileAes128CmHmacSha1_80
	default:
		return nil, nil, fmt.Errorf("SRTP profile %#04x not handled", uint16(profile))
	}
	c := srtp.Config{Profile: p}
	if err := c.ExtractSessionKeysFromDTLS(k, false); err != nil {
		return nil, nil, fmt.Errorf("export SRTP keys: %w", err)
	}
	if in, err = srtp.CreateContext(c.Keys.RemoteMasterKey, c.Keys.RemoteMasterSalt, p, srtp.SRTPReplayProtection(64)); err != nil {
		return nil, nil, fmt.Errorf("SRTP context: %w", err)
	}
	if out, err = srtp.CreateContext(c.Keys.LocalMasterKey, c.Keys.LocalMasterSalt, p); err != nil {
		return nil, nil, fmt.Errorf("SRTP context: %w", err)
	}
	return in, out, nil
}

// srtpRoutes maps a browser's transport address (the selected ICE pair's
// remote candidate) to its leg, for the ICE sockets' readers. Reads are
// lock-free (a copy-on-write map); changes are rare (a leg connects,
// moves or closes).
type srtpRoutes struct {
	mu sync.Mutex
	m  atomic.Pointer[map[netip.AddrPort]*agentLeg]
}

func (r *srtpRoutes) lookup(a netip.AddrPort) *agentLeg {
	if r == nil { // Config.PionSRTP
		return nil
	}
	m := r.m.Load()
	if m == nil {
		return nil
	}
	return (*m)[a]
}

// set routes a to l, replacing old (l's previous address) when valid.
func (r *srtpRoutes) set(old, a netip.AddrPort, l *agentLeg) {
	r.update(func(m map[netip.AddrPort]*agentLeg) {
		if old.IsValid() && m[old] == l {
			delete(m, old)
		}
		if a.IsValid() {
			m[a] = l
		}
	})
}

func (r *srtpRoutes) update(f func(map[netip.AddrPort]*agentLeg)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := map[netip.AddrPort]*agentLeg{}
	if p := r.m.Load(); p != nil {
		for k, v := range *p {
			m[k] = v
		}
	}
	f(m)
	r.m.Store(&m)
}

// srtpIn is a leg's receiving SRTP state, used by whichever ICE socket
// reader has the browser's packet (one at a time: mu).
type srtpIn struct {
	mu   sync.Mutex
	ctx  *srtp.Context
	hdr  rtp.Header
	buf  [1500]byte
	inTE uint8
}

// srtpOut is the leg's sending SRTP state, guarded by agentLeg.wmu.
type srtpOut struct {
	ctx     *srtp.Context
	buf     [1500]byte
	started bool
}

// ownSRTP takes the leg's media from pion once DTLS is connected (the
// PeerConnection's "connected" state): the contexts from the handshake's
// keys, and the route from the selected pair's remote address. It
// reports why it could not; the leg then stays on pion's path.
func (l *agentLeg) ownSRTP(routes *srtpRoutes, sender *webrtc.RTPSender, recv *webrtc.RTPReceiver) error {
	if l.keys == nil || routes == nil || recv == nil {
		return errors.New("no key capture or no receiver")
	}
	if l.srtpIn.Load() != nil {
		return nil
	}
	if hasCryptex(l.pc) {
		return errors.New("cryptex (RFC 9335) negotiated")
	}
	in, out, err := l.keys.srtpContexts()
	if err != nil {
		return err
	}
	var inTE uint8
	for _, c := range recv.GetParameters().Codecs {
		if strings.EqualFold(c.MimeType, "audio/telephone-event") {
			inTE = uint8(c.PayloadType)
		}
	}
	ice := sender.Transport().ICETransport()
	pair, err := ice.GetSelectedCandidatePair()
	if err != nil || pair == nil {
		return fmt.Errorf("no selected ICE pair: %v", err)
	}
	l.wmu.Lock()
	l.own = &srtpOut{ctx: out}
	l.wmu.Unlock()
	l.srtpIn.Store(&srtpIn{ctx: in, inTE: inTE})
	l.routeMu.Lock()
	l.routes = routes
	l.routeMu.Unlock()
	l.route(pair)
	ice.OnSelectedCandidatePairChange(l.route)
	// The browser's RTCP still goes to pion: read it so its buffers
	// never fill (pion reads nothing for us now that no RTP reaches it).
	l.drainOnce.Do(func() { go drainRTCP(recv) })
	return nil
}

// route points the browser's current address at this leg.
func (l *agentLeg) route(p *webrtc.ICECandidatePair) {
	if p == nil || p.Remote == nil {
		return
	}
	ip, err := netip.ParseAddr(p.Remote.Address)
	if err != nil {
		return
	}
	a := netip.AddrPortFrom(ip.Unmap(), p.Remote.Port)
	l.routeMu.Lock()
	defer l.routeMu.Unlock()
	if l.routes == nil || l.closed.Load() { // close sets closed, then unroutes under routeMu
		return
	}
	old := l.remote.Load()
	var prev netip.AddrPort
	if old != nil {
		prev = *old
	}
	l.remote.Store(&a)
	l.routes.set(prev, a, l)
}

// unroute removes the leg's address from the routes (the leg closes).
func (l *agentLeg) unroute() {
	l.routeMu.Lock()
	defer l.routeMu.Unlock()
	if a := l.remote.Load(); a != nil && l.routes != nil {
		l.routes.set(*a, netip.AddrPort{}, l)
	}
}

// takeSRTP decrypts a browser's RTP packet read by sock and forwards it.
// It reports false to give the packet back to pion: the leg's keys have
// not yet decrypted anything and fail on this packet (then they are
// wrong, and pion's path is the one that works). After one success a
// packet that fails (forged, replayed) is dropped and counted.
func (l *agentLeg) takeSRTP(pkt []byte, sock *iceSocket) bool {
	in := l.srtpIn.Load()
	if in == nil {
		return false
	}
	in.mu.Lock()
	dec, err := in.ctx.DecryptRTP(in.buf[:0], pkt, &in.hdr)
	if err != nil {
		in.mu.Unlock()
		if !l.srtpProven.Load() {
			return false
		}
		l.srtpDropped.Add(1)
		return true
	}
	if l.sock.Load() != sock {
		l.sock.Store(sock)
	}
	if !l.srtpProven.Load() {
		l.srtpProven.Store(true)
		l.log.Info("browser leg on the gateway's SRTP path", "browser", *l.remote.Load())
	}
	l.receive(dec, in.inTE, time.Now().UnixNano())
	in.mu.Unlock()
	return true
}

// writeSRTP encrypts an outgoing packet (a plain 12-byte header, the
// header fields already in l.hdr) and sends it to the browser; the
// caller holds wmu. It reports false when the leg is not on its own
// path yet.
func (l *agentLeg) writeSRTP(pkt []byte) (sent, owned bool) {
	o := l.own
	if o == nil || !l.srtpProven.Load() {
		return false, false
	}
	sock, to := l.sock.Load(), l.remote.Load()
	if sock == nil || to == nil {
		return false, false
	}
	if !o.started {
		// pion's writer may have sent this SSRC's first packets (before
		// the browser's first packet proved our keys): continue its
		// rollover counter (RFC 3711 §3.3.1).
		if l.pionSent && l.pionSSRC == l.hdr.SSRC {
			o.ctx.SetROC(l.hdr.SSRC, l.pionROC)
		}
		o.started = true
	}
	enc, err := o.ctx.EncryptRTP(o.buf[:0], pkt, &l.hdr)
	if err != nil {
		return false, true
	}
	_, err = sock.WriteToAddrPort(enc, *to)
	return err == nil, true
}

// notePionWrite follows the rollover counter of what pion's writer sent
// (caller holds wmu).
func (l *agentLeg) notePionWrite(ssrc uint32, seq uint16) {
	if !l.pionSent || l.pionSSRC != ssrc {
		l.pionSent, l.pionSSRC, l.pionROC, l.pionSeq = true, ssrc, 0, seq
		return
	}
	if seq < l.pionSeq && l.pionSeq-seq > 1<<15 {
		l.pionROC++
	}
	if int16(seq-l.pionSeq) > 0 {
		l.pionSeq = seq
	}
}

// hasCryptex reports whether our answer accepted RFC 9335 header
// encryption (the browser would then use it; our contexts do not). The
// PeerConnection's policy is to decline it; this is the check that it did.
// The browser's offer may carry a=cryptex: that is what it can receive,
// and our packets have no header extension for it to apply to.
func hasCryptex(pc *webrtc.PeerConnection) bool {
	d := pc.LocalDescription()
	return d != nil && strings.Contains(d.SDP, "a=cryptex")
}
