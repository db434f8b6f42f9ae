//go:build linux

package realtime_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/warmline/warmline/backend/httpapi"
)

// The load client of BenchmarkHubLoad. Its connections stand for browsers
// on other machines, so the CPU it spends here is an artifact of the
// benchmark that it keeps as small as a correct client can: it does the
// WebSocket handshake itself, then hands every socket to a few epoll loops
// (one a CPU) instead of a goroutine each, reads whatever a socket holds
// with one read(2) into the connection's own buffer, and takes the frames
// out of it in place (RFC 6455 §5.2), with no allocation per frame. It
// still checks every frame: the sequence number of each one, and that its
// data is the write that took that number. It answers the server's pings.

// loadConn is one connection of the load client.
type loadConn struct {
	fd   int // a socket of the load client's own, not the runtime's
	org  int
	buf  []byte // bytes read and not yet taken as frames
	want []byte // the data expected of the current frame

	mu       sync.Mutex
	helloed  bool
	next     int64 // the sequence expected next
	skipped  int64 // sequences jumped over
	repeated int64 // frames with a sequence already passed
	recv     []loadRecv
	bad      int // frames whose data is not the write that took their sequence
	err      error
	hello    chan struct{}
	done     chan struct{}
	ended    atomic.Bool // done is closed
}

type loadRecv struct {
	seq int64
	at  time.Duration // since loadEpoch
}

var loadEpoch = time.Now()

type loadClients struct {
	conns []*loadConn
	loops []*loadLoop
	stop  atomic.Bool
	wg    sync.WaitGroup
}

// loadLoop is one epoll instance and the goroutine that waits on it.
type loadLoop struct {
	ep    int
	mu    sync.Mutex
	conns map[int32]*loadConn // by fd
}

func loadDial(b *testing.B, url string, orgs []*loadOrg, n int) *loadClients {
	b.Helper()
	cl := &loadClients{conns: make([]*loadConn, n)}
	for range runtime.GOMAXPROCS(0) {
		ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		if err != nil {
			b.Fatalf("epoll_create1: %v", err)
		}
		l := &loadLoop{ep: ep, conns: map[int32]*loadConn{}}
		cl.loops = append(cl.loops, l)
		cl.wg.Go(func() { l.run(&cl.stop) })
	}
	host := strings.TrimPrefix(url, "http://")
	var g errgroup.Group
	g.SetLimit(64)
	for i := range n {
		g.Go(func() error {
			o := i % len(orgs)
			c, err := loadOpen(host, url, orgs[o].token)
			if err != nil {
				return fmt.Errorf("dial %d: %w", i, err)
			}
			c.org = o
			cl.conns[i] = c
			if err := cl.loops[i%len(cl.loops)].add(c); err != nil {
				return fmt.Errorf("connection %d: %w", i, err)
			}
			select {
			case <-c.hello:
				return nil
			case <-c.done:
				return fmt.Errorf("connection %d closed before hello: %v", i, c.err)
			case <-time.After(30 * time.Second):
				return fmt.Errorf("connection %d: no hello in 30 s", i)
			}
		})
	}
	if err := g.Wait(); err != nil {
		cl.close()
		b.Fatal(err)
	}
	return cl
}

