package notify

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

func TestSignatureVerifies(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	body := []byte(`{"id":"1-5"}`)
	h := Sign("whsec_abc", now, body)
	if !strings.HasPrefix(h, "t=1700000000,v1=") || len(h) != len("t=1700000000,v1=")+64 {
		t.Fatalf("header %q", h)
	}
	for _, tc := range []struct {
		name   string
		secret string
		header string
		body   string
		at     time.Time
		ok     bool
	}{
		{"the same secret, body and time", "whsec_abc", h, `{"id":"1-5"}`, now, true},
		{"another secret", "whsec_abd", h, `{"id":"1-5"}`, now, false},
		{"a changed body", "whsec_abc", h, `{"id":"1-6"}`, now, false},
		{"too late (a replay)", "whsec_abc", h, `{"id":"1-5"}`, now.Add(6 * time.Minute), false},
		{"no timestamp", "whsec_abc", h[strings.Index(h, ",")+1:], `{"id":"1-5"}`, now, false},
		{"garbage", "whsec_abc", "nonsense", `{"id":"1-5"}`, now, false},
	} {
		err := Verify(tc.secret, tc.header, []byte(tc.body), tc.at, 5*time.Minute)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err %v", tc.name, err)
		}
	}
	if NewSecret() == NewSecret() {
		t.Error("secrets repeat")
	}
}

// TestDialerRefusesPrivateAddresses: a name that resolves to a private
// address is refused when the connection is made, not only when the URL is saved.
func TestDialerRefusesPrivateAddresses(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if _, err := Dialer(Policy{}).Dial("tcp", ln.Addr().String()); !errors.Is(err, ErrDestination) {
		t.Errorf("strict policy dialled loopback: %v", err)
	}
	c, err := Dialer(Policy{AllowPrivate: true}).Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("development policy: %v", err)
	}
	c.Close()
	if _, err := Dialer(Policy{AllowPrivate: true}).Dial("tcp", "169.254.169.254:80"); !errors.Is(err, ErrDestination) {
		t.Errorf("metadata address dialled: %v", err)
	}
}

func TestBackoffGrowsToAboutADay(t *testing.T) {
	var total time.Duration
	prev := time.Duration(0)
	for n := 1; ; n++ {
		d, ok := Backoff(n)
		if !ok {
			if n != MaxAttempts {
				t.Errorf("gave up after attempt %d, MaxAttempts %d", n, MaxAttempts)
			}
			break
		}
		if d < prev*7/10 {
			t.Errorf("attempt %d waits %v, less than before (%v)", n, d, prev)
		}
		prev, total = d, total+d
	}
	if total < 18*time.Hour || total > 30*time.Hour {
		t.Errorf("retries span %v, want about a day", total)
	}
}
