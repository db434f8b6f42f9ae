package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Policy says where webhooks may go. The zero value is the safe default:
// https only, to public addresses. Webhook URLs are typed by organisation
// admins, so without a guard any tenant could make the server request its
// own network (SSRF): the cloud metadata service, the database, admin
// consoles.
type Policy struct {
	// AllowPrivate also allows plain http and loopback/private/shared
	// addresses (WARMLINE_WEBHOOK_ALLOW_HTTP=true: tests, development, a
	// receiver on the same LAN). Link-local (169.254.0.0/16, where cloud
	// metadata lives), unspecified and multicast addresses stay refused.
	AllowPrivate bool
}

// ErrDestination is wrapped by every refusal of a destination.
var ErrDestination = errors.New("webhook destination refused")

// CheckURL validates a webhook URL under p before it is saved. A host name
// is checked again, after resolution, at every connection (Dialer), since
// DNS may point it anywhere later.
func CheckURL(raw string, p Policy) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("%w: not an absolute URL such as https://example.com/hook", ErrDestination)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && p.AllowPrivate:
	case u.Scheme == "http":
		return nil, fmt.Errorf("%w: the URL must use https", ErrDestination)
	default:
		return nil, fmt.Errorf("%w: the URL must use https", ErrDestination)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%w: credentials in the URL are not allowed; the signature authenticates requests", ErrDestination)
	}
	if u.Fragment != "" {
		return nil, fmt.Errorf("%w: the URL must not have a #fragment", ErrDestination)
	}
	if err := CheckHost(u.Hostname(), p); err != nil {
		return nil, err
	}
	return u, nil
}

// CheckHost validates a server's host name or address under p (SMTP
// servers are guarded like webhooks; a name is checked again at dial time).
func CheckHost(host string, p Policy) error {
	if ip, err := netip.ParseAddr(host); err == nil {
		return checkIP(ip, p)
	}
	if h := strings.ToLower(strings.TrimSuffix(host, ".")); (h == "localhost" || strings.HasSuffix(h, ".localhost")) && !p.AllowPrivate {
		return fmt.Errorf("%w: %s is this machine", ErrDestination, host)
	}
	return nil
}

var sharedSpace = netip.MustParsePrefix("100.64.0.0/10") // carrier-grade NAT; also some clouds' metadata

// checkIP refuses addresses a webhook must not reach under p.
func checkIP(ip netip.Addr, p Policy) error {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid(), ip.IsUnspecified(), ip.IsLinkLocalUnicast(), ip.IsMulticast(),
		ip.IsLinkLocalMulticast(), ip.IsInterfaceLocalMulticast(), ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}),
		ip.Is4() && ip.As4()[0] == 0:
		return fmt.Errorf("%w: %s is a link-local, unspecified or multicast address", ErrDestination, ip)
	case ip.IsLoopback(), ip.IsPrivate(), sharedSpace.Contains(ip):
		if !p.AllowPrivate {
			return fmt.Errorf("%w: %s is a private or loopback address", ErrDestination, ip)
		}
	}
	return nil
}

// Dialer returns a dialer that checks every address it connects to under
// p, after DNS resolution, so a public name resolving to a private address
// is refused too.
func Dialer(p Policy) *net.Dialer {
	return &net.Dialer{
		Timeout: 5 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrDestination, address)
			}
			return checkIP(ap.Addr(), p)
		},
	}
}

// dialContext is the DialContext of the webhook transport.
func dialContext(p Policy) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return Dialer(p).DialContext
}