// loadOpen dials /ws, does the opening handshake (RFC 6455 §4.1) and
// returns the connection on a socket of its own, with whatever the server
// sent after its answer already in the buffer.
func loadOpen(host, origin, token string) (*loadConn, error) {
	conn, err := (&net.Dialer{Timeout: 30 * time.Second}).DialContext(context.Background(), "tcp", host)
	if err != nil {
		return nil, err
	}
	defer conn.Close() // the socket lives on in the descriptor dup'd below
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	var nonce [16]byte
	rand.Read(nonce[:])
	key := base64.StdEncoding.EncodeToString(nonce[:])
	req := "GET /ws HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\nOrigin: " + origin + "\r\n" +
		"Cookie: " + httpapi.SessionCookie + "=" + token + "\r\n\r\n"
	if _, err := conn.Write([]byte(req)); err != nil {
		return nil, err
	}
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		return nil, fmt.Errorf("read handshake answer: %w", err)
	}
	res.Body.Close()
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	if res.StatusCode != http.StatusSwitchingProtocols || res.Header.Get("Sec-WebSocket-Accept") != base64.StdEncoding.EncodeToString(sum[:]) {
		return nil, fmt.Errorf("handshake answered %s", res.Status)
	}
	c := &loadConn{buf: make([]byte, 0, 4096), hello: make(chan struct{}), done: make(chan struct{})}
	c.buf = append(c.buf, make([]byte, br.Buffered())...)
	br.Read(c.buf)
	raw, err := conn.(*net.TCPConn).SyscallConn()
	if err != nil {
		return nil, err
	}
	var dupErr error
	raw.Control(func(fd uintptr) { c.fd, dupErr = syscall.Dup(int(fd)) })
	if dupErr != nil {
		return nil, dupErr
	}
	// The dup shares the file's O_NONBLOCK; the runtime's poller lets go
	// of it when conn closes.
	syscall.CloseOnExec(c.fd)
	return c, nil
}

// add has the loop read c from now on.
func (l *loadLoop) add(c *loadConn) error {
	if len(c.buf) > 0 && !c.consume() { // frames that came with the handshake's answer
		syscall.Close(c.fd)
		return c.err
	}
	l.mu.Lock()
	l.conns[int32(c.fd)] = c
	l.mu.Unlock()
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: int32(c.fd)}
	if err := syscall.EpollCtl(l.ep, syscall.EPOLL_CTL_ADD, c.fd, &ev); err != nil {
		return fmt.Errorf("epoll_ctl: %w", err)
	}
	return nil
}

// run waits for readable sockets and reads each once per wake-up (level
// triggered: what stays unread wakes it again) until stop.
func (l *loadLoop) run(stop *atomic.Bool) {
	defer syscall.Close(l.ep)
	events := make([]syscall.EpollEvent, 256)
	for !stop.Load() {
		n, err := syscall.EpollWait(l.ep, events, 100)
		if err != nil && !errors.Is(err, syscall.EINTR) {
			return
		}
		for _, ev := range events[:max(n, 0)] {
			l.mu.Lock()
			c := l.conns[ev.Fd]
			l.mu.Unlock()
			if c != nil && !c.readOnce() {
				l.mu.Lock()
				delete(l.conns, ev.Fd)
				l.mu.Unlock()
				syscall.EpollCtl(l.ep, syscall.EPOLL_CTL_DEL, c.fd, nil)
				syscall.Close(c.fd)
				c.end(nil)
			}
		}
	}
}

// readOnce reads what the socket holds and handles every whole frame in
// it; false when the connection has ended.
func (c *loadConn) readOnce() bool {
	if len(c.buf) == cap(c.buf) { // a frame longer than the buffer
		c.buf = append(c.buf, make([]byte, len(c.buf))...)[:len(c.buf)]
	}
	n, err := syscall.Read(c.fd, c.buf[len(c.buf):cap(c.buf)])
	if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EINTR) {
		return true
	}
	if err != nil || n == 0 {
		c.end(fmt.Errorf("read: %v (EOF without a close frame when nil)", err))
		return false
	}
	c.buf = c.buf[:len(c.buf)+n]
	return c.consume()
}

// consume handles every whole frame in buf and keeps the rest; false when
// the server closed the connection.
func (c *loadConn) consume() bool {
	at := time.Since(loadEpoch) // the frames read together arrived together
	p := c.buf
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		op, payload, size, ok := loadParseFrame(p)
		if !ok {
			break
		}
		p = p[size:]
		switch op {
		case 0x1: // text
			if !c.frame(payload, at) {
				return false
			}
		case 0x8: // close: what the server says is why the connection ends
			code := 1005
			if len(payload) >= 2 {
				code = int(binary.BigEndian.Uint16(payload))
			}
			c.endLocked(fmt.Errorf("closed by the server: %d %s", code, payload[min(2, len(payload)):]))
			return false
		case 0x9: // ping
			if err := loadWritePong(c.fd, payload); err != nil {
				c.endLocked(fmt.Errorf("pong: %w", err))
				return false
			}
		case 0xA: // pong
		default:
			c.endLocked(fmt.Errorf("unexpected frame opcode %d", op))
			return false
		}
	}
	c.buf = c.buf[:copy(c.buf, p)]
	return true
}

