package media_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/warmline"
)

// setTrunk changes the fixture's trunk and reloads the gateway.
func (f *fixture) setTrunk(change func(tr *warmline.Trunk)) {
	f.t.Helper()
	ts := postgres.NewTrunkStore(f.db)
	tr, err := ts.FindTrunk(f.adminCtx, *f.line.TrunkID)
	if err != nil {
		f.t.Fatal(err)
	}
	change(tr)
	if _, err := ts.UpdateTrunk(f.adminCtx, tr); err != nil {
		f.t.Fatal(err)
	}
	if err := f.gw.Reload(context.Background()); err != nil {
		f.t.Fatal(err)
	}
}

// The provider challenges our INVITE — 407 as a proxy does, 401 as a
// UAS does: we send it again with digest credentials (the trunk's
// username and password, the Request-URI, the same Call-ID and a higher
// CSeq) and the call goes through with audio.
func TestOutboundInvite_DigestAuth(t *testing.T) {
	for _, c := range []struct {
		code              int
		challenge, answer string
	}{{407, "Proxy-Authenticate", "Proxy-Authorization"}, {401, "WWW-Authenticate", "Authorization"}} {
		t.Run(fmt.Sprint(c.code), func(t *testing.T) {
			f := newFixture(t, 0)
			f.setTrunk(func(tr *warmline.Trunk) { tr.Username, tr.Password = "acc100", "s3cret" })
			chal := &digest.Challenge{Realm: "provider", Nonce: "f84f1cec41e6cbe5aea9c8e88d359", Algorithm: "MD5", QOP: []string{"auth"}}
			type invite struct {
				callID string
				cseq   uint32
				err    string // why the credentials are wrong; "" when good
				authed bool
			}
			invites := make(chan invite, 8)
			f.peer.challenge = func(req *sip.Request, tx sip.ServerTransaction) bool {
				in := invite{callID: req.CallID().Value(), cseq: req.CSeq().SeqNo}
				h := req.GetHeader(c.answer)
				if h == nil {
					invites <- in
					res := sip.NewResponseFromRequest(req, c.code, "Authentication Required", nil)
					res.AppendHeader(sip.NewHeader(c.challenge, chal.String()))
					_ = tx.Respond(res)
					return true
				}
				in.authed = true
				cred, err := digest.ParseCredentials(h.Value())
				if err == nil {
					var want *digest.Credentials
					want, err = digest.Digest(chal, digest.Options{Method: "INVITE", URI: req.Recipient.Addr(), Username: "acc100", Password: "s3cret", Cnonce: cred.Cnonce, Count: cred.Nc})
					switch {
					case err != nil:
					case cred.Username != "acc100" || cred.Realm != "provider" || cred.URI != req.Recipient.Addr():
						err = fmt.Errorf("credentials for %s@%s, %s", cred.Username, cred.Realm, cred.URI)
					case cred.Response != want.Response:
						err = fmt.Errorf("wrong digest response")
					}
				}
				if err != nil {
					in.err = err.Error()
					invites <- in
					_ = tx.Respond(sip.NewResponseFromRequest(req, 403, "Forbidden", nil))
					return true
				}
				invites <- in
				return false
			}
			b := f.connectBrowser()
			id, pc := f.outboundCall(b)
			first, second := <-invites, <-invites
			if first.authed || !second.authed || second.err != "" || second.callID != first.callID || second.cseq <= first.cseq {
				t.Fatalf("INVITEs: %+v then %+v", first, second)
			}
			waitTone(t, b.rec, 600, "the agent hears the client")
			waitTone(t, pc.rec, 1000, "the client hears the agent")
			b.send(map[string]any{"type": "hangup", "call_id": id})
			pc.waitBye(t, 5*time.Second)
			if r := f.waitEnded(id); !r.Answered || deref(r.Outcome) != "answered" {
				t.Fatalf("record = %+v", r)
			}
		})
	}
}
