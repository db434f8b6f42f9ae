package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
	"github.com/labstack/echo/v4"

	"github.com/warmline/warmline/backend/warmline"
	"github.com/warmline/warmline/media"
)

// Phone is what the API needs from the media gateway (media.Gateway), so
// handlers do not depend on the gateway itself and tests can stand in a
// small recorder.
type Phone interface {
	// ServeAgent serves one softphone's /ws/phone connection until it closes.
	ServeAgent(ctx context.Context, a media.Agent, ws *websocket.Conn)
	// Dial is click-to-call: the agent's softphone rings, then the number.
	Dial(ctx context.Context, a media.Agent, to string, client warmline.ClientID) (warmline.CallID, error)
	// Reload re-reads trunks and lines after an admin changed them.
	Reload(ctx context.Context) error
	// DemoCallIn has the demo phone network call the organisation.
	DemoCallIn(ctx context.Context, org warmline.OrgID, from string) error
}

// maxPhoneFrame bounds a /ws/phone frame (docs/phone-protocol.md).
const maxPhoneFrame = 64 << 10

var phoneUpgrader = websocket.Upgrader{
	// The Origin is checked before upgrading (handlePhoneWS); gorilla's own
	// check would refuse a configured public URL behind a proxy.
	CheckOrigin: func(*http.Request) bool { return true },
}

// errNoPhone is the answer while the gateway does not run.
var errNoPhone = warmline.Errorf(warmline.EUNAVAILABLE, "The phone gateway is not running.")

// phoneAgent is the caller as the gateway knows them.
func phoneAgent(c echo.Context) (media.Agent, error) {
	a, err := warmline.MustActor(c.Request().Context())
	if err != nil {
		return media.Agent{}, err
	}
	u := currentUser(c)
	if u == nil {
		return media.Agent{}, warmline.Errorf(warmline.EUNAUTHORIZED, "Please log in.")
	}
	return media.Agent{OrgID: a.OrgID, ID: a.UserID, Name: u.Name}, nil
}

// handlePhoneWS opens the softphone's signalling socket. Like /ws, a
// WebSocket is not covered by SameSite or CORS, so the Origin is required
// and must be our own; the session cookie names the agent. Every role
// takes calls (agent is the least).
func (s *Server) handlePhoneWS(c echo.Context) error {
	r := c.Request()
	if o := r.Header.Get("Origin"); o == "" || o != s.origin(r) {
		return warmline.Errorf(warmline.EFORBIDDEN, "WebSocket from a foreign or unknown origin refused.")
	}
	act, err := warmline.MustActor(r.Context())
	if err != nil {
		return err
	}
	if err := act.Require(warmline.RoleAgent); err != nil {
		return err
	}
	a, err := phoneAgent(c)
	if err != nil {
		return err
	}
	if s.Phone == nil {
		return errNoPhone
	}
	ws, err := phoneUpgrader.Upgrade(c.Response(), r, nil)
	if err != nil {
		return nil // the upgrader has answered the client already
	}
	ws.SetReadLimit(maxPhoneFrame)
	// The softphone lives as long as the login: a logout or deactivation
	// elsewhere ends it (ServeAgent closes the socket when ctx ends).
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	go s.whileSession(ctx, cancel, s.oldToken(c))
	s.Phone.ServeAgent(ctx, a, ws)
	return nil
}

// whileSession calls cancel once the session token no longer
// authenticates; it returns when ctx ends.
func (s *Server) whileSession(ctx context.Context, cancel context.CancelFunc, token string) {
	every := s.PhoneSessionCheck
	if every <= 0 {
		every = 30 * time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.Sessions.Authenticate(ctx, token); warmline.ErrorCode(err) == warmline.EUNAUTHORIZED {
				cancel()
				return
			}
		}
	}
}
