package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/warmline/warmline/backend/warmline"
)

func (s *Server) handleCalendar(c echo.Context) error {
	cal, err := s.Rules.FindCalendar(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cal)
}

func (s *Server) handleCalendarUpdate(c echo.Context) error {
	var in warmline.CalendarInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	cal, err := s.Rules.UpdateCalendar(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, cal)
}
