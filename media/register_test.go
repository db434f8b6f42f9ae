package media_test

import (
	"context"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/warmline"
)

// registrar is a provider's registrar that wants digest credentials.
type registrar struct {
	port       int
	registered chan string // the Contact of each accepted REGISTER
	rejected   chan struct{}
	// attempts gets every REGISTER with good credentials.
	attempts chan regAttempt
	// answer decides the final response to authenticated REGISTER n
	// (from 1); nil: 200, Expires 60. It is given to newRegistrar, before
	// the registrar serves, so that no REGISTER reads it while it is set.
	answer registrarAnswer
	n      atomic.Int32
}

type registrarAnswer func(n int, req *sip.Request) (int, []sip.Header)

type regAttempt struct {
	at      time.Time
	callID  string
	cseq    uint32
	expires string
	code    int
}

func newRegistrar(t *testing.T, user, pass string, answer ...registrarAnswer) *registrar {
	t.Helper()
	ua, _ := sipgo.NewUA(sipgo.WithUserAgentHostname("127.0.0.1"))
	srv, _ := sipgo.NewServer(ua)
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &registrar{port: pc.LocalAddr().(*net.UDPAddr).Port, registered: make(chan string, 4), rejected: make(chan struct{}, 16),
		attempts: make(chan regAttempt, 32)}
	if len(answer) > 0 {
		r.answer = answer[0]
	}
	chal := &digest.Challenge{Realm: "provider", Nonce: "abc123", Algorithm: "MD5", QOP: []string{"auth"}}
	srv.OnRegister(func(req *sip.Request, tx sip.ServerTransaction) {
		h := req.GetHeader("Authorization")
		if h == nil {
			res := sip.NewResponseFromRequest(req, 401, "Unauthorized", nil)
			res.AppendHeader(sip.NewHeader("WWW-Authenticate", chal.String()))
			_ = tx.Respond(res)
			return
		}
		cred, err := digest.ParseCredentials(h.Value())
		if err == nil {
			var want *digest.Credentials
			want, err = digest.Digest(chal, digest.Options{Method: "REGISTER", URI: cred.URI, Username: user, Password: pass, Cnonce: cred.Cnonce, Count: cred.Nc})
			if err == nil && (cred.Username != user || want.Response != cred.Response) {
				err = context.Canceled
			}
		}
		if err != nil {
			r.rejected <- struct{}{}
			_ = tx.Respond(sip.NewResponseFromRequest(req, 403, "Forbidden", nil))
			return
		}
		code, hdrs := 200, []sip.Header{sip.NewHeader("Expires", "60")}
		if r.answer != nil {
			code, hdrs = r.answer(int(r.n.Add(1)), req)
		}
		r.attempts <- regAttempt{at: time.Now(), callID: req.CallID().Value(), cseq: req.CSeq().SeqNo, expires: req.GetHeader("Expires").Value(), code: code}
		res := sip.NewResponseFromRequest(req, code, "Scripted", nil)
		for _, h := range hdrs {
			res.AppendHeader(h)
		}
		_ = tx.Respond(res)
		if code == 200 {
			select {
			case r.registered <- req.Contact().Address.String():
			default:
			}
		}
	})
	go func() { _ = srv.ServeUDP(pc) }()
	t.Cleanup(func() { _ = pc.Close(); _ = ua.Close() })
	return r
}

func TestRegisterTrunk_DigestAuth(t *testing.T) {
	f := newFixture(t, 0)
	reg := newRegistrar(t, "acc100", "s3cret")
	ts := postgres.NewTrunkStore(f.db)
	if _, err := ts.CreateTrunk(f.adminCtx, &warmline.Trunk{Name: "Provider", Host: "127.0.0.1", Port: reg.port, Transport: "udp",
		AuthMode: "register", Username: "acc100", Password: "s3cret", RegisterExpires: 60, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	if err := f.gw.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case c := <-reg.registered:
		if !strings.Contains(c, "acc100@127.0.0.1") {
			t.Fatalf("registered Contact %q", c)
		}
	case <-reg.rejected:
		t.Fatal("the registrar refused our credentials")
	case <-time.After(10 * time.Second):
		t.Fatal("no REGISTER reached the registrar")
	}
}