// frame checks one message of the protocol (c.mu held).
func (c *loadConn) frame(frame []byte, at time.Duration) bool {
	seq, ok := loadSeq(frame)
	if !c.helloed {
		if !bytes.HasPrefix(frame, []byte(`{"type":"hello"`)) {
			c.endLocked(fmt.Errorf("first frame is not hello: %.100s", frame))
			return false
		}
		c.helloed = true
		c.next = seq + 1
		close(c.hello)
		return true
	}
	// The data must be the write that took this sequence number.
	c.want = append(strconv.AppendInt(append(c.want[:0], `"notes":"load seq `...), seq, 10), '"')
	if !ok || !bytes.HasPrefix(frame, []byte(`{"type":"client.updated"`)) || !bytes.Contains(frame, c.want) {
		c.bad++
	}
	switch {
	case seq > c.next:
		c.skipped += seq - c.next
	case seq < c.next:
		c.repeated++
	}
	c.recv = append(c.recv, loadRecv{seq: seq, at: at})
	c.next = max(c.next, seq+1)
	return true
}

// loadParseFrame takes the first whole frame of p: its opcode, payload and
// size. The server's frames are final and unmasked (it sends no fragments).
func loadParseFrame(p []byte) (op byte, payload []byte, size int, ok bool) {
	if len(p) < 2 {
		return 0, nil, 0, false
	}
	op = p[0] & 0x0F
	n, h := int(p[1]&0x7F), 2
	switch n {
	case 126:
		if len(p) < 4 {
			return 0, nil, 0, false
		}
		n, h = int(binary.BigEndian.Uint16(p[2:])), 4
	case 127:
		if len(p) < 10 {
			return 0, nil, 0, false
		}
		n, h = int(binary.BigEndian.Uint64(p[2:])), 10
	}
	if len(p) < h+n {
		return 0, nil, 0, false
	}
	return op, p[h : h+n], h + n, true
}

// loadWritePong answers a ping with its data, in a frame masked as a
// client's must be (RFC 6455 §5.3).
func loadWritePong(fd int, data []byte) error {
	f := make([]byte, 6, 6+len(data))
	f[0], f[1] = 0x8A, 0x80|byte(len(data))
	rand.Read(f[2:6])
	for i, b := range data {
		f = append(f, b^f[2+i%4])
	}
	_, err := syscall.Write(fd, f)
	return err
}

func (c *loadConn) end(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.endLocked(err)
}

// endLocked records why the connection ended (the first reason counts)
// and marks it done.
func (c *loadConn) endLocked(err error) {
	if c.err == nil {
		c.err = err
	}
	if c.ended.CompareAndSwap(false, true) {
		close(c.done)
	}
}

// close stops the loops, then closes every socket still open.
func (cl *loadClients) close() {
	cl.stop.Store(true)
	cl.wg.Wait()
	for _, c := range cl.conns {
		if c != nil && !c.ended.Load() {
			syscall.Close(c.fd)
			c.end(errors.New("closed by the load client"))
		}
	}
}

// loadSeq reads the top-level "seq" of a frame, which the server encodes
// right after the type; a hello at sequence 0 has none.
func loadSeq(frame []byte) (int64, bool) {
	i := bytes.Index(frame, []byte(`"seq":`))
	if i < 0 {
		return 0, false
	}
	var n int64
	j := i + len(`"seq":`)
	for ; j < len(frame) && '0' <= frame[j] && frame[j] <= '9'; j++ {
		n = n*10 + int64(frame[j]-'0')
	}
	return n, j > i+len(`"seq":`)
}
