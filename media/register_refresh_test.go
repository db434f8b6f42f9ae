package media_test

import (
	"context"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/warmline/warmline/backend/postgres"
	"github.com/warmline/warmline/backend/warmline"
	"github.com/warmline/warmline/media"
)

// Registration over time: refreshes before the granted expiry, capped
// exponential backoff after failures, 423 Interval Too Brief, un-REGISTER
// when the trunk goes. RegisterRetry is shortened so that this takes seconds.

func registerRetry(t *testing.T, d time.Duration) {
	configure = func(c *media.Config) { c.RegisterRetry = d }
	t.Cleanup(func() { configure = nil })
}

// registerTrunk adds a register-mode trunk pointing at reg and reloads.
func (f *fixture) registerTrunk(reg *registrar) *warmline.Trunk {
	f.t.Helper()
	tr, err := postgres.NewTrunkStore(f.db).CreateTrunk(f.adminCtx, &warmline.Trunk{Name: "Provider", Host: "127.0.0.1", Port: reg.port, Transport: "udp",
		AuthMode: "register", Username: "acc100", Password: "s3cret", RegisterExpires: 60, Enabled: true})
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.gw.Reload(context.Background()); err != nil {
		f.t.Fatal(err)
	}
	return tr
}

func nextAttempt(t *testing.T, reg *registrar, within time.Duration) regAttempt {
	t.Helper()
	select {
	case a := <-reg.attempts:
		return a
	case <-reg.rejected:
		t.Fatal("the registrar refused our credentials")
	case <-time.After(within):
		t.Fatalf("no REGISTER within %v", within)
	}
	return regAttempt{}
}

// The registrar grants 2 s: we refresh at 80 % (1.6 s), before the binding
// expires, in one Call-ID with rising CSeq; disabling the trunk removes
// the binding (Expires: 0) in the same Call-ID.
func TestRegister_RefreshBeforeExpiry(t *testing.T) {
	registerRetry(t, 200*time.Millisecond)
	f := newFixture(t, 0)
	reg := newRegistrar(t, "acc100", "s3cret", func(int, *sip.Request) (int, []sip.Header) { return 200, []sip.Header{sip.NewHeader("Expires", "2")} })
	tr := f.registerTrunk(reg)
	first := nextAttempt(t, reg, 5*time.Second)
	prev := first
	for i := 0; i < 2; i++ {
		a := nextAttempt(t, reg, 3*time.Second)
		if gap := a.at.Sub(prev.at); gap < 1200*time.Millisecond || gap > 1950*time.Millisecond {
			t.Fatalf("refresh %d came %v after the previous REGISTER; the binding lasts 2 s, want about 1.6 s", i+1, gap)
		}
		if a.callID != first.callID || a.cseq <= prev.cseq || a.expires != "60" {
			t.Fatalf("refresh %d: Call-ID %q CSeq %d Expires %s; first Call-ID %q, previous CSeq %d", i+1, a.callID, a.cseq, a.expires, first.callID, prev.cseq)
		}
		prev = a
	}
	tr.Enabled = false
	if _, err := postgres.NewTrunkStore(f.db).UpdateTrunk(f.adminCtx, tr); err != nil {
		t.Fatal(err)
	}
	if err := f.gw.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	for {
		a := nextAttempt(t, reg, 3*time.Second)
		if a.expires == "0" {
			if a.callID != first.callID || a.cseq <= prev.cseq {
				t.Fatalf("un-REGISTER: Call-ID %q CSeq %d", a.callID, a.cseq)
			}
			return
		}
		prev = a // a refresh that crossed the reload
	}
}

// A failing registrar (503) is retried after RegisterRetry, then twice as
// long each time, until it accepts; then the next REGISTER waits for the
// refresh (80 % of 60 s), not the backoff.
func TestRegister_BackoffAfterFailures(t *testing.T) {
	registerRetry(t, 250*time.Millisecond)
	f := newFixture(t, 0)
	reg := newRegistrar(t, "acc100", "s3cret", func(n int, _ *sip.Request) (int, []sip.Header) {
		if n <= 4 {
			return 503, []sip.Header{}
		}
		return 200, []sip.Header{sip.NewHeader("Expires", "60")}
	})
	f.registerTrunk(reg)
	prev := nextAttempt(t, reg, 5*time.Second)
	var lastGap time.Duration
	for i := 1; i <= 4; i++ {
		a := nextAttempt(t, reg, 5*time.Second)
		gap := a.at.Sub(prev.at)
		switch {
		case i == 1 && (gap < 200*time.Millisecond || gap > 700*time.Millisecond):
			t.Fatalf("first retry after %v, want about 250 ms", gap)
		case i > 1 && (gap < lastGap*16/10 || gap > lastGap*3):
			t.Fatalf("retry %d after %v, the one before after %v: want it doubled", i, gap, lastGap)
		}
		lastGap, prev = gap, a
	}
	if prev.code != 200 {
		t.Fatalf("fifth REGISTER answered %d", prev.code)
	}
	select {
	case a := <-reg.attempts:
		t.Fatalf("a REGISTER %v after a 60 s registration", a.at.Sub(prev.at))
	case <-time.After(1500 * time.Millisecond):
	}
}

// 423 Interval Too Brief: we register again at once with its Min-Expires.
func TestRegister_IntervalTooBrief(t *testing.T) {
	f := newFixture(t, 0)
	reg := newRegistrar(t, "acc100", "s3cret", func(_ int, req *sip.Request) (int, []sip.Header) {
		if req.GetHeader("Expires").Value() != "120" {
			return 423, []sip.Header{sip.NewHeader("Min-Expires", "120")}
		}
		return 200, []sip.Header{sip.NewHeader("Expires", "120")}
	})
	f.registerTrunk(reg)
	a1 := nextAttempt(t, reg, 5*time.Second)
	a2 := nextAttempt(t, reg, time.Second)
	if a1.code != 423 || a1.expires != "60" || a2.code != 200 || a2.expires != "120" || a2.callID != a1.callID || a2.cseq <= a1.cseq {
		t.Fatalf("REGISTERs: %+v then %+v", a1, a2)
	}
}

// 503 with Retry-After: the registrar is not asked again before the time
// it gave (RFC 3261 §21.5.4), however short RegisterRetry is.
func TestRegister_503RetryAfterHonoured(t *testing.T) {
	registerRetry(t, 200*time.Millisecond)
	f := newFixture(t, 0)
	reg := newRegistrar(t, "acc100", "s3cret", func(n int, _ *sip.Request) (int, []sip.Header) {
		if n == 1 {
			return 503, []sip.Header{sip.NewHeader("Retry-After", "2 (maintenance);duration=60")}
		}
		return 200, []sip.Header{sip.NewHeader("Expires", "60")}
	})
	f.registerTrunk(reg)
	a1 := nextAttempt(t, reg, 5*time.Second)
	a2 := nextAttempt(t, reg, 5*time.Second)
	if gap := a2.at.Sub(a1.at); a1.code != 503 || a2.code != 200 || gap < 1900*time.Millisecond || gap > 3500*time.Millisecond {
		t.Fatalf("REGISTER %d, then %d after %v: want 503, then 200 after about 2 s", a1.code, a2.code, gap)
	}
}
