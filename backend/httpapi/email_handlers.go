package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/warmline/warmline/backend/warmline"
)

func (s *Server) handleEmailSettings(c echo.Context) error {
	es, err := s.Email.FindEmailSettings(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, es)
}

func (s *Server) handleEmailSettingsUpdate(c echo.Context) error {
	var in warmline.EmailSettingsInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	es, err := s.Email.SetEmailSettings(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, es)
}

func (s *Server) handleEmailSettingsDelete(c echo.Context) error {
	if err := s.Email.DeleteEmailSettings(c.Request().Context()); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// handleEmailTest answers 200 whether or not the SMTP server took the
// e-mail: what it said is the answer the admin needs.
func (s *Server) handleEmailTest(c echo.Context) error {
	var in warmline.EmailTest
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	res, err := s.Email.SendTestEmail(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}
