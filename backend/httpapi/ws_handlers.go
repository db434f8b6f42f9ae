package httpapi

import (
	"github.com/labstack/echo/v4"

	"github.com/warmline/warmline/backend/warmline"
)

// handleWS opens the live event stream (docs/realtime.md). A WebSocket is
// not covered by SameSite or CORS, so the Origin is required here and must
// be our own: a page elsewhere cannot ride on the user's cookie.
func (s *Server) handleWS(c echo.Context) error {
	r := c.Request()
	if o := r.Header.Get("Origin"); o == "" || o != s.origin(r) {
		return warmline.Errorf(warmline.EFORBIDDEN, "WebSocket from a foreign or unknown origin refused.")
	}
	a, err := warmline.MustActor(r.Context())
	if err != nil {
		return err
	}
	if s.Hub == nil {
		return warmline.Errorf(warmline.ENOTFOUND, "Live updates are not enabled on this server.")
	}
	return s.Hub.Serve(c.Response(), r, a, s.oldToken(c))
}
