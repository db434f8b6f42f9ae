package httpapi

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/warmline/warmline/backend/warmline"
)

// handleFunnelReport answers the wallboard's funnel: live counts per stage
// and conversion since `since` (RFC 3339; default 30 days ago).
func (s *Server) handleFunnelReport(c echo.Context) error {
	since := time.Now().AddDate(0, 0, -30)
	if v := c.QueryParam("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return warmline.FieldErrorf(warmline.EINVALID, "since", "since must be a time like 2026-11-01T00:00:00Z.")
		}
		since = t
	}
	rep, err := s.Reports.FunnelReport(c.Request().Context(), since)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}

// handleCallsReport answers the wallboard's calls panel: calls in progress
// and today's figures.
func (s *Server) handleCallsReport(c echo.Context) error {
	rep, err := s.Reports.CallsReport(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}
