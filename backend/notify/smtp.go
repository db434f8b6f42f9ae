package notify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"time"

	"github.com/wneessen/go-mail"
)

// SMTP security modes.
const (
	SecurityNone     = "none"     // plain text (a relay on the same host or LAN)
	SecurityStartTLS = "starttls" // plain connection upgraded with STARTTLS, required
	SecurityTLS      = "tls"      // TLS from the first byte (port 465)
)

// SMTP is how an organisation's mail leaves: its server and credentials.
type SMTP struct {
	Host     string
	Port     int
	Security string
	Username string
	Password string
	From     string
	// RootCAs verifies the server's certificate; nil uses the system's
	// (tests pass their own self-signed authority).
	RootCAs *x509.CertPool
	// Policy guards the server's address like a webhook's.
	Policy Policy
	// Timeout bounds the whole exchange; default 20 s.
	Timeout time.Duration
}

// Mail is one plain-text message.
type Mail struct {
	To      []string
	Subject string
	Body    string
}

// Send delivers m through s with go-mail (SMTP, STARTTLS, auth are its job).
func Send(ctx context.Context, s SMTP, m Mail) error {
	msg := mail.NewMsg()
	if err := msg.From(s.From); err != nil {
		return fmt.Errorf("from address %q: %w", s.From, err)
	}
	if err := msg.To(m.To...); err != nil {
		return fmt.Errorf("recipient: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(mail.TypeTextPlain, m.Body)
	msg.SetDate()
	msg.SetMessageID()

	timeout := s.Timeout
	if timeout == 0 {
		timeout = 20 * time.Second
	}
	tlsConf := &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
	tlsConf.RootCAs = s.RootCAs
	dial := Dialer(s.Policy)
	dial.Timeout = timeout
	opts := []mail.Option{
		mail.WithPort(s.Port),
		mail.WithTimeout(timeout),
		mail.WithTLSConfig(tlsConf),
		mail.WithDialContextFunc(dial.DialContext),
	}
	switch s.Security {
	case SecurityNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case SecurityStartTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case SecurityTLS:
		// go-mail wraps only its own dialer in TLS; ours (the address
		// guard) is wrapped here.
		td := &tls.Dialer{NetDialer: dial, Config: tlsConf}
		opts = append(opts, mail.WithSSL(), mail.WithDialContextFunc(func(ctx context.Context, network, addr string) (net.Conn, error) {
			return td.DialContext(ctx, network, addr)
		}))
	default:
		return fmt.Errorf("SMTP security %q is not none, starttls or tls", s.Security)
	}
	if s.Username != "" {
		auth := mail.SMTPAuthAutoDiscover
		if s.Security == SecurityTLS {
			auth = mail.SMTPAuthPlain // go-mail cannot tell our TLS connection is encrypted
		}
		opts = append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(s.Username), mail.WithPassword(s.Password))
	}
	c, err := mail.NewClient(s.Host, opts...)
	if err != nil {
		return fmt.Errorf("SMTP client for %s: %w", s.Host, err)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("send through %s:%d: %w", s.Host, s.Port, err)
	}
	return nil
}
