package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/warmline/warmline/backend/warmline"
)

func (s *Server) handlePresence(c echo.Context) error {
	list, err := s.Presence.FindPresence(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, items(list))
}

func (s *Server) handleMyState(c echo.Context) error {
	var in struct {
		State  warmline.AgentState `json:"state"`
		Reason string              `json:"reason"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p, err := s.Presence.SetState(c.Request().Context(), in.State, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}
