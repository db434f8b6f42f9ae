package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// Request timeout and the size of the answer excerpt kept in the log.
const (
	DefaultTimeout = 10 * time.Second
	excerptBytes   = 200
)

// Poster sends webhook requests.
type Poster struct {
	policy  Policy
	timeout time.Duration
	client  *http.Client
}

// NewPoster returns a Poster that refuses destinations outside p and gives
// each request timeout (DefaultTimeout when 0).
func NewPoster(p Policy, timeout time.Duration) *Poster {
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	tr := &http.Transport{
		Proxy:                 nil, // the guard must see the real destination
		DialContext:           dialContext(p),
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
	}
	return &Poster{policy: p, timeout: timeout, client: &http.Client{
		Transport: tr,
		Timeout:   timeout,
		// A redirect could lead anywhere; the receiver must answer at its URL.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Policy returns the destination policy the Poster enforces.
func (p *Poster) Policy() Policy { return p.policy }

// Timeout returns the bound on one request.
func (p *Poster) Timeout() time.Duration { return p.timeout }

// Delivery is one webhook request to send.
type Delivery struct {
	URL, Secret string
	EventID     string // idempotency key, "<org>-<seq>"
	EventType   string
	Body        []byte
}

// Result is how a request went. OK means a 2xx answer.
type Result struct {
	OK      bool
	Status  int // 0 when no answer came
	Latency time.Duration
	Error   string // why it failed, for the delivery log (no secrets)
	Excerpt string // the start of the answer
}

// Post sends d, signed at now, and reports the result; it never returns
// an error, since every failure is a result to record and retry.
func (p *Poster) Post(ctx context.Context, d Delivery, now time.Time) Result {
	if _, err := CheckURL(d.URL, p.policy); err != nil {
		return Result{Error: err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		return Result{Error: fmt.Sprintf("build request: %v", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Warmline-Webhooks/1")
	req.Header.Set("Warmline-Event-Id", d.EventID)
	req.Header.Set("Warmline-Event-Type", d.EventType)
	req.Header.Set(SignatureHeader, Sign(d.Secret, now, d.Body))
	start := time.Now()
	res, err := p.client.Do(req)
	r := Result{Latency: time.Since(start)}
	if err != nil {
		r.Error = describe(err)
		return r
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, excerptBytes))
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10)) // let the connection be reused
	r.Status = res.StatusCode
	r.Excerpt = excerpt(b)
	r.OK = res.StatusCode >= 200 && res.StatusCode < 300
	if !r.OK {
		r.Error = fmt.Sprintf("answered %d", res.StatusCode)
	}
	return r
}

// describe words a transport error for the log without the URL (which
// may carry a token in its query).
func describe(err error) string {
	var ue interface{ Timeout() bool }
	switch {
	case errors.Is(err, ErrDestination):
		if i := strings.Index(err.Error(), ErrDestination.Error()); i >= 0 {
			return err.Error()[i:]
		}
		return ErrDestination.Error()
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ue) && ue.Timeout():
		return "timed out"
	}
	var uerr interface{ Unwrap() error }
	if errors.As(err, &uerr) && uerr.Unwrap() != nil {
		return truncate(uerr.Unwrap().Error(), 300)
	}
	return truncate(err.Error(), 300)
}

func excerpt(b []byte) string {
	for !utf8.Valid(b) && len(b) > 0 {
		b = b[:len(b)-1] // cut a character split by the limit
	}
	return strings.ToValidUTF8(string(b), "")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
