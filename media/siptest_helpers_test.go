package media_test

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// reinvite is a re-INVITE from the far end with direction dir.
func reinvite(c *peerCall, dir string) *sip.Request {
	req := sip.NewRequest(sip.INVITE, c.invite.Contact().Address)
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(c.sdp(dir, 3))
	return req
}

func ackFor(c *peerCall) *sip.Request {
	return sip.NewRequest(sip.ACK, c.invite.Contact().Address)
}

// garbage sends datagrams that are not SIP to the gateway.
func garbage(t *testing.T, port int) {
	t.Helper()
	c, err := net.Dial("udp4", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, g := range []string{"\x00\x01\x02garbage", "INVITE sip:x SIP/2.0\r\nVia: nonsense\r\n\r\n", strings.Repeat("A", 1400)} {
		_, _ = c.Write([]byte(g))
	}
}

// rawInvite sends a hand-written INVITE from host (without Contact when
// withContact is false) and returns the final status.
func rawInvite(t *testing.T, host string, port int, to string, withContact bool) (int, string) {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(host)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	lp := c.LocalAddr().(*net.UDPAddr).Port
	body := fmt.Sprintf("v=0\r\no=x 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n", host, host)
	contact := ""
	if withContact {
		contact = fmt.Sprintf("Contact: <sip:x@%s:%d>\r\n", host, lp)
	}
	msg := fmt.Sprintf("INVITE sip:%s@127.0.0.1:%d SIP/2.0\r\nVia: SIP/2.0/UDP %s:%d;branch=z9hG4bK%d\r\nFrom: <sip:rogue@%s>;tag=1\r\nTo: <sip:%s@127.0.0.1>\r\nCall-ID: raw-%d@%s\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n%sContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s",
		to, port, host, lp, time.Now().UnixNano(), host, to, time.Now().UnixNano(), host, contact, len(body), body)
	dst := &net.UDPAddr{IP: net.ParseIP("127.0.0.1"), Port: port}
	if _, err := c.WriteToUDP([]byte(msg), dst); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 4096)
	for {
		n, _, err := c.ReadFromUDP(buf)
		if err != nil {
			t.Fatalf("no response to the raw INVITE: %v", err)
		}
		line, _, _ := bufio.NewReader(strings.NewReader(string(buf[:n]))).ReadLine()
		f := strings.SplitN(string(line), " ", 3)
		if len(f) < 3 {
			continue
		}
		code, _ := strconv.Atoi(f[1])
		if code >= 200 {
			return code, f[2]
		}
	}
}
